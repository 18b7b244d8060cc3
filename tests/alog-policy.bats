#!/usr/bin/env bats
# Logging policies and protected fields: alog-append --policy and
# --policy-check, every rule and detector (positive and negative), the
# alog note, rejection messages, reader keys and peppers, encryption to
# two readers, and verification without any key.

load helpers

data_dir() { echo "$BATS_TEST_DIRNAME/data/policy"; }

# Keys most tests use: a pepper and the readers alice and bob.
keys() {
	alog-keygen --pepper -s pepper.key
	alog-keygen --reader -s alice.key -p alice.pub >/dev/null
	alog-keygen --reader -s bob.key -p bob.pub >/dev/null
}

# The members of line N of a log, without seq, ts and hash, as compact JSON.
event() { line "$1" "$2" | jq -c 'del(.seq, .ts, .hash)'; }

# ---- --policy-check ----

@test "--policy-check explains a valid policy and exits 0" {
	keys
	cp "$(data_dir)"/db.json .
	alog-keygen --reader -s dba.key -p dba.pub >/dev/null
	alog-keygen --reader -s security.key -p security.pub >/dev/null
	run alog-append --policy-check db.json
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "policy db.json: valid" ]
	[[ $output == *"required members: actor, action"* ]]
	[[ $output == *"rule query-text: member query: encrypt to the readers (alog-enc2:...)"* ]]
	[[ $output == *"events db-query, for actions db.*:"* ]]
	[[ $output == *"  card-number     mask, keeping the last 4 characters (at most half)"* ]]
	[[ $output == *"  jwt             off"* ]]
	[[ $output == *"reader: ./dba.pub (key id $(cut -d+ -f2 dba.pub))"* ]]
}

@test "--policy-check names the member at fault in a bad policy and exits 2" {
	echo '{"rules": [{"path": "password", "do": "hide"}]}' >bad.json
	run alog-append --policy-check bad.json
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-append: bad.json: rules[0]: "do" must be drop, mask, pseudonymise, encrypt or reject' ]
	echo '{"detectors": {"emails": true}}' >bad.json
	run alog-append --policy-check bad.json
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-append: bad.json: detectors.emails: unknown detector (expected private-key, aws-access-key, jwt, bearer-token, url-password, card-number or email)' ]
	echo '{"requires": ["actor"]}' >bad.json
	run alog-append --policy-check bad.json
	[ "$status" -eq 2 ]
	[[ $output == 'alog-append: bad.json: policy: unknown member "requires" (expected '* ]]
}

@test "--policy-check reports invalid JSON with its line" {
	printf '{\n  "require": ["actor",]\n}\n' >bad.json
	run alog-append --policy-check bad.json
	[ "$status" -eq 2 ]
	[[ $output == "alog-append: bad.json:2: invalid JSON at column "* ]]
	run alog-append --policy-check absent.json
	[ "$status" -eq 2 ]
	[ "$output" = "alog-append: absent.json: cannot open policy: No such file or directory" ]
}

@test "a policy that cannot be loaded leaves no log behind" {
	echo '{"rules": [{"path": "q", "do": "encrypt"}]}' >p.json
	run alog-append -f a.alog --policy p.json actor=a q=1
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-append: p.json: encrypt needs "readers": the public keys of who may read the values (alog-keygen --reader)' ]
	[ ! -e a.alog ]
}

@test "ALOG_POLICY applies when --policy is not given; empty means none" {
	echo '{"require": ["actor"]}' >p.json
	ALOG_POLICY=p.json run alog-append -f a.alog action=x
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-append: rejected by rule "require": missing member "actor"' ]
	ALOG_POLICY= alog-append -f a.alog action=x
	[ "$(event a.alog 2)" = '{"action":"x"}' ]
}

# ---- which events are acceptable ----

@test "a rejected event names the rule and the input line; nothing of it is written" {
	echo '{"require": ["actor", "action"]}' >p.json
	run alog-append -f a.alog --policy p.json < <(printf '%s\n' \
		'{"actor":"a","action":"x"}' '{"action":"y"}' '{"actor":"c","action":"z"}')
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = 'alog-append: <stdin>:2: rejected by rule "require": missing member "actor"' ]
	[ "${lines[1]}" = 'alog-append: stopped at <stdin> line 2; the events before it are appended' ]
	[ "$(wc -l <a.alog)" -eq 2 ]
	[ "$(event a.alog 2)" = '{"actor":"a","action":"x"}' ]
	alog-verify -q a.alog
}

@test "--skip-bad goes on after a rejected event" {
	echo '{"require": ["actor"]}' >p.json
	run alog-append -f a.alog --policy p.json --skip-bad < <(printf '%s\n' \
		'{"actor":"a"}' '{"x":1}' '{"actor":"c"}')
	[ "$status" -eq 2 ]
	[[ $output == *'<stdin>:2: rejected by rule "require": missing member "actor"'* ]]
	[ "$(wc -l <a.alog)" -eq 3 ]
}

@test "actions: only actions matching a pattern are accepted" {
	echo '{"actions": ["db.*", "auth.log?n"]}' >p.json
	alog-append -f a.alog --policy p.json action=db.query
	alog-append -f a.alog --policy p.json action=auth.login
	run alog-append -f a.alog --policy p.json action=shell.exec
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-append: rejected by rule "actions": action "shell.exec" is not allowed' ]
	run alog-append -f a.alog --policy p.json actor=x
	[ "$output" = 'alog-append: rejected by rule "actions": the event has no action member' ]
	run alog-append -f a.alog --policy p.json action:=7
	[ "$output" = 'alog-append: rejected by rule "actions": the action member is not a string' ]
	[ "$(wc -l <a.alog)" -eq 3 ]
}

@test "events blocks require members for matching actions only" {
	echo '{"events": [{"name": "db", "action": "db.*", "require": ["target", "query"]}]}' >p.json
	alog-append -f a.alog --policy p.json action=auth.login
	alog-append -f a.alog --policy p.json action=db.query target=t query=q
	run alog-append -f a.alog --policy p.json action=db.query target=t
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-append: rejected by rule "db": missing member "query" (required for action "db.query")' ]
}

@test "types: a member of the wrong type is rejected, an absent one is not" {
	echo '{"types": {"rows": "integer", "src.port": ["integer", "null"]}}' >p.json
	alog-append -f a.alog --policy p.json rows:=3 src.port:=null
	alog-append -f a.alog --policy p.json x=1
	run alog-append -f a.alog --policy p.json rows=3
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-append: rejected by rule "types": member "rows" is a string, not an integer' ]
	run alog-append -f a.alog --policy p.json src.port:=1.5
	[ "$output" = 'alog-append: rejected by rule "types": member "src.port" is a number, not one of integer, null' ]
}

@test "on_violation record writes the event with a policy_violation note" {
	echo '{"on_violation": "record", "require": ["actor"], "types": {"n": "integer"}}' >p.json
	alog-append -f a.alog --policy p.json action=x n=1
	[ "$(event a.alog 2)" = '{"action":"x","n":"1","alog":{"policy_violation":[{"rule":"types","msg":"member \"n\" is a string, not an integer"},{"rule":"require","msg":"missing member \"actor\""}]}}' ]
	alog-verify -q a.alog
}

# ---- what happens to sensitive members ----

@test "drop removes a member by path, or by name at any depth with **" {
	echo '{"rules": [{"name": "pw", "path": "**.password", "do": "drop"},
	                 {"name": "tok", "path": "session.token", "do": "drop"}]}' >p.json
	alog-append -f a.alog --policy p.json user=a password=x form.password=y session.token=t session.id:=1
	[ "$(event a.alog 2)" = '{"user":"a","form":{},"session":{"id":1},"alog":{"policy":[{"path":"password","rule":"pw","action":"drop"},{"path":"form.password","rule":"pw","action":"drop"},{"path":"session.token","rule":"tok","action":"drop"}]}}' ]
	# negative: other members of those names elsewhere stay
	alog-append -f a.alog --policy p.json token=t passwords=1
	[ "$(event a.alog 3)" = '{"token":"t","passwords":"1"}' ]
}

@test "mask keeps the documented number of trailing characters, never more than half" {
	echo '{"rules": [{"name": "m", "path": "user.email", "do": "mask"},
	                 {"name": "k", "path": "key", "do": "mask", "keep": 6},
	                 {"name": "z", "path": "pin", "do": "mask", "keep": 0}]}' >p.json
	alog-append -f a.alog --policy p.json user.email=alice@example.com key=abc pin:=1234 other=alice@example.com
	[ "$(event a.alog 2)" = '{"user":{"email":"*************.com"},"key":"**c","pin":"****","other":"alice@example.com","alog":{"policy":[{"path":"user.email","rule":"m","action":"mask"},{"path":"key","rule":"k","action":"mask"},{"path":"pin","rule":"z","action":"mask"}]}}' ]
}

@test "pseudonymise maps the same value to the same token, and another pepper elsewhere" {
	keys
	echo '{"rules": [{"name": "who", "path": "actor", "do": "pseudonymise"},
	                 {"name": "ip", "path": "src.ip", "do": "pseudonymise"}], "pepper": "pepper.key"}' >p.json
	alog-append -f a.alog --policy p.json actor=alice src.ip=10.0.0.7
	alog-append -f a.alog --policy p.json actor=alice src.ip=10.0.0.8
	alog-append -f a.alog --policy p.json actor=bob
	a1=$(line a.alog 2 | jq -r .actor) a2=$(line a.alog 3 | jq -r .actor) b=$(line a.alog 4 | jq -r .actor)
	[[ $a1 =~ ^alog-ps1:[A-Za-z0-9_-]{22}$ ]]
	[ "$a1" = "$a2" ] && [ "$a1" != "$b" ]
	[ "$(line a.alog 2 | jq -r .src.ip)" != "$(line a.alog 3 | jq -r .src.ip)" ]
	! grep -q alice a.alog || false
	mkdir other && alog-keygen --pepper -s other/pepper.key && cp p.json other/
	alog-append -f b.alog --policy other/p.json actor=alice
	[ "$(line b.alog 2 | jq -r .actor)" != "$a1" ]
}

@test "reject refuses an event with the member, even when violations are recorded" {
	echo '{"on_violation": "record", "rules": [{"name": "no-otp", "path": "otp", "do": "reject"}]}' >p.json
	run alog-append -f a.alog --policy p.json action=mfa otp=123456
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-append: rejected by rule "no-otp": member "otp" is not allowed' ]
	[ ! -s a.alog ] || [ "$(wc -l <a.alog)" -eq 1 ]
	alog-append -f a.alog --policy p.json action=mfa
}

@test "a value pattern changes the part that matches, in every string or under its path" {
	echo '{"rules": [{"name": "ssn", "match": "[0-9]{3}-[0-9]{2}-[0-9]{4}", "do": "mask"},
	                 {"name": "tkt", "path": "notes", "match": "^TKT-[0-9]+$", "do": "drop"}]}' >p.json
	alog-append -f a.alog --policy p.json msg='ssn 123-45-6789 on file' notes:='["TKT-1","keep"]' ref=TKT-2
	[ "$(event a.alog 2)" = '{"msg":"ssn *******6789 on file","notes":["keep"],"ref":"TKT-2","alog":{"policy":[{"path":"msg","rule":"ssn","action":"mask"},{"path":"notes[0]","rule":"tkt","action":"drop"}]}}' ]
	alog-append -f a.alog --policy p.json msg='call 555-1234'
	[ "$(event a.alog 3)" = '{"msg":"call 555-1234"}' ]
}

# ---- built-in detectors, each positive and negative ----

det_policy() { echo "{\"detectors\": {\"$1\": ${2:-true}}}" >p.json; }

@test "detector private-key: a key block rejects the event; a certificate passes" {
	det_policy private-key
	run alog-append -f a.alog --policy p.json cfg.tls_key="$(printf -- '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----')"
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-append: rejected by rule "private-key": member "cfg.tls_key" holds a private key block' ]
	alog-append -f a.alog --policy p.json cert="-----BEGIN CERTIFICATE----- MIIB -----END CERTIFICATE-----"
	[ "$(event a.alog 2)" = '{"cert":"-----BEGIN CERTIFICATE----- MIIB -----END CERTIFICATE-----"}' ]
}

@test "detector aws-access-key: key ids are masked, look-alikes are not" {
	det_policy aws-access-key
	alog-append -f a.alog --policy p.json env='AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE' near=AKIAIOSFODNN7EXAMPL
	[ "$(event a.alog 2)" = '{"env":"AWS_ACCESS_KEY_ID=****************MPLE","near":"AKIAIOSFODNN7EXAMPL","alog":{"policy":[{"path":"env","rule":"aws-access-key","action":"mask"}]}}' ]
}

@test "detector jwt: tokens are masked, other eyJ text is not" {
	det_policy jwt
	jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl
	alog-append -f a.alog --policy p.json t="id_token=$jwt" u='eyJhbGciOiJIUzI1NiJ9 alone'
	stars=$(printf '%*s' ${#jwt} '' | tr ' ' '*')
	[ "$(event a.alog 2)" = '{"t":"id_token='"$stars"'","u":"eyJhbGciOiJIUzI1NiJ9 alone","alog":{"policy":[{"path":"t","rule":"jwt","action":"mask"}]}}' ]
}

@test "detector bearer-token: the token is masked, the word bearer alone is not" {
	det_policy bearer-token '{"do": "mask", "keep": 4}'
	alog-append -f a.alog --policy p.json h='Authorization: Bearer 0123456789abcdefXYZW' m='the bearer token expired'
	[ "$(event a.alog 2)" = '{"h":"Authorization: Bearer ****************XYZW","m":"the bearer token expired","alog":{"policy":[{"path":"h","rule":"bearer-token","action":"mask"}]}}' ]
}

@test "detector url-password: the password in a URL is masked, a URL without one is not" {
	det_policy url-password
	alog-append -f a.alog --policy p.json dsn=postgres://app:s3cr3t@db-1:5432/app url=https://bob@example.com/x
	[ "$(event a.alog 2)" = '{"dsn":"postgres://app:******@db-1:5432/app","url":"https://bob@example.com/x","alog":{"policy":[{"path":"dsn","rule":"url-password","action":"mask"}]}}' ]
}

@test "detector card-number: Luhn-valid numbers are masked; a 16-digit order id failing Luhn is not" {
	det_policy card-number
	alog-append -f a.alog --policy p.json card='4111 1111 1111 1111' order=4111111111111112 pan:=5555555555554444 id:=4111111111111112
	[ "$(event a.alog 2)" = '{"card":"**** **** **** 1111","order":"4111111111111112","pan":"************4444","id":4111111111111112,"alog":{"policy":[{"path":"card","rule":"card-number","action":"mask"},{"path":"pan","rule":"card-number","action":"mask"}]}}' ]
}

@test "detector email: addresses lose their local part, other @ text stays" {
	det_policy email
	alog-append -f a.alog --policy p.json msg='reset sent to alice.smith@example.com' host=root@localhost
	[ "$(event a.alog 2)" = '{"msg":"reset sent to ***********@example.com","host":"root@localhost","alog":{"policy":[{"path":"msg","rule":"email","action":"mask"}]}}' ]
}

@test "detectors that are off leave values alone; events the policy does not touch are kept byte for byte" {
	det_policy email false
	alog-append -f a.alog --policy p.json m=alice@example.com
	[ "$(event a.alog 2)" = '{"m":"alice@example.com"}' ]
	cp "$(data_dir)"/detectors.json .
	printf '%s\n' '{ "a" : "caf\u00e9 \/x" , "n" : 1.50 }' | alog-append -f b.alog --policy detectors.json
	[[ $(line b.alog 2) == *',"a":"caf\u00e9 \/x","n":1.50,"hash":'* ]]
}

@test "text lines go through the detectors too" {
	cp "$(data_dir)"/detectors.json .
	echo 'login failed for bob@example.org' | alog-append -f a.alog --text --policy detectors.json
	[ "$(event a.alog 2)" = '{"msg":"login failed for ***@example.org","alog":{"policy":[{"path":"msg","rule":"email","action":"mask"}]}}' ]
}

@test "the alog member cannot be set by an event, with or without a policy" {
	echo '{}' >p.json
	run alog-append -f a.alog --policy p.json alog.policy=forged
	[ "$status" -eq 2 ]
	[[ $output == *'member name "alog" is reserved'* ]]
}

# ---- protected fields ----

@test "alog-keygen --reader creates a 0600 secret key and a public key, never overwriting" {
	run alog-keygen --reader -s r.key -p r.pub
	[ "$status" -eq 0 ]
	[[ $output =~ ^alog-reader1\+[0-9a-f]{16}\+[A-Za-z0-9+/]{43}=$ ]]
	[ "$output" = "$(cat r.pub)" ]
	[ "$(stat -c %a r.key)" = 600 ]
	grep -q '^alog-reader-secret-v1$' r.key
	run alog-keygen --reader -s r.key -p r2.pub
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-keygen: r.key already exists: refusing to overwrite a key' ]
	[ ! -e r2.pub ]
	run alog-keygen --reader -s r3.key -p r.pub
	[ "$status" -eq 2 ]
	[ ! -e r3.key ]
}

@test "alog-keygen --pepper creates a 0600 pepper; bad combinations are usage errors" {
	alog-keygen --pepper -s p.key
	[ "$(stat -c %a p.key)" = 600 ]
	grep -q '^alog-pepper-v1$' p.key
	run alog-keygen --pepper -s q.key -p q.pub
	[ "$status" -eq 2 ]
	[[ $output == "alog-keygen: a pepper has no public part: -p does not apply"* ]]
	run alog-keygen --reader --pepper -s q.key
	[ "$status" -eq 2 ]
	run alog-keygen --reader --origin x -s q.key
	[ "$status" -eq 2 ]
	[ ! -e q.key ]
}

@test "a pepper or reader key that others can read is refused" {
	keys
	echo '{"rules": [{"path": "a", "do": "pseudonymise"}], "pepper": "pepper.key"}' >p.json
	chmod 644 pepper.key
	run alog-append -f a.alog --policy p.json a=1
	[ "$status" -eq 2 ]
	[[ $output == "alog-append: p.json: pepper: secret key ./pepper.key is accessible by others (mode 0644): refusing to use it"* ]]
	chmod 640 alice.key
	run reveal -k alice.key </dev/null
	[ "$status" -eq 2 ]
	[[ $output == *"secret key alice.key is accessible by others (mode 0640)"* ]]
}

# A log with a query encrypted to alice and bob.
protected_log() {
	keys
	echo '{"rules": [{"name": "q", "path": "query", "do": "encrypt"}], "readers": ["alice.pub", "bob.pub"]}' >p.json
	alog-append -f a.alog --policy p.json actor=dba action=db.query query='SELECT * FROM cards' rows:=3
}

@test "encrypt: the value is a sealed box for each reader, and both readers get it back" {
	protected_log
	[[ $(line a.alog 2 | jq -r .query) == alog-enc2:* ]]
	[ "$(line a.alog 2 | jq -c .alog)" = '{"policy":[{"path":"query","rule":"q","action":"encrypt"}]}' ]
	! grep -q 'SELECT' a.alog || false
	run reveal -k alice.key -m query <a.alog
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = '"SELECT * FROM cards"' ]
	run reveal -k bob.key <a.alog
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[1]}" | jq -c 'del(.seq, .ts, .hash)')" = '{"actor":"dba","action":"db.query","query":"SELECT * FROM cards","rows":3,"alog":{"policy":[{"path":"query","rule":"q","action":"encrypt"}]}}' ]
}

@test "encrypt keeps any JSON value: objects and numbers come back as they were" {
	keys
	echo '{"rules": [{"path": "body", "do": "encrypt"}], "readers": ["alice.pub"]}' >p.json
	alog-append -f a.alog --policy p.json body:='{"n":1.50,"l":[true,null,"x"]}' x=1
	run reveal -k alice.key -m body <a.alog
	[ "${lines[1]}" = '{"n":1.50,"l":[true,null,"x"]}' ]
}

@test "a wrong reader key opens nothing and says whose the value is" {
	protected_log
	alog-keygen --reader -s carol.key >/dev/null
	run reveal -k carol.key -m query <a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"<stdin>:2: member \"query\" is protected, and not encrypted to reader key $(sed -n 's/^id //p' carol.key) (only to $(cut -d+ -f2 alice.pub), $(cut -d+ -f2 bob.pub))"* ]]
	run reveal -k carol.key <a.alog
	[ "$status" -eq 1 ]
	[[ $output != *alog-enc2:* ]]
	[[ $output == *'"query":"<protected: encrypted for readers '* ]]
}

@test "without a reader key, readable output shows a placeholder and a query on the member is an error" {
	protected_log
	run reveal <a.alog
	[ "$status" -eq 1 ]
	[[ $output != *alog-enc2:* ]]
	[[ $output == *"\"query\":\"<protected: encrypted for readers $(cut -d+ -f2 alice.pub), $(cut -d+ -f2 bob.pub)>\""* ]]
	run reveal -m query <a.alog
	[ "$status" -eq 1 ]
	[[ $output == *'<stdin>:2: member "query" is protected (encrypted for readers '*'): reading it needs a reader secret key'* ]]
	run reveal -m actor <a.alog
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = '"dba"' ]
}

@test "a log with protected fields verifies without any key, and a changed ciphertext is caught" {
	protected_log
	mkdir elsewhere && cp a.alog elsewhere/ && cd elsewhere
	run alog-verify a.alog
	[ "$status" -eq 0 ]
	[[ $output == "OK: 2 records"* ]]
	sed -i '2s/alog-enc2:Ag/alog-enc2:Ah/' a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:2: record modified"* ]]
}

@test "an event that would grow past the record size after encryption is refused" {
	keys
	echo '{"rules": [{"path": "v", "do": "encrypt"}], "readers": ["alice.pub", "bob.pub"]}' >p.json
	head -c 600000 /dev/zero | tr '\0' a | sed 's/.*/{"v":"&"}/' >big.json
	run alog-append -f a.alog --policy p.json <big.json
	[ "$status" -eq 2 ]
	[[ $output == *'<stdin>:1: the event would be longer than 1048320 bytes after the policy'* ]]
}

# ---- documentation ----

@test "alog-policy(5) examples run as documented, with the policies in tests/data/policy" {
	cp "$(data_dir)"/{db,auth,http}.json .
	run_examples "$(man_dir)/alog-policy.5"
	alog-verify db.alog
	alog-verify auth.alog
	[ "$(line auth.alog 2 | jq -r .actor)" = "$(line auth.alog 2 | jq -r .form.user)" ]
	# the change of policy is in the chain
	[ "$(line db.alog 3 | jq -r .action)" = alog.policy_change ]
	[ "$(line db.alog 3 | jq -r .alog.policy_change.file)" = "$PWD/http.json" ]
	# the policies the page shows are these files, byte for byte
	for f in db auth http; do
		awk -v f="$f.json" '
			$0 == ".Pa " f " :" { want = 1; next }
			want && /^\.Bd -literal/ { inbd = 1; next }
			inbd && /^\.Ed/ { exit }
			inbd { print }
		' "$(man_dir)/alog-policy.5" >shown.json
		diff shown.json "$f.json"
	done
}

# ---- reading protected fields: alog-grep and alog-export ----

# protected_log plus an event without protected values and a second query.
protected_log3() {
	protected_log
	alog-append -f a.alog --policy p.json actor=bob action=login
	alog-append -f a.alog --policy p.json actor=eve action=db.query query='DROP TABLE x' rows:=0
}

@test "alog-grep --decrypt: both readers search and see the protected member" {
	protected_log3
	for k in alice bob; do
		run alog-grep --decrypt $k.key 'query~^SELECT' a.alog
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 1 ]
		[ "$(echo "$output" | jq -r .query)" = 'SELECT * FROM cards' ]
		[ "$(echo "$output" | jq -r .hash)" = "$(line a.alog 2 | jq -r .hash)" ]
	done
	run alog-grep --decrypt alice.key --fields actor,query 'action=db.query' a.alog
	[ "$output" = "$(printf 'dba\tSELECT * FROM cards\neve\tDROP TABLE x')" ]
	run alog-grep --decrypt bob.key --pretty --color=never 'query~DROP' a.alog
	[ "$status" -eq 0 ]
	[[ $output == *'eve '*'query="DROP TABLE x"'* ]]
	run alog-grep --decrypt bob.key -c 'query~nothing' a.alog
	[ "$status" -eq 1 ]
	[ "$output" = 0 ]
}

@test "alog-grep without a key: placeholders in readable output, raw lines as stored, an error for a term on the member" {
	protected_log3
	ids="$(cut -d+ -f2 alice.pub), $(cut -d+ -f2 bob.pub)"
	run alog-grep --pretty --color=never actor=dba a.alog
	[ "$status" -eq 0 ]
	[[ $output != *alog-enc2:* ]]
	[[ $output == *"query=\"<protected: encrypted for readers $ids>\""* ]]
	run alog-grep --fields actor,query actor=eve a.alog
	[ "$output" = "$(printf 'eve\t<protected: encrypted for readers %s>' "$ids")" ]
	# raw output is the stored line, byte for byte, and verifies
	[ "$(alog-grep actor=dba a.alog)" = "$(line a.alog 2)" ]
	run bash -c 'alog-grep actor=dba a.alog | alog-verify'
	[[ $output == *"NOT VERIFIED (fragment): 1 record"* && $output != *FAILED* ]]
	# each record that cannot be searched is reported, and the search goes on
	run alog-grep 'query~SELECT' a.alog
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "alog-grep: a.alog:2: cannot search: member \"query\" is protected (encrypted for readers $ids): reading it needs a reader secret key: give one with --decrypt; record skipped" ]
	[[ ${lines[1]} == "alog-grep: a.alog:4: cannot search: member \"query\" is protected"* ]]
	[ "${#lines[@]}" -eq 2 ]
	# terms on other members of the same records are fine
	run alog-grep -c 'rows>=0' a.alog
	[ "$status" -eq 0 ]
	[ "$output" = 2 ]
}

@test "alog-grep with a reader key the values are not encrypted to: an error for a term, placeholders otherwise" {
	protected_log3
	alog-keygen --reader -s carol.key -p carol.pub >/dev/null
	run alog-grep --decrypt carol.key 'query~SELECT' a.alog
	[ "$status" -eq 2 ]
	[[ $output == "alog-grep: a.alog:2: cannot search: member \"query\" is protected, and not encrypted to reader key $(cut -d+ -f2 carol.pub) (only to "* ]]
	run alog-grep --decrypt carol.key --fields query actor=dba a.alog
	[ "$status" -eq 0 ]
	[[ $output == '<protected: encrypted for readers '* ]]
	run alog-grep --decrypt nothere.key actor=dba a.alog
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-grep: nothere.key: cannot open reader secret key: No such file or directory' ]
	chmod 644 carol.key
	run alog-grep --decrypt carol.key actor=dba a.alog
	[ "$status" -eq 2 ]
	[[ $output == *'secret key carol.key is accessible by others (mode 0644)'* ]]
}

@test "alog-export --decrypt opens protected values in every format; without a key they are placeholders" {
	protected_log3
	run alog-export --decrypt alice.key a.alog
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[0]}" | jq -r .query)" = 'SELECT * FROM cards' ]
	[ "$(echo "${lines[2]}" | jq -r .query)" = 'DROP TABLE x' ]
	run alog-export -F csv --fields actor,query --decrypt bob.key a.alog
	[ "${lines[1]}" = $'dba,SELECT * FROM cards\r' ]
	run alog-export -F cef --decrypt bob.key a.alog
	[[ ${lines[0]} == *'alogQuery=SELECT * FROM cards '* ]]
	run alog-export a.alog
	[ "$status" -eq 0 ]
	[[ $output != *alog-enc2:* ]]
	[[ $(echo "${lines[0]}" | jq -r .query) == '<protected: encrypted for readers '* ]]
	# --with-meta keeps records verbatim (ciphertext and all) unless a key opens them
	[ "$(alog-export --with-meta a.alog | sed -n 1p)" = "$(line a.alog 2)" ]
	alog-keygen --reader -s carol.key >/dev/null
	run alog-export -F ecs --decrypt carol.key a.alog
	[ "$status" -eq 0 ]
	[[ $output != *'SELECT'* ]]
	[[ $output == *"alog-export: warning: 2 protected value(s) are not encrypted to carol.key: they are shown as placeholders"* ]]
	run alog-export --proof --decrypt alice.key -f a.alog
	[ "$status" -eq 2 ]
}

# ---- protected values where the policy put them, and only there ----

# Replace the value of member M in line N of log L by the value of member M2 in line N2.
transplant() {
	python3 - "$@" <<'PY'
import json, sys
log, n, m, src, n2, m2 = sys.argv[1:7]
lines = open(log).read().split('\n')
other = open(src).read().split('\n')
rec = json.loads(lines[int(n) - 1])
rec[m] = json.loads(other[int(n2) - 1])[m2]
lines[int(n) - 1] = json.dumps(rec, separators=(',', ':'))
open(log, 'w').write('\n'.join(lines))
PY
}

@test "a string that only looks protected is plain text: it never stops a search, with -v or --decrypt" {
	keys
	alog-append -f a.alog actor=mallory action=x target='alog-enc1:x'
	alog-append -f a.alog actor=alice action=y target=payments
	alog-append -f a.alog actor=bob action=z target='alog-enc2:AgE='
	run alog-grep target=payments a.alog
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .actor)" = alice ]
	run alog-grep -c -v target=payments a.alog
	[ "$status" -eq 0 ]
	[ "$output" = 3 ]
	run alog-grep --decrypt alice.key -c target~alog-enc a.alog
	[ "$status" -eq 0 ]
	[ "$output" = 2 ]
	run alog-grep --pretty --color=never actor=mallory a.alog
	[[ $output == *'alog-enc1:x'* ]]
	[[ $output != *protected* ]]
	# in a record the policy changed, only the members its alog member names
	echo '{"rules": [{"name": "q", "path": "query", "do": "encrypt"}], "readers": ["alice.pub"]}' >p.json
	alog-append -f b.alog --policy p.json actor=eve query='SELECT 1' target='alog-enc1:x'
	alog-append -f b.alog --policy p.json actor=dan target=payments
	run alog-grep -c 'target~^alog-enc1' b.alog
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	run alog-export -F csv --fields actor,target b.alog
	[ "${lines[1]}" = $'eve,alog-enc1:x\r' ]
}

@test "one record that cannot be searched is reported and the search goes on to later matches" {
	protected_log3
	alog-append -f a.alog --policy p.json actor=dba action=db.query query='SELECT 2' rows:=1
	alog-keygen --reader -s carol.key >/dev/null
	for opts in "" "--decrypt carol.key"; do
		run alog-grep $opts 'query~SELECT' a.alog
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 3 ]
		[[ ${lines[0]} == "alog-grep: a.alog:2: cannot search: "*"; record skipped" ]]
		[[ ${lines[2]} == "alog-grep: a.alog:5: cannot search: "*"; record skipped" ]]
		run alog-grep $opts -v 'query~SELECT' a.alog
		[ "$status" -eq 2 ]
		[[ $output == *'"actor":"bob"'* ]]
	done
	# with the key, every record is searched
	run alog-grep --decrypt alice.key -c 'query~SELECT' a.alog
	[ "$status" -eq 0 ]
	[ "$output" = 2 ]
}

@test "a protected value moved to another record, member or log does not open, and says so" {
	keys
	echo '{"rules": [{"name": "q", "path": "query", "do": "encrypt"}, {"name": "pw", "path": "password", "do": "encrypt"}], "readers": ["alice.pub"]}' >p.json
	alog-append -f a.alog --origin db-1 --policy p.json actor=dba query='SELECT * FROM cards' password=hunter2
	alog-append -f a.alog --policy p.json actor=eve query='SELECT 1' password=x
	cp a.alog orig.alog
	# another record: seq 2's query in seq 3
	transplant a.alog 3 query orig.alog 2 query
	run alog-grep --decrypt alice.key 'query~cards' a.alog
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ $output == *'"actor":"dba","query":"SELECT * FROM cards"'* ]]
	[[ $output == *'alog-grep: a.alog:3: cannot search: protected value was sealed for record seq 2, not seq 3: it was moved here; record skipped'* ]]
	run alog-grep --decrypt alice.key actor=eve a.alog
	[ "$status" -eq 0 ]
	[[ $(echo "$output" | jq -r .query) == '<protected: encrypted for reader '* ]]
	run alog-export --decrypt alice.key a.alog
	[[ $output != *'SELECT * FROM cards'*'SELECT * FROM cards'* ]]
	# another member of the same record
	cp orig.alog a.alog
	transplant a.alog 2 password orig.alog 2 query
	run alog-grep --decrypt alice.key 'password=x' a.alog
	[ "$status" -eq 2 ]
	[[ $output == *'a.alog:2: cannot search: protected value was sealed for member "query", not "password": it was moved here; record skipped'* ]]
	# another log, at the same seq and member
	echo '{"rules": [{"name": "q", "path": "query", "do": "encrypt"}, {"name": "pw", "path": "password", "do": "encrypt"}], "readers": ["alice.pub"]}' >p.json
	alog-append -f b.alog --origin db-2 --policy p.json actor=dba query='SELECT 0' password=y
	transplant b.alog 2 query orig.alog 2 query
	run alog-grep --decrypt alice.key 'query~cards' b.alog
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-grep: b.alog:2: cannot search: protected value was sealed for the log "db-1", not this one ("db-2"): it was moved here; record skipped' ]
	# in place, everything opens
	run alog-grep --decrypt alice.key -c 'query~SELECT' orig.alog
	[ "$output" = 2 ]
}

@test "alog-grep --decrypt: a header past the first read still binds the values after it to their log" {
	# the literal search skips lines; it must not skip the header naming the log
	keys
	echo '{"rules": [{"name": "q", "path": "query", "do": "encrypt"}], "readers": ["alice.pub"]}' >p.json
	for l in a:db-1 b:db-2; do
		alog-append -f ${l%%:*}.alog --origin ${l#*:} --policy p.json actor=x
		seq 600 | awk '{ printf "{\"actor\":\"filler%d\",\"note\":\"%0200d\"}\n", $1, 0 }' |
			alog-append -f ${l%%:*}.alog --policy p.json
		alog-append -f ${l%%:*}.alog --policy p.json actor=dba query="SELECT * FROM ${l%%:*}_cards"
	done
	[ "$(stat -c %s b.alog)" -gt 131072 ]
	# the same seq and member, from the other log
	transplant b.alog 603 query a.alog 603 query
	run alog-grep --decrypt alice.key 'query~cards' b.alog
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-grep: b.alog:603: cannot search: protected value was sealed for the log "db-1", not this one ("db-2"): it was moved here; record skipped' ]
	# in place, it opens and is found past the first read
	run alog-grep --decrypt alice.key 'query~cards' a.alog
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .query)" = 'SELECT * FROM a_cards' ]
}

@test "encrypted values are padded: short secrets of different lengths look the same" {
	keys
	echo '{"rules": [{"path": "password", "do": "encrypt"}], "readers": ["alice.pub"]}' >p.json
	alog-append -f a.alog --policy p.json password=1234567
	alog-append -f a.alog --policy p.json password=1234567890123456789012345678
	alog-append -f a.alog --policy p.json password="$(printf '%080d' 1)"
	l2=$(line a.alog 2 | jq -r .password | wc -c)
	l3=$(line a.alog 3 | jq -r .password | wc -c)
	l4=$(line a.alog 4 | jq -r .password | wc -c)
	[ "$l2" -eq "$l3" ]
	[ "$l4" -gt "$l3" ]
	[ "$(alog-grep --decrypt alice.key -c 'password~^123' a.alog)" = 2 ]
}

@test "detectors: card numbers next to other digit groups and URL passwords holding '@' are masked" {
	echo '{"detectors": {"card-number": true, "url-password": true}}' >p.json
	alog-append -f a.alog --policy p.json \
		a='4111 1111 1111 1111 123' b='4111 1111 1111 1111 12 25' \
		c='order 12 4111 1111 1111 1111' d='4111 1111 1111 1111 5555 5555 5555 4444' \
		dsn='postgres://app:P@ssw0rd@db/x' e='order 4111 1111 1111 1112 99'
	[ "$(event a.alog 2 | jq -c 'del(.alog)')" = '{"a":"**** **** **** 1111 123","b":"**** **** **** 1111 12 25","c":"order 12 **** **** **** 1111","d":"**** **** **** 1111 **** **** **** 4444","dsn":"postgres://app:********@db/x","e":"order 4111 1111 1111 1112 99"}' ]
	! grep -q 'ssw0rd' a.alog
}

# ---- the policy belongs to the log ----

@test "a log created with a policy is pinned to it: appends without it or with another are refused, nothing written" {
	keys
	echo '{"rules": [{"name": "q", "path": "query", "do": "encrypt"}], "readers": ["alice.pub"]}' >p.json
	echo '{"rules": [{"name": "q", "path": "query", "do": "mask"}]}' >other.json
	alog-append -f a.alog --policy p.json actor=dba query='SELECT 1'
	[ "$(line a.alog 1 | jq -r .policy.file)" = "$PWD/p.json" ]
	[ "$(line a.alog 1 | jq -r .policy.sha256 | wc -c)" -eq 65 ]
	cp a.alog before.alog
	sum=$(line a.alog 1 | jq -r .policy.sha256 | cut -c1-16)
	run alog-append -f a.alog actor=dba query='SELECT secret'
	[ "$status" -eq 2 ]
	[ "$output" = "alog-append: a.alog: the log is pinned to policy $sum ($PWD/p.json): give it with --policy (or \$ALOG_POLICY), or change the log's policy with --policy-change; nothing appended" ]
	run alog-append -f a.alog --policy other.json actor=dba query='SELECT secret'
	[ "$status" -eq 2 ]
	[[ $output == "alog-append: a.alog: the log is pinned to policy $sum ($PWD/p.json), not "*"($PWD/other.json): give that one, or change the log's policy with --policy-change; nothing appended" ]]
	echo '{"actor":"x","query":"SELECT secret"}' | { run alog-append -f a.alog; [ "$status" -eq 2 ]; }
	# a copy of the policy elsewhere is the same policy; a changed one is not
	mkdir copy && cp p.json alice.pub copy/
	alog-append -f a.alog --policy copy/p.json actor=dba query='SELECT 2'
	cmp before.alog <(head -n 2 a.alog)
	echo ' ' >>copy/p.json
	run alog-append -f a.alog --policy copy/p.json actor=dba query='SELECT 3'
	[ "$status" -eq 2 ]
	# the environment's policy counts like --policy
	ALOG_POLICY=p.json alog-append -f a.alog actor=dba query='SELECT 4'
	[ "$(wc -l <a.alog)" -eq 4 ]
	! grep -q 'SELECT' a.alog
	# followers go through the same check
	echo '{"actor":"f","query":"SELECT 5"}' >in.json
	run alog-append -f a.alog --follow in.json --once
	[ "$status" -eq 2 ]
	[[ $output == *"the log is pinned to policy $sum"* ]]
	[ "$(wc -l <a.alog)" -eq 4 ]
	alog-verify a.alog
}

@test "a policy change is explicit and recorded in the chain; the old policy is refused afterwards" {
	keys
	echo '{"rules": [{"name": "q", "path": "query", "do": "encrypt"}], "readers": ["alice.pub"]}' >p.json
	echo '{"rules": [{"name": "q", "path": "query", "do": "drop"}]}' >new.json
	alog-append -f a.alog --policy p.json actor=dba query='SELECT 1'
	alog-append -f a.alog --policy new.json --policy-change actor=dba query='SELECT 2'
	[ "$(line a.alog 3 | jq -r .action)" = alog.policy_change ]
	[ "$(line a.alog 3 | jq -r .alog.policy_change.file)" = "$PWD/new.json" ]
	[ "$(line a.alog 3 | jq -r .alog.policy_previous.file)" = "$PWD/p.json" ]
	[ "$(line a.alog 4 | jq -c .alog.policy)" = '[{"path":"query","rule":"q","action":"drop"}]' ]
	run alog-append -f a.alog --policy p.json actor=dba query='SELECT 3'
	[ "$status" -eq 2 ]
	[[ $output == *"pinned to policy "*"($PWD/new.json), not"* ]]
	# the same policy again records nothing
	alog-append -f a.alog --policy new.json --policy-change actor=x
	[ "$(wc -l <a.alog)" -eq 5 ]
	# back to no policy at all, explicitly
	alog-append -f a.alog --policy-change actor=y
	[ "$(line a.alog 6 | jq -c .alog.policy_change)" = null ]
	alog-append -f a.alog actor=z
	alog-verify a.alog
	# a record cannot fake a change: alog is reserved
	run alog-append -f a.alog 'alog.policy_change:=null' actor=w
	[ "$status" -eq 2 ]
	# the change record is chained like the rest: altering it is caught
	sed -i '3s/"action":"alog.policy_change"/"action":"alog.policy_chang3"/' a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
}

@test "the pin hint (user.alog.pin) spares the search and cannot unpin a log" {
	pin() { python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.alog.pin").decode())' "$1"; }
	setpin() { python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.alog.pin", sys.argv[2].encode())' "$1" "$2"; }
	touch probe
	python3 -c 'import os; os.setxattr("probe", "user.t", b"1")' 2>/dev/null || skip "no user xattrs here"
	keys
	echo '{"rules": [{"name": "q", "path": "query", "do": "drop"}]}' >p.json
	echo '{"rules": [{"name": "q", "path": "query", "do": "mask"}]}' >new.json
	alog-append -f a.alog --policy p.json actor=dba query='SELECT 1'
	for i in 1 2 3 4 5; do alog-append -f a.alog --policy p.json actor=dba query="SELECT $i"; done
	read -r v ino end hash at <<<"$(pin a.alog)"
	[ "$v $ino $end $at" = "1 $(stat -c %i a.alog) $(stat -c %s a.alog) 0" ]
	[ "$hash" = "$(tail -n 1 a.alog | jq -r .hash)" ]
	# used: once the hint is read, the next append reads nothing more of the file
	if [ "${ALOG_VALGRIND:-0}" = 0 ]; then
		ASAN_OPTIONS=detect_leaks=0 strace -e trace=pread64,fgetxattr -o trace alog-append -f a.alog --policy p.json actor=dba query='SELECT 7'
		grep -q 'fgetxattr(.*user.alog.pin' trace
		[ -z "$(sed -n '/fgetxattr(/,$p' trace | grep 'pread64(')" ]
	fi
	# forged to name a record that is no policy change, or garbage: ignored, still pinned
	setpin a.alog "1 $(stat -c %i a.alog) $(stat -c %s a.alog) $hash 0"
	run alog-append -f a.alog actor=dba query='SELECT secret'
	[ "$status" -eq 2 ]
	[[ $output == *"the log is pinned to policy"* ]]
	setpin a.alog "1 $(stat -c %i a.alog) $(stat -c %s a.alog) $hash $(head -n 1 a.alog | wc -c)"
	run alog-append -f a.alog actor=dba query='SELECT secret'
	[ "$status" -eq 2 ]
	setpin a.alog nonsense
	run alog-append -f a.alog actor=dba query='SELECT secret'
	[ "$status" -eq 2 ]
	# a change, then appends: the hint names the change record
	alog-append -f a.alog --policy new.json --policy-change actor=dba query='SELECT 8'
	read -r v ino end hash at <<<"$(pin a.alog)"
	[ "$at" -eq "$(head -n 8 a.alog | wc -c)" ]
	[ "$(line a.alog 9 | jq -r .action)" = alog.policy_change ]
	run alog-append -f a.alog --policy p.json actor=dba query='SELECT 9'
	[ "$status" -eq 2 ]
	[[ $output == *"($PWD/new.json), not"* ]]
	# a copy keeps a hint that is not its own: ignored, the copy searched
	cp --preserve=xattr a.alog b.alog
	[ -n "$(pin b.alog)" ]
	alog-append -f b.alog --policy new.json actor=dba query='SELECT 10'
	[ "$(pin b.alog | cut -d' ' -f2)" = "$(stat -c %i b.alog)" ]
	# removed: searched, and written again
	python3 -c 'import os; os.removexattr("a.alog", "user.alog.pin")'
	alog-append -f a.alog --policy new.json actor=dba query='SELECT 11'
	[ -n "$(pin a.alog)" ]
	alog-verify a.alog >/dev/null && alog-verify b.alog >/dev/null
	! grep -q SELECT a.alog
}

@test "the pin survives rotation, and --origin for an existing log must be its origin" {
	keys
	echo '{"rules": [{"name": "q", "path": "query", "do": "encrypt"}], "readers": ["alice.pub"]}' >p.json
	alog-keygen --origin db-1 -s seal.key -p seal.pub --epochs 4 >/dev/null
	alog-append -f a.alog --origin db-1 --policy p.json actor=dba query='SELECT 1'
	alog-seal -f a.alog -s seal.key --rotate a-1.alog >/dev/null
	run alog-append -f a.alog actor=dba query='SELECT 2'
	[ "$status" -eq 2 ]
	[[ $output == *"the log is pinned to policy"* ]]
	alog-append -f a.alog --policy p.json actor=dba query='SELECT 3'
	alog-verify -p seal.pub a-1.alog a.alog >/dev/null
	run alog-append -f a.alog --origin db-2 --policy p.json actor=x
	[ "$status" -eq 2 ]
	[ "$output" = 'alog-append: a.alog:1: the log'"'"'s origin is "db-1", not "db-2" (--origin names a new log'"'"'s origin; an existing log keeps its own); nothing appended' ]
	alog-append -f a.alog --origin db-1 --policy p.json actor=x
	[ "$(wc -l <a.alog)" -eq 3 ]
}

@test "--policy-check with a sample or a log warns about rule paths and required members that match nothing" {
	keys
	echo '{"require": ["actor", "sesion"], "rules": [{"name": "query-text", "path": "qeury", "do": "encrypt"}, {"name": "pw", "path": "**.password", "do": "drop"}], "readers": ["alice.pub"]}' >p.json
	printf '%s\n' '{"actor":"a","query":"SELECT 1","form":{"password":"x"}}' '{"actor":"b","session":"s"}' >sample.ndjson
	run alog-append --policy-check p.json --sample sample.ndjson
	[ "$status" -eq 0 ]
	[[ $output == *'alog-append: p.json: warning: rule "query-text": path "qeury" matches no member of the 2 events (a typing mistake?)'* ]]
	[[ $output == *'alog-append: p.json: warning: required member "sesion" is in none of the 2 events'* ]]
	[[ $output != *'"pw"'* ]]
	# a log: the rules its records name count, though what they dropped is gone
	echo '{"require": ["actor"], "rules": [{"name": "pw", "path": "**.password", "do": "drop"}]}' >q.json
	alog-append -f a.alog --policy q.json actor=a form.password=x
	run alog-append --policy-check q.json -f a.alog
	[ "$status" -eq 0 ]
	[[ $output != *warning* ]]
	run alog-append --policy-check p.json -f a.alog
	[[ $output == *'path "qeury" matches no member of the 1 event'* ]]
	run alog-append --policy-check p.json --sample sample.ndjson -f a.alog
	[ "$status" -eq 2 ]
}
