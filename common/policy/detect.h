/*
 * detect.h - built-in detectors of secrets and personal data in text:
 * private key blocks, AWS access key ids, JWTs, bearer tokens, passwords
 * in URLs, card numbers (Luhn-checked) and e-mail addresses.  One pass
 * over the text; a cheap trigger byte comes before any closer look.
 */
#ifndef ALOG_DETECT_H
#define ALOG_DETECT_H

#include <stddef.h>
#include <stdint.h>

enum alog_detector {
	ALOG_DET_PRIVATE_KEY = 0,
	ALOG_DET_AWS_KEY,
	ALOG_DET_JWT,
	ALOG_DET_BEARER,
	ALOG_DET_URL_PASSWORD,
	ALOG_DET_CARD,
	ALOG_DET_EMAIL,
	ALOG_DET_COUNT
};

/* "private-key", "aws-access-key", "jwt", "bearer-token", "url-password",
 * "card-number", "email", in enum order. */
extern const char *const alog_detector_names[ALOG_DET_COUNT];
/* The detector of that name, or -1. */
int alog_detector_find(const char *name);

/* Which detectors run, and the bytes that make each look closer. */
struct alog_detectors {
	unsigned enabled; /* bit (1 << enum alog_detector) */
	uint8_t trigger[256];    /* with digits when card numbers are looked for */
	uint8_t trigger_nd[256]; /* the same without digits */
	int nbytes;       /* the trigger bytes other than digits: at most six */
	int digits;       /* digits trigger too */
	/*
	 * Trigger byte k sixteen times over, for the 16-bytes-at-a-time scan;
	 * the rows past nbytes repeat row 0, so the scan compares all six.
	 */
	_Alignas(16) unsigned char wide[6][16];
};

void alog_detectors_init(struct alog_detectors *d, unsigned enabled);
/* For tests: nonzero makes alog_detect take the portable byte-at-a-time path. */
void alog_detect_set_portable(int on);

/*
 * A match: bytes [start, end) of the text.  For e-mail addresses, at is
 * the offset of the '@' (masking keeps the domain); otherwise 0.
 */
struct alog_detect_match {
	size_t start, end, at;
	enum alog_detector det;
};

/*
 * Called for each match, left to right, never overlapping; return nonzero
 * to stop the scan (alog_detect then returns that value).
 */
typedef int (*alog_detect_fn)(void *ctx, const struct alog_detect_match *m);

/* Scan t[0..n) (decoded text).  0, or the callback's nonzero value. */
int alog_detect(const struct alog_detectors *d, const char *t, size_t n, alog_detect_fn fn,
                void *ctx);

/* Is the digit string d[0..n) (digits only) a valid Luhn number? */
int alog_luhn(const char *d, size_t n);
/*
 * Is the number text a card number: an integer of 13 to 19 digits whose
 * first digit is 2 to 6 and that passes the Luhn check?
 */
int alog_detect_card_number(const char *num, size_t n);

#endif
