/*
 * forge-seal - a test tool playing an attacker who holds the host's secret
 * key: it seals whatever the log holds now, with no checks, optionally
 * skipping ahead to a later epoch.  The verifier must catch what it makes.
 *
 *   forge-seal LOG KEY [EPOCH]
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
	char members[8192];
	size_t n;

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
	}
	alog_reader_close(&rd);

	if (alog_seal_make(&s, &sk, &tree) != 0)
		alog_die(2, "the key is used up");

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
