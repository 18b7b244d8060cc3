build2/common/log/writer.o: common/log/writer.c common/log/writer.h \
 common/base/util.h common/format/header.h common/base/json.h \
 common/base/span.h common/format/merkle.h common/format/record.h \
 common/base/enc.h common/base/sha256.h common/base/ts.h
common/log/writer.h:
common/base/util.h:
common/format/header.h:
common/base/json.h:
common/base/span.h:
common/format/merkle.h:
common/format/record.h:
common/base/enc.h:
common/base/sha256.h:
common/base/ts.h:
