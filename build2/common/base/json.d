build2/common/base/json.o: common/base/json.c common/base/json.h \
 common/base/span.h
common/base/json.h:
common/base/span.h:
