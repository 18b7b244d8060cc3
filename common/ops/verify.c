/*
 * verify.c - the record-by-record verifier.  The fast path is shape check,
 * one SHA-256 over the body, one for the chain, the leaf and amortised one
 * tree node: no JSON parser.  When a link fails, the decision waits for
 * one more record so that the report can say what happened (modified,
 * deleted, inserted, swapped, duplicated) instead of only where.
 */
#include "ops/verify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/enc.h"
#include "base/json.h"
#include "base/reader.h"
#include "base/sha256.h"
#include "base/ts.h"
#include "format/header.h"
#include "format/note.h"
#include "format/sealrec.h"
#include "keys/sealcheck.h"
#include "ops/proof.h"
#include "ops/verify_pool.h"

#define VBATCH_PARTS 4
#define VBATCH_PART (ALOG_VERIFY_BATCH / VBATCH_PARTS)

/* What the verifier remembers of a record it has not yet placed. */
struct held {
	int active;
	uint64_t line, seq;
	uint8_t hash[32], digest[32], leaf[32];
	int64_t ts_ns;
	enum alog_rec_type type;
};

struct alog_verifier {
	struct alog_verify_opts o;
	alog_problem_fn fn;
	void *ctx;
	int from_start;      /* the log is checked from its first record (seq 1) */
	int origin_checked;

	const char *file; /* current file name */
	uint64_t file_index;
	int stopped;

	/* chain state after the last accepted record */
	int have_chain;
	uint8_t h[32];
	int have_before;     /* the chain before the last accepted record, and its line */
	uint8_t h_before[32];
	uint64_t last_line;
	uint64_t expected; /* seq of the next record; 0 when unknown */
	int64_t last_ts;
	int have_ts;

	int tree_ok;
	struct alog_merkle tree;
	/*
	 * Worker-built subtrees (ops/verify_pool.h): the item being checked,
	 * and the run of items of one chunk filling pushed last, in order, with
	 * nothing else pushed or loaded into the tree since (tstreak of them,
	 * the last at index tidx of filling tgen).
	 */
	const struct alog_vitem *cur, *cur_items;
	uint64_t cur_gen, gen_next;
	uint64_t tgen, tstreak;
	size_t tidx;
	/*
	 * alog_verify_lines: lines hashed ahead in parts of VBATCH_PART lines
	 * (by a worker thread when there is more than one CPU), a ring of
	 * parts: nsub of them queued from cursub on, the line bnext of part
	 * cursub to be given next, the caller's lines from bfrom to bend not
	 * yet in a part (a part given out is refilled from there).  Queued
	 * parts are waited for before the caller's buffer may change.
	 */
	struct alog_vchunk bsub[VBATCH_PARTS];
	unsigned nsub, cursub;
	size_t bnext;
	int bvalid, subwaited;
	const char *bfrom, *bend;
	struct alog_vpool bpool;
	int bpool_on;
	struct alog_rec lrec; /* the line alog_verify_line took last, when have_lrec */
	int have_lrec;

	struct held pend;   /* a record whose link failed, waiting for the next */
	uint64_t bad_line;  /* first of a run of malformed lines (0: none) */
	char bad_msg[sizeof(((struct alog_error *)0)->msg)];
	uint64_t bad_count;
	int file_has_records;
	char *scratch;         /* strict JSON checks */
	uint64_t proven;       /* highest seq covered by a seal that checked */
	uint32_t cp_ids[2][16]; /* key IDs of the checkpoints' signature lines */
	unsigned cp_nids[2];

	struct alog_verify_summary s;
	struct alog_pubkey key;  /* the key seals are checked with: -p, then each
	                          * key a handover names */
	int after_handover;      /* the next seal is the new key's epoch 0 */
	uint64_t key_from;       /* first seq the current key's seals cover */
};

static const char *const kind_names[ALOG_P_COUNT] = {
	"modified", "deleted", "inserted", "reordered", "duplicated", "torn", "header",
	"malformed", "files", "seal", "unsealed", "checkpoint", "time", "note",
};

const char *alog_problem_kind_name(enum alog_problem_kind k)
{
	return (unsigned)k < ALOG_P_COUNT ? kind_names[k] : "unknown";
}

struct alog_verifier *alog_verifier_new(const struct alog_verify_opts *o, alog_problem_fn fn,
                                        void *ctx)
{
	struct alog_verifier *v = alog_xmalloc(sizeof *v);
	memset(v, 0, sizeof *v);
	if (o)
		v->o = *o;
	else
		v->o.key_next = -1;
	if (v->o.pubkey) {
		v->key = *v->o.pubkey;
		v->o.pubkey = &v->key;
	}
	v->key_from = 1;
	v->fn = fn;
	v->ctx = ctx;
	if (v->o.pubkey && v->o.checkpoint_note)
		v->cp_nids[0] = alog_checkpoint_keyids(v->o.checkpoint_note, v->o.checkpoint_note_len,
		                                       v->o.pubkey->origin, v->cp_ids[0], 16);
	if (v->o.pubkey && v->o.checkpoint2_note)
		v->cp_nids[1] = alog_checkpoint_keyids(v->o.checkpoint2_note,
		                                       v->o.checkpoint2_note_len, v->o.pubkey->origin,
		                                       v->cp_ids[1], 16);
	return v;
}

void alog_verifier_free(struct alog_verifier *v)
{
	if (v) {
		alog_verify_lines_drop(v);
		if (v->bpool_on)
			alog_vpool_stop(&v->bpool);
		for (unsigned i = 0; i < VBATCH_PARTS; i++)
			free(v->bsub[i].items);
		free(v->scratch);
	}
	free(v);
}

void alog_verifier_progress(const struct alog_verifier *v, uint64_t *accepted, uint64_t *sealed)
{
	*accepted = v->s.records ? v->s.last_seq : 0;
	*sealed = v->proven;
}

int alog_verifier_holding(const struct alog_verifier *v)
{
	return v->pend.active;
}

const struct alog_merkle *alog_verifier_tree(const struct alog_verifier *v)
{
	return v->tree_ok ? &v->tree : NULL;
}

__attribute__((format(printf, 7, 0)))
static void vreport(struct alog_verifier *v, enum alog_problem_kind kind, int warning,
                    const char *file, uint64_t line, uint64_t seq, const char *fmt, va_list ap)
{
	struct alog_problem p;

	p.kind = kind;
	p.warning = warning;
	p.file = file;
	p.line = line;
	p.seq = seq;
	vsnprintf(p.msg, sizeof p.msg, fmt, ap);
	if (warning)
		v->s.warnings++;
	else
		v->s.errors++;
	if (!warning)
		v->s.by_kind[kind]++;
	if (v->fn)
		v->fn(v->ctx, &p);
	if (!warning && !v->o.all)
		v->stopped = 1;
}

void alog_verifier_report(struct alog_verifier *v, enum alog_problem_kind kind, int warning,
                          const char *file, uint64_t line, uint64_t seq, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(v, kind, warning, file, line, seq, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 6, 7)))
static void problem(struct alog_verifier *v, enum alog_problem_kind kind, uint64_t line,
                    uint64_t seq, int warning, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(v, kind, warning, v->file, line, seq, fmt, ap);
	va_end(ap);
}

/* ---- chain decisions ---- */

/* The saved checkpoints: which 0 is the first, 1 the second. */
static void checkpoint_of(const struct alog_verifier *v, int which, uint64_t *size,
                          const uint8_t **root, const char **origin)
{
	*size = which ? v->o.checkpoint2_size : v->o.checkpoint_size;
	*root = which ? v->o.checkpoint2_root : v->o.checkpoint_root;
	*origin = which ? v->o.checkpoint2_origin : v->o.checkpoint_origin;
}

static void check_checkpoint(struct alog_verifier *v, int which, uint64_t line, uint64_t seq)
{
	uint8_t root[32];
	char b1[ALOG_B64_LEN(32) + 1], b2[ALOG_B64_LEN(32) + 1];
	int *state = which ? &v->s.checkpoint2_state : &v->s.checkpoint_state;
	uint64_t size;
	const uint8_t *want;
	const char *origin;

	checkpoint_of(v, which, &size, &want, &origin);
	alog_merkle_root(&v->tree, root);
	if (memcmp(root, want, 32) == 0) {
		*state = 1;
		return;
	}
	*state = -1;
	problem(v, ALOG_P_CHECKPOINT, line, seq, 0,
	        "the log does not contain the saved checkpoint: at size %llu its root is %s, the "
	        "checkpoint says %s (records up to seq %llu were changed, or the log was forked)",
	        (unsigned long long)size, alog_b64(b1, root, 32), alog_b64(b2, want, 32),
	        (unsigned long long)seq);
}

/* The public key and checkpoint must be for this log. */
static void check_origin(struct alog_verifier *v, uint64_t line, uint64_t seq)
{
	if (v->origin_checked || !v->s.origin[0])
		return;
	v->origin_checked = 1;
	if (v->o.pubkey && strcmp(v->o.pubkey->origin, v->s.origin) != 0)
		problem(v, ALOG_P_SEAL, line, seq, 0,
		        "wrong public key: it is for origin \"%s\", this log's origin is \"%s\"",
		        v->o.pubkey->origin, v->s.origin);
	if (v->o.have_checkpoint && strcmp(v->o.checkpoint_origin, v->s.origin) != 0)
		problem(v, ALOG_P_CHECKPOINT, line, seq, 0,
		        "the checkpoint is for origin \"%s\", this log's origin is \"%s\"",
		        v->o.checkpoint_origin, v->s.origin);
	if (v->o.have_checkpoint2 && strcmp(v->o.checkpoint2_origin, v->s.origin) != 0)
		problem(v, ALOG_P_CHECKPOINT, line, seq, 0,
		        "the checkpoint is for origin \"%s\", this log's origin is \"%s\"",
		        v->o.checkpoint2_origin, v->s.origin);
}

/* The current key's seals cover the records up to seq: for the summary. */
static void note_key(struct alog_verifier *v, uint64_t seq)
{
	struct alog_verify_summary *s = &v->s;
	const unsigned max = sizeof s->keys / sizeof s->keys[0];
	char k[400];

	if (alog_pubkey_format(k, sizeof k, &v->key) != 0)
		return;
	if (s->nkeys == 0 || strcmp(s->keys[s->nkeys - 1].key, k) != 0) {
		if (s->nkeys == max)
			return;
		snprintf(s->keys[s->nkeys].key, sizeof s->keys[0].key, "%s", k);
		s->keys[s->nkeys].first_seq = v->key_from;
		s->nkeys++;
	}
	s->keys[s->nkeys - 1].last_seq = seq;
}

/* A seal that checked names the next key: its handover signature must
 * check too; then the next seals are checked with that key. */
static void follow_handover(struct alog_verifier *v, uint64_t line, uint64_t seq,
                            const struct alog_seal *s)
{
	struct alog_pubkey next;
	struct alog_error pe;

	if (alog_seal_handover_check(s, v->key.origin, &next, &pe) != 0) {
		problem(v, ALOG_P_SEAL, line, seq, 0, "seal (seq %llu): %s", (unsigned long long)seq,
		        pe.msg);
		return;
	}
	problem(v, ALOG_P_NOTE, line, seq, 1,
	        "key handover at seq %llu: the seals after it are checked with %s",
	        (unsigned long long)seq, s->nextkey);
	v->key = next;
	v->key_from = seq + 1;
}

/* A seal that checked with the public key: does its epoch key sign a saved checkpoint? */
static void auth_checkpoints(struct alog_verifier *v, uint64_t line, uint64_t seq,
                             const struct alog_seal *s)
{
	uint32_t id = alog_note_keyid(v->o.pubkey->origin, s->pk);

	for (int w = 0; w < 2; w++) {
		int *auth = w ? &v->s.checkpoint2_auth : &v->s.checkpoint_auth;
		const char *note = w ? v->o.checkpoint2_note : v->o.checkpoint_note;
		size_t n = w ? v->o.checkpoint2_note_len : v->o.checkpoint_note_len;
		struct alog_epoch_key k;
		struct alog_error e;
		unsigned i;
		if (!note || *auth)
			continue;
		for (i = 0; i < v->cp_nids[w] && v->cp_ids[w][i] != id; i++)
			;
		if (i == v->cp_nids[w])
			continue;
		alog_epoch_key_of_seal(&k, s);
		if (alog_checkpoint_auth(note, n, v->o.pubkey, &k, &e) == 0) {
			*auth = 1;
			*(w ? &v->s.checkpoint2_epoch : &v->s.checkpoint_epoch) = s->epoch;
		} else {
			*auth = -1;
			problem(v, ALOG_P_CHECKPOINT, line, seq, 0, "the saved checkpoint%s is not "
			        "authentic: %s", w ? " NEW" : (v->o.checkpoint2_note ? " OLD" : ""),
			        e.msg);
		}
	}
}

/* An emergency rollover: trust restarts with a key given as another -p,
 * reported as a warning; with no such key the seal is an error. */
static void rollover(struct alog_verifier *v, uint64_t line, uint64_t seq,
                     const struct alog_seal *s, int root_checked)
{
	struct alog_error pe;
	char k[400];

	for (unsigned i = 0; i < v->o.nrollover; i++) {
		const struct alog_pubkey *pk = &v->o.rollover_keys[i];
		if (strcmp(pk->origin, v->key.origin) != 0 || alog_seal_check(s, pk, &pe) != 0)
			continue;
		alog_pubkey_format(k, sizeof k, pk);
		problem(v, ALOG_P_SEAL, line, seq, 1,
		        "emergency key rollover at seq %llu: the previous key's seals end before it; "
		        "trust restarts here with %s (given with -p), which the previous key did not "
		        "name", (unsigned long long)seq, k);
		v->key = *pk;
		v->key_from = seq;
		v->s.seals_checked++;
		if (root_checked && !v->stopped)
			v->proven = s->size;
		note_key(v, seq);
		return;
	}
	problem(v, ALOG_P_SEAL, line, seq, 0,
	        "emergency key rollover at seq %llu to a key that was not given: its seals cannot "
	        "be checked (give the new public key with another -p)", (unsigned long long)seq);
}

static void check_seal(struct alog_verifier *v, uint64_t line, const struct alog_rec *r)
{
	struct alog_seal s;
	struct alog_error pe;
	int root_checked = 0;

	v->s.seals++;
	v->s.last_seal_seq = r->seq;
	v->s.last_seal_ts = r->ts_ns;
	if (alog_seal_parse(r, &s, &pe) != 0) {
		problem(v, ALOG_P_SEAL, line, r->seq, 0, "bad seal (seq %llu): %s",
		        (unsigned long long)r->seq, pe.msg);
		return;
	}
	if (v->tree_ok) {
		uint8_t root[32];
		alog_merkle_root(&v->tree, root);
		if (memcmp(root, s.root, 32) != 0) {
			problem(v, ALOG_P_SEAL, line, r->seq, 0,
			        "seal (seq %llu, epoch %llu) does not match the records it covers: the "
			        "tree of seq 1..%llu has another root (sealed records were changed, "
			        "removed, reordered or inserted)", (unsigned long long)r->seq,
			        (unsigned long long)s.epoch, (unsigned long long)s.size);
			/* later seals are checked against what this one signed */
			v->tree = s.range;
			v->tstreak = 0;
		} else {
			root_checked = 1;
		}
	} else {
		/* Mid-log start: the seal's own range gives the tree from here on. */
		v->tree = s.range;
		v->tree_ok = 1;
		v->tstreak = 0;
	}
	/* A seal that accounts for a spent epoch before its own ("skipped")
	 * takes the place of that epoch in the order. */
	uint64_t first = s.has_skip ? s.skip.epoch : s.epoch;
	if (s.rollover) {
		v->after_handover = 0; /* epoch 0 by the format */
	} else if (v->after_handover) {
		if (first != 0)
			problem(v, ALOG_P_SEAL, line, r->seq, 0,
			        "seal (seq %llu) has epoch %llu, but the first seal after a key handover "
			        "has the new key's epoch 0", (unsigned long long)r->seq,
			        (unsigned long long)first);
		v->after_handover = 0;
	} else if (v->s.have_epoch && first != v->s.last_epoch + 1)
		problem(v, ALOG_P_SEAL, line, r->seq, 0,
		        "seal (seq %llu) has epoch %llu after epoch %llu: seals were removed, replayed "
		        "or re-made with a later key", (unsigned long long)r->seq,
		        (unsigned long long)first, (unsigned long long)v->s.last_epoch);
	else if (!v->s.have_epoch && v->from_start && first != 0)
		problem(v, ALOG_P_SEAL, line, r->seq, 0,
		        "the first seal (seq %llu) has epoch %llu, not 0: earlier seals were removed or "
		        "the log was re-sealed", (unsigned long long)r->seq,
		        (unsigned long long)first);
	if (s.has_skip) {
		/* Its own signature and a consistency proof account for the spent
		 * epoch; unchecked without -p, as any seal is. */
		const struct alog_pubkey *kpk = v->o.pubkey;
		if (kpk && (v->stopped || strcmp(kpk->origin, v->s.origin[0] ? v->s.origin
		                                                             : kpk->origin) != 0))
			kpk = NULL;
		if (alog_seal_skip_check(&s, kpk, &pe) != 0)
			problem(v, ALOG_P_SEAL, line, r->seq, 0, "seal (seq %llu): %s",
			        (unsigned long long)r->seq, pe.msg);
		else
			problem(v, ALOG_P_NOTE, line, r->seq, 1,
			        "seal (seq %llu) accounts for epoch %llu, spent by a seal of seq 1..%llu "
			        "that an interrupted alog-seal did not get into the log",
			        (unsigned long long)r->seq, (unsigned long long)s.skip.epoch,
			        (unsigned long long)s.skip.size);
	}
	v->s.have_epoch = 1;
	v->s.last_epoch = s.epoch;
	if (v->stopped)
		return;
	if (v->o.pubkey) {
		if (strcmp(v->o.pubkey->origin, v->s.origin[0] ? v->s.origin : v->o.pubkey->origin))
			return; /* reported once as a wrong key */
		if (s.rollover && alog_seal_check(&s, v->o.pubkey, &pe) != 0) {
			rollover(v, line, r->seq, &s, root_checked);
		} else if (alog_seal_check(&s, v->o.pubkey, &pe) != 0) {
			problem(v, ALOG_P_SEAL, line, r->seq, 0, "%s", pe.msg);
		} else {
			v->s.seals_checked++;
			if (root_checked && !v->stopped)
				v->proven = s.size;
			note_key(v, r->seq);
			auth_checkpoints(v, line, r->seq, &s);
			if (s.has_next)
				follow_handover(v, line, r->seq, &s);
		}
	} else if (root_checked) {
		v->proven = s.size;
	}
	if (s.has_next)
		v->after_handover = 1;
}

/*
 * Push a leaf.  When it is the current item's own and the items before it
 * in its chunk were the last pushed, the worker's subtree ending at it
 * stands for them: fewer node hashes in this (the sequential) thread.
 */
static void tree_push(struct alog_verifier *v, const uint8_t leaf[32])
{
	const struct alog_vitem *it = v->cur;

	if (!it || leaf != it->leaf) {
		v->tstreak = 0;
		alog_merkle_push(&v->tree, leaf);
		return;
	}
	size_t idx = (size_t)(it - v->cur_items);
	if (v->tstreak && v->tgen == v->cur_gen && v->tidx + 1 == idx)
		v->tstreak++;
	else
		v->tstreak = 1;
	v->tgen = v->cur_gen;
	v->tidx = idx;
	if (it->top.height && ((uint64_t)1 << it->top.height) <= v->tstreak)
		alog_merkle_push_top(&v->tree, it->top.hash, it->top.height);
	else
		alog_merkle_push(&v->tree, leaf);
}

/* Make rec the last accepted record. */
static void accept(struct alog_verifier *v, uint64_t line, uint64_t seq, const uint8_t hash[32],
                   const uint8_t leaf[32], int64_t ts_ns, int chain_checked)
{
	if (!chain_checked)
		v->s.unchecked_links++;
	if (v->tree_ok) {
		if (v->tree.size == seq - 1)
			tree_push(v, leaf);
		else
			v->tree_ok = 0;
		if (v->tree_ok && v->o.have_checkpoint && v->tree.size == v->o.checkpoint_size)
			check_checkpoint(v, 0, line, seq);
		if (v->tree_ok && v->o.have_checkpoint2 && v->tree.size == v->o.checkpoint2_size)
			check_checkpoint(v, 1, line, seq);
	}
	memcpy(v->h_before, v->h, 32);
	v->have_before = v->have_chain;
	v->last_line = line;
	memcpy(v->h, hash, 32);
	v->have_chain = 1;
	v->expected = seq + 1;
	if (v->s.records == 0) {
		v->s.first_seq = seq;
		v->s.first_ts = ts_ns;
	}
	v->s.records++;
	v->s.last_seq = seq;
	v->s.last_ts = ts_ns;
	memcpy(v->s.last_hash, hash, 32);
	v->s.have_hash = 1;
}

static void hold(struct alog_verifier *v, uint64_t line, const struct alog_rec *r,
                 const uint8_t d[32], const uint8_t leaf[32])
{
	v->pend.active = 1;
	v->pend.line = line;
	v->pend.seq = r->seq;
	v->pend.ts_ns = r->ts_ns;
	v->pend.type = r->type;
	memcpy(v->pend.hash, r->hash, 32);
	memcpy(v->pend.digest, d, 32);
	memcpy(v->pend.leaf, leaf, 32);
}

static void report_gap(struct alog_verifier *v, uint64_t line, uint64_t seq, uint64_t expected)
{
	if (seq - expected == 1)
		problem(v, ALOG_P_DELETED, line, seq, 0,
		        "record deleted: seq %llu is missing before this line (seq %llu)",
		        (unsigned long long)expected, (unsigned long long)seq);
	else
		problem(v, ALOG_P_DELETED, line, seq, 0,
		        "records deleted: seq %llu..%llu are missing before this line (seq %llu)",
		        (unsigned long long)expected, (unsigned long long)(seq - 1),
		        (unsigned long long)seq);
}

/*
 * The record accepted last (line A) has the seq of the held one P, and P
 * links to the record before A: A was slipped into the chain, P belongs.
 * Report A and go on from P.
 */
static int inserted_before(struct alog_verifier *v)
{
	struct held *p = &v->pend;

	if (!(p->seq == v->expected - 1 && v->have_before &&
	      alog_chain_ok(v->h_before, p->digest, p->hash)))
		return 0;
	problem(v, ALOG_P_INSERTED, v->last_line, p->seq, 0,
	        "inserted record (seq %llu): it is not part of the chain; the record after it "
	        "(line %llu) is", (unsigned long long)p->seq, (unsigned long long)p->line);
	v->tree_ok = 0;
	memcpy(v->h, p->hash, 32);
	v->last_line = p->line;
	v->have_before = 0;
	return 1;
}

/* Report the held record's problem judged on its own (no usable successor). */
static void settle_alone(struct alog_verifier *v)
{
	struct held *p = &v->pend;
	uint64_t e = v->expected;

	if (p->seq == e)
		problem(v, ALOG_P_MODIFIED, p->line, p->seq, 0,
		        "record modified (seq %llu): its hash does not follow from its contents and "
		        "the record before it", (unsigned long long)p->seq);
	else if (p->seq > e)
		report_gap(v, p->line, p->seq, e);
	else if (p->seq == e - 1 && memcmp(p->hash, v->h, 32) == 0)
		problem(v, ALOG_P_DUPLICATED, p->line, p->seq, 0,
		        "duplicated record: seq %llu appears twice", (unsigned long long)p->seq);
	else if (inserted_before(v))
		;
	else
		problem(v, ALOG_P_REORDERED, p->line, p->seq, 0,
		        "record out of order: seq %llu after seq %llu", (unsigned long long)p->seq,
		        (unsigned long long)(e - 1));
	/* Carry on from the held record's own hash so later damage is reported apart. */
	if (p->seq >= e) {
		v->tree_ok = 0;
		accept(v, p->line, p->seq, p->hash, p->leaf, p->ts_ns, 1);
	}
	p->active = 0;
}

/*
 * A record arrives while another is held.  Returns 1 when this record was
 * consumed by the decision, 0 when it still has to be processed normally.
 */
static int settle_with(struct alog_verifier *v, uint64_t line, const struct alog_rec *r,
                       const uint8_t d[32], const uint8_t leaf[32])
{
	struct held *p = &v->pend;
	uint64_t e = v->expected;
	/* (a record is held only after a file's first record started the chain) */
	int s_links_h = r->seq == e && alog_chain_ok(v->h, d, r->hash);

	/* Swapped: S belongs here and P comes right after it. */
	if (s_links_h && p->seq == e + 1 && alog_chain_ok(r->hash, p->digest, p->hash)) {
		problem(v, ALOG_P_REORDERED, p->line, p->seq, 0,
		        "records out of order: lines %llu and %llu are swapped (seq %llu before "
		        "seq %llu)", (unsigned long long)p->line, (unsigned long long)line,
		        (unsigned long long)p->seq, (unsigned long long)r->seq);
		accept(v, line, r->seq, r->hash, leaf, r->ts_ns, 1);
		accept(v, p->line, p->seq, p->hash, p->leaf, p->ts_ns, 1);
		p->active = 0;
		return 1;
	}
	/* P sits between two records that link: it does not belong. */
	if (s_links_h) {
		if (p->seq == e - 1 && memcmp(p->hash, v->h, 32) == 0)
			problem(v, ALOG_P_DUPLICATED, p->line, p->seq, 0,
			        "duplicated record: line %llu repeats the record before it (seq %llu)",
			        (unsigned long long)p->line, (unsigned long long)p->seq);
		else if (p->seq < e)
			problem(v, ALOG_P_REORDERED, p->line, p->seq, 0,
			        "record out of place: seq %llu belongs earlier in the log",
			        (unsigned long long)p->seq);
		else
			problem(v, ALOG_P_INSERTED, p->line, p->seq, 0,
			        "inserted record (seq %llu): it is not part of the chain",
			        (unsigned long long)p->seq);
		p->active = 0;
		return 0;
	}
	/* S follows P: P itself is the problem (changed contents or a gap before it). */
	if (r->seq == p->seq + 1 && alog_chain_ok(p->hash, d, r->hash)) {
		if (p->seq == e) {
			problem(v, ALOG_P_MODIFIED, p->line, p->seq, 0,
			        "record modified (seq %llu): its contents do not match its hash",
			        (unsigned long long)p->seq);
			v->tree_ok = 0;
			accept(v, p->line, p->seq, p->hash, p->leaf, p->ts_ns, 1);
			p->active = 0;
			return 0;
		}
		if (p->seq > e) {
			report_gap(v, p->line, p->seq, e);
			v->tree_ok = 0;
			accept(v, p->line, p->seq, p->hash, p->leaf, p->ts_ns, 1);
			p->active = 0;
			return 0;
		}
	}
	/* S follows P and P follows the record before the last one: that one was inserted. */
	if (r->seq == p->seq + 1 && alog_chain_ok(p->hash, d, r->hash) && inserted_before(v)) {
		p->active = 0;
		return 0;
	}
	settle_alone(v);
	return 0;
}

static void check_time(struct alog_verifier *v, uint64_t line, const struct alog_rec *r)
{
	if (v->have_ts && r->ts_ns < v->last_ts) {
		char a[ALOG_TS_LEN + 1], b[ALOG_TS_LEN + 1];
		problem(v, ALOG_P_TIME, line, r->seq, !v->o.strict_time,
		        "ts goes back in time: %s after %s", alog_ts_format(a, r->ts_ns),
		        alog_ts_format(b, v->last_ts));
	}
	v->last_ts = r->ts_ns;
	v->have_ts = 1;
}

/* Report the run of bad lines noted (v->bad_line is set: callers check). */
static void flush_bad(struct alog_verifier *v, int at_end)
{
	if (at_end && !v->file_has_records && v->bad_line == 1 &&
	    !(v->bad_count == 1 && strstr(v->bad_msg, "newline")))
		problem(v, ALOG_P_MALFORMED, v->bad_line, 0, 0,
		        "not an alog log: no line of it is a record (line 1: %s)", v->bad_msg);
	else if (at_end)
		problem(v, ALOG_P_TORN, v->bad_line, 0, 0,
		        "damaged tail: %llu line(s) at the end are not records (%s; a crash "
		        "mid-write?); move them aside with 'alog-append --recover'",
		        (unsigned long long)v->bad_count, v->bad_msg);
	else
		problem(v, ALOG_P_MALFORMED, v->bad_line, 0, 0, "malformed line: %s", v->bad_msg);
	v->bad_line = 0;
	v->bad_count = 0;
}

/* The first record of a file: it must be a header unless fragments are allowed. */
static int file_start(struct alog_verifier *v, uint64_t line, const struct alog_rec *r,
                      const uint8_t d[32], const uint8_t leaf[32])
{
	struct alog_header h;
	struct alog_error he;
	int first_file = v->file_index == 1;

	if (r->type != ALOG_REC_OPEN) {
		if (first_file && (v->o.fragment || v->o.auto_fragment)) {
			v->s.fragment = 1;
			problem(v, ALOG_P_NOTE, line, r->seq, 1,
			        "fragment: the input starts at seq %llu, not at a header; links to "
			        "earlier records are not checked", (unsigned long long)r->seq);
			accept(v, line, r->seq, r->hash, leaf, r->ts_ns, 0);
			return 0;
		}
		problem(v, ALOG_P_HEADER, line, r->seq, 0,
		        first_file ? "bad header: the first line is not a header (seq %llu); to check "
		                     "lines cut from a log use --fragment"
		                   : "bad header: the first line is not a header (seq %llu)",
		        (unsigned long long)r->seq);
		/* go on from this record so that --all can report more */
		accept(v, line, r->seq, r->hash, leaf, r->ts_ns, 0);
		v->tree_ok = 0;
		return 0;
	}
	if (alog_header_parse(r, &h, &he) != 0) {
		problem(v, ALOG_P_HEADER, line, r->seq, 0, "bad header: %s", he.msg);
		accept(v, line, r->seq, r->hash, leaf, r->ts_ns, 0);
		v->tree_ok = 0;
		return 0;
	}
	if (v->s.origin[0] && strcmp(v->s.origin, h.origin) != 0) {
		problem(v, ALOG_P_FILES, line, r->seq, 0,
		        "file belongs to another log: origin \"%s\", expected \"%s\"", h.origin,
		        v->s.origin);
	}
	if (!v->s.origin[0])
		snprintf(v->s.origin, sizeof v->s.origin, "%s", h.origin);

	if (!v->have_chain) {
		/* The first file given: its header says where the chain starts. */
		static const uint8_t zero[32];
		const uint8_t *start = h.has_prev ? h.prev : zero;
		if (!alog_chain_ok(start, d, r->hash)) {
			problem(v, ALOG_P_MODIFIED, line, r->seq, 0,
			        "header modified (seq %llu): its contents do not match its hash",
			        (unsigned long long)r->seq);
		}
		if (r->seq > 1)
			problem(v, ALOG_P_NOTE, line, r->seq, 1,
			        "the log continues from seq %llu in an earlier file (not given); "
			        "checked from this file's header on", (unsigned long long)r->seq);
		v->tree_ok = 1;
		v->from_start = r->seq == 1;
		if (h.has_range)
			v->tree = h.range;
		else
			alog_merkle_init(&v->tree);
		v->tstreak = 0;
		check_origin(v, line, r->seq);
		accept(v, line, r->seq, r->hash, leaf, r->ts_ns, 1);
		return 0;
	}

	/* A later file: it must continue the previous one exactly. */
	if (r->seq != v->expected) {
		if (r->seq > v->expected)
			problem(v, ALOG_P_FILES, line, r->seq, 0,
			        "missing file: this file starts at seq %llu but the previous one ended "
			        "at seq %llu", (unsigned long long)r->seq,
			        (unsigned long long)(v->expected - 1));
		else
			problem(v, ALOG_P_FILES, line, r->seq, 0,
			        "files out of order or repeated: this file starts at seq %llu but the "
			        "previous one ended at seq %llu", (unsigned long long)r->seq,
			        (unsigned long long)(v->expected - 1));
	} else if (!h.has_prev || memcmp(h.prev, v->h, 32) != 0) {
		problem(v, ALOG_P_FILES, line, r->seq, 0,
		        "file does not continue the previous file: prev does not match its last "
		        "record");
	} else if (!alog_chain_ok(v->h, d, r->hash)) {
		problem(v, ALOG_P_MODIFIED, line, r->seq, 0,
		        "header modified (seq %llu): its contents do not match its hash",
		        (unsigned long long)r->seq);
	} else if (v->tree_ok && h.has_range &&
	           (h.range.size != v->tree.size || h.range.n != v->tree.n ||
	            memcmp(h.range.hash, v->tree.hash, 32 * (size_t)v->tree.n) != 0)) {
		problem(v, ALOG_P_HEADER, line, r->seq, 0,
		        "bad header: its Merkle range does not match the records before it");
	} else {
		accept(v, line, r->seq, r->hash, leaf, r->ts_ns, 1);
		return 0;
	}
	/* After a broken file boundary, continue from this file's own header. */
	v->tree_ok = h.has_range;
	if (h.has_range)
		v->tree = h.range;
	v->tstreak = 0;
	accept(v, line, r->seq, r->hash, leaf, r->ts_ns, 0);
	return 0;
}

/*
 * pre, when not NULL, is 64 bytes computed ahead by a worker: the hash of
 * the line before this one in the input, and this record's chain hash
 * over it.  When the chain stands where that line left it, the link
 * needs no hashing here.
 */
static void on_record(struct alog_verifier *v, uint64_t line, const struct alog_rec *r,
                      const uint8_t d[32], const uint8_t leaf[32], const uint8_t *pre)
{
	if (v->bad_line)
		flush_bad(v, 0);
	if (v->stopped)
		return;
	check_time(v, line, r);
	if (v->stopped)
		return;

	if (!v->file_has_records) {
		v->file_has_records = 1;
		file_start(v, line, r, d, leaf);
		goto after;
	}
	if (r->type == ALOG_REC_OPEN) {
		problem(v, ALOG_P_HEADER, line, r->seq, 0,
		        "bad header: a header record in the middle of a file");
		if (v->stopped)
			return;
	}
	if (v->pend.active) {
		if (settle_with(v, line, r, d, leaf))
			goto after;
		if (v->stopped)
			return;
	}
	if (r->seq == v->expected &&
	    (pre && memcmp(pre, v->h, 32) == 0 ? memcmp(pre + 32, r->hash, 32) == 0
	                                       : alog_chain_ok(v->h, d, r->hash))) {
		/* a seal is checked against the tree of the records before it */
		if (r->type == ALOG_REC_SEAL) {
			check_seal(v, line, r);
			if (v->stopped)
				return;
		} else if (r->type == ALOG_REC_RECOVER) {
			v->s.recoveries++;
			problem(v, ALOG_P_NOTE, line, r->seq, 1,
			        "recovery: damaged bytes were moved aside here (see the record)");
		}
		accept(v, line, r->seq, r->hash, leaf, r->ts_ns, 1);
		goto after;
	}
	if (v->s.fragment && r->seq > v->expected) {
		/* a gap in a fragment: cannot be checked, and is not an error */
		v->s.gaps++;
		v->tree_ok = 0;
		accept(v, line, r->seq, r->hash, leaf, r->ts_ns, 0);
		goto after;
	}
	hold(v, line, r, d, leaf);
after:
	return;
}

/* Threads hashing records: one per CPU unless told (see ops/verify_pool.h). */
static int jobs_for(const struct alog_verify_opts *o)
{
	long n = o->jobs > 0 ? o->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > ALOG_VPOOL_MAX_JOBS ? ALOG_VPOOL_MAX_JOBS : (int)n;
}

/* Note a line that is not a record; a run of them at the end is a torn tail. */
static void bad_line(struct alog_verifier *v, uint64_t lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void bad_line(struct alog_verifier *v, uint64_t lineno, const char *fmt, ...)
{
	va_list ap;
	if (!v->bad_line) {
		v->bad_line = lineno;
		va_start(ap, fmt);
		vsnprintf(v->bad_msg, sizeof v->bad_msg, fmt, ap);
		va_end(ap);
	}
	v->bad_count++;
}

/* The sequential checks of one line, its shape already parsed and hashed. */
static void check_item(struct alog_verifier *v, const struct alog_vitem *it, const char *p)
{
	struct alog_error pe;
	struct alog_rec r;

	v->s.lines++;
	if (it->kind == ALOG_VITEM_TOOLONG) {
		bad_line(v, it->lineno, "line longer than %d bytes", ALOG_MAX_LINE);
		return;
	}
	if (it->kind == ALOG_VITEM_PARTIAL) {
		bad_line(v, it->lineno, "%u bytes without a newline", it->len);
		return;
	}
	if (!it->parsed) {
		alog_rec_parse(&r, p, it->len, &pe);
		bad_line(v, it->lineno, "%s", pe.msg);
		return;
	}
	if (v->scratch) {
		struct alog_json_error je;
		if (alog_json_compact(p, it->len - 1, v->scratch, 1, &je) < 0) {
			if (v->bad_line)
				flush_bad(v, 0);
			problem(v, ALOG_P_MALFORMED, it->lineno, it->rec.seq, 0,
			        "not strict JSON at column %zu: %s", je.offset + 1, je.msg);
			return;
		}
	}
	v->cur = it;
	on_record(v, it->lineno, &it->rec, it->d, it->leaf, it->linked ? it->pre : NULL);
	v->cur = NULL;
}

static void check_chunk(struct alog_verifier *v, struct alog_vchunk *c)
{
	v->cur_items = c->items;
	v->cur_gen = c->gen;
	for (size_t i = 0; i < c->n && !v->stopped; i++)
		check_item(v, &c->items[i], c->buf + c->items[i].off);
	v->cur_items = NULL;
}

void alog_verify_begin(struct alog_verifier *v, const char *name)
{
	alog_verify_lines_drop(v);
	/* A record held at the end of the previous file is that file's problem. */
	if (v->pend.active && !v->stopped)
		settle_alone(v);
	v->file = name;
	v->file_index++;
	v->s.files++;
	v->file_has_records = 0;
	if (v->o.strict_json && !v->scratch)
		v->scratch = alog_xmalloc(ALOG_MAX_LINE);
}

/* Queue the next part of the caller's lines, if any are left: 1 queued. */
static int queue_part(struct alog_verifier *v)
{
	struct alog_vchunk *c = &v->bsub[(v->cursub + v->nsub) % VBATCH_PARTS];
	size_t cu = 0, left = (size_t)(v->bend - v->bfrom);

	if (v->nsub == VBATCH_PARTS || !left)
		return 0;
	if (!c->items)
		c->items = alog_xmalloc(VBATCH_PART * sizeof *c->items);
	c->buf = (char *)v->bfrom;
	c->n = 0;
	while (cu < left && c->n < VBATCH_PART) {
		const char *nl = memchr(c->buf + cu, '\n', left - cu);
		struct alog_vitem *it;
		size_t len;
		if (!nl)
			break;
		len = (size_t)(nl - (c->buf + cu)) + 1;
		if (cu + len > UINT32_MAX)
			break;
		it = &c->items[c->n++];
		it->lineno = 0;
		it->off = (uint32_t)cu;
		it->len = (uint32_t)len;
		it->kind = len > ALOG_MAX_LINE ? ALOG_VITEM_TOOLONG : ALOG_VITEM_LINE;
		cu += len;
	}
	if (!c->n) {
		v->bfrom = v->bend;
		return 0;
	}
	c->gen = ++v->gen_next;
	alog_vpool_submit(&v->bpool, c);
	v->nsub++;
	v->bfrom += cu;
	return 1;
}

size_t alog_verify_lines(struct alog_verifier *v, const char *p, size_t n)
{
	const char *last;

	alog_verify_lines_drop(v);
	if (v->stopped || !n || !(last = memrchr(p, '\n', n)))
		return 0;
	if (!v->bpool_on) {
		int jobs = jobs_for(&v->o);
		alog_vpool_start(&v->bpool, jobs > 1 ? 1 : 0);
		v->bpool_on = 1;
	}
	v->bfrom = p;
	v->bend = last + 1;
	v->cursub = 0;
	v->bnext = 0;
	v->subwaited = 0;
	while (queue_part(v))
		;
	v->bvalid = v->nsub > 0;
	return (size_t)(v->bend - p);
}

void alog_verify_lines_drop(struct alog_verifier *v)
{
	/* a worker may still be reading the caller's lines */
	for (unsigned i = 0; i < v->nsub; i++)
		alog_vpool_wait(&v->bpool, &v->bsub[(v->cursub + i) % VBATCH_PARTS]);
	v->nsub = 0;
	v->bvalid = 0;
	v->bfrom = v->bend = NULL;
}

const struct alog_rec *alog_verify_line_rec(const struct alog_verifier *v)
{
	return v->have_lrec ? &v->lrec : NULL;
}

/* The line given, when it is the next one hashed ahead: its item. */
static struct alog_vitem *batched_item(struct alog_verifier *v, const char *line, size_t len,
                                       int kind, struct alog_vchunk **cp)
{
	struct alog_vchunk *c;
	struct alog_vitem *b;

	while (v->nsub && v->bnext == v->bsub[v->cursub].n) {
		/* a part given out: its place takes the next lines */
		v->cursub = (v->cursub + 1) % VBATCH_PARTS;
		v->nsub--;
		v->bnext = 0;
		v->subwaited = 0;
		queue_part(v);
	}
	if (!v->nsub)
		return NULL;
	c = &v->bsub[v->cursub];
	if (!v->subwaited) {
		alog_vpool_wait(&v->bpool, c);
		v->subwaited = 1;
	}
	b = &c->items[v->bnext];
	if (c->buf + b->off != line || b->len != len || b->kind != kind)
		return NULL;
	v->bnext++;
	*cp = c;
	return b;
}

int alog_verify_line(struct alog_verifier *v, uint64_t lineno, const char *line, size_t len,
                     int kind)
{
	struct alog_vitem it = {0};
	struct alog_vchunk one = {.buf = (char *)line, .items = &it, .n = 1};

	v->have_lrec = 0;
	if (v->stopped)
		return 1;
	it.lineno = lineno;
	it.off = 0;
	it.len = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
	it.kind = kind == ALOG_LINE_TOOLONG ? ALOG_VITEM_TOOLONG
	          : kind == ALOG_LINE_PARTIAL ? ALOG_VITEM_PARTIAL : ALOG_VITEM_LINE;
	if (v->bvalid) {
		/* hashed ahead by alog_verify_lines: the same bytes, in order */
		struct alog_vchunk *c;
		struct alog_vitem *b = batched_item(v, line, len, it.kind, &c);
		if (b) {
			b->lineno = lineno;
			v->cur_items = c->items;
			v->cur_gen = c->gen;
			check_item(v, b, line);
			v->cur_items = NULL;
			if ((v->have_lrec = b->parsed))
				v->lrec = b->rec;
			return v->stopped;
		}
		/* given otherwise: the rest of the batch is not used */
		v->bvalid = 0;
	}
	alog_vchunk_hash(&one);
	v->cur_items = &it;
	v->cur_gen = ++v->gen_next;
	check_item(v, &it, line);
	v->cur_items = NULL;
	if ((v->have_lrec = it.parsed))
		v->lrec = it.rec;
	return v->stopped;
}

int alog_verify_end(struct alog_verifier *v)
{
	alog_verify_lines_drop(v);
	if (!v->stopped && v->bad_line)
		flush_bad(v, 1);
	return v->stopped;
}

/*
 * Fill a chunk with the next lines of input.  Returns 1 when it holds
 * something, 0 at the end of input, -1 on a read error.
 */
static int fill_chunk(struct alog_verifier *v, struct alog_reader *rd, struct alog_vchunk *c,
                      int *locked, struct alog_error *e)
{
	struct alog_line l;

	c->used = 0;
	c->n = 0;
	while (c->used < ALOG_VCHUNK_DATA && c->n < ALOG_VCHUNK_ITEMS) {
		struct alog_vitem *it;
		int rc = alog_reader_next(rd, &l, e);

		if (rc == ALOG_LINE_EOF)
			break;
		if (rc == ALOG_LINE_ERROR)
			return -1;
		if (rc == ALOG_LINE_PARTIAL && rd->regular && v->o.lock_live && !*locked) {
			/*
			 * A writer may be in the middle of this line: writers hold an
			 * exclusive lock while writing, so wait for a shared one and read on.
			 */
			while (flock(rd->fd, LOCK_SH) != 0 && errno == EINTR)
				;
			*locked = 1;
			alog_reader_rewind_partial(rd, &l);
			continue;
		}
		it = &c->items[c->n++];
		it->lineno = l.lineno;
		it->off = (uint32_t)c->used;
		it->len = (uint32_t)(l.len > UINT32_MAX ? UINT32_MAX : l.len);
		it->kind = rc == ALOG_LINE_TOOLONG ? ALOG_VITEM_TOOLONG
		           : rc == ALOG_LINE_PARTIAL ? ALOG_VITEM_PARTIAL : ALOG_VITEM_LINE;
		if (it->kind == ALOG_VITEM_LINE) {
			memcpy(c->buf + c->used, l.p, l.len);
			c->used += l.len;
		}
	}
	return c->n > 0;
}

/*
 * Where a regular file is read straight into the chunks: the bytes after
 * the last LF of a chunk (the start of the next line) wait at the end of
 * that chunk's buffer until the next is filled.
 */
struct direct {
	struct alog_vchunk *prev; /* holds the pending bytes at prev->buf + prev->used */
	size_t pend;
	uint64_t off; /* input offset of the pending bytes */
	int ended;    /* a read met the end of the file: the rest is the line reader's */
};

/*
 * Fill c with whole lines read straight into its buffer (no copy per
 * line; the worker finds the lines).  Returns 1 when it holds lines, 0
 * when what is left is not for this path (nothing, a line without LF at
 * the end, or one too long to buffer): the line reader goes on from
 * d->off.  -1 on a read error.
 */
static int fill_direct(struct alog_reader *rd, struct direct *d, struct alog_vchunk *c,
                       struct alog_error *e)
{
	size_t have = 0, cap = ALOG_VCHUNK_DATA + ALOG_MAX_LINE, want = ALOG_VCHUNK_DATA;
	int eof = 0;

	/*
	 * Once a read has met the end, the file may grow (a live log) while
	 * bytes already read past the last LF were let go: reading on here
	 * would start in the middle of a line.  The line reader goes on from
	 * d->off, where the bytes not yet taken begin.
	 */
	if (d->ended)
		return 0;
	if (d->pend)
		memmove(c->buf, d->prev->buf + d->prev->used, d->pend);
	have = d->pend;
	for (;;) {
		const char *lf;
		while (!eof && have < want) {
			/* Reads of 256 KiB: the data is still in the cache when a worker
			 * gets to it. */
			size_t step = cap - have < 256 * 1024 ? cap - have : 256 * 1024;
			ssize_t n = read(rd->fd, c->buf + have, step);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				alog_errno(e, "read error");
				return alog_err_at(e, rd->name, 0);
			}
			if (n == 0)
				eof = 1;
			have += (size_t)n;
		}
		lf = have ? memrchr(c->buf, '\n', have) : NULL;
		if (lf) {
			c->used = (size_t)(lf - c->buf) + 1;
			break;
		}
		if (eof || have >= ALOG_MAX_LINE) {
			/* the line reader reads these bytes again */
			d->pend = 0;
			d->ended = 1;
			return 0;
		}
		want = have + 256 * 1024 < cap ? have + 256 * 1024 : cap;
	}
	c->split = 1;
	c->from = 0;
	c->n = 0;
	d->prev = c;
	d->pend = have - c->used;
	d->off += c->used;
	if (eof) {
		/* what follows, and a last line without LF (a writer may be in
		 * the middle of it), is the line reader's */
		d->pend = 0;
		d->ended = 1;
	}
	return 1;
}

/* A note about a whole file, outside the current file's numbering. */
static void vreport_note(struct alog_verifier *v, const char *file, const char *msg)
{
	struct alog_problem p = {ALOG_P_NOTE, 1, file, 0, 0, ""};

	snprintf(p.msg, sizeof p.msg, "%s", msg);
	if (v->fn)
		v->fn(v->ctx, &p);
}

int alog_verify_file(struct alog_verifier *v, const char *path, struct alog_error *e)
{
	struct alog_reader rd;
	struct alog_vchunk chunks[ALOG_VPOOL_MAX_JOBS + 1];
	struct alog_vpool pool;
	int jobs = jobs_for(&v->o), nchunks = jobs == 1 ? 1 : jobs + 1;
	unsigned long filled = 0, checked = 0;
	int locked = 0, eof = 0, rc = 0, direct, reseek = 0;
	struct direct d = {0};
	uint64_t lineno = 0;

	if (alog_reader_open(&rd, path, ALOG_MAX_LINE, e) != 0)
		return -1;
	if (rd.regular) {
		/* the tree state alog-export keeps beside a log, caught by a glob: not a log */
		char magic[sizeof ALOG_TREE_MAGIC - 1];
		if (alog_pread_all(rd.fd, magic, sizeof magic, 0) == (ssize_t)sizeof magic &&
		    memcmp(magic, ALOG_TREE_MAGIC, sizeof magic) == 0) {
			vreport_note(v, rd.name, "skipped: the tree state of a log (kept by alog-export "
			             "beside it), not a log");
			alog_reader_close(&rd);
			return 0;
		}
	}
	alog_verify_begin(v, rd.name);
	direct = rd.regular;
	for (int i = 0; i < nchunks; i++) {
		chunks[i].buf = alog_xmalloc(ALOG_VCHUNK_DATA + ALOG_MAX_LINE);
		chunks[i].items = alog_xmalloc(ALOG_VCHUNK_ITEMS * sizeof(struct alog_vitem));
	}
	alog_vpool_start(&pool, jobs > 1 ? jobs - 1 : 0);

	while (!v->stopped && (!eof || checked < filled)) {
		while (!eof && filled - checked < (unsigned long)nchunks) {
			struct alog_vchunk *c = &chunks[filled % (unsigned long)nchunks];
			int got = 0;
			if (direct) {
				got = fill_direct(&rd, &d, c, e);
				if (got < 0) {
					rc = -1;
					eof = 1;
					break;
				}
				if (got == 0) {
					/* the rest is the line reader's, once the lines before
					 * are numbered (checked) */
					direct = 0;
					reseek = 1;
				}
			}
			if (reseek) {
				if (checked < filled)
					break;
				reseek = 0;
				if (alog_reader_seek(&rd, d.off, lineno, e) != 0) {
					rc = -1;
					eof = 1;
					break;
				}
			}
			if (!direct) {
				c->split = 0;
				got = fill_chunk(v, &rd, c, &locked, e);
				if (got < 0) {
					rc = -1;
					eof = 1;
					break;
				}
				if (got == 0) {
					eof = 1;
					break;
				}
			}
			c->gen = ++v->gen_next;
			alog_vpool_submit(&pool, c);
			filled++;
		}
		if (rc < 0 || checked == filled)
			break;
		struct alog_vchunk *c = &chunks[checked % (unsigned long)nchunks];
		alog_vpool_wait(&pool, c);
		for (;;) {
			if (c->split)
				for (size_t i = 0; i < c->n; i++)
					c->items[i].lineno = ++lineno;
			else if (c->n)
				lineno = c->items[c->n - 1].lineno;
			check_chunk(v, c);
			if (v->stopped || !c->split || c->next >= c->used)
				break;
			/* more lines than items: the rest of the chunk, here */
			c->from = c->next;
			c->gen = ++v->gen_next;
			alog_vchunk_hash(c);
		}
		checked++;
	}
	/* Let workers finish whatever is still queued before freeing chunks. */
	while (checked < filled)
		alog_vpool_wait(&pool, &chunks[checked++ % (unsigned long)nchunks]);
	alog_vpool_stop(&pool);
	if (rc == 0)
		alog_verify_end(v);
	if (locked)
		flock(rd.fd, LOCK_UN);
	for (int i = 0; i < nchunks; i++) {
		free(chunks[i].buf);
		free(chunks[i].items);
	}
	alog_reader_close(&rd);
	if (rc < 0)
		return -1;
	return v->stopped ? 1 : 0;
}

static void finish_seals(struct alog_verifier *v)
{
	struct alog_verify_summary *s = &v->s;
	int64_t now = v->o.now_ns ? v->o.now_ns : alog_ts_now();
	char age[64];

	if (s->records == 0) {
		/* Nothing to seal; but an emptied log still contradicts a checkpoint or key. */
		if (v->o.key_next > 0)
			problem(v, ALOG_P_SEAL, 0, 0, 0,
			        "seals removed: the host key has sealed epochs 0..%llu but the log is "
			        "empty", (unsigned long long)(v->o.key_next - 1));
		if (v->o.have_checkpoint && v->o.checkpoint_size > 0)
			problem(v, ALOG_P_CHECKPOINT, 0, 0, 0,
			        "the log is empty but the saved checkpoint covers %llu records "
			        "(truncated or rolled back)",
			        (unsigned long long)v->o.checkpoint_size);
		else if (v->o.have_checkpoint && v->o.checkpoint_note)
			problem(v, ALOG_P_CHECKPOINT, 0, 0, 0,
			        "the saved checkpoint is not authenticated: the log is empty, no seal "
			        "has the key that signed it");
		return;
	}
	s->unsealed = s->last_seal_seq ? s->last_seq - s->last_seal_seq : s->records;
	s->unsealed_newest_ts = s->last_ts;
	if (v->o.pubkey || v->o.require_sealed || v->o.max_unsealed_ns) {
		if (!s->seals)
			problem(v, ALOG_P_UNSEALED, 0, 0, !v->o.require_sealed,
			        "not sealed: the log has no seal; its %llu records are protected by "
			        "nothing but the chain", (unsigned long long)s->records);
		else if (s->unsealed)
			problem(v, ALOG_P_UNSEALED, 0, 0, !v->o.require_sealed,
			        "unsealed tail: %llu record%s after the last seal (seq %llu..%llu), not "
			        "yet protected", (unsigned long long)s->unsealed,
			        s->unsealed == 1 ? "" : "s", (unsigned long long)(s->last_seal_seq + 1),
			        (unsigned long long)s->last_seq);
	}
	/* A time ahead of this host's clock (more than a minute) is reported:
	 * it could otherwise satisfy --max-unsealed until that date. */
	if (s->last_ts > now + 60 * 1000000000LL) {
		char when[ALOG_TS_LEN + 1];
		alog_ts_format(when, s->last_ts);
		problem(v, ALOG_P_TIME, 0, 0, 1,
		        "records dated in the future: the newest is %s, %lld s ahead of this host's "
		        "clock (a clock that was wrong when it was written?)", when,
		        (long long)((s->last_ts - now) / 1000000000LL));
	}
	if (v->o.max_unsealed_ns > 0) {
		int64_t since = s->seals ? s->last_seal_ts : s->first_ts;
		if (since > now + 60 * 1000000000LL) {
			char when[ALOG_TS_LEN + 1];
			alog_ts_format(when, since);
			problem(v, ALOG_P_UNSEALED, 0, 0, 0,
			        "the last seal is dated %s, in the future: --max-unsealed cannot be "
			        "satisfied by it (a clock that was wrong when it sealed, or a rewritten "
			        "seal time)", when);
		} else if (now - since > v->o.max_unsealed_ns) {
			snprintf(age, sizeof age, "%lld s", (long long)((now - since) / 1000000000LL));
			problem(v, ALOG_P_UNSEALED, 0, 0, 0,
			        s->seals ? "the last seal is %s old, more than --max-unsealed allows "
			                   "(a stopped seal job, or the latest seals were removed)"
			                 : "no seal for %s, more than --max-unsealed allows", age);
		}
	}
	static const uint8_t unknown[32];
	if (v->o.key_next >= 0 && v->o.pubkey &&
	    memcmp(v->o.key_state_root, unknown, 32) != 0 &&
	    memcmp(v->key.root, v->o.key_state_root, 32) != 0) {
		problem(v, ALOG_P_SEAL, 0, 0, 0,
		        v->o.key_state_differs
		                ? "the key state does not belong to the public key, nor to a key the "
		                  "log handed over to"
		                : "the key state belongs to the public key, but the log handed over "
		                  "to another key: give the new key's state");
	} else if (v->o.key_next >= 0) {
		uint64_t next = (uint64_t)v->o.key_next;
		if (!s->have_epoch && next > 0 && v->from_start)
			problem(v, ALOG_P_SEAL, 0, 0, 0,
			        "seals removed: the host key has sealed epochs 0..%llu but the log has no "
			        "seal", (unsigned long long)(next - 1));
		else if (!s->have_epoch && next > 0)
			/* a file that continues a rotated log: its seals so far are in earlier files */
			problem(v, ALOG_P_NOTE, 0, 0, 1,
			        "no seal since seq %llu; the host key's seals (epochs 0..%llu) are in the "
			        "earlier files, not given", (unsigned long long)s->first_seq,
			        (unsigned long long)(next - 1));
		else if (s->have_epoch && s->last_epoch + 2 == next && v->o.key_last_seal &&
		         v->o.key_last_size <= s->last_seq)
			problem(v, ALOG_P_SEAL, 0, 0, 0,
			        "the host key has sealed up to epoch %llu but the log's last seal is epoch "
			        "%llu: the key's last seal (seq 1..%llu) is not in the log: an interrupted "
			        "alog-seal (the next alog-seal adds it) or a seal removed from the log",
			        (unsigned long long)(next - 1), (unsigned long long)s->last_epoch,
			        (unsigned long long)v->o.key_last_size);
		else if (s->have_epoch && s->last_epoch + 1 < next)
			problem(v, ALOG_P_SEAL, 0, 0, 0,
			        "seals removed from the end: the host key has sealed up to epoch %llu but "
			        "the log's last seal is epoch %llu%s", (unsigned long long)(next - 1),
			        (unsigned long long)s->last_epoch,
			        v->o.key_last_seal && v->o.key_last_size > s->last_seq
			                ? " (and records: the key's last seal covers more than the log "
			                  "holds)" : "");
		else if (s->have_epoch && s->last_epoch + 1 > next)
			problem(v, ALOG_P_SEAL, 0, 0, 1,
			        "the host key is at epoch %llu, behind the log's last seal (epoch %llu): "
			        "an interrupted seal (the next alog-seal catches up) or another key",
			        (unsigned long long)next, (unsigned long long)s->last_epoch);
	}
	for (int which = 0; which < 2; which++) {
		int have = which ? v->o.have_checkpoint2 : v->o.have_checkpoint;
		int state = which ? s->checkpoint2_state : s->checkpoint_state;
		uint64_t size;
		const uint8_t *root;
		const char *origin;
		if (!have || state != 0)
			continue;
		checkpoint_of(v, which, &size, &root, &origin);
		if (s->last_seq < size && !s->fragment)
			problem(v, ALOG_P_CHECKPOINT, 0, 0, 0,
			        "the log is shorter than the saved checkpoint: it has %llu records, the "
			        "checkpoint covers %llu (truncated or rolled back%s)",
			        (unsigned long long)s->last_seq, (unsigned long long)size,
			        (which ? s->checkpoint2_auth : s->checkpoint_auth) == 1
			            ? "" : "; or a forged checkpoint: no seal left in the log has the "
			                   "key that signed it");
		else
			problem(v, ALOG_P_CHECKPOINT, 0, 0, 0,
			        "the saved checkpoint (size %llu) could not be checked: the tree at that "
			        "size is not known from this input", (unsigned long long)size);
	}
	for (int which = 0; which < 2; which++) {
		const char *note = which ? v->o.checkpoint2_note : v->o.checkpoint_note;
		int state = which ? s->checkpoint2_state : s->checkpoint_state;
		if (!note || (which ? s->checkpoint2_auth : s->checkpoint_auth) != 0 || state != 1)
			continue;
		problem(v, ALOG_P_CHECKPOINT, 0, 0, 0,
		        "the saved checkpoint%s is not authenticated: %s",
		        which ? " NEW" : (v->o.checkpoint2_note ? " OLD" : ""),
		        v->cp_nids[which] == 0
		            ? "it carries no signature by a key of this log (a bare or altered "
		              "checkpoint)"
		            : "no seal of the log that checks with the public key has the epoch key "
		              "that signed it (a forged checkpoint)");
	}
}

static void summarize(struct alog_verifier *v, struct alog_verify_summary *s)
{
	v->s.tree_known = v->tree_ok;
	if (v->tree_ok) {
		v->s.tree_size = v->tree.size;
		alog_merkle_root(&v->tree, v->s.tree_root);
	}
	*s = v->s;
}

void alog_verifier_finish(struct alog_verifier *v, struct alog_verify_summary *s)
{
	if (v->pend.active && !v->stopped)
		settle_alone(v);
	if (!v->stopped)
		finish_seals(v);
	summarize(v, s);
}

void alog_verifier_finish_early(struct alog_verifier *v, struct alog_verify_summary *s)
{
	alog_verify_lines_drop(v);
	/* more lines may follow: these are not a damaged tail */
	if (!v->stopped && v->bad_line)
		flush_bad(v, 0);
	if (v->pend.active && !v->stopped)
		settle_alone(v);
	summarize(v, s);
}
