build2/common/format/sealrec.o: common/format/sealrec.c \
 common/format/sealrec.h common/base/util.h common/format/merkle.h \
 common/format/record.h common/base/span.h common/base/enc.h \
 common/base/json.h common/format/header.h common/format/note.h
common/format/sealrec.h:
common/base/util.h:
common/format/merkle.h:
common/format/record.h:
common/base/span.h:
common/base/enc.h:
common/base/json.h:
common/format/header.h:
common/format/note.h:
