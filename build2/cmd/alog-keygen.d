build2/cmd/alog-keygen.o: cmd/alog-keygen.c common/base/util.h \
 common/keys/key.h common/format/merkle.h common/format/sealrec.h \
 common/format/record.h common/base/span.h common/keys/protect.h \
 common/base/buf.h common/log/writer.h common/format/header.h \
 common/base/json.h
common/base/util.h:
common/keys/key.h:
common/format/merkle.h:
common/format/sealrec.h:
common/format/record.h:
common/base/span.h:
common/keys/protect.h:
common/base/buf.h:
common/log/writer.h:
common/format/header.h:
common/base/json.h:
