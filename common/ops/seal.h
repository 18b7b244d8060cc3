/*
 * seal.h - the sealing operation: under the log's lock, resume the tree
 * from the last seal, append a seal made with the key's next epoch, erase
 * that epoch, and optionally rotate.  The seal record itself is
 * format/sealrec.h; making and checking its signature, keys/sealcheck.h.
 */
#ifndef ALOG_SEAL_H
#define ALOG_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "format/sealrec.h"
#include "keys/sealcheck.h"

struct alog_seal_opts {
	const char *log;
	const char *key;
	const char *rotate; /* archive path, or NULL; strftime conversions (%F ...)
	                     * are expanded from the time the file was started (its
	                     * header's ts, local time) */
	long lock_wait_ms;  /* the wait for the log's lock (alog_flock_wait) */
	const char *next_key; /* a public key file: this seal hands over to it */
	int rollover;         /* an emergency rollover: a new key restarts the seals */
};

struct alog_seal_result {
	char *note;       /* malloc'd signed note */
	char vkey[400];   /* the epoch's verifier key */
	uint64_t seq;     /* the seal record's seq */
	uint64_t size;
	uint64_t epoch;
	uint64_t epochs_left;
	uint64_t hashed;  /* records hashed to resume the tree */
	char archive[4096]; /* the archive's name, --rotate expanded */
	char notice[640];   /* an interrupted seal completed or accounted for ("" if none) */
};

/*
 * Seal the log: under the log's lock, resume the tree from the last seal
 * (or header), check the chain since, append a seal made with the key's
 * next epoch, erase that epoch from the key file, and with rotate, move
 * the file to the archive name and start a new file continuing the log.
 * 0 sealed; 1 refused because the log or key state is wrong (e says why);
 * -1 error.
 */
int alog_seal_run(const struct alog_seal_opts *o, struct alog_seal_result *res,
                  struct alog_error *e);

#endif
