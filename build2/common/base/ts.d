build2/common/base/ts.o: common/base/ts.c common/base/ts.h
common/base/ts.h:
