build2/common/grep/render.o: common/grep/render.c common/grep/render.h \
 common/base/buf.h common/format/record.h common/base/span.h \
 common/base/util.h common/grep/query.h common/base/json.h \
 common/base/term.h
common/grep/render.h:
common/base/buf.h:
common/format/record.h:
common/base/span.h:
common/base/util.h:
common/grep/query.h:
common/base/json.h:
common/base/term.h:
