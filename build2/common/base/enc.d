build2/common/base/enc.o: common/base/enc.c common/base/enc.h
common/base/enc.h:
