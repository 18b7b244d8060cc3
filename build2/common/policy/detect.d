build2/common/policy/detect.o: common/policy/detect.c \
 common/policy/detect.h
common/policy/detect.h:
