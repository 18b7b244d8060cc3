/*
 * fuzz_checkpoint.c - libFuzzer target for the checkpoint parser
 * (--checkpoint files) and the public key parser (-p files): any bytes
 * are safe, and what is accepted survives formatting and parsing again.
 */
#include <stdlib.h>
#include <string.h>

#include "keys/key.h"
#include "ops/seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char origin[256], origin2[256], text[600];
	uint8_t root[32], root2[32];
	uint64_t n, n2;
	struct alog_error e;
	struct alog_pubkey pk, pk2;
	char *in = malloc(size ? size : 1);

	memcpy(in, data, size);
	if (alog_checkpoint_parse(in, size, origin, sizeof origin, &n, root, &e) == 0) {
		size_t len;
		if (!origin[0] || strchr(origin, '\n'))
			abort();
		len = alog_checkpoint_text(text, sizeof text, origin, n, root);
		if (len == 0 || len >= sizeof text)
			abort();
		if (alog_checkpoint_parse(text, len, origin2, sizeof origin2, &n2, root2, &e) != 0 ||
		    strcmp(origin, origin2) || n != n2 || memcmp(root, root2, 32))
			abort();
	} else if (!e.msg[0]) {
		abort();
	}
	if (alog_pubkey_parse(&pk, in, size, &e) == 0) {
		if (alog_pubkey_format(text, sizeof text, &pk) != 0 ||
		    alog_pubkey_parse(&pk2, text, strlen(text), &e) != 0 ||
		    strcmp(pk.origin, pk2.origin) || pk.epochs != pk2.epochs ||
		    memcmp(pk.root, pk2.root, 32))
			abort();
	}
	free(in);
	return 0;
}
