#!/usr/bin/env bats
# alog-keygen, alog-seal and alog-verify with keys: forward-secure seals,
# checkpoints, rotation, and the attacks seals exist to catch.

load helpers

key() { alog-keygen -s k.sec -p k.pub --epochs "${1:-64}" >/dev/null; }

# faketime preloads its library before a sanitised tool's ASan runtime: let ASan start after it
faketime() { ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 command faketime "$@"; }

# Keys old and new (8 epochs each), and a log sealed once by old with one
# record after the seal: where a handover or a rollover starts.
old_and_new_keys() {
	alog-keygen -s old.sec -p old.pub --epochs 8 >/dev/null
	alog-keygen -s new.sec -p new.pub --epochs 8 >/dev/null
	make_log a.alog 2
	alog-seal -f a.alog -s old.sec >/dev/null
	alog-append -f a.alog x=1
}

# A log of n events, sealed every `every` events.
sealed_log() {
	local n=$1 every=$2 i
	for ((i = 1; i <= n; i++)); do
		alog-append -f a.alog n:=$i actor=user$((i % 5))
		if ((i % every == 0)); then alog-seal -f a.alog -s k.sec >cp.$((i / every)); fi
	done
}

@test "keygen creates a 0600 secret and a one-line public key, never overwriting" {
	run alog-keygen --origin db-1.example.com/audit -s k.sec -p k.pub --epochs 100
	[ "$status" -eq 0 ]
	[[ $output =~ ^alog1\+db-1\.example\.com/audit\+100\+[A-Za-z0-9+/]{43}=$ ]]
	[ "$(cat k.pub)" = "$output" ]
	[ "$(stat -c %a k.sec)" = 600 ]
	[ "$(wc -l <k.pub)" -eq 1 ]
	cp k.sec k.before
	run alog-keygen -s k.sec -p other.pub
	[ "$status" -eq 2 ]
	[[ $output == *"k.sec already exists: refusing to overwrite a key"* ]]
	cmp k.sec k.before
	[ ! -e other.pub ]
	run alog-keygen -s other.sec -p k.pub
	[ "$status" -eq 2 ]
	[[ $output == *"k.pub already exists"* ]]
	[ ! -e other.sec ]
}

@test "keygen refuses bad origins and epoch counts" {
	run alog-keygen --origin 'a b' -s k.sec
	[ "$status" -eq 2 ]
	[ ! -e k.sec ]
	run alog-keygen -s k.sec --epochs 0
	[ "$status" -eq 2 ]
	run alog-keygen -s k.sec --epochs 99999999
	[ "$status" -eq 2 ]
	run alog-keygen -p k.pub
	[ "$status" -eq 2 ]
	[[ $output == *"-s SECRET_FILE is required"* ]]
}

@test "seal appends a seal, prints a C2SP checkpoint, and erases the epoch" {
	key
	make_log a.alog 4
	seed0=$(grep '^seed ' k.sec)
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "test.example/audit" ]
	[ "${lines[1]}" = 5 ]
	[[ ${lines[2]} =~ ^[A-Za-z0-9+/]{43}=$ ]]
	[[ ${lines[3]} =~ ^—\ test\.example/audit\ [A-Za-z0-9+/]{91}=$ ]]
	[[ $(line a.alog 6) == '{"seq":6,"ts":"'*'","type":"seal","size":5,"root":"'"${lines[2]}"'","range":['*'],"epoch":0,"key":"'*'","proof":['*'],"sig":"'*'","hash":"'*'"}' ]]
	grep -q '^next 1$' k.sec
	! grep -q "^$seed0\$" k.sec || false
	[ "$(stat -c %a k.sec)" = 600 ]
	alog-verify -q -p k.pub a.alog
}

@test "the checkpoint verifies with an independent Ed25519 implementation" {
	command -v openssl >/dev/null || skip "openssl not installed"
	key
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec --vkey >note
	vkey=$(sed -n 6p note)
	[[ $vkey == test.example/audit+* ]]
	name=${vkey%%+*}
	rest=${vkey#*+}
	keyid=${rest%%+*}
	printf '%s' "${rest#*+}" | base64 -d >vk.bin
	[ "$(head -c1 vk.bin | xxd -p)" = 01 ]
	tail -c 32 vk.bin >pk.bin
	# key ID = SHA-256(name || LF || 0x01 || pk)[:4]
	[ "$( { printf '%s\n\001' "$name"; cat pk.bin; } | sha256sum | cut -c1-8)" = "$keyid" ]
	# the signature line: key ID || Ed25519 signature over the first three lines
	sed -n 5p note | sed 's/^— [^ ]* //' | base64 -d >sig.bin
	[ "$(head -c 4 sig.bin | xxd -p)" = "$keyid" ]
	tail -c 64 sig.bin >ed.sig
	head -3 note >text
	{ printf '302a300506032b6570032100' | xxd -r -p; cat pk.bin; } >pk.der
	openssl pkey -pubin -inform DER -in pk.der -out pk.pem
	openssl pkeyutl -verify -pubin -inkey pk.pem -rawin -in text -sigfile ed.sig
	# and a changed checkpoint does not verify
	sed -i '2s/.*/999/' text
	! openssl pkeyutl -verify -pubin -inkey pk.pem -rawin -in text -sigfile ed.sig || false
}

@test "an empty period is sealed too, with consecutive epochs" {
	key
	make_log a.alog 2
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-seal -f a.alog -s k.sec >/dev/null
	[ "$(jq -r 'select(.type == "seal") | .epoch' a.alog | tr '\n' ' ')" = "0 1 2 " ]
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"seals      3, signatures and epoch keys verified"* ]]
	[[ $output == *"unsealed   none"* ]]
}

@test "seals are checked: the summary reports the unsealed tail, never a plain pass" {
	key
	sealed_log 10 4
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"a.alog: warning: unsealed tail: 2 records after the last seal"* ]]
	[[ $output == *"unsealed   2 records after the last seal"* ]]
	run alog-verify -p k.pub --require-sealed a.alog
	[ "$status" -eq 1 ]
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-verify -q -p k.pub --require-sealed a.alog
}

@test "a log with no seal is reported as unsealed" {
	key
	make_log a.alog 3
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"not sealed: the log has no seal"* ]]
	run alog-verify -p k.pub --require-sealed a.alog
	[ "$status" -eq 1 ]
}

@test "--max-unsealed fails when the last seal is too old" {
	key
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-verify -q -p k.pub --max-unsealed 1h a.alog
	sleep 2
	run alog-verify -p k.pub --max-unsealed 1s a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the last seal is"*"old, more than --max-unsealed allows"* ]]
	run alog-verify --max-unsealed soon a.alog
	[ "$status" -eq 2 ]
}

@test "attack: a sealed record edited and every hash recomputed" {
	key
	sealed_log 12 4
	sed -i 's/"n":5,/"n":50,/' a.alog
	rehash_log a.alog
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:11: seal (seq 11, epoch 1) does not match the records it covers"* ]]
}

@test "attack: a sealed record deleted and the chain recomputed" {
	key
	sealed_log 8 4
	sed -i '3d' a.alog
	rehash_log a.alog
	run alog-verify --all -p k.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"seal"* ]]
}

@test "attack: seals removed and the log re-sealed with the current key (CVE-2023-31439)" {
	key
	sealed_log 12 4
	grep -v '"type":"seal"' a.alog >b.alog
	mv b.alog a.alog
	rehash_log a.alog
	# alog-seal itself refuses: the key has sealed before
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 1 ]
	[[ $output == *"this log has no seal"* ]]
	# an attacker's own code re-seals with the key's next epoch
	forge-seal a.alog k.sec
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the first seal (seq 14) has epoch 3, not 0: earlier seals were removed or the log was re-sealed"* ]]
}

@test "attack: truncation after a seal, then appending and sealing on (CVE-2023-31438)" {
	key
	sealed_log 12 4
	# keep up to the first seal (line 6), write new history after it
	head -6 a.alog >b.alog
	mv b.alog a.alog
	alog-append -f a.alog actor=mallory action=cover
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 1 ]
	[[ $output == *"seals were removed from this log"* ]]
	forge-seal a.alog k.sec
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"has epoch 3 after epoch 0: seals were removed, replayed or re-made with a later key"* ]]
}

@test "attack: trailing seals removed, caught by --key-state and by a checkpoint" {
	key
	sealed_log 12 4
	head -11 a.alog >b.alog # up to the second seal
	mv b.alog a.alog
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 0 ]
	run alog-verify -p k.pub --key-state k.sec a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"seals removed from the end: the host key has sealed up to epoch 2 but the log's last seal is epoch 1"* ]]
	run alog-verify -p k.pub --checkpoint cp.3 a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the log is shorter than the saved checkpoint"* ]]
	alog-verify -q -p k.pub --checkpoint cp.2 a.alog
}

@test "attack: a seal skipping or reusing an epoch" {
	key
	sealed_log 4 4
	alog-append -f a.alog x=1
	forge-seal a.alog k.sec 5
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"has epoch 5 after epoch 0"* ]]
}

@test "attack: a seal replayed from another position" {
	key
	sealed_log 8 4
	seal=$(line a.alog 6)
	sed -i "11a $seal" a.alog
	rehash_log a.alog
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:12: bad seal (seq 12): seal size 5 does not match its position"* ]]
}

@test "attack: a forked log does not contain the saved checkpoint" {
	key
	sealed_log 8 4
	sed -i '3s/"n":2/"n":20/' a.alog
	rehash_log a.alog
	run alog-verify -p k.pub --checkpoint cp.1 a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the log does not contain the saved checkpoint: at size 5 its root is"* ]]
}

@test "a swapped or wrong public key is an error, never a pass" {
	key
	sealed_log 4 4
	alog-keygen -s other.sec -p other.pub --epochs 64 >/dev/null
	run alog-verify -p other.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:6: seal key for epoch 0 is not proven by the public key"* ]]
	alog-keygen --origin elsewhere/log -s o.sec -p o.pub --epochs 4 >/dev/null
	run alog-verify -p o.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *'wrong public key: it is for origin "elsewhere/log", this log'"'"'s origin is "test.example/audit"'* ]]
	echo garbage >bad.pub
	run alog-verify -p bad.pub a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"bad.pub: not an alog public key"* ]]
}

@test "a seal signature that was tampered with is named" {
	key
	sealed_log 4 4
	sed -i '6s/"sig":"\(.\)/"sig":"A\1/; 6s/"sig":"A\(.\{90\}\)./"sig":"A\1/' a.alog
	rehash_log a.alog
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:6: seal"* ]]
}

@test "a secret key readable by others, or owned by someone else, is refused" {
	key
	make_log a.alog 2
	chmod 644 k.sec
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 2 ]
	[[ $output == *"secret key k.sec is accessible by others (mode 0644): refusing to use it; run 'chmod 600 k.sec'"* ]]
	run alog-verify --key-state k.sec a.alog
	[ "$status" -eq 2 ]
	chmod 640 k.sec
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 2 ]
	chmod 600 k.sec
	if [ "$(id -u)" = 0 ]; then
		chown nobody k.sec
		run alog-seal -f a.alog -s k.sec
		[ "$status" -eq 2 ]
		[[ $output == *"is owned by uid"*"not by you"* ]]
		chown root k.sec
	fi
	alog-seal -f a.alog -s k.sec >/dev/null
}

@test "seal refuses a log that does not verify since its last seal" {
	key
	sealed_log 7 3
	sed -i '$s/"n":7/"n":70/' a.alog
	cp a.alog before.alog
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 1 ]
	[[ $output == *"the log does not verify: record seq 10 does not match the chain"* ]]
	cmp a.alog before.alog
}

@test "seal refuses a key for another origin, a damaged tail and a missing log" {
	alog-keygen --origin elsewhere/log -s k.sec --epochs 8 >/dev/null
	make_log a.alog 2
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 1 ]
	[[ $output == *'the key is for origin "elsewhere/log" but the log'"'"'s origin is "test.example/audit"'* ]]
	rm k.sec
	key
	printf '{"seq":4,' >>a.alog
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 1 ]
	[[ $output == *"the last record is damaged"* ]]
	run alog-seal -f nope.alog -s k.sec
	[ "$status" -eq 2 ]
}

@test "a used-up key refuses to seal and warns before" {
	key 3
	make_log a.alog 1
	alog-seal -f a.alog -s k.sec >/dev/null 2>&1
	alog-seal -f a.alog -s k.sec >/dev/null 2>&1
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 0 ]
	[[ $output == *"warning: the key has 0 seals left"* ]]
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 1 ]
	[[ $output == *"the key is used up: all 3 epochs have sealed"* ]]
	alog-verify -q -p k.pub a.alog
}

@test "a seal interrupted before the key file was replaced is finished from its successor" {
	key
	make_log a.alog 2
	cp k.sec k.old
	alog-seal -f a.alog -s k.sec >/dev/null
	# the crash between the seal and the rename: the successor written before
	# the seal is beside the old key file
	cp k.sec k.sec.next
	cp k.old k.sec
	run alog-verify -p k.pub --key-state k.sec a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"behind the log's last seal"* ]]
	alog-append -f a.alog x=1
	alog-seal -f a.alog -s k.sec >/dev/null
	[ ! -e k.sec.next ]
	[ "$(jq -r 'select(.type == "seal") | .epoch' a.alog | tr '\n' ' ')" = "0 1 " ]
	alog-verify -q -p k.pub --key-state k.sec a.alog
}

@test "attack: a thief of a later key re-seals a rewritten history citing the spent epoch" {
	key 16
	sealed_log 8 4
	# the key file stolen now: it keeps its last seal (epoch 1, seq 1..10), public data
	cp k.sec evil.sec
	# history after the first seal (line 6) rewritten, longer than what epoch 1 sealed
	head -6 a.alog >b.alog
	mv b.alog a.alog
	for i in 1 2 3 4 5 6; do alog-append -f a.alog actor=mallory n:=$i; done
	cp evil.sec evil.before
	run alog-seal -f a.alog -s evil.sec
	[ "$status" -eq 1 ]
	[[ $output == *"the key's last seal (epoch 1, not in the log) signed seq 1..10, but this log's records up to there are others"* ]]
	cmp evil.sec evil.before
	# the attacker's own code cites the genuine epoch-1 seal anyway
	cp evil.sec cited.sec
	FORGE_SKIP=cited.sec forge-seal a.alog evil.sec
	[ "$(tail -n1 a.alog | jq -c '[.epoch, .skipped.epoch, .skipped.size]')" = "[2,1,10]" ]
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the skipped epoch 1's seal (size 10) is not consistent with this seal's tree (size 12): it signed other records"* ]]
	# shorter than what epoch 1 sealed: alog-seal refuses, a forged citation is malformed
	head -6 a.alog >b.alog
	mv b.alog a.alog
	alog-append -f a.alog actor=mallory
	cp evil.before evil.sec
	run alog-seal -f a.alog -s evil.sec
	[ "$status" -eq 1 ]
	[[ $output == *"signed seq 1..10, but the log ends at seq 7: records were removed"* ]]
	cp evil.sec cited.sec
	FORGE_SKIP=cited.sec forge-seal a.alog evil.sec
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"seal skipped size 10 is not between 1 and the seal's size 7"* ]]
}

@test "attack: a spent epoch's citation altered (signature, root, proof) is caught" {
	key 16
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-append -f a.alog x=1
	# the seal of epoch 1 made, but kept out of the log (a crash after the key moved on)
	cp a.alog a.keep
	alog-seal -f a.alog -s k.sec >/dev/null
	mv a.keep a.alog
	alog-append -f a.alog y=1
	alog-seal -f a.alog -s k.sec >/dev/null
	[ "$(tail -n1 a.alog | jq -c '[.epoch, .skipped.epoch]')" = "[2,1]" ]
	alog-verify -q -p k.pub --key-state k.sec a.alog
	good=$(tail -n1 a.alog)
	head -n -1 a.alog >base.alog
	for field in sig root consistency; do
		cp base.alog a.alog
		jq -c --arg f "$field" '.skipped[$f] |= (if type == "array" then (.[0] = "'"$(printf 'x%.0s' {1..43})"'=") else (.[0:4] + "AAAA" + .[8:]) end)' <<<"$good" |
			sed 's/"x\{43\}="/"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="/' >>a.alog
		rehash_log a.alog
		run alog-verify -p k.pub a.alog
		[ "$status" -eq 1 ]
		[[ $output == *": the skipped epoch 1's seal"* ]]
	done
	# an epoch skipped without a citation is a gap
	cp base.alog a.alog
	jq -c 'del(.skipped)' <<<"$good" >>a.alog
	rehash_log a.alog
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"has epoch 2 after epoch 0: seals were removed"* ]]
}

@test "attack: an old copy of the key (behind the log) is refused, naming the case" {
	key
	make_log a.alog 2
	cp k.sec k.backup
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-append -f a.alog x=1
	cp k.sec k.now
	# one epoch behind, no successor: a restored backup, not a crash
	cp k.backup k.sec
	cp a.alog a.before
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 1 ]
	[[ $output == *"the key file is behind the log: the log's last seal is epoch 0 and this key file still holds it: an old copy of the key (restored from a backup?)"* ]]
	cmp k.sec k.backup
	cmp a.alog a.before
	# a successor that is not this key one epoch on does not repair it
	alog-keygen -s other.sec --epochs 64 >/dev/null
	cp other.sec k.sec.next
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 1 ]
	[[ $output == *"its successor is not usable"* ]]
	cmp k.sec k.backup
	cmp a.alog a.before
	rm k.sec.next
	# two epochs behind
	cp k.now k.sec
	alog-seal -f a.alog -s k.sec >/dev/null
	cp k.backup k.sec
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 1 ]
	[[ $output == *"the key file is behind the log: the log's last seal is epoch 1 and this key file still holds epoch 0"* ]]
	cmp k.sec k.backup
}

@test "attack: a forged seal line (epoch 999 or next+k) never burns the key" {
	key 16
	make_log a.alog 2
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-append -f a.alog x=1
	# a seal of the right tree at the right place, made on copies
	cp a.alog b.alog
	cp k.sec kc.sec
	alog-seal -f b.alog -s kc.sec >/dev/null
	seal=$(tail -n1 b.alog)
	for ep in 999 15 3 2; do
		cp a.alog a.good
		cp k.sec k.good
		# its epoch changed (so its signature and epoch key no longer hold),
		# the chain recomputed
		sed "s/\"epoch\":1/\"epoch\":$ep/" <<<"$seal" >>a.alog
		rehash_log a.alog
		run alog-seal -f a.alog -s k.sec
		[ "$status" -eq 1 ]
		[[ $output == *"the log's last seal (seq 6, epoch $ep) does not verify with this key"*"refusing to seal, the key file is untouched"* ]]
		cmp k.sec k.good
		[ ! -e k.sec.next ]
		mv a.good a.alog
	done
	# a seal with a valid signature but by another key of the same origin
	alog-keygen -s evil.sec -p evil.pub --epochs 16 >/dev/null
	forge-seal a.alog evil.sec 1
	cp k.sec k.good
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 1 ]
	[[ $output == *"does not verify with this key (seal key for epoch 1 is not proven by the public key"* ]]
	cmp k.sec k.good
}

@test "attack: another log's key with the same origin cannot seal a rotated log" {
	key
	make_log a.alog 2
	alog-seal -f a.alog -s k.sec --rotate d1.alog >/dev/null
	[ "$(head -n1 a.alog | jq -r .keyepoch)" = 0 ]
	[ "$(head -n1 a.alog | jq -r .keyroot)" = "$(cut -d+ -f4- k.pub)" ]
	alog-append -f a.alog x=1
	cp a.alog a.before
	# another key of the same origin, fresh or used
	alog-keygen -s other.sec --epochs 64 >/dev/null
	cp other.sec other.before
	run alog-seal -f a.alog -s other.sec
	[ "$status" -eq 1 ]
	[[ $output == *"this log was sealed by another key"*"the key of another log with the same origin?"* ]]
	cmp other.sec other.before
	cmp a.alog a.before
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 0 ]
	alog-verify -q -p k.pub --key-state k.sec --require-sealed d1.alog a.alog
}

@test "attack: a rewound or edited key file is refused when it is loaded" {
	key
	make_log a.alog 2
	for i in 1 2 3 4 5; do alog-seal -f a.alog -s k.sec >/dev/null; done
	cp k.sec k.good
	# next 5 -> 4 with the rest untouched, and with left/leaves rebuilt from
	# the public epoch leaves (an attacker knows them): the seed gives it away
	sed -i 's/^next 5$/next 4/' k.sec
	run alog-verify -p k.pub --key-state k.sec a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"k.sec: left range does not match the epoch"* ]]
	cp k.good k.sec
	python3 - k.sec <<'PY'
import base64, sys
p = sys.argv[1]
out = []
for l in open(p).read().split('\n'):
    if l == 'next 5':
        l = 'next 4'
    elif l.startswith('left '):
        left = l.split(' ')[1:]
        moved = base64.b64decode(left[-1])
        l = ' '.join(['left'] + left[:-1])
    elif l.startswith('leaves '):
        l = 'leaves ' + base64.b64encode(moved + base64.b64decode(l[7:])).decode()
    out.append(l)
open(p, 'w').write('\n'.join(out))
PY
	run alog-verify -p k.pub --key-state k.sec a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"k.sec: the key file is inconsistent: its seed is not the seed of epoch 4"* ]]
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 2 ]
	[[ $output == *"its seed is not the seed of epoch 4"* ]]
	cp k.good k.sec
	# a changed root, and a changed leaf
	sed -i '/^root /{s/^root A/root #/; s/^root [^#]/root A/; s/^root #/root B/}' k.sec
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 2 ]
	[[ $output == *"its epoch hashes do not lead to its root"* ]]
	cp k.good k.sec
	sed -i '/^leaves /{s/^leaves A/leaves #/; s/^leaves [^#]/leaves A/; s/^leaves #/leaves B/}' k.sec
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 2 ]
	[[ $output == *"the key file is inconsistent"* ]]
	cp k.good k.sec
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-verify -q -p k.pub --key-state k.sec a.alog
}

@test "rotation over several days keeps every record, with appenders running" {
	key
	make_log a.alog 1
	( for i in $(seq 1 300); do alog-append -f a.alog w=1 i:=$i || exit 1; done ) &
	w1=$!
	( for i in $(seq 1 300); do printf '{"w":2,"i":%d}\n' $i; done | alog-append -f a.alog ) &
	w2=$!
	for day in 1 2 3 4 5; do
		sleep 0.2
		alog-seal -f a.alog -s k.sec --rotate day$day.alog >/dev/null
	done
	wait $w1 $w2
	alog-seal -f a.alog -s k.sec >/dev/null
	run alog-verify -p k.pub --require-sealed --key-state k.sec day1.alog day2.alog day3.alog day4.alog day5.alog a.alog
	[ "$status" -eq 0 ]
	for w in 1 2; do
		[ "$(cat day*.alog a.alog | jq -r "select(.w == \"$w\" or .w == $w) | .i" | tr '\n' ' ')" = "$(seq -s ' ' 1 300) " ]
	done
	for f in day*.alog a.alog; do alog-verify -q -p k.pub "$f"; done
}

@test "a missing middle file is named with keys too" {
	key
	make_log a.alog 2
	alog-seal -f a.alog -s k.sec --rotate d1.alog >/dev/null
	alog-append -f a.alog x=1
	alog-seal -f a.alog -s k.sec --rotate d2.alog >/dev/null
	alog-append -f a.alog x=2
	run alog-verify -p k.pub d1.alog a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:1: missing file"* ]]
}

@test "rotation refuses an existing archive" {
	key
	make_log a.alog 2
	echo keep >d1.alog
	run alog-seal -f a.alog -s k.sec --rotate d1.alog
	[ "$status" -eq 2 ]
	[[ $output == *"d1.alog already exists"* ]]
	[ "$(cat d1.alog)" = keep ]
	run alog-seal -f a.alog -s k.sec --rotate a.alog
	[ "$status" -eq 2 ]
}

@test "regression: rotation onto an alias of the log's own name is refused before anything is written" {
	key
	make_log a.alog 3
	mkdir sub
	ln -s . here
	ln a.alog hard.alog
	ln -s a.alog sym.alog
	ln -s "$PWD/a.alog" abssym.alog
	cp a.alog a.before
	cp k.sec k.before
	for name in a.alog ./a.alog "$PWD/a.alog" sub/../a.alog here/a.alog .//a.alog; do
		run alog-seal -f a.alog -s k.sec --rotate "$name"
		[ "$status" -eq 2 ]
		[[ $output == *"--rotate $name names the log itself"* ]]
	done
	for name in hard.alog sym.alog abssym.alog here/hard.alog; do
		run alog-seal -f a.alog -s k.sec --rotate "$name"
		[ "$status" -eq 2 ]
		[[ $output == *"$name already exists: refusing to overwrite it"* ]]
	done
	# the log given through another path, the archive a plain new name
	run alog-seal -f ./a.alog -s k.sec --rotate "$PWD/a.alog"
	[ "$status" -eq 2 ]
	for name in . .. sub/ ''; do
		run alog-seal -f a.alog -s k.sec --rotate "$name"
		[ "$status" -eq 2 ]
	done
	cmp a.alog a.before
	cmp k.sec k.before
	[ ! -e a.alog.rotating ]
	[ ! -e k.sec.next ]
	alog-seal -f here/a.alog -s k.sec --rotate sub/d1.alog >/dev/null
	alog-verify -q -p k.pub --key-state k.sec sub/d1.alog a.alog
}

@test "rotation problems are found before sealing: a missing directory, another file system" {
	key
	make_log a.alog 2
	cp a.alog a.before
	cp k.sec k.before
	run alog-seal -f a.alog -s k.sec --rotate nodir/d1.alog
	[ "$status" -eq 2 ]
	[[ $output == *"cannot use the directory of nodir/d1.alog: No such file or directory"* ]]
	if [ "$(stat -c %d /dev/shm 2>/dev/null)" != "" ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d .)" ]; then
		run alog-seal -f a.alog -s k.sec --rotate /dev/shm/alog-test-$$.alog
		[ "$status" -eq 2 ]
		[[ $output == *"would be on another file system than the log"* ]]
		[ ! -e /dev/shm/alog-test-$$.alog ]
	fi
	cmp a.alog a.before
	cmp k.sec k.before
}

@test "a fragment starting at a seal has its tree checked from there" {
	key
	sealed_log 12 4
	run bash -c "sed -n '6,\$p' a.alog | alog-verify -p k.pub"
	[ "$status" -eq 1 ]
	[[ $output == *"seals      2, signatures and epoch keys verified"* ]]
	[[ $output == *"1 could not be checked"* && $output != *FAILED* ]]
	run bash -c "sed -n '6,\$p' a.alog | sed '3s/\"n\":6/\"n\":66/' | alog-verify -p k.pub --all"
	[ "$status" -eq 1 ]
}

@test "a reader holding a lock on the log cannot freeze writers; a monitor never hangs on the key" {
	command -v flock >/dev/null || skip "flock(1) is needed"
	key
	make_log a.alog 2
	alog-seal -f a.alog -s k.sec >/dev/null
	cp k.sec k.before
	flock -s a.alog sleep 6 &
	holder=$!
	sleep 0.3
	SECONDS=0
	ALOG_LOCK_WAIT=1 run alog-append -f a.alog x=1
	[ "$status" -eq 2 ]
	[[ $output == *"a.alog: the log has been locked by another process for 1.000 s (a writer, or a reader holding a lock on it"*"nothing written (ALOG_LOCK_WAIT sets the wait)"* ]]
	run alog-seal -f a.alog -s k.sec --lock-wait 1
	[ "$status" -eq 2 ]
	[[ $output == *"locked by another process for 1.000 s"* ]]
	cmp k.sec k.before
	[ "$SECONDS" -lt 5 ]
	# a sealer waiting for the log holds no lock on the key: the monitor goes on
	alog-seal -f a.alog -s k.sec --lock-wait 5 >/dev/null 2>&1 &
	sealer=$!
	sleep 0.3
	run timeout 3 alog-verify -q -p k.pub --key-state k.sec a.alog
	[ "$status" -eq 0 ]
	kill "$holder" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true
	wait "$sealer" || true
	run alog-seal -f a.alog -s k.sec --lock-wait 0 -x
	[ "$status" -eq 2 ]
	run alog-seal -f a.alog -s k.sec --lock-wait soon
	[ "$status" -eq 2 ]
	[[ $output == *"--lock-wait needs a number of seconds, not 'soon'"* ]]
	alog-verify -q -p k.pub --key-state k.sec a.alog
}

@test "a separate sealing user: the new file keeps the log's group and mode, the app appends on" {
	[ "$(id -u)" = 0 ] || skip "needs root to run as two other users"
	command -v setpriv >/dev/null || skip "setpriv is needed to run as another user"
	d=$(mktemp -d /tmp/alog-users.XXXXXX)
	chmod 0775 "$d"
	chgrp 3000 "$d"
	app=(setpriv --reuid=2001 --regid=3000 --clear-groups)
	sealer=(setpriv --reuid=2002 --regid=2002 --groups=3000)
	outsider=(setpriv --reuid=2003 --regid=2003 --clear-groups)
	"${app[@]}" test -x "$(command -v alog-append)" || { rm -rf "$d"; skip "the tools are not reachable by other users"; }
	cd "$d"
	"${sealer[@]}" alog-keygen -s k.sec -p k.pub --epochs 16 >/dev/null
	"${app[@]}" sh -c 'umask 007; alog-append -f a.alog x=1'
	chmod 0660 a.alog
	[ "$(stat -c '%u:%g %a' a.alog)" = "2001:3000 660" ]
	"${sealer[@]}" alog-seal -f a.alog -s k.sec --rotate d1.alog >/dev/null
	[ "$(stat -c '%g %a' a.alog)" = "3000 660" ]
	"${app[@]}" alog-append -f a.alog x=2
	# a sealer who cannot give the new file the log's group: refused before sealing
	chmod 0666 a.alog
	cp a.alog a.before
	cp k.sec k.before
	chmod 0777 "$d"
	"${outsider[@]}" alog-keygen -s o.sec --epochs 4 >/dev/null
	run "${outsider[@]}" alog-seal -f a.alog -s o.sec --rotate d2.alog
	[ "$status" -eq 2 ]
	[[ $output == *"the log's group (gid 3000) cannot be given to the new file"* ]]
	cmp a.alog a.before
	[ ! -e d2.alog ]
	"${sealer[@]}" alog-seal -f a.alog -s k.sec >/dev/null
	"${sealer[@]}" alog-verify -q -p k.pub --key-state k.sec --require-sealed d1.alog a.alog
	cd /
	rm -rf "$d"
}

@test "a refused seal never changes a key file: a new key on a sealed log" {
	key
	make_log a.alog 2
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-keygen -s new.sec -p new.pub --epochs 8 >/dev/null
	cp new.sec new.before
	run alog-seal -f a.alog -s new.sec
	[ "$status" -eq 1 ]
	[[ $output == *"does not verify with this key"* ]]
	cmp new.sec new.before
	[ ! -e new.sec.next ]
}

@test "alog-seal with standard output closed or full still reports the checkpoint" {
	key
	make_log a.alog 2
	run bash -c 'alog-seal -f a.alog -s k.sec >&-'
	[ "$status" -eq 2 ]
	[[ $output == *"cannot write the checkpoint on standard output; the seal is in the log (seq 4, epoch 0), its checkpoint follows:"* ]]
	[[ $output == *"test.example/audit"$'\n'"3"$'\n'* ]]
	mknod full c 1 7
	run bash -c 'alog-seal -f a.alog -s k.sec >full'
	[ "$status" -eq 2 ]
	[[ $output == *"(seq 5, epoch 1), its checkpoint follows:"* ]]
	alog-verify -q -p k.pub --key-state k.sec a.alog
}

@test "a seal dated in the future never satisfies --max-unsealed; a clock past 2262 is clamped" {
	command -v faketime >/dev/null || skip "faketime is needed to set the clock"
	key
	make_log a.alog 2
	# -f: the clock stands still there (a started clock may be a second on by the time the seal is dated)
	faketime -f '2099-01-01 00:00:00' alog-seal -f a.alog -s k.sec >/dev/null
	[[ $(tail -n1 a.alog) == *'"ts":"2099-01-01T00:00:00.'* ]]
	run alog-verify -p k.pub --max-unsealed 1h a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"warning: records dated in the future: the newest is 2099-01-01T00:00:00."* ]]
	[[ $output == *"the last seal is dated 2099-01-01T00:00:00."*", in the future: --max-unsealed cannot be satisfied by it"* ]]
	run alog-verify -p k.pub a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"records dated in the future"* ]]
	faketime '2300-01-01 00:00:00' alog-append -f b.alog x=1
	[[ $(line b.alog 2) == '{"seq":2,"ts":"2262-04-11T23:47:16.000000000Z",'* ]]
}

@test "a damaged tail of more than 16 MiB is refused with advice that works: --recover streams it aside" {
	key
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec >/dev/null
	cp a.alog good.alog
	head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' 'x' >>a.alog
	printf '\n{"seq":99}\n' >>a.alog
	run alog-append -f a.alog x=1
	[ "$status" -eq 1 ]
	[[ $output == *"more than 16 MiB of damaged data at the end of the file"*"'alog-append --recover -f a.alog' moves it aside"* ]]
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 1 ]
	grep -q '^next 1$' k.sec
	alog-append -f a.alog --recover
	aside=$(ls a.alog.torn-*)
	[ "$(stat -c %s "$aside")" -eq $((17 * 1024 * 1024 + 12)) ]
	[ "$(head -c 5 a.alog.torn-*)" = xxxxx ]
	alog-append -f a.alog x=1
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-verify -q -p k.pub --key-state k.sec a.alog
}

@test "seq 2^53-1 is the limit: a seal or a rotation that would pass it is refused before sealing" {
	key
	# a file continuing a log at seq 2^53-2 (its range: the 52 hashes of a tree of 2^53-3)
	python3 - <<'PY'
import base64
seq = 2**53 - 2
rng = ",".join('"%s"' % base64.b64encode(bytes([i]) * 32).decode() for i in range(bin(seq - 1).count("1")))
line = ('{"seq":%d,"ts":"2026-01-01T00:00:00.000000000Z","type":"open","v":1,'
        '"origin":"test.example/audit","prev":"%s","range":[%s],"hash":"%s"}\n'
        % (seq, "0" * 64, rng, "0" * 64))
open("a.alog", "w").write(line)
PY
	rehash_log a.alog
	alog-verify -q a.alog
	cp a.alog a.before
	run alog-seal -f a.alog -s k.sec --rotate d1.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the log is at seq 9007199254740990: a seal and a new file's header would pass the largest seq (2^53-1); nothing sealed"* ]]
	cmp a.alog a.before
	grep -q '^next 0$' k.sec
	[ ! -e d1.alog ]
	alog-seal -f a.alog -s k.sec >/dev/null
	[[ $(tail -n1 a.alog) == '{"seq":9007199254740991,'* ]]
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 1 ]
	[[ $output == *"the log is at seq 9007199254740991: a seal would pass the largest seq"* ]]
	grep -q '^next 1$' k.sec
	alog-verify -q -p k.pub --key-state k.sec a.alog
}

@test "key mix-ups name what the file is and what was expected" {
	key
	alog-keygen --reader -s r.sec -p r.pub >/dev/null
	alog-keygen --pepper -s pep.sec >/dev/null
	make_log a.alog 2
	chmod 644 k.pub
	cp k.pub k.pub.before
	run alog-seal -f a.alog -s k.pub
	[ "$status" -eq 2 ]
	[[ $output == *"k.pub is a public sealing key (alog1+...), not a secret sealing key: give the secret key that alog-keygen -s wrote"* ]]
	[[ $output != *chmod* ]]
	cmp k.pub k.pub.before
	run alog-seal -f a.alog -s r.sec
	[ "$status" -eq 2 ]
	[[ $output == *"r.sec is a reader's secret key (alog-keygen --reader -s), not a secret sealing key"* ]]
	run alog-verify -p k.sec a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"k.sec: this is a secret sealing key (alog-keygen -s), not a public sealing key: give the public key that alog-keygen -p wrote (alog1+...)"* ]]
	[[ $output != *"too large"* ]]
	run alog-verify -p r.pub a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"r.pub: this is a reader's public key (alog-reader1+..., for policies), not a public sealing key"* ]]
	run alog-verify -p pep.sec a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"this is a pseudonymisation pepper"* ]]
	run alog-verify --key-state k.pub a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"k.pub is a public sealing key (alog1+...), not a secret sealing key"* ]]
	alog-seal -f a.alog -s k.sec >/dev/null
	grep -q '^next 1$' k.sec
}

@test "--rotate with a strftime pattern names the archive by the time its file was started" {
	command -v faketime >/dev/null || skip "faketime is needed to set the clock"
	key
	export TZ=Europe/Berlin
	faketime '2026-11-30 23:30:00' alog-append -f a.alog x=1
	alog-append -f a.alog x=2
	run alog-seal -v -f a.alog -s k.sec --rotate 'arch-%F.alog'
	[ "$status" -eq 0 ]
	[[ $output == *"archived as arch-2026-11-30.alog"* ]]
	[ -s arch-2026-11-30.alog ]
	# the new file was started now: a second run names today's date, no collision
	alog-append -f a.alog x=3
	today=$(date +%F)
	alog-seal -f a.alog -s k.sec --rotate 'arch-%F.alog' >/dev/null
	[ -s "arch-$today.alog" ]
	# the time zone is the reader's: UTC gives the previous day for 23:30 in Berlin
	faketime '2026-12-01 00:30:00' alog-append -f b.alog x=1
	alog-keygen -s k2.sec --epochs 4 >/dev/null
	TZ=UTC alog-seal -f b.alog -s k2.sec --rotate 'b-%Y%m%d-%H%%.alog' >/dev/null
	[ -e b-20261130-23%.alog ]
	# a name that exists is refused before sealing, as without a pattern
	alog-append -f a.alog x=4
	cp a.alog a.before
	run alog-seal -f a.alog -s k.sec --rotate 'arch-%F.alog'
	[ "$status" -eq 2 ]
	[[ $output == *"arch-$today.alog already exists"* ]]
	cmp a.alog a.before
}

@test "make install installs the seal service and timer; systemd-analyze verifies them; they run as written" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed (package systemd)"
	top=$BATS_TEST_DIRNAME/..
	build=$(basename "$(dirname "$ALOG_BIN")")
	make -s -C "$top" BUILD="$build" PREFIX="$PWD/prefix" install >make.out 2>&1 || { cat make.out; false; }
	svc=$PWD/prefix/lib/systemd/system/alog-seal.service
	tmr=$PWD/prefix/lib/systemd/system/alog-seal.timer
	[ -f "$svc" ] && [ -f "$tmr" ]
	grep -q "^ExecStart=$PWD/prefix/bin/alog-seal -f \${ALOG_FILE} -s \${ALOG_SEAL_KEY} --rotate \${ALOG_ARCHIVE}$" "$svc"
	grep -q '^OnCalendar=\*-\*-\* 00:05:00$' "$tmr"
	mkdir -p mp/man1 && cp "$PWD"/prefix/share/man/man1/*.1 mp/man1/
	cp "$svc" "$tmr" .
	MANPATH=$PWD/mp run systemd-analyze verify "$PWD/alog-seal.service" "$PWD/alog-seal.timer"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# the service's commands, with its environment (%% is how systemd writes %)
	key
	make_log a.alog 2
	ALOG_FILE=$PWD/a.alog ALOG_SEAL_KEY=$PWD/k.sec ALOG_SEAL_PUB=$PWD/k.pub ALOG_ARCHIVE="$PWD/audit-%F.alog"
	start=$(grep '^ExecStart=' "$svc" | cut -d= -f2-)
	post=$(grep '^ExecStartPost=' "$svc" | cut -d= -f2-)
	eval "$start" >checkpoint
	eval "$post"
	[ -s "audit-$(date +%F).alog" ]
	[ "$(sed -n 2p checkpoint)" = 3 ]
}

@test "a planned key handover: the old key names and signs the new one, verification follows it" {
	old_and_new_keys
	# the new key cannot seal before the handover
	run alog-seal -f a.alog -s new.sec
	[ "$status" -eq 1 ]
	[[ $output == *"does not verify with this key"* ]]
	run alog-seal -f a.alog -s old.sec --next-key new.pub --rotate d1.alog
	[ "$status" -eq 2 ]
	[[ $output == *"--next-key and --rotate go in two runs"* ]]
	run alog-seal -f a.alog -s old.sec --next-key old.pub
	[ "$status" -eq 1 ]
	[[ $output == *"--next-key names this key itself"* ]]
	run alog-seal -f a.alog -s old.sec --next-key new.sec
	[ "$status" -eq 2 ]
	[[ $output == *"this is a secret sealing key (alog-keygen -s), not a public sealing key"* ]]
	alog-seal -f a.alog -s old.sec --next-key new.pub >/dev/null
	[[ $(tail -n1 a.alog) == *'"epoch":1,'*'"nextkey":"'"$(cat new.pub)"'","nextsig":"'* ]]
	alog-append -f a.alog x=2
	# the old key is done with this log
	cp old.sec old.before
	run alog-seal -f a.alog -s old.sec
	[ "$status" -eq 1 ]
	[[ $output == *"this key handed over to $(cat new.pub) at seq 6: seal with the new key"* ]]
	cmp old.sec old.before
	alog-seal -f a.alog -s new.sec >/dev/null
	[[ $(tail -n1 a.alog) == *'"epoch":0,'* ]]
	alog-append -f a.alog x=3
	alog-seal -f a.alog -s new.sec --rotate d1.alog >/dev/null
	alog-append -f a.alog x=4
	alog-seal -f a.alog -s new.sec >/dev/null
	run alog-verify -p old.pub --require-sealed --key-state new.sec d1.alog a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"key handover at seq 6: the seals after it are checked with $(cat new.pub)"* ]]
	[[ $output == *"key 1      $(cat old.pub) seals seq 1..6"* ]]
	[[ $output == *"key 2      $(cat new.pub) seals seq 7..13"* ]]
	run alog-verify -p old.pub --key-state old.sec d1.alog a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the log handed over to another key: give the new key's state"* ]]
}

@test "attack: a handover rewritten to another key is caught by the verifier and by alog-seal" {
	alog-keygen -s old.sec -p old.pub --epochs 8 >/dev/null
	alog-keygen -s new.sec -p new.pub --epochs 8 >/dev/null
	alog-keygen -s evil.sec -p evil.pub --epochs 8 >/dev/null
	make_log a.alog 2
	alog-seal -f a.alog -s old.sec --next-key new.pub >/dev/null
	# the attacker names its own key in the handover and recomputes the chain
	sed -i "s|\"nextkey\":\"$(cat new.pub)\"|\"nextkey\":\"$(cat evil.pub)\"|" a.alog
	rehash_log a.alog
	grep -q "$(cat evil.pub)" a.alog
	run alog-seal -f a.alog -s evil.sec
	[ "$status" -eq 1 ]
	[[ $output == *"hands over to another key, but the handover to $(cat evil.pub) is not signed by the sealing epoch"* ]]
	grep -q '^next 0$' evil.sec
	run alog-verify -p old.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"is not signed by the sealing epoch (epoch 0): a forged or altered handover"* ]]
}

@test "an emergency rollover is an explicit, recorded event: a warning naming the seq with the new key, an error without it" {
	old_and_new_keys
	# without --rollover a new key is refused, and --rollover needs a fresh key
	run alog-seal -f a.alog -s new.sec
	[ "$status" -eq 1 ]
	cp old.sec old2.sec
	run alog-seal -f a.alog -s old2.sec --rollover
	[ "$status" -eq 1 ]
	[[ $output == *"--rollover starts a key at its epoch 0, but this key has sealed before"* ]]
	run alog-seal -f a.alog -s new.sec --rollover --rotate d1.alog
	[ "$status" -eq 2 ]
	alog-seal -f a.alog -s new.sec --rollover >/dev/null
	[[ $(tail -n1 a.alog) == *'"epoch":0,'*'"rollover":true'* ]]
	alog-append -f a.alog x=2
	alog-seal -f a.alog -s new.sec >/dev/null
	# the old key (lost or stolen) no longer seals the log
	run alog-seal -f a.alog -s old.sec
	[ "$status" -eq 1 ]
	run alog-verify -p old.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"emergency key rollover at seq 6 to a key that was not given: its seals cannot be checked (give the new public key with another -p)"* ]]
	run alog-verify -p old.pub -p new.pub --require-sealed --key-state new.sec a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"warning: emergency key rollover at seq 6: the previous key's seals end before it; trust restarts here with $(cat new.pub) (given with -p)"* ]]
	[[ $output == *"key 2      $(cat new.pub) seals seq 6..8"* ]]
}
