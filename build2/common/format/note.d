build2/common/format/note.o: common/format/note.c common/format/note.h \
 common/base/util.h common/base/enc.h common/base/sha256.h
common/format/note.h:
common/base/util.h:
common/base/enc.h:
common/base/sha256.h:
