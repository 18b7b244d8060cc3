build2/common/grep/grep.o: common/grep/grep.c common/grep/grep.h \
 common/grep/query.h common/base/span.h common/base/util.h \
 common/grep/render.h common/base/buf.h common/format/record.h \
 common/keys/key.h common/format/merkle.h common/format/sealrec.h \
 common/keys/protect.h common/base/find.h common/base/json.h \
 common/base/reader.h common/base/term.h common/base/ts.h \
 common/format/header.h common/log/writer.h common/ops/verify.h
common/grep/grep.h:
common/grep/query.h:
common/base/span.h:
common/base/util.h:
common/grep/render.h:
common/base/buf.h:
common/format/record.h:
common/keys/key.h:
common/format/merkle.h:
common/format/sealrec.h:
common/keys/protect.h:
common/base/find.h:
common/base/json.h:
common/base/reader.h:
common/base/term.h:
common/base/ts.h:
common/format/header.h:
common/log/writer.h:
common/ops/verify.h:
