build2/common/format/merkle.o: common/format/merkle.c \
 common/format/merkle.h common/base/sha256.h
common/format/merkle.h:
common/base/sha256.h:
