/*
 * policy.h - logging policies (alog-policy(5)): which events a log accepts
 * (required members, allowed actions, member types) and what happens to
 * sensitive values before an event is written (drop, mask, pseudonymise,
 * encrypt, reject), by member path, value pattern or built-in detector.
 * Every change is recorded in the event itself, under the reserved member
 * "alog", so a reader knows what was changed and by which rule.
 */
#ifndef ALOG_POLICY_H
#define ALOG_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/util.h"

/* Limits of the language (alog-policy(5) documents them). */
#define ALOG_POLICY_MAX_PATTERNS 64   /* rules with a "match" pattern */
#define ALOG_POLICY_MAX_NOTES 64      /* entries in each list of the "alog" member */

struct alog_policy;

/*
 * Read and check a policy file, loading the pepper and reader keys it
 * names (relative paths are taken from the policy file's directory).
 * NULL with e set (file, and a message naming the offending member).
 */
struct alog_policy *alog_policy_load(const char *path, struct alog_error *e);
/* The same from text in memory; name is used in messages, dir for key paths. */
struct alog_policy *alog_policy_parse(const char *text, size_t n, const char *name,
                                      const char *dir, struct alog_error *e);
void alog_policy_free(struct alog_policy *p);

/*
 * Where the next event goes: the log's origin and the seq its record will
 * have.  Every value the policy encrypts is sealed for its place (origin,
 * seq and member path), so that it opens nowhere else.  origin is copied.
 */
void alog_policy_set_place(struct alog_policy *p, const char *origin, uint64_t seq);

/*
 * The policy's digest, which a log pins in its header (alog(5)): SHA-256
 * over a tag, the policy file's bytes, the reader public keys and a keyed
 * hash of the pepper.  32 bytes.
 */
const uint8_t *alog_policy_digest(const struct alog_policy *p);

/* Whether the policy asks for a transcript of every session ("transcript": true). */
int alog_policy_transcript(const struct alog_policy *p);

/*
 * --policy-check against events: after applying the policy to a sample
 * (alog_policy_apply), or to the members of a log's records with the rules
 * their alog member names noted here (a rule that dropped its member left
 * no member to find), alog_policy_uncovered calls warn once for each rule
 * path, required member and typed member that no event reached (a typing
 * mistake such as "qeury" in a path matches nothing, silently).  Returns
 * how many; 0 when no event was given.
 */
void alog_policy_cover_rule(struct alog_policy *p, const char *name, size_t n);
/* The same for one record line of a log: its members (not its alog member)
 * through the policy, the rules its alog member names noted.  Headers,
 * seals and other typed records are skipped.  0, or -1 if not a record. */
int alog_policy_cover_record(struct alog_policy *p, const char *line, size_t len);
size_t alog_policy_uncovered(const struct alog_policy *p,
                             void (*warn)(void *ctx, const char *msg), void *ctx);

/* Describe the policy in words, one rule per line, for --policy-check. */
void alog_policy_explain(const struct alog_policy *p, FILE *out);

/*
 * Apply the policy to an event: in[0..n) is its members text as the
 * alog_event_* functions produce it (empty, or ',' + compact members).
 * On success *out and *outlen hold the members to write: in itself when the
 * policy changed nothing, else text in the policy's buffer, valid until the
 * next call.  Returns -1 with e set when the event is rejected (the message
 * names the rule: 'rejected by rule "NAME": ...') or would grow beyond
 * ALOG_MAX_MEMBERS.  Not thread-safe: one policy object per thread.
 */
int alog_policy_apply(struct alog_policy *p, const char *in, size_t n, const char **out,
                      size_t *outlen, struct alog_error *e);

#endif
