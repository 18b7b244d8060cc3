build2/common/keys/protect.o: common/keys/protect.c common/keys/protect.h \
 common/base/buf.h common/base/span.h common/base/util.h \
 common/base/enc.h common/base/json.h common/base/sha256.h \
 common/format/record.h common/keys/key.h common/format/merkle.h \
 common/format/sealrec.h
common/keys/protect.h:
common/base/buf.h:
common/base/span.h:
common/base/util.h:
common/base/enc.h:
common/base/json.h:
common/base/sha256.h:
common/format/record.h:
common/keys/key.h:
common/format/merkle.h:
common/format/sealrec.h:
