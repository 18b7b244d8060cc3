build2/cmd/alog-seal.o: cmd/alog-seal.c common/base/util.h \
 common/log/writer.h common/format/header.h common/base/json.h \
 common/base/span.h common/format/merkle.h common/format/record.h \
 common/ops/seal.h common/format/sealrec.h common/keys/sealcheck.h \
 common/keys/key.h
common/base/util.h:
common/log/writer.h:
common/format/header.h:
common/base/json.h:
common/base/span.h:
common/format/merkle.h:
common/format/record.h:
common/ops/seal.h:
common/format/sealrec.h:
common/keys/sealcheck.h:
common/keys/key.h:
