/*
 * logfile.h - reading one log file for its chain, as sealing and proofs
 * do: its header (the first line), its last seal or header (found by
 * reading backwards from the end, so the cost does not grow with the
 * file), and its records re-hashed forward from there, each checked
 * against the seq and the chain.  Results are codes, so that each tool
 * words its own messages.
 */
#ifndef ALOG_LOGFILE_H
#define ALOG_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/reader.h"
#include "base/util.h"
#include "format/header.h"
#include "format/merkle.h"
#include "format/record.h"
#include "format/sealrec.h"

/*
 * Reading a file backwards line by line, in large blocks: for finding the
 * last seal or header before the end without reading the whole file.
 */
struct alog_backscan {
	int fd;
	char *buf;
	size_t cap;
	uint64_t buf_off; /* file offset of buf[0] */
	size_t buf_len;
	uint64_t pos;     /* the next line returned ends here */
};
void alog_backscan_init(struct alog_backscan *b, int fd, uint64_t end);
void alog_backscan_free(struct alog_backscan *b);
/* The line ending at pos (LF included); 1 found, 0 at the start, -1 error. */
int alog_backscan_prev(struct alog_backscan *b, const char **line, size_t *len, uint64_t *off,
                       struct alog_error *e);

/*
 * The line starting at off (LF included), in a malloc'd *line: 1; 0 when
 * there is no whole line there (at most ALOG_MAX_LINE bytes); -1 on a read
 * error (e set).
 */
int alog_logfile_line_at(int fd, uint64_t off, char **line, size_t *len, struct alog_error *e);

/* A file's header, with its place in the chain. */
struct alog_filehead {
	struct alog_header h; /* origin, and prev and range in a continuing file */
	uint64_t seq;         /* the header's seq: the file's first */
	uint8_t hash[32];     /* its chain hash */
};

enum {
	ALOG_HEAD_OK = 0,
	ALOG_HEAD_NOLINE = 1,     /* no complete first line (or it cannot be read) */
	ALOG_HEAD_NOT_HEADER = 2, /* the first line is not a header record */
	ALOG_HEAD_BAD = 3,        /* a header whose members are wrong (e says what) */
	ALOG_HEAD_ERROR = -1,     /* a read error, e set */
};
/* Read the header of the open log file fd: one of ALOG_HEAD_*, e set unless OK. */
int alog_logfile_head(int fd, struct alog_filehead *fh, struct alog_error *e);

/* The record that sealing and proofs resume from: the last seal, or else the header. */
struct alog_resume {
	enum alog_rec_type type;  /* ALOG_REC_SEAL or ALOG_REC_OPEN */
	uint64_t seq;
	uint64_t off, end;        /* where its line starts and ends */
	uint8_t hash[32];         /* its chain hash */
	struct alog_seal seal;    /* when a seal */
	struct alog_merkle tree;  /* the tree of every record up to it, itself included */
};

enum {
	ALOG_RESUME_FOUND = 0,
	ALOG_RESUME_NONE = 1,      /* no seal and no header before end */
	ALOG_RESUME_MALFORMED = 2, /* a line that is not a record (e says why; off is where) */
	ALOG_RESUME_BAD_SEAL = 3,  /* a seal whose members are wrong (e says what; seq set) */
	ALOG_RESUME_BAD_HEADER = 4,
	ALOG_RESUME_ERROR = -1,    /* a read error, e set */
};
/* Flags: skip lines that are not records, and headers, and look for a seal only. */
#define ALOG_RESUME_SEAL_ONLY 1
/*
 * Find the last seal (or header) of the open log file before offset end,
 * reading backwards.  One of ALOG_RESUME_*; rp->off is set for MALFORMED.
 */
int alog_logfile_resume(int fd, uint64_t end, unsigned flags, struct alog_resume *rp,
                        struct alog_error *e);

/*
 * The seal record at offset off: 0, or -1 with e set ("cannot read the
 * seal at offset N", "no seal at offset N", "bad seal (seq N): ...").
 */
int alog_logfile_seal_at(int fd, uint64_t off, struct alog_seal *s, uint64_t *seq,
                         struct alog_error *e);

/* Records read forward from a point, each checked against the chain. */
struct alog_forward {
	struct alog_reader rd;
	uint64_t seq;     /* seq of the last record taken */
	uint8_t hash[32]; /* its chain hash */
	uint64_t end;     /* where the next line starts */
};

enum {
	ALOG_FWD_END = 0,       /* the end of the file */
	ALOG_FWD_OK = 1,        /* r, l, leaf filled in; the chain moved on */
	ALOG_FWD_PARTIAL = 2,   /* a last line without LF (l set) */
	ALOG_FWD_TOOLONG = 3,   /* a line longer than ALOG_MAX_LINE */
	ALOG_FWD_MALFORMED = 4, /* a line that is not a record (l set; e says why) */
	ALOG_FWD_SEQ = 5,       /* a record (r, l set) whose seq is not the next one */
	ALOG_FWD_CHAIN = 6,     /* a record (r, l set) whose hash does not follow the chain */
	ALOG_FWD_ERROR = -1,    /* a read error, e set */
};
/*
 * Start reading fd at offset off, after the record with that seq and
 * chain hash (the descriptor is not closed by the reader).  0 or -1.
 */
int alog_forward_start(struct alog_forward *f, int fd, uint64_t off, uint64_t seq,
                       const uint8_t hash[32], struct alog_error *e);
/* The next record: one of ALOG_FWD_*.  d and leaf: its digest and leaf hash. */
int alog_forward_next(struct alog_forward *f, struct alog_line *l, struct alog_rec *r,
                      uint8_t d[32], uint8_t leaf[32], struct alog_error *e);
void alog_forward_close(struct alog_forward *f);

#endif
