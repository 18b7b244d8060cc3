build2/cmd/alog-append.o: cmd/alog-append.c common/base/reader.h \
 common/base/util.h common/capture/append.h common/log/writer.h \
 common/format/header.h common/base/json.h common/base/span.h \
 common/format/merkle.h common/format/record.h common/capture/capture.h \
 common/capture/source.h common/policy/event.h common/policy/policy.h
common/base/reader.h:
common/base/util.h:
common/capture/append.h:
common/log/writer.h:
common/format/header.h:
common/base/json.h:
common/base/span.h:
common/format/merkle.h:
common/format/record.h:
common/capture/capture.h:
common/capture/source.h:
common/policy/event.h:
common/policy/policy.h:
