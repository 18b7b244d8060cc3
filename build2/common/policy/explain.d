build2/common/policy/explain.o: common/policy/explain.c \
 common/policy/policy.h common/base/util.h common/base/enc.h \
 common/keys/protect.h common/base/buf.h common/base/span.h \
 common/policy/detect.h common/policy/internal.h common/base/json.h
common/policy/policy.h:
common/base/util.h:
common/base/enc.h:
common/keys/protect.h:
common/base/buf.h:
common/base/span.h:
common/policy/detect.h:
common/policy/internal.h:
common/base/json.h:
