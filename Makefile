# alog - tamper-evident audit logs.
# Plain make, no configure step.  Honours CC, CFLAGS, LDFLAGS, PREFIX, DESTDIR.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
PKG_CONFIG ?= pkg-config
BUILD      ?= build
VERSION    := 0.1.0

CFLAGS ?= -O2 -g
WARN    = -Wall -Wextra -Wformat=2 -Wvla -Wshadow -Wpointer-arith \
          -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(WERROR),1)
WARN   += -Werror
endif

DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags libsodium jansson 2>/dev/null)
DEPS_LIBS   := $(shell $(PKG_CONFIG) --libs libsodium jansson 2>/dev/null || echo -lsodium -ljansson)

# SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer.
ifeq ($(SAN),1)
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
# COV=1 builds with gcov instrumentation for `make coverage`.
ifeq ($(COV),1)
COV_FLAGS = --coverage -O0
endif

ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -DALOG_VERSION='"$(VERSION)"' \
              -Icommon $(DEPS_CFLAGS) $(WARN) $(CFLAGS) $(SAN_FLAGS) $(COV_FLAGS) -pthread
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS) $(COV_FLAGS) -pthread
LIBS        = $(DEPS_LIBS) -lm

# Every .c below common/, folders included (see common/README for the layers).
rwildcard  = $(foreach d,$(wildcard $(1:=/*)),$(call rwildcard,$d,$2) $(filter $(subst *,%,$2),$d))
LIB_SRC   := $(sort $(call rwildcard,common,*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB_A     := $(BUILD)/libalog.a
TOOLS     := $(patsubst cmd/%.c,$(BUILD)/bin/%,$(sort $(wildcard cmd/alog-*.c)))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNITS     := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
HELPERS   := $(patsubst tests/tools/%.c,$(BUILD)/tests/%,\
               $(filter-out tests/tools/faultinj.c tests/tools/fakeclock.c,$(sort $(wildcard tests/tools/*.c)))) \
             $(BUILD)/tests/libfaultinj.so $(BUILD)/tests/libfakeclock.so
MAN1      := $(sort $(wildcard man/*.1))
MAN5      := $(sort $(wildcard man/*.5))
MAN8      := $(sort $(wildcard man/*.8))
UNITS_IN  := $(sort $(wildcard systemd/*.in))
LIBEXECDIR ?= $(PREFIX)/libexec/alog

# The sudo audit plugin, built against sudo's own sudo_plugin.h (Debian's
# sudo package ships it) when it is there, and not under the sanitisers
# (sudo itself is not sanitised).  Its library objects are built again as
# position-independent code, with only the plugin's symbol exported.
SUDO_PLUGIN_H ?= $(wildcard /usr/include/sudo_plugin.h)
ifneq ($(SUDO_PLUGIN_H),)
ifneq ($(SAN),1)
PLUGINS   := $(BUILD)/plugins/alog_sudo.so
endif
endif
PIC_OBJ   := $(LIB_SRC:%.c=$(BUILD)/pic/%.o)

.SECONDARY:

.PHONY: all install uninstall check check-deps check-layers check-unit check-bats check-asan check-valgrind check-sodium \
        check-arm check-man check-fuzz fuzz-build bench soak fuzz coverage lint clean

all: $(TOOLS) $(PLUGINS)

# Header dependencies are computed by the compiler (-MMD -MP: a .d file
# beside each object, and an empty rule per header so a removed header
# does not stop the build).
DEPFLAGS = -MMD -MP

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden $(DEPFLAGS) -c -o $@ $<

$(BUILD)/plugins/alog_sudo.so: plugins/alog_sudo.c $(PIC_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -shared -Wl,-z,defs -o $@ $< $(PIC_OBJ) \
	  $(ALL_LDFLAGS) $(LIBS)

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/tools/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# The fault-injection shim, LD_PRELOADed by tests/harness/faults.py.  Never
# sanitised: it sits under the sanitiser's own interceptors.
$(BUILD)/tests/libfaultinj.so: tests/tools/faultinj.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -g -fPIC -shared -o $@ $< -ldl

# The clock shim (FAKECLOCK=SECONDS), LD_PRELOADed by the time tests.
$(BUILD)/tests/libfakeclock.so: tests/tools/fakeclock.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -g -fPIC -shared -o $@ $< -ldl

# libFuzzer targets (tests/fuzz/fuzz_*.c) with clang, ASan and UBSan, in
# $(FUZZ_BUILD)/.  `make fuzz` runs each for FUZZ_SECONDS (see tests/fuzz/run.sh).
FUZZ_BUILD  ?= build-fuzz
FUZZ_CC     ?= clang
FUZZ_CFLAGS  = -std=c11 -D_GNU_SOURCE -DALOG_VERSION='"fuzz"' -Icommon $(DEPS_CFLAGS) \
               -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined -pthread
FUZZ_OBJ    := $(LIB_SRC:common/%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_BINS   := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))

$(FUZZ_BUILD)/obj/%.o: common/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -MF $@.d -MT $@ -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LIBS)

fuzz-build: $(FUZZ_BINS)

# Long campaigns: FUZZ_SECONDS per target (default 30 min; fuzz_verify twice
# that), FUZZ_JOBS at a time, at nice 19.
fuzz:
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$${FUZZ_SECONDS:-1800} bash tests/fuzz/run.sh campaign

# Corpus replay plus a few seconds per target (skipped without libFuzzer).
check-fuzz: check-deps
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$${FUZZ_SECONDS:-2} bash tests/fuzz/run.sh check

install: $(TOOLS) $(PLUGINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 $(TOOLS) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -d $(DESTDIR)$(UNITDIR)
	for u in $(UNITS_IN); do \
	  sed 's|@BINDIR@|$(BINDIR)|g' $$u >$(DESTDIR)$(UNITDIR)/$$(basename $$u .in) && \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename $$u .in) || exit 1; \
	done
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	for t in $(notdir $(TOOLS)); do \
	  install -m 0644 completion/alog.bash $(DESTDIR)$(BASHCOMPDIR)/$$t || exit 1; \
	done
	install -m 0644 completion/_alog $(DESTDIR)$(ZSHCOMPDIR)/_alog

uninstall:
	rm -f $(patsubst $(BUILD)/bin/%,$(DESTDIR)$(BINDIR)/%,$(TOOLS))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(MAN1))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man5/%,$(MAN5))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man8/%,$(MAN8))
	rm -f $(DESTDIR)$(LIBEXECDIR)/alog_sudo.so
	rm -f $(patsubst systemd/%.in,$(DESTDIR)$(UNITDIR)/%,$(UNITS_IN))
	rm -f $(patsubst $(BUILD)/bin/%,$(DESTDIR)$(BASHCOMPDIR)/%,$(TOOLS)) $(DESTDIR)$(ZSHCOMPDIR)/_alog

# The whole suite: C unit tests, then the bats suites against $(BUILD)/bin.
# (the fuzz targets are sanitised builds already: not repeated under check-asan)
check: check-layers check-unit check-man check-bats $(if $(filter 1,$(SAN)),,check-fuzz)

# The programs the tests need that install.sh does not install (the list is
# tests/packages).  Run as root, tests/deps.sh installs the missing ones and
# says which, starting and enabling no service; run as another user, it
# prints the command that installs them and stops (exit 2).  ALOG_NO_DEPS=1
# installs nothing (the tests that need a missing program are skipped).
check-deps:
	@tests/deps.sh

check-unit: $(UNITS)
	@set -e; for t in $(UNITS); do echo "unit: $$t"; $$t; done

check-bats: check-deps $(TOOLS) $(HELPERS) $(PLUGINS)
	ALOG_SAN=$(SAN) ALOG_COV=$(COV) ALOG_BIN=$(CURDIR)/$(BUILD)/bin ALOG_TESTBIN=$(CURDIR)/$(BUILD)/tests \
	  ALOG_PLUGINS=$(CURDIR)/$(BUILD)/plugins \
	  bats $(BATSFLAGS) tests/*.bats

check-man: check-deps
	@sh tests/check-man.sh $(MAN1) $(MAN5) $(MAN8)

# A file of common/ includes only from its own layer or below (common/README).
check-layers:
	@sh tests/check-layers.sh common

# The same suite, built with ASan+UBSan into build-asan/.
check-asan:
	$(MAKE) BUILD=build-asan SAN=1 check

# The suite again with the hardware SHA-256 path switched off (libsodium's).
check-sodium: $(UNITS) $(TOOLS) $(HELPERS)
	ALOG_SHA256=sodium $(MAKE) check-unit check-bats

# The ARMv8 SHA-256 path, cross-compiled and run under qemu (when installed).
check-arm:
	sh tests/arm/run.sh

# The unit tests and the bats suite with every tool run under valgrind memcheck.
VALGRIND  = valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
check-valgrind: check-deps $(UNITS) $(TOOLS) $(HELPERS)
	@set -e; for t in $(UNITS); do echo "unit (memcheck): $$t"; $(VALGRIND) $$t; done
	ALOG_VALGRIND=1 ALOG_BIN=$(CURDIR)/$(BUILD)/bin ALOG_TESTBIN=$(CURDIR)/$(BUILD)/tests \
	  bats $(BATSFLAGS) tests/*.bats

bench: check-deps $(TOOLS) $(HELPERS)
	ALOG_BIN=$(CURDIR)/$(BUILD)/bin ALOG_TESTBIN=$(CURDIR)/$(BUILD)/tests bash tests/bench/run.sh

# The long harness runs (tests/harness/soak.sh; SOAK_SECONDS for concurrency).
soak: check-deps $(TOOLS) $(HELPERS)
	ALOG_BIN=$(CURDIR)/$(BUILD)/bin ALOG_TESTBIN=$(CURDIR)/$(BUILD)/tests sh tests/harness/soak.sh

# Line coverage of common/ and branch coverage of the verifier's decisions,
# from the unit tests and the bats suites (harnesses included) on a gcov build.
coverage:
	@find build-cov -name '*.gcda' -delete 2>/dev/null || true
	$(MAKE) BUILD=build-cov COV=1 check-unit check-bats
	@sh tests/coverage.sh build-cov

# Static analysis: the layer check, cppcheck over everything, and GCC's
# -fanalyzer over the library and tools (when CC is GCC); any finding fails.
lint: check-deps check-layers
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	  --suppress=missingIncludeSystem -Icommon common cmd tests/tools tests/fuzz
	@if $(CC) --version 2>/dev/null | grep -q 'Free Software Foundation'; then \
	  for f in $(LIB_SRC) $(wildcard cmd/*.c); do \
	    $(CC) $(ALL_CFLAGS) -O1 -fanalyzer -Werror -c -o /dev/null $$f || exit 1; \
	  done; echo "gcc -fanalyzer: clean"; fi

clean:
	rm -rf build build-asan build-cov build-fuzz

# The dependency files of whatever was built before (missing ones are fine).
-include $(PIC_OBJ:.o=.d)
-include $(patsubst %.c,$(BUILD)/%.d,$(LIB_SRC) $(wildcard cmd/*.c) $(UNIT_SRC) \
           $(wildcard tests/tools/*.c))
-include $(FUZZ_OBJ:.o=.d) $(FUZZ_BINS:=.d)

-include tests/extra.mk
