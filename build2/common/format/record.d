build2/common/format/record.o: common/format/record.c \
 common/format/record.h common/base/span.h common/base/util.h \
 common/base/enc.h common/base/sha256.h common/base/ts.h
common/format/record.h:
common/base/span.h:
common/base/util.h:
common/base/enc.h:
common/base/sha256.h:
common/base/ts.h:
