build2/common/base/term.o: common/base/term.c common/base/term.h
common/base/term.h:
