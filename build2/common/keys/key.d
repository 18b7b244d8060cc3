build2/common/keys/key.o: common/keys/key.c common/keys/key.h \
 common/base/util.h common/format/merkle.h common/format/sealrec.h \
 common/format/record.h common/base/span.h common/base/enc.h \
 common/base/sha256.h common/format/header.h common/base/json.h
common/keys/key.h:
common/base/util.h:
common/format/merkle.h:
common/format/sealrec.h:
common/format/record.h:
common/base/span.h:
common/base/enc.h:
common/base/sha256.h:
common/format/header.h:
common/base/json.h:
