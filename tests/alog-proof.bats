#!/usr/bin/env bats
# Portable evidence: checkpoints, tlog-proof@v1 bundles checked offline by
# alog-verify --proof, consistency proofs, the tree state beside the log,
# and every way a bundle can be tampered with.

load helpers

# A log sealed twice (cp1, cp2), with one unsealed record after.
sealed() {
	alog-keygen -s k.sec -p k.pub --epochs 64 >/dev/null
	make_log a.alog 10
	alog-seal -f a.alog -s k.sec >cp1
	make_log a.alog 20
	alog-seal -f a.alog -s k.sec >cp2
	alog-append -f a.alog actor=late action=x
}

# FILE with one base64 character changed, whatever it was (A, or B for an
# A): on line N, in field F (0 for the whole line), at position P.
change_char() {
	awk -v n="$2" -v f="$3" -v p="$4" 'NR == n {
		c = substr($f, p, 1)
		$f = substr($f, 1, p - 1) (c == "A" ? "B" : "A") substr($f, p + 1)
	} 1' "$1"
}

# alog-grep is a separate tool; plain grep copies lines verbatim too.
grep_records() {
	if command -v alog-grep >/dev/null; then
		alog-grep "$1" "$2"
	else
		local k=${1%%=*} v=${1#*=}
		grep -F "\"$k\":\"$v\"" "$2"
	fi
}

@test "--checkpoint prints the last seal as alog-seal did; --vkey its epoch's verifier key" {
	sealed
	alog-export --checkpoint a.alog | cmp - cp2
	alog-export --checkpoint -f a.alog | cmp - cp2
	run alog-export --vkey a.alog
	[ "$status" -eq 0 ]
	[[ $output =~ ^test\.example/audit\+([0-9a-f]{8})\+A[A-Za-z0-9+/]{43}$ ]]
	id=${BASH_REMATCH[1]}
	# the signature line names the same key ID
	[ "$(tail -1 cp2 | cut -d' ' -f3 | base64 -d | head -c4 | xxd -p)" = "$id" ]
	alog-export --checkpoint --vkey a.alog | tail -1 | grep -q "^$output\$"
	make_log plain.alog 2
	run alog-export --checkpoint plain.alog
	[ "$status" -eq 1 ]
	[[ $output == *"no seal"* ]]
}

@test "proof bundles verify offline with the public key alone" {
	sealed
	grep -F '"n":7,' a.alog | alog-export --proof -p k.pub -f a.alog >b
	[ "$(head -1 b)" = "c2sp.org/tlog-proof@v1" ]
	[ "$(grep -c '^c2sp.org/tlog-proof@v1$' b)" = 2 ]
	mkdir elsewhere
	mv b elsewhere/
	cp k.pub elsewhere/
	cd elsewhere
	run alog-verify --proof b -p k.pub
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" = 5 ]
	[ "${lines[0]}" = "OK: seq 8 is in test.example/audit, tree size 32, checkpoint signed with epoch 1" ]
	[[ ${lines[1]} == *"n=7 #8" ]]
	[ "${lines[2]}" = "OK: seq 19 is in test.example/audit, tree size 32, checkpoint signed with epoch 1" ]
	[ "${lines[4]}" = "2 of 2 proofs verified" ]
	run alog-verify -q --proof b -p k.pub
	[ -z "$output" ]
}

@test "alog-grep | alog-export --proof | alog-verify --proof" {
	sealed
	grep_records actor=user3 a.alog | alog-export --proof -p k.pub -f a.alog | alog-verify --proof - -p k.pub >out
	[ "$(grep -c '^OK: seq' out)" = "$(grep -c '"actor":"user3"' a.alog)" ]
}

@test "the bundle's Merkle proof checks with an independent RFC 9162 implementation" {
	sealed
	sed -n 9p a.alog | alog-export --proof -p k.pub -f a.alog >b
	python3 - b <<'PY'
import base64, hashlib, json, sys
lines = open(sys.argv[1]).read().split('\n')
assert lines[0] == 'c2sp.org/tlog-proof@v1'
extra = json.loads(base64.b64decode(lines[1][6:]))
index = int(lines[2][6:])
i = 3
proof = []
while lines[i]:
    proof.append(base64.b64decode(lines[i])); i += 1
origin, size, root = lines[i + 1], int(lines[i + 2]), base64.b64decode(lines[i + 3])
rec = extra['record'].encode()
body = rec[:-75] + b'}'
leaf = hashlib.sha256(b'\0' + hashlib.sha256(body).digest()).digest()
# RFC 9162 2.1.3.2
fn, sn, r = index, size - 1, leaf
for p in proof:
    assert sn != 0
    if fn & 1 or fn == sn:
        r = hashlib.sha256(b'\1' + p + r).digest()
        while fn and not fn & 1:
            fn >>= 1; sn >>= 1
    else:
        r = hashlib.sha256(b'\1' + r + p).digest()
    fn >>= 1; sn >>= 1
assert sn == 0 and r == root, 'inclusion proof does not verify'
assert json.loads(rec)['seq'] == index + 1
PY
	command -v openssl >/dev/null || skip "openssl not installed"
	# the checkpoint signature with the epoch key carried in the bundle
	key=$(sed -n 2p b | cut -c7- | base64 -d | jq -r .key)
	printf '302a300506032b6570032100%s' "$(echo "$key" | base64 -d | xxd -p -c 64)" | xxd -r -p >pk.der
	openssl pkey -pubin -inform DER -in pk.der -out pk.pem
	awk 'f && NF == 0 {exit} f {print} /^$/ && !f {f = 1}' b >text
	tail -1 b | cut -d' ' -f3 | base64 -d | tail -c 64 >sig
	openssl pkeyutl -verify -pubin -inkey pk.pem -rawin -in text -sigfile sig
}

@test "a bundle with anything changed is rejected" {
	sealed
	other=$(mktemp -d)
	(cd "$other" && alog-keygen -s o.sec -p o.pub --epochs 64 >/dev/null)
	sed -n 9p a.alog | alog-export --proof -p k.pub -f a.alog >good
	alog-verify -q --proof good -p k.pub
	n=$(grep -n '^$' good | head -1 | cut -d: -f1) # the blank line before the checkpoint
	reject() {
		run alog-verify --proof "$1" -p "${2:-k.pub}"
		if [ "$status" != 1 ]; then
			echo "accepted ($status): $1"
			cat "$1"
			return 1
		fi
	}
	# every hash of the inclusion proof, one character changed
	for ((i = 4; i < n; i++)); do
		awk -v i=$i 'NR == i { c = substr($0, 5, 1); $0 = substr($0, 1, 4) (c == "A" ? "B" : "A") substr($0, 6) } 1' good >bad.$i
		reject bad.$i
	done
	# truncated, and an extra hash
	sed "$((n - 1))d" good >bad.short
	reject bad.short
	sed "$((n - 1))p" good >bad.long
	reject bad.long
	# another index
	sed 's/^index 8$/index 9/' good >bad.index
	reject bad.index
	# the checkpoint: wrong root, wrong size, another checkpoint of the log, bad signature
	awk -v n=$n 'NR == n + 3 { $0 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" } 1' good >bad.root
	reject bad.root
	awk -v n=$n 'NR == n + 2 { $0 = $0 + 1 } 1' good >bad.size
	reject bad.size
	{ head -n "$n" good; cat cp1; } >bad.swapped
	reject bad.swapped
	change_char good "$(wc -l <good)" 3 11 >bad.sig
	reject bad.sig
	# the record, the epoch key or its proof in the extra data
	extra=$(sed -n 2p good | cut -c7- | base64 -d)
	for change in '.record |= sub("user[0-9]"; "mallory")' '.epoch += 1' '.key_proof |= .[1:]' \
		'.key = "LYhrS/RRKOv6Slq6bbwXX6YoDgbBGPKeuD4JPne+BpI="' '.key_proof[0] = .key'; do
		x=$(echo "$extra" | jq -c "$change" | base64 -w0)
		sed "2s|.*|extra $x|" good >bad.extra
		reject bad.extra
	done
	sed 2d good >bad.noextra
	reject bad.noextra
	# the right bundle with the wrong public key
	reject good "$other/o.pub"
	# not a bundle at all
	echo hello >notproof
	run alog-verify --proof notproof -p k.pub
	[ "$status" -eq 2 ]
	rm -rf "$other"
}

@test "records that cannot be proven are named, the others still proven" {
	sealed
	{ sed -n 3p a.alog; grep late a.alog; sed -n 4p a.alog | sed 's/user/USER/'; } >in
	run alog-export --proof -p k.pub -f a.alog in
	[ "$status" -eq 1 ]
	[[ $output == *"in:2: seq 34 is not sealed yet (the last seal covers seq 1..32)"* ]]
	[[ $output == *"in:3: record seq 4 is not the one in the log"* ]]
	[ "$(echo "$output" | grep -c '^c2sp.org/tlog-proof@v1$')" = 1 ]
	make_log plain.alog 2
	run bash -c 'sed -n 2p plain.alog | alog-export --proof -p k.pub -f plain.alog'
	[ "$status" -eq 1 ]
	[[ $output == *"no seal yet"* ]]
}

@test "the tree state is kept beside the log and survives damage and rotation" {
	sealed
	sed -n 5p a.alog | alog-export --proof -p k.pub -f a.alog >b1
	[ -s a.alog.tree ]
	# damaged state: rebuilt, the proof is the same
	printf 'garbage' | dd of=a.alog.tree bs=1 seek=200 conv=notrunc 2>/dev/null
	sed -n 5p a.alog | alog-export --proof -p k.pub -f a.alog | cmp - b1
	truncate -s 100 a.alog.tree
	sed -n 5p a.alog | alog-export --proof -p k.pub -f a.alog | cmp - b1
	# a named state file
	sed -n 5p a.alog | alog-export --proof -p k.pub -f a.alog --tree-state elsewhere.tree | cmp - b1
	[ -s elsewhere.tree ]
	run bash -c 'sed -n 5p a.alog | alog-export --proof -p k.pub -f a.alog --tree-state no/such/dir/t'
	[ "$status" -eq 2 ]
	# after rotation: archived records are proven from the archive
	alog-seal -f a.alog -s k.sec --rotate old.alog >/dev/null
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec >/dev/null
	sed -n 5p old.alog | alog-export --proof -p k.pub -f old.alog | alog-verify -q --proof - -p k.pub
	# and from the live file, which names the archive
	sed -n 5p old.alog | alog-export --proof -p k.pub -f a.alog | alog-verify -q --proof - -p k.pub
	[ -s old.alog.tree ]
	mv old.alog gone.alog
	run bash -c 'sed -n 5p gone.alog | alog-export --proof -p k.pub -f a.alog'
	[ "$status" -eq 1 ]
	[[ $output == *"in an earlier file of the log (the files given start at seq "*"): give that file too"* ]]
	mv gone.alog old.alog
	tail -2 a.alog | head -1 | alog-export --proof -p k.pub -f a.alog | alog-verify -q --proof - -p k.pub
}

@test "consistency proofs between two checkpoints" {
	sealed
	alog-export -p k.pub --consistency cp1 cp2 -f a.alog >cons
	[ "$(head -3 cons)" = "$(printf 'alog/consistency-proof@v1\nold 11\nnew 32')" ]
	mkdir elsewhere
	cp cp1 cp2 cons k.pub elsewhere/
	(cd elsewhere && alog-verify -p k.pub --consistency cp1 cp2 --proof cons)
	run alog-verify -p k.pub --consistency cp2 cp1 --proof cons
	[ "$status" -eq 1 ]
	# the first hash of the proof changed
	change_char cons 6 0 1 >bad
	! cmp -s cons bad || false
	run alog-verify -p k.pub --consistency cp1 cp2 --proof bad
	[ "$status" -eq 1 ]
	[[ $output == *"not consistent"* ]]
	sed '$d' cons >short
	run alog-verify -p k.pub --consistency cp1 cp2 --proof short
	[ "$status" -eq 1 ]
	# against the log itself
	run alog-verify -p k.pub --consistency cp1 cp2 a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"checkpoints both contained in the log"* ]]
	run alog-verify -p k.pub --consistency cp2 cp1 a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"swapped"* ]]
	# a log rewritten before the old checkpoint contains neither
	cp a.alog forged.alog
	sed -i '3s/user/USER/' forged.alog
	rehash_log forged.alog
	run alog-verify -p k.pub --consistency cp1 cp2 forged.alog
	[ "$status" -eq 1 ]
	run alog-export -p k.pub --consistency cp1 cp2 -f forged.alog
	[ "$status" -eq 1 ]
	[[ $output == *"does not contain cp1"* ]]
	# and a checkpoint of another log
	(mkdir o && cd o && ALOG_ORIGIN=other.example/log make_log o.alog 2 &&
		alog-keygen --origin other.example/log -s o.sec -p o.pub >/dev/null &&
		alog-seal -f o.alog -s o.sec >../cpo)
	run alog-export -p k.pub --consistency cp1 cpo -f a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"cpo is a checkpoint of another log"* ]]
	run alog-verify -p k.pub --consistency cp1 cpo --proof cons
	[ "$status" -eq 1 ]
}

# ---- checkpoints are authenticated wherever they are read ----

@test "every mode that reads a checkpoint needs the public key" {
	sealed
	alog-export -p k.pub --consistency cp1 cp2 -f a.alog >cons
	for cmd in "alog-verify --checkpoint cp1 a.alog" \
		"alog-verify --consistency cp1 cp2 a.alog" \
		"alog-verify --consistency cp1 cp2 --proof cons" \
		"alog-export --consistency cp1 cp2 -f a.alog" \
		"alog-export --proof -f a.alog /dev/null"; do
		run $cmd
		[ "$status" -eq 2 ]
		[[ $output == *"needs the public key (-p PUBLIC_FILE)"* ]]
		[ -z "$(grep "^OK" <<<"$output")" ]
	done
}

@test "a checkpoint is trusted only when its signature checks: the epoch is named" {
	sealed
	run alog-verify -p k.pub --checkpoint cp1 a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"checkpoint contained in the log, signed with epoch 0"* ]]
	run alog-verify --json -p k.pub --checkpoint cp2 a.alog
	[ "$status" -eq 0 ]
	[[ $output == *'"checkpoint_epoch": 1'* ]]
	# the signature line altered (one base64 character of the signature)
	change_char cp1 5 3 60 >alt.cp
	! cmp -s cp1 alt.cp || false
	run alog-verify -p k.pub --checkpoint alt.cp a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the saved checkpoint is not authentic: its signature does not verify with the epoch 0 key"* ]]
	[ -z "$(grep "^OK" <<<"$output")" ]
	# its key ID altered: no seal has that key
	change_char cp1 5 3 2 >id.cp
	run alog-verify -p k.pub --checkpoint id.cp a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the saved checkpoint is not authenticated: no seal of the log that checks with the public key has the epoch key that signed it"* ]]
	# a bare three-line body, and the body with its blank line only
	head -3 cp1 >bare.cp
	head -4 cp1 >blank.cp
	for cp in bare.cp blank.cp; do
		run alog-verify -p k.pub --checkpoint $cp a.alog
		[ "$status" -eq 1 ]
		[[ $output == *"the saved checkpoint is not authenticated: it carries no signature by a key of this log"* ]]
		run alog-verify -p k.pub --consistency $cp cp2 a.alog
		[ "$status" -eq 1 ]
		run alog-export -p k.pub --consistency $cp cp2 -f a.alog
		[ "$status" -eq 1 ]
		[[ $output == *"$cp is not authentic: it carries no signature"* ]]
	done
	# an altered checkpoint is not exported a proof for either
	run alog-export -p k.pub --consistency alt.cp cp2 -f a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"alt.cp is not authentic: its signature does not verify with the epoch 0 key"* ]]
}

@test "a wrong public key authenticates no checkpoint" {
	sealed
	alog-export -p k.pub --consistency cp1 cp2 -f a.alog >cons
	# the same origin, another key
	alog-keygen -s w.sec -p w.pub --epochs 64 >/dev/null
	run alog-verify -p w.pub --checkpoint cp1 a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"seal key for epoch 0 is not proven by the public key"* ]]
	[[ $output != *"signed with epoch"* ]]
	# the summary never claims the seals it could not check
	[[ $output != *"signatures and epoch keys verified"* ]]
	[[ $output == *"seals      1 read, 0 verified with the public key, 1 not"* ]]
	run alog-verify -a -p w.pub --checkpoint cp1 a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the saved checkpoint is not authenticated"* ]]
	run alog-verify -p w.pub --consistency cp1 cp2 --proof cons
	[ "$status" -eq 1 ]
	[[ $output == *"the old checkpoint is not authentic: its epoch key (epoch 0) is not proven by the public key"* ]]
	run alog-export -p w.pub --consistency cp1 cp2 -f a.alog
	[ "$status" -eq 1 ]
	run alog-export -p w.pub --proof -f a.alog <(sed -n 2p a.alog)
	[ "$status" -eq 1 ]
	[[ $output == *"the last seal (seq 33) does not check with the public key"* ]]
	# another origin
	alog-keygen --origin other.example/log -s o.sec -p o.pub --epochs 4 >/dev/null
	run alog-verify -p o.pub --consistency cp1 cp2 --proof cons
	[ "$status" -eq 1 ]
	[[ $output == *"it is a checkpoint of another log"* ]]
	run alog-export -p o.pub --proof -f a.alog <(sed -n 2p a.alog)
	[ "$status" -eq 1 ]
	[[ $output == *"wrong public key"* ]]
}

@test "attack: a forged NEW checkpoint of a forked tree with a hand-computed consistency proof" {
	sealed
	alog-export -p k.pub --consistency cp1 cp2 -f a.alog >cons
	# fork after cp1 (size 11): record 20 changed, every hash recomputed
	cp a.alog fork.alog
	sed -i '20s/"n":/"n":1/' fork.alog
	rehash_log fork.alog
	# the forked tree's checkpoint at size 32, unsigned or with the real
	# signature line, and a consistency proof computed by hand
	python3 - fork.alog 11 32 >forged.proof <<'PY'
import base64, hashlib, sys
lines = open(sys.argv[1], 'rb').read().split(b'\n')[:-1]
old, new = int(sys.argv[2]), int(sys.argv[3])
leaves = [hashlib.sha256(b'\0' + hashlib.sha256(l[:-76] + b'}').digest()).digest() for l in lines]
def mth(d):
    if len(d) == 1: return d[0]
    k = 1
    while k * 2 < len(d): k *= 2
    return hashlib.sha256(b'\1' + mth(d[:k]) + mth(d[k:])).digest()
def sub(m, d, b):
    n = len(d)
    if m == n: return [] if b else [mth(d)]
    k = 1
    while k * 2 < n: k *= 2
    if m <= k: return sub(m, d[:k], b) + [mth(d[k:])]
    return sub(m - k, d[k:], False) + [mth(d[:k])]
d = leaves[:new]
print('alog/consistency-proof@v1\nold %d\nnew %d' % (old, new))
for l in open('cons').read().splitlines():
    if l.startswith('key '): print(l)
for h in sub(old, d, True): print(base64.b64encode(h).decode())
root = base64.b64encode(mth(d)).decode()
open('forged.body', 'w').write('test.example/audit\n%d\n%s\n' % (new, root))
PY
	cp forged.body forged.cp
	{ cat forged.body; echo; tail -1 cp2; } >forged-sig.cp
	for cp in forged.cp forged-sig.cp; do
		run alog-verify -p k.pub --consistency cp1 $cp --proof forged.proof
		[ "$status" -eq 1 ]
		[[ $output == *"the new checkpoint is not authentic"* ]]
		[ -z "$(grep "^OK" <<<"$output")" ]
	done
	# against the forked log itself, the forged checkpoint is no better
	run alog-verify -a -p k.pub --consistency cp1 forged-sig.cp fork.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the saved checkpoint NEW is not authentic: its signature does not verify with the epoch 1 key"* ]]
	# a proof without key lines (as made before they existed) authenticates nothing
	grep -v '^key ' cons >nokeys
	run alog-verify -p k.pub --consistency cp1 cp2 --proof nokeys
	[ "$status" -eq 1 ]
	[[ $output == *"the proof carries no epoch key for the old checkpoint"* ]]
}

@test "a checkpoint of another log: exit 1 from alog-verify and alog-export alike" {
	sealed
	(mkdir o && cd o && ALOG_ORIGIN=other.example/log make_log o.alog 2 &&
		alog-keygen --origin other.example/log -s o.sec -p o.pub >/dev/null &&
		alog-seal -f o.alog -s o.sec >../cpo)
	run alog-verify -p k.pub --checkpoint cpo a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the checkpoint is for origin \"other.example/log\""* ]]
	run alog-export -p k.pub --consistency cpo cp2 -f a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"cpo is a checkpoint of another log"* ]]
}

@test "origins obey the signed-note key-name rules: no Unicode space, no '+'" {
	for o in $'a\u00a0b' $'a\u3000b' $'a\u2028b' $'a\u0085b' $'a\u2009b' $'a\u1680b' 'a+b' 'a b' $'a\tb'; do
		run alog-keygen --origin "$o" -s k.sec -p k.pub --epochs 4
		[ "$status" -eq 2 ]
		[[ $output == *"origin must not contain"* ]]
		[ ! -e k.sec ] && [ ! -e k.pub ]
		run alog-append -f new.alog --origin "$o" x=1
		[ "$status" -eq 2 ]
		[[ $output == *"origin must not contain"* ]]
		[ ! -s new.alog ]
	done
	# a header written by hand with such an origin is not a log either
	make_log a.alog 1
	sed -i '1s|"origin":"test.example/audit"|"origin":"test.example\xc2\xa0audit"|' a.alog
	rehash_log a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"Unicode spaces"* ]]
	run alog-export --vkey a.alog
	[ "$status" -ne 0 ]
	[[ $output != *$'\n\n'* ]] && [ -n "$output" ]
}

# ---- side files cannot redirect a write ----

# Run a command as nobody (the user who can write in the log directory).
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

@test "attack: a tree state that is a symbolic link, another user's file or a hard link is never written" {
	command -v setpriv >/dev/null || skip "setpriv not installed"
	[ "$(id -u)" = 0 ] || skip "needs root to act as two users"
	sealed
	chmod 755 .
	mkdir -m 1777 shared
	mv a.alog shared/
	printf 'root:secret:19000:0:99999:7:::\n' >shadow
	chmod 600 shadow
	cp shadow shadow.orig
	# another user plants a link where the tree state goes
	as_nobody ln -s "$PWD/shadow" shared/a.alog.tree
	sed -n 5p shared/a.alog >rec
	run alog-export --proof -p k.pub -f shared/a.alog rec
	[ "$status" -eq 0 ]
	[[ $output == *"shared/a.alog.tree is a symbolic link: refusing to write through it"* ]]
	cmp shadow shadow.orig
	[ -L shared/a.alog.tree ]
	# the same with --consistency, and with a named state
	run alog-export -p k.pub --consistency cp1 cp2 -f shared/a.alog
	[ "$status" -eq 0 ]
	cmp shadow shadow.orig
	run alog-export --proof -p k.pub -f shared/a.alog --tree-state shared/a.alog.tree rec
	[ "$status" -eq 2 ]
	[[ $output == *"symbolic link"* ]]
	cmp shadow shadow.orig
	# a regular file of another user
	rm shared/a.alog.tree
	as_nobody touch shared/a.alog.tree
	run alog-export --proof -p k.pub -f shared/a.alog rec
	[ "$status" -eq 0 ]
	[[ $output == *"shared/a.alog.tree is owned by uid 65534, not by you (uid 0): refusing to write it"* ]]
	[ ! -s shared/a.alog.tree ]
	# a hard link to a file of ours
	rm shared/a.alog.tree
	ln shadow shared/a.alog.tree
	run alog-export --proof -p k.pub -f shared/a.alog rec
	[ "$status" -eq 0 ]
	[[ $output == *"hard links"* ]]
	cmp shadow shadow.orig
	# a FIFO does not hang the tool
	rm shared/a.alog.tree
	mkfifo shared/a.alog.tree
	run timeout 20 alog-export --proof -p k.pub -f shared/a.alog rec
	[ "$status" -eq 0 ]
	[[ $output == *"not a regular file"* ]]
	# and the tool that runs as the other user keeps its own state
	rm shared/a.alog.tree
	chmod 644 shared/a.alog k.pub
	(cd shared && as_nobody alog-export --proof -p ../k.pub -f a.alog ../rec >/dev/null)
	[ "$(stat -c %u shared/a.alog.tree)" = 65534 ]
}

@test "attack: a dangling symbolic link where a new log goes creates nothing" {
	mkdir -m 1777 shared
	[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
		setpriv --reuid=65534 --regid=65534 --clear-groups ln -s "$PWD/planted" shared/new.alog ||
		ln -s "$PWD/planted" shared/new.alog
	run alog-append -f shared/new.alog actor=root action=x
	[ "$status" -eq 2 ]
	[[ $output == *"shared/new.alog: cannot create log: it is a symbolic link to a missing file"* ]]
	[ ! -e planted ]
	# a log that exists is still appended to (the name may be a link the admin made)
	make_log real.alog 1
	ln -s "$PWD/real.alog" link.alog
	alog-append -f link.alog x=1
	[ "$(wc -l <real.alog)" = 3 ]
}

# ---- rotated files are one log ----

# Three files: day1.alog, day2.alog (archives), a.alog (live, unsealed yet).
rotated() {
	alog-keygen -s k.sec -p k.pub --epochs 64 >/dev/null
	make_log a.alog 5
	alog-seal -f a.alog -s k.sec >cp1
	alog-seal -f a.alog -s k.sec --rotate day1.alog >/dev/null
	make_log a.alog 4
	alog-seal -f a.alog -s k.sec >cp2
	alog-seal -f a.alog -s k.sec --rotate day2.alog >cp3
	alog-append -f a.alog actor=late action=x
}

@test "a continuing header names the file before it, where --rotate put it" {
	rotated
	[ "$(head -1 a.alog | jq -r .prev_file)" = day2.alog ]
	[ "$(head -1 day2.alog | jq -r .prev_file)" = day1.alog ]
	[ "$(head -1 day1.alog | jq -r .prev_file)" = null ]
	# an archive in another directory is not named
	mkdir arch
	alog-seal -f a.alog -s k.sec --rotate arch/day3.alog >/dev/null
	[ "$(head -1 a.alog | jq -r .prev_file)" = null ]
	alog-verify -q -p k.pub day1.alog day2.alog arch/day3.alog a.alog
	# a header whose prev_file is a path is not a header
	sed -i '1s/"prev_file":"day1.alog"/"prev_file":"..\/day1.alog"/' day2.alog
	rehash_log day2.alog
	run alog-verify day2.alog
	[ "$status" -eq 1 ]
	[[ $output == *"prev_file is not a file name in the log's directory"* ]]
}

@test "proofs, consistency proofs and checkpoints across rotated files from the live file" {
	rotated
	# a record of the first day, proven against the last seal (in day2.alog)
	grep -F '"n":3,' day1.alog | alog-export --proof -p k.pub -f a.alog >b
	run alog-verify --proof b -p k.pub
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "OK: seq 4 is in test.example/audit, tree size 14, checkpoint signed with epoch 3" ]]
	# the files named explicitly give the same proof
	grep -F '"n":3,' day1.alog | alog-export --proof -p k.pub -f day1.alog -f day2.alog -f a.alog | cmp - b
	# a consistency proof between checkpoints of different files
	alog-export -p k.pub --consistency cp1 cp3 -f a.alog >cons
	alog-verify -p k.pub --consistency cp1 cp3 --proof cons
	alog-export -p k.pub --consistency cp1 cp2 -f day1.alog -f day2.alog >cons2
	alog-verify -p k.pub --consistency cp1 cp2 --proof cons2
	# checkpoints against the live file alone
	run alog-verify -p k.pub --checkpoint cp1 a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"files      3"* && $output == *"signed with epoch 0"* ]]
	run alog-verify -p k.pub --consistency cp1 cp3 a.alog
	[ "$status" -eq 0 ]
	# the last checkpoint, though the live file holds no seal yet
	alog-export --checkpoint a.alog | cmp - cp3
	# files out of order or missing are named
	run alog-export --proof -p k.pub -f day2.alog -f day1.alog b
	[ "$status" -eq 2 ]
	[[ $output == *"day1.alog does not continue day2.alog"* ]]
	run alog-export -p k.pub --consistency cp1 cp3 -f day1.alog -f a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"a.alog does not continue day1.alog"* ]]
}
