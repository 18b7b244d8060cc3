build2/common/format/header.o: common/format/header.c \
 common/format/header.h common/base/json.h common/base/span.h \
 common/base/util.h common/format/merkle.h common/format/record.h \
 common/base/enc.h
common/format/header.h:
common/base/json.h:
common/base/span.h:
common/base/util.h:
common/format/merkle.h:
common/format/record.h:
common/base/enc.h:
