build2/common/base/find.o: common/base/find.c common/base/find.h
common/base/find.h:
