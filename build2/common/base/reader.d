build2/common/base/reader.o: common/base/reader.c common/base/reader.h \
 common/base/util.h
common/base/reader.h:
common/base/util.h:
