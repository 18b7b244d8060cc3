build2/common/capture/follow.o: common/capture/follow.c \
 common/capture/follow.h common/base/util.h common/base/sha256.h
common/capture/follow.h:
common/base/util.h:
common/base/sha256.h:
