build2/common/ops/verify.o: common/ops/verify.c common/ops/verify.h \
 common/base/util.h common/format/header.h common/base/json.h \
 common/base/span.h common/format/merkle.h common/format/record.h \
 common/keys/key.h common/format/sealrec.h common/base/enc.h \
 common/base/reader.h common/base/sha256.h common/base/ts.h \
 common/keys/sealcheck.h common/ops/verify_pool.h
common/ops/verify.h:
common/base/util.h:
common/format/header.h:
common/base/json.h:
common/base/span.h:
common/format/merkle.h:
common/format/record.h:
common/keys/key.h:
common/format/sealrec.h:
common/base/enc.h:
common/base/reader.h:
common/base/sha256.h:
common/base/ts.h:
common/keys/sealcheck.h:
common/ops/verify_pool.h:
