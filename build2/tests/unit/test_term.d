build2/tests/unit/test_term.o: tests/unit/test_term.c common/base/term.h \
 common/format/record.h common/base/span.h common/base/util.h \
 common/grep/render.h common/base/buf.h common/grep/query.h \
 tests/unit/t.h tests/unit/tutil.h
common/base/term.h:
common/format/record.h:
common/base/span.h:
common/base/util.h:
common/grep/render.h:
common/base/buf.h:
common/grep/query.h:
tests/unit/t.h:
tests/unit/tutil.h:
