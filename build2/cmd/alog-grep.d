build2/cmd/alog-grep.o: cmd/alog-grep.c common/base/buf.h \
 common/base/term.h common/base/ts.h common/base/util.h \
 common/grep/grep.h common/grep/query.h common/base/span.h \
 common/grep/render.h common/format/record.h common/keys/key.h \
 common/format/merkle.h common/format/sealrec.h common/keys/protect.h
common/base/buf.h:
common/base/term.h:
common/base/ts.h:
common/base/util.h:
common/grep/grep.h:
common/grep/query.h:
common/base/span.h:
common/grep/render.h:
common/format/record.h:
common/keys/key.h:
common/format/merkle.h:
common/format/sealrec.h:
common/keys/protect.h:
