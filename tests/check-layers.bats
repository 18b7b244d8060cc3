#!/usr/bin/env bats
# The layer check (tests/check-layers.sh) on a copy of common/ with a
# violation planted: it must fail with one line naming the file, the
# include and both layers, and pass again on the untouched copy.

load helpers

CHECK=$BATS_TEST_DIRNAME/check-layers.sh

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
	cp -r "$BATS_TEST_DIRNAME/../common" lib
}

@test "check-layers passes on the library as it is" {
	run sh "$CHECK" lib
	[ "$status" -eq 0 ]
	[[ $output == "layers: "*" files checked "* ]]
}

@test "check-layers names a file that includes from a higher layer" {
	printf '#include "ops/verify.h"\n' >>lib/format/record.c
	run sh "$CHECK" lib
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "check-layers: lib/format/record.c:"*': #include "ops/verify.h": layer format may not include from ops, a higher layer '* ]]
}

@test "check-layers refuses a header from a higher layer in a header too" {
	printf '#include "grep/query.h"\n' >>lib/base/util.h
	run sh "$CHECK" lib
	[ "$status" -eq 1 ]
	[[ $output == *'lib/base/util.h:'*'"grep/query.h": layer base may not include from grep'* ]]
}

@test "check-layers refuses an include without its folder" {
	printf '#include "record.h"\n' >>lib/log/writer.c
	run sh "$CHECK" lib
	[ "$status" -eq 1 ]
	[[ $output == *'lib/log/writer.c:'*'#include "record.h" names no layer folder'* ]]
}

@test "check-layers refuses a file outside the layer folders" {
	printf 'int x;\n' >lib/stray.c
	mkdir lib/misc
	printf 'int y;\n' >lib/misc/y.c
	run sh "$CHECK" lib
	[ "$status" -eq 1 ]
	[[ $output == *'lib/stray.c: not in a layer folder'* ]]
	[[ $output == *'lib/misc/y.c: not in a layer folder'* ]]
}

@test "check-layers takes capture/ as the highest library layer" {
	mkdir -p lib/capture
	printf '#include "capture/follow.h"\n#include "policy/policy.h"\n#include "log/writer.h"\n#include "grep/query.h"\n' >lib/capture/follow.c
	printf '#include "base/util.h"\n' >lib/capture/follow.h
	run sh "$CHECK" lib
	[ "$status" -eq 0 ]
	printf '#include "capture/follow.h"\n' >>lib/policy/policy.h
	run sh "$CHECK" lib
	[ "$status" -eq 1 ]
	[[ $output == *'lib/policy/policy.h:'*'layer policy may not include from capture'* ]]
}
