/*
 * verify.h - the verifier: feeds files of records through shape, digest,
 * chain, seq, header, time and tree checks, and reports each problem with
 * its file, line, seq and kind.  Seal checks hook in per seal record.
 */
#ifndef ALOG_VERIFY_H
#define ALOG_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "format/header.h"
#include "format/merkle.h"
#include "format/record.h"
#include "keys/key.h"

enum alog_problem_kind {
	ALOG_P_MODIFIED,   /* contents do not match the chain */
	ALOG_P_DELETED,    /* seq gap: records missing */
	ALOG_P_INSERTED,   /* a line that does not belong to the chain */
	ALOG_P_REORDERED,  /* lines out of order */
	ALOG_P_DUPLICATED, /* a line repeated */
	ALOG_P_TORN,       /* damaged tail: a crash mid-write */
	ALOG_P_HEADER,     /* missing or bad header */
	ALOG_P_MALFORMED,  /* a line that is not a record */
	ALOG_P_FILES,      /* rotated files missing, swapped or duplicated */
	ALOG_P_SEAL,       /* a seal that does not check */
	ALOG_P_UNSEALED,   /* records after the last seal (policy dependent) */
	ALOG_P_CHECKPOINT, /* a saved checkpoint the log does not contain */
	ALOG_P_TIME,       /* ts going backwards */
	ALOG_P_NOTE,       /* information: recoveries, fragments */
};
#define ALOG_P_COUNT (ALOG_P_NOTE + 1)

struct alog_problem {
	enum alog_problem_kind kind;
	int warning; /* 1: reported, does not fail verification */
	const char *file;
	uint64_t line; /* 0: about the file or log as a whole */
	uint64_t seq;  /* 0: unknown */
	char msg[400];
};

typedef void (*alog_problem_fn)(void *ctx, const struct alog_problem *p);

struct alog_verify_opts {
	int all;         /* report every independent problem instead of stopping */
	int strict_time; /* ts going backwards is an error, not a warning */
	int fragment;    /* input may start mid-log and have gaps */
	int auto_fragment; /* a first file without header is checked as a fragment */
	int strict_json; /* also validate every record as strict JSON */
	int lock_live;   /* take a shared lock to finish reading a line being written */
	const struct alog_pubkey *pubkey; /* check seal signatures and epoch keys */
	const struct alog_pubkey *rollover_keys; /* keys an emergency rollover may */
	unsigned nrollover;                      /* restart trust with (more -p) */
	int require_sealed;     /* records after the last seal are an error */
	int64_t max_unsealed_ns; /* > 0: the last seal may be at most this old */
	int64_t now_ns;         /* "now" for the age checks (0: the clock) */
	int have_checkpoint;    /* a saved checkpoint the log must contain */
	uint64_t checkpoint_size;
	uint8_t checkpoint_root[32];
	char checkpoint_origin[256];
	/* A second saved checkpoint, checked the same way (alog-verify --consistency). */
	int have_checkpoint2;
	uint64_t checkpoint2_size;
	uint8_t checkpoint2_root[32];
	char checkpoint2_origin[256];
	/*
	 * The checkpoints' signed notes: each is trusted only once a seal of the
	 * log that checks with the public key has the epoch key that signed it.
	 */
	const char *checkpoint_note, *checkpoint2_note;
	size_t checkpoint_note_len, checkpoint2_note_len;
	int64_t key_next;       /* >= 0: the host key's next epoch (--key-state) */
	int key_last_seal;      /* the key file keeps the last seal it made (epoch key_next-1) */
	uint64_t key_last_size; /* ... and the tree size that seal signed */
	uint8_t key_state_root[32]; /* that key's epoch tree root (zeros: not known) */
	int key_state_differs;  /* it is not the -p key: only right after a handover */
	int jobs;               /* threads hashing records (0: one per CPU) */
};

struct alog_verify_summary {
	uint64_t records, files, lines;
	uint64_t first_seq, last_seq;
	int64_t first_ts, last_ts;
	uint8_t last_hash[32];
	int have_hash;
	char origin[256];
	int fragment;            /* input did not start at a header */
	uint64_t gaps;           /* fragment gaps (links not checkable) */
	uint64_t unchecked_links;
	int tree_known;          /* tree_size/tree_root are meaningful */
	uint64_t tree_size;
	uint8_t tree_root[32];
	uint64_t errors, warnings;
	uint64_t by_kind[ALOG_P_COUNT];
	uint64_t seals, recoveries;
	uint64_t seals_checked;  /* signatures verified against the public key */
	uint64_t last_seal_seq;  /* 0: none */
	int64_t last_seal_ts;
	int have_epoch;
	uint64_t last_epoch;
	uint64_t unsealed;       /* records after the last seal */
	int64_t unsealed_newest_ts;
	int checkpoint_state;    /* 0 not given, 1 matched, -1 failed */
	int checkpoint2_state;   /* the same for the second checkpoint */
	/* The keys whose seals checked, in order: more than one when the log
	 * followed a planned handover (a seal naming the next key). */
	unsigned nkeys;
	struct {
		char key[400];
		uint64_t first_seq, last_seq; /* the records its seals cover */
	} keys[16];
	int checkpoint_auth;     /* 1 its signature checked with an epoch key, -1 failed, 0 not */
	int checkpoint2_auth;
	uint64_t checkpoint_epoch, checkpoint2_epoch; /* the epochs that signed them */
};

struct alog_verifier;

struct alog_verifier *alog_verifier_new(const struct alog_verify_opts *o, alog_problem_fn fn,
                                        void *ctx);
void alog_verifier_free(struct alog_verifier *v);

/*
 * Verify one file (path "-" for stdin) as the next part of the log.
 * Returns 0 when the verifier can go on, 1 when it stopped at a problem
 * (not --all), -1 on an I/O error (e set).
 */
int alog_verify_file(struct alog_verifier *v, const char *path, struct alog_error *e);
/*
 * The same checks on lines read by the caller (alog-grep searches and
 * verifies in one pass): begin a file (name must stay valid until the
 * next begin), give every line in order with its number and its reader
 * status (ALOG_LINE_OK, ALOG_LINE_TOOLONG or ALOG_LINE_PARTIAL), end the
 * file.  alog_verify_line and alog_verify_end return 1 once the verifier
 * has stopped at a problem, else 0.
 */
void alog_verify_begin(struct alog_verifier *v, const char *name);
int alog_verify_line(struct alog_verifier *v, uint64_t lineno, const char *line, size_t len,
                     int kind);
int alog_verify_end(struct alog_verifier *v);

/*
 * Lines hashed ahead of alog_verify_line, for a caller that has many in
 * memory at once: the whole lines at p[0..n) (each ending in LF) are
 * parsed and hashed together, two records at a time, with the Merkle
 * subtrees among them, in parts, by a worker thread when the options'
 * jobs allow more than one (while the caller goes on with the lines
 * before); alog_verify_line then takes each of them without hashing it
 * again when given the same line (same address and length) in order.  A
 * line given otherwise ends the batch: it and the rest are checked one
 * by one, as without it.  The bytes must stay as they are until
 * alog_verify_lines_drop, the next alog_verify_lines or alog_verify_end
 * (call one before the buffer is refilled or moved: it waits for the
 * worker).  Returns how many bytes of p the batch holds: its whole
 * lines, hashed ahead ALOG_VERIFY_BATCH lines at most at a time.
 */
#define ALOG_VERIFY_BATCH 2048
size_t alog_verify_lines(struct alog_verifier *v, const char *p, size_t n);
void alog_verify_lines_drop(struct alog_verifier *v);
/*
 * The line alog_verify_line took last, parsed: NULL when it was not a
 * record (or the verifier had stopped).  Valid until the next call.
 */
const struct alog_rec *alog_verify_line_rec(const struct alog_verifier *v);
/*
 * Progress while feeding: the seq of the last record accepted so far (a
 * final decision), and the highest seq covered by a seal whose root
 * matched the tree of the records before it and, with a public key, whose
 * signature checked (0: none yet).
 */
void alog_verifier_progress(const struct alog_verifier *v, uint64_t *accepted, uint64_t *sealed);
/*
 * 1 while the last record given is held: its link to the record before it
 * did not check, and what it is (modified, out of order, duplicated,
 * inserted) is decided by the next record or the finish.  Its seq may be
 * at or below the last record accepted.
 */
int alog_verifier_holding(const struct alog_verifier *v);
/* Finish (decides anything pending) and fill the summary. */
void alog_verifier_finish(struct alog_verifier *v, struct alog_verify_summary *s);
/*
 * The same when the caller stopped reading before the end of the log
 * (alog-grep -q at its first selected record), instead of alog_verify_end
 * and alog_verifier_finish: what was read is decided (a record held for
 * the one after it, a run of lines that are not records), but nothing is
 * said about the log's end, which was not read (its seals, its tail).
 */
void alog_verifier_finish_early(struct alog_verifier *v, struct alog_verify_summary *s);
/* Report a problem found outside the verifier (e.g. by the seal checks). */
void alog_verifier_report(struct alog_verifier *v, enum alog_problem_kind kind, int warning,
                          const char *file, uint64_t line, uint64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* The current tree (NULL when not known). */
const struct alog_merkle *alog_verifier_tree(const struct alog_verifier *v);

const char *alog_problem_kind_name(enum alog_problem_kind k);

#endif
