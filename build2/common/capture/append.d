build2/common/capture/append.o: common/capture/append.c \
 common/capture/append.h common/base/util.h common/log/writer.h \
 common/format/header.h common/base/json.h common/base/span.h \
 common/format/merkle.h common/format/record.h common/policy/event.h \
 common/policy/policy.h
common/capture/append.h:
common/base/util.h:
common/log/writer.h:
common/format/header.h:
common/base/json.h:
common/base/span.h:
common/format/merkle.h:
common/format/record.h:
common/policy/event.h:
common/policy/policy.h:
