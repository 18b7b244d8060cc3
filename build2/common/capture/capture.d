build2/common/capture/capture.o: common/capture/capture.c \
 common/capture/capture.h common/capture/append.h common/base/util.h \
 common/log/writer.h common/format/header.h common/base/json.h \
 common/base/span.h common/format/merkle.h common/format/record.h \
 common/policy/event.h common/capture/follow.h common/capture/map.h \
 common/base/buf.h common/base/reader.h common/capture/source.h \
 common/capture/srcpos.h
common/capture/capture.h:
common/capture/append.h:
common/base/util.h:
common/log/writer.h:
common/format/header.h:
common/base/json.h:
common/base/span.h:
common/format/merkle.h:
common/format/record.h:
common/policy/event.h:
common/capture/follow.h:
common/capture/map.h:
common/base/buf.h:
common/base/reader.h:
common/capture/source.h:
common/capture/srcpos.h:
