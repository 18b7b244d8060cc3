build2/common/keys/sealcheck.o: common/keys/sealcheck.c \
 common/keys/sealcheck.h common/base/util.h common/format/merkle.h \
 common/format/sealrec.h common/format/record.h common/base/span.h \
 common/keys/key.h common/format/note.h
common/keys/sealcheck.h:
common/base/util.h:
common/format/merkle.h:
common/format/sealrec.h:
common/format/record.h:
common/base/span.h:
common/keys/key.h:
common/format/note.h:
