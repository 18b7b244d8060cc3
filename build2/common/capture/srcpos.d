build2/common/capture/srcpos.o: common/capture/srcpos.c \
 common/capture/srcpos.h common/capture/follow.h common/base/util.h \
 common/base/enc.h common/base/json.h common/base/span.h \
 common/format/record.h common/log/logfile.h common/base/reader.h \
 common/format/header.h common/format/merkle.h common/format/sealrec.h \
 common/log/writer.h
common/capture/srcpos.h:
common/capture/follow.h:
common/base/util.h:
common/base/enc.h:
common/base/json.h:
common/base/span.h:
common/format/record.h:
common/log/logfile.h:
common/base/reader.h:
common/format/header.h:
common/format/merkle.h:
common/format/sealrec.h:
common/log/writer.h:
