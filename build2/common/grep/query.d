build2/common/grep/query.o: common/grep/query.c common/grep/query.h \
 common/base/span.h common/base/util.h common/base/find.h \
 common/base/json.h common/base/ts.h
common/grep/query.h:
common/base/span.h:
common/base/util.h:
common/base/find.h:
common/base/json.h:
common/base/ts.h:
