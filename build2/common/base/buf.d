build2/common/base/buf.o: common/base/buf.c common/base/buf.h \
 common/base/util.h
common/base/buf.h:
common/base/util.h:
