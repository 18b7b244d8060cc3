/*
 * forge-seal - a test tool playing an attacker who holds the host's secret
 * key: it seals whatever the log holds now, with no checks, optionally
 * skipping ahead to a later epoch.  The verifier must catch what it makes.
 *
 *   forge-seal LOG KEY [EPOCH]
 *
 * With FORGE_SKIP=KEYFILE in the environment, the seal also claims that
 * the epoch before it was spent by KEYFILE's last seal (a genuine seal an
 * attacker copied), with the consistency proof computed over what the log
 * holds now.
 */
#include <stdlib.h>
#include <string.h>

#include "base/reader.h"
#include "base/sha256.h"
#include "log/writer.h"
#include "ops/seal.h"
#include "ops/verify.h"

int main(int argc, char **argv)
{
	struct alog_seckey sk;
	struct alog_reader rd;
	struct alog_line l;
	struct alog_rec r;
	struct alog_error e;
	struct alog_merkle tree;
	struct alog_seal s;
	struct alog_writer_opts wo = {0};
	struct alog_writer *w;
	uint8_t d[32], leaf[32];
	static char members[ALOG_SEAL_MEMBERS_MAX];
	uint8_t (*leaves)[32] = NULL;
	size_t n, nleaves = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: forge-seal LOG KEY [EPOCH]\n");
		return 2;
	}
	alog_cli_init("forge-seal");
	if (alog_seckey_load(&sk, argv[2], 1, &e) != 0)
		alog_die_error(2, &e);
	if (argc > 3)
		while (sk.next < (uint32_t)atoi(argv[3]))
			alog_seckey_advance(&sk);

	alog_merkle_init(&tree);
	if (alog_reader_open(&rd, argv[1], ALOG_MAX_LINE, &e) != 0)
		alog_die_error(2, &e);
	while (alog_reader_next(&rd, &l, &e) == ALOG_LINE_OK) {
		if (alog_rec_parse(&r, l.p, l.len, &e) != 0)
			alog_die_error(2, &e);
		if (r.type == ALOG_REC_OPEN && r.seq > 1 && tree.size == 0) {
			struct alog_header h;
			if (alog_header_parse(&r, &h, &e) == 0)
				tree = h.range;
		}
		alog_rec_digest(l.p, l.len, d);
		alog_sha256_leaf32(leaf, d);
		alog_merkle_push(&tree, leaf);
		leaves = alog_xrealloc(leaves, (nleaves + 1) * 32);
		memcpy(leaves[nleaves++], leaf, 32);
	}
	alog_reader_close(&rd);

	if (alog_seal_make(&s, &sk, &tree) != 0)
		alog_die(2, "the key is used up");
	if (getenv("FORGE_SKIP")) {
		struct alog_seckey other;
		struct alog_seal p;
		struct alog_merkle_leaves lv = {(const uint8_t(*)[32])leaves, nleaves};
		if (alog_seckey_load(&other, getenv("FORGE_SKIP"), 0, &e) != 0)
			alog_die_error(2, &e);
		if (!other.last_seal ||
		    alog_seal_parse_members(other.last_seal, strlen(other.last_seal), &p, &e) != 0)
			alog_die(2, "FORGE_SKIP: no last seal in that key file");
		s.has_skip = 1;
		s.skip.size = p.size;
		memcpy(s.skip.root, p.root, 32);
		s.skip.epoch = p.epoch;
		memcpy(s.skip.pk, p.pk, 32);
		memcpy(s.skip.proof, p.proof, sizeof p.proof);
		s.skip.nproof = p.nproof;
		memcpy(s.skip.sig, p.sig, 68);
		if (p.size < tree.size && tree.size == nleaves)
			alog_merkle_consistency_proof(p.size, tree.size, alog_merkle_subtree_from_leaves,
			                              &lv, s.skip.cons, &s.skip.ncons);
		alog_seckey_free(&other);
	}
	free(leaves);

	wo.origin = sk.origin;
	wo.sync = ALOG_SYNC_EACH;
	wo.no_create = 1;
	if (!(w = alog_writer_open(argv[1], &wo, &e)) || alog_writer_lock(w, &e) != 0)
		alog_die_error(2, &e);
	n = alog_seal_members(members, sizeof members, &s);
	if (alog_writer_add(w, "seal", members, n, &e) != 0 || alog_writer_commit(w, &e) != 0)
		alog_die_error(2, &e);
	alog_writer_close(w);
	alog_seckey_advance(&sk);
	if (alog_seckey_save(&sk, argv[2], 0, &e) != 0)
		alog_die_error(2, &e);
	alog_seckey_free(&sk);
	return 0;
}
