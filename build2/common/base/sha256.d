build2/common/base/sha256.o: common/base/sha256.c common/base/sha256.h
common/base/sha256.h:
