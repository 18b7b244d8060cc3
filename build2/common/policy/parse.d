build2/common/policy/parse.o: common/policy/parse.c \
 common/policy/policy.h common/base/util.h common/base/enc.h \
 common/base/json.h common/base/span.h common/format/record.h \
 common/keys/protect.h common/base/buf.h common/policy/detect.h \
 common/policy/event.h common/policy/internal.h
common/policy/policy.h:
common/base/util.h:
common/base/enc.h:
common/base/json.h:
common/base/span.h:
common/format/record.h:
common/keys/protect.h:
common/base/buf.h:
common/policy/detect.h:
common/policy/event.h:
common/policy/internal.h:
