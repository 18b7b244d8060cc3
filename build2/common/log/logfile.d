build2/common/log/logfile.o: common/log/logfile.c common/log/logfile.h \
 common/base/reader.h common/base/util.h common/format/header.h \
 common/base/json.h common/base/span.h common/format/merkle.h \
 common/format/record.h common/format/sealrec.h
common/log/logfile.h:
common/base/reader.h:
common/base/util.h:
common/format/header.h:
common/base/json.h:
common/base/span.h:
common/format/merkle.h:
common/format/record.h:
common/format/sealrec.h:
