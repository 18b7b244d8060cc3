build2/common/capture/source.o: common/capture/source.c \
 common/capture/source.h common/base/util.h common/policy/event.h \
 common/base/json.h common/base/span.h common/capture/map.h \
 common/base/buf.h common/format/record.h
common/capture/source.h:
common/base/util.h:
common/policy/event.h:
common/base/json.h:
common/base/span.h:
common/capture/map.h:
common/base/buf.h:
common/format/record.h:
