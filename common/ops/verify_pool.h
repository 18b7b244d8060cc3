/*
 * verify_pool.h - the verifier's read-ahead (internal to ops/verify.c).
 * Reading and hashing run ahead of the sequential checks: lines are copied
 * into chunks, worker threads parse each line's shape and compute its
 * digest and leaf hash (independent per record), and the calling thread
 * takes the chunks in order for the chain, tree and seal decisions.  With
 * no worker thread everything runs in the calling thread.
 */
#ifndef ALOG_VERIFY_POOL_H
#define ALOG_VERIFY_POOL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "format/merkle.h"
#include "format/record.h"

#define ALOG_VCHUNK_DATA (512 * 1024)
#define ALOG_VCHUNK_ITEMS (ALOG_VCHUNK_DATA / 64)
#define ALOG_VPOOL_MAX_JOBS 16

enum { ALOG_VITEM_LINE, ALOG_VITEM_TOOLONG, ALOG_VITEM_PARTIAL };

struct alog_vitem {
	uint32_t off, len;
	uint64_t lineno;
	uint8_t kind, parsed, linked;
	struct alog_rec rec; /* when parsed; points into the chunk */
	uint8_t d[32], leaf[32];
	uint8_t pre[64]; /* when linked: the previous line's hash, and the chain over it */
	/* when parsed: the largest perfect Merkle subtree ending at this record
	 * among the run of records before it in the chunk (alog_merkle_tops) */
	struct alog_merkle_top top;
};

struct alog_vchunk {
	char *buf;
	size_t used;
	struct alog_vitem *items;
	size_t n;
	/*
	 * split: buf[0..used) is whole lines read straight into the buffer;
	 * hashing first finds the lines from offset from on (at most
	 * ALOG_VCHUNK_ITEMS of them, lineno left 0) and sets next to the
	 * offset after the last one taken.
	 */
	int split;
	size_t from, next;
	int done; /* hashed */
	uint64_t gen; /* which filling of the buffer (tells apart items of refills) */
};

struct alog_vpool {
	pthread_mutex_t mu;
	pthread_cond_t work, finished;
	struct alog_vchunk *queue[ALOG_VPOOL_MAX_JOBS + 1];
	size_t qhead, qlen;
	int quit;
	pthread_t threads[ALOG_VPOOL_MAX_JOBS];
	int nthreads;
};

/*
 * Everything about a chunk's lines (found first when split is set) that
 * does not depend on the lines before it: shape, digest, leaf hash, the chain hash over the hash the
 * line before stores, and the Merkle subtrees inside each run of records
 * with consecutive seqs (their leaf index is seq - 1).
 */
void alog_vchunk_hash(struct alog_vchunk *c);
/* Start threads workers (0: none, chunks are hashed when submitted). */
void alog_vpool_start(struct alog_vpool *p, int threads);
void alog_vpool_stop(struct alog_vpool *p);
/* Queue a filled chunk for hashing. */
void alog_vpool_submit(struct alog_vpool *p, struct alog_vchunk *c);
/* Wait until chunk c is hashed, hashing queued chunks meanwhile. */
void alog_vpool_wait(struct alog_vpool *p, struct alog_vchunk *c);

#endif
