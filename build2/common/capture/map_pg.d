build2/common/capture/map_pg.o: common/capture/map_pg.c \
 common/base/json.h common/base/span.h common/capture/map.h \
 common/base/buf.h common/base/util.h
common/base/json.h:
common/base/span.h:
common/capture/map.h:
common/base/buf.h:
common/base/util.h:
