build2/cmd/alog-export.o: cmd/alog-export.c common/base/reader.h \
 common/base/util.h common/export/export.h common/base/buf.h \
 common/format/record.h common/base/span.h common/keys/protect.h \
 common/log/writer.h common/format/header.h common/base/json.h \
 common/format/merkle.h common/ops/proof.h common/format/sealrec.h \
 common/keys/key.h common/ops/seal.h common/keys/sealcheck.h
common/base/reader.h:
common/base/util.h:
common/export/export.h:
common/base/buf.h:
common/format/record.h:
common/base/span.h:
common/keys/protect.h:
common/log/writer.h:
common/format/header.h:
common/base/json.h:
common/format/merkle.h:
common/ops/proof.h:
common/format/sealrec.h:
common/keys/key.h:
common/ops/seal.h:
common/keys/sealcheck.h:
