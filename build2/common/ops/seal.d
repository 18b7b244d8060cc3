build2/common/ops/seal.o: common/ops/seal.c common/ops/seal.h \
 common/base/util.h common/format/sealrec.h common/format/merkle.h \
 common/format/record.h common/base/span.h common/keys/sealcheck.h \
 common/keys/key.h common/base/ts.h common/format/header.h \
 common/base/json.h common/log/logfile.h common/base/reader.h \
 common/log/writer.h
common/ops/seal.h:
common/base/util.h:
common/format/sealrec.h:
common/format/merkle.h:
common/format/record.h:
common/base/span.h:
common/keys/sealcheck.h:
common/keys/key.h:
common/base/ts.h:
common/format/header.h:
common/base/json.h:
common/log/logfile.h:
common/base/reader.h:
common/log/writer.h:
