build2/common/policy/event.o: common/policy/event.c common/policy/event.h \
 common/base/util.h common/base/json.h common/base/span.h \
 common/format/record.h
common/policy/event.h:
common/base/util.h:
common/base/json.h:
common/base/span.h:
common/format/record.h:
