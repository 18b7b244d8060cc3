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
