build2/cmd/alog-verify.o: cmd/alog-verify.c common/base/enc.h \
 common/base/ts.h common/base/util.h common/keys/key.h \
 common/format/merkle.h common/format/sealrec.h common/format/record.h \
 common/base/span.h common/ops/proof.h common/ops/seal.h \
 common/keys/sealcheck.h common/ops/verify.h common/format/header.h \
 common/base/json.h
common/base/enc.h:
common/base/ts.h:
common/base/util.h:
common/keys/key.h:
common/format/merkle.h:
common/format/sealrec.h:
common/format/record.h:
common/base/span.h:
common/ops/proof.h:
common/ops/seal.h:
common/keys/sealcheck.h:
common/ops/verify.h:
common/format/header.h:
common/base/json.h:
