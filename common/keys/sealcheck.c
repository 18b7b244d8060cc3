/*
 * sealcheck.c - making a seal with an epoch key, and checking one against
 * the public key.
 */
#include "keys/sealcheck.h"

#include <sodium.h>
#include <string.h>

#include "format/note.h"

int alog_seal_check(const struct alog_seal *s, const struct alog_pubkey *pk,
                    struct alog_error *e)
{
	uint8_t leaf[32];
	char text[512];
	size_t n;
	uint32_t id = alog_note_keyid(pk->origin, s->pk);

	if (s->epoch >= pk->epochs)
		return alog_err(e, "seal epoch %llu is beyond the public key's %u epochs",
		                (unsigned long long)s->epoch, pk->epochs);
	alog_epoch_leaf(leaf, s->epoch, s->pk);
	if (alog_merkle_verify_inclusion(s->epoch, pk->epochs, leaf, (const uint8_t(*)[32])s->proof,
	                                 s->nproof, pk->root) != 0)
		return alog_err(e, "seal key for epoch %llu is not proven by the public key (a forged "
		                   "key, or the wrong public key)", (unsigned long long)s->epoch);
	if (((uint32_t)s->sig[0] << 24 | (uint32_t)s->sig[1] << 16 | (uint32_t)s->sig[2] << 8 |
	     s->sig[3]) != id)
		return alog_err(e, "seal signature key ID does not match the epoch key");
	n = alog_checkpoint_text(text, sizeof text, pk->origin, s->size, s->root);
	if (crypto_sign_verify_detached(s->sig + 4, (const unsigned char *)text, n, s->pk) != 0)
		return alog_err(e, "seal signature does not verify (epoch %llu, size %llu)",
		                (unsigned long long)s->epoch, (unsigned long long)s->size);
	return 0;
}

int alog_seal_make(struct alog_seal *s, const struct alog_seckey *sk,
                   const struct alog_merkle *tree)
{
	uint8_t esk[64];
	char text[512];
	size_t n;
	uint32_t id;

	memset(s, 0, sizeof *s);
	if (alog_seckey_current(sk, s->pk, esk) != 0)
		return -1;
	s->size = tree->size;
	s->range = *tree;
	alog_merkle_root(tree, s->root);
	s->epoch = sk->next;
	if (alog_seckey_proof(sk, s->proof, &s->nproof) != 0) {
		sodium_memzero(esk, sizeof esk);
		return -1;
	}
	n = alog_checkpoint_text(text, sizeof text, sk->origin, s->size, s->root);
	id = alog_note_keyid(sk->origin, s->pk);
	s->sig[0] = (uint8_t)(id >> 24);
	s->sig[1] = (uint8_t)(id >> 16);
	s->sig[2] = (uint8_t)(id >> 8);
	s->sig[3] = (uint8_t)id;
	crypto_sign_detached(s->sig + 4, NULL, (const unsigned char *)text, n, esk);
	sodium_memzero(esk, sizeof esk);
	return 0;
}


int alog_seal_handover_sign(struct alog_seal *s, const struct alog_seckey *sk,
                            const struct alog_pubkey *next)
{
	uint8_t pk[32], esk[64];
	char text[1024];
	size_t n;

	if (alog_seckey_current(sk, pk, esk) != 0)
		return -1;
	if (alog_pubkey_format(s->nextkey, sizeof s->nextkey, next) != 0) {
		sodium_memzero(esk, sizeof esk);
		return -1;
	}
	s->has_next = 3;
	n = alog_handover_text(text, sizeof text, sk->origin, s);
	crypto_sign_detached(s->nextsig, NULL, (const unsigned char *)text, n, esk);
	sodium_memzero(esk, sizeof esk);
	return 0;
}

int alog_seal_handover_check(const struct alog_seal *s, const char *origin,
                             struct alog_pubkey *next, struct alog_error *e)
{
	char text[1024];
	size_t n;
	struct alog_error pe;

	if (!s->has_next)
		return alog_err(e, "no handover in this seal");
	if (alog_pubkey_parse(next, s->nextkey, strlen(s->nextkey), &pe) != 0)
		return alog_err(e, "the handover's next key is not a public key: %s", pe.msg);
	if (strcmp(next->origin, origin) != 0)
		return alog_err(e, "the handover's next key is for origin \"%s\", not \"%s\"",
		                next->origin, origin);
	n = alog_handover_text(text, sizeof text, origin, s);
	if (crypto_sign_verify_detached(s->nextsig, (const unsigned char *)text, n, s->pk) != 0)
		return alog_err(e, "the handover to %s is not signed by the sealing epoch (epoch "
		                   "%llu): a forged or altered handover", s->nextkey,
		                (unsigned long long)s->epoch);
	return 0;
}

void alog_seal_of_skip(struct alog_seal *out, const struct alog_seal *s)
{
	memset(out, 0, sizeof *out);
	out->size = s->skip.size;
	memcpy(out->root, s->skip.root, 32);
	out->epoch = s->skip.epoch;
	memcpy(out->pk, s->skip.pk, 32);
	memcpy(out->proof, s->skip.proof, sizeof out->proof);
	out->nproof = s->skip.nproof;
	memcpy(out->sig, s->skip.sig, 68);
}

int alog_seal_skip_check(const struct alog_seal *s, const struct alog_pubkey *pk,
                         struct alog_error *e)
{
	struct alog_seal k;
	struct alog_error ce;

	if (!s->has_skip)
		return alog_err(e, "no skipped epoch in this seal");
	if (alog_merkle_verify_consistency(s->skip.size, s->size, s->skip.root, s->root,
	                                   (const uint8_t(*)[32])s->skip.cons, s->skip.ncons) != 0)
		return alog_err(e, "the skipped epoch %llu's seal (size %llu) is not consistent with "
		                   "this seal's tree (size %llu): it signed other records",
		                (unsigned long long)s->skip.epoch, (unsigned long long)s->skip.size,
		                (unsigned long long)s->size);
	if (!pk)
		return 0;
	alog_seal_of_skip(&k, s);
	if (alog_seal_check(&k, pk, &ce) != 0)
		return alog_err(e, "the skipped epoch %llu's seal does not check: %s",
		                (unsigned long long)s->skip.epoch, ce.msg);
	return 0;
}
