build2/common/ops/verify_pool.o: common/ops/verify_pool.c \
 common/ops/verify_pool.h common/format/record.h common/base/span.h \
 common/base/util.h common/base/sha256.h
common/ops/verify_pool.h:
common/format/record.h:
common/base/span.h:
common/base/util.h:
common/base/sha256.h:
