build2/common/ops/proof.o: common/ops/proof.c common/ops/proof.h \
 common/base/util.h common/format/merkle.h common/format/sealrec.h \
 common/format/record.h common/base/span.h common/keys/key.h \
 common/base/enc.h common/base/json.h common/base/reader.h \
 common/base/sha256.h common/format/header.h common/format/note.h \
 common/log/logfile.h
common/ops/proof.h:
common/base/util.h:
common/format/merkle.h:
common/format/sealrec.h:
common/format/record.h:
common/base/span.h:
common/keys/key.h:
common/base/enc.h:
common/base/json.h:
common/base/reader.h:
common/base/sha256.h:
common/format/header.h:
common/format/note.h:
common/log/logfile.h:
