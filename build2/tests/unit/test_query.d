build2/tests/unit/test_query.o: tests/unit/test_query.c \
 common/base/find.h common/base/json.h common/base/span.h \
 common/base/ts.h common/base/util.h common/grep/query.h tests/unit/t.h \
 tests/unit/tutil.h
common/base/find.h:
common/base/json.h:
common/base/span.h:
common/base/ts.h:
common/base/util.h:
common/grep/query.h:
tests/unit/t.h:
tests/unit/tutil.h:
