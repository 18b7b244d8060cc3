/*
 * note.h - C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys:
 * key IDs, verifier keys ("name+keyid+base64(0x01||pubkey)"), signer keys
 * ("PRIVATE+KEY+name+keyid+base64(0x01||seed)"), signing and opening
 * notes with the same acceptance rules as Go's golang.org/x/mod/sumdb/note.
 */
#ifndef ALOG_NOTE_H
#define ALOG_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define ALOG_NOTE_ALG_ED25519 0x01
#define ALOG_NOTE_NAME_MAX 255
#define ALOG_NOTE_SIG_LEN 68 /* 4-byte key ID || 64-byte Ed25519 signature */

struct alog_note_verifier {
	char name[ALOG_NOTE_NAME_MAX + 1];
	uint32_t keyid; /* big-endian value of the 4-byte ID */
	uint8_t pk[32];
};

struct alog_note_signer {
	char name[ALOG_NOTE_NAME_MAX + 1];
	uint32_t keyid;
	uint8_t sk[64]; /* libsodium secret key (seed || pk) */
};

/*
 * Is name a valid key name (non-empty, UTF-8, no Unicode space, no '+')?
 * Also at most ALOG_NOTE_NAME_MAX bytes, to fit the structs below.
 */
int alog_note_name_ok(const char *name);
/* Key ID = first 4 bytes of SHA-256(name || "\n" || 0x01 || pk), big-endian. */
uint32_t alog_note_keyid(const char *name, const uint8_t pk[32]);

/* Format a verifier key into out (cap bytes). 0, or -1 if it does not fit / bad name. */
int alog_note_vkey_format(char *out, size_t cap, const char *name, const uint8_t pk[32]);
/*
 * Parse a verifier key; rejects bad names, IDs that do not match, unknown
 * algorithms and wrong lengths, with Go's messages ("malformed verifier
 * id", "invalid verifier hash", "unknown verifier algorithm").  Like Go it
 * takes the ID in either case and skips CR and LF inside the base64.
 * 0 or -1 with e set.
 */
int alog_note_vkey_parse(struct alog_note_verifier *v, const char *vkey, struct alog_error *e);

/* Signer from an Ed25519 seed. 0 or -1 (bad name). */
int alog_note_signer_from_seed(struct alog_note_signer *s, const char *name,
                               const uint8_t seed[32]);
/*
 * Format / parse "PRIVATE+KEY+name+keyid+base64(0x01||seed)"; the parser
 * follows the verifier key rules, and checks the ID against the derived
 * public key ("malformed signer key", "unknown signer key algorithm",
 * "signer key hash does not match its key").
 */
int alog_note_skey_format(char *out, size_t cap, const struct alog_note_signer *s);
int alog_note_skey_parse(struct alog_note_signer *s, const char *skey, struct alog_error *e);

/* The raw 68-byte signature (key ID || Ed25519 over text) for a note's text. */
void alog_note_signature(uint8_t out[ALOG_NOTE_SIG_LEN], const struct alog_note_signer *s,
                         const char *text, size_t n);
/*
 * A whole signed note: text, blank line, "— name base64sig\n".  The text
 * must be valid (UTF-8, ends in '\n', no other controls).  Returns a
 * malloc'd NUL-terminated note, or NULL with e set.
 */
char *alog_note_sign(const char *text, size_t n, const struct alog_note_signer *s,
                     struct alog_error *e);

/* Result of opening a note. */
struct alog_note_opened {
	size_t text_len;      /* the text is note[0..text_len) */
	unsigned verified;    /* signatures verified by a known key */
	unsigned unverified;  /* well-formed signatures by unknown keys */
	int verified_by[16];  /* indices into the verifier array, first 16 */
};

/*
 * Open a signed note against known verifiers, as Go's note.Open: errors
 * "malformed note", "note has no verifiable signatures", "invalid
 * signature for key NAME+KEYID", "ambiguous key NAME+KEYID" (two known
 * verifiers with the same name and ID).  0 or -1 with e set.  As in Go,
 * only the first signature by a known key is checked and later ones by
 * the same key are skipped, and identical unknown signature lines count
 * once.  out (may be NULL) is filled in on success, and also for "note
 * has no verifiable signatures", where it gives the unverified count.
 */
int alog_note_open(const char *note, size_t n, const struct alog_note_verifier *vs, size_t nv,
                   struct alog_note_opened *out, struct alog_error *e);

#endif
