build2/common/export/driver.o: common/export/driver.c \
 common/export/export.h common/base/buf.h common/base/util.h \
 common/base/json.h common/base/span.h common/base/ts.h \
 common/export/internal.h common/format/record.h common/format/header.h \
 common/format/merkle.h
common/export/export.h:
common/base/buf.h:
common/base/util.h:
common/base/json.h:
common/base/span.h:
common/base/ts.h:
common/export/internal.h:
common/format/record.h:
common/format/header.h:
common/format/merkle.h:
