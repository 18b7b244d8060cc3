/*
 * verify_pool.c - the verifier's read-ahead: hashing chunks of lines in
 * worker threads.
 */
#include "ops/verify_pool.h"

#include <string.h>

#include "base/sha256.h"

/*
 * Everything about a line that does not depend on the lines before it:
 * its shape, digest and leaf hash, and its chain hash over the hash the
 * line before it stores (what the chain is when that line checked).
 * Records are hashed two at a time: the hardware path runs both hashes
 * interleaved.
 */
/*
 * The tree nodes of each run of records that would be consecutive leaves:
 * adjacent lines, parsed, each seq one more than the last.  The verifier
 * pushes them in one step when it accepts the run's records in order.
 */
static void chunk_tops(struct alog_vchunk *c)
{
	size_t i = 0;

	while (i < c->n) {
		size_t a = i;
		if (!c->items[i].parsed || c->items[i].rec.seq == 0) {
			memcpy(c->items[i].top.hash, c->items[i].leaf, 32);
			c->items[i].top.height = 0;
			i++;
			continue;
		}
		memcpy(c->items[i].top.hash, c->items[i].leaf, 32);
		while (i + 1 < c->n && c->items[i + 1].parsed &&
		       c->items[i + 1].rec.seq == c->items[i].rec.seq + 1) {
			i++;
			memcpy(c->items[i].top.hash, c->items[i].leaf, 32);
		}
		i++;
		alog_merkle_tops(c->items[a].rec.seq - 1, i - a, &c->items[a].top,
		                 sizeof(struct alog_vitem));
	}
}

/* The lines of a split chunk from c->from on, as many as there are items for. */
static void chunk_split(struct alog_vchunk *c)
{
	size_t o = c->from;

	c->n = 0;
	while (o < c->used && c->n < ALOG_VCHUNK_ITEMS) {
		const char *nl = memchr(c->buf + o, '\n', c->used - o);
		struct alog_vitem *it = &c->items[c->n++];
		size_t len = nl ? (size_t)(nl - (c->buf + o)) + 1 : c->used - o;
		it->lineno = 0;
		it->off = (uint32_t)o;
		it->len = (uint32_t)len;
		it->kind = len > ALOG_MAX_LINE ? ALOG_VITEM_TOOLONG : ALOG_VITEM_LINE;
		o += len;
	}
	c->next = o;
}

void alog_vchunk_hash(struct alog_vchunk *c)
{
	struct alog_error pe;
	struct alog_vitem *prev = NULL, *wait = NULL;

	if (c->split)
		chunk_split(c);

	for (size_t i = 0; i < c->n; i++) {
		struct alog_vitem *it = &c->items[i];
		it->linked = 0;
		it->parsed = it->kind == ALOG_VITEM_LINE &&
		             alog_rec_parse(&it->rec, c->buf + it->off, it->len, &pe) == 0;
		if (!it->parsed) {
			prev = NULL;
			continue;
		}
		if (prev) {
			memcpy(it->pre, prev->rec.hash, 32);
			it->linked = 1;
		}
		prev = it;
		if (!wait) {
			wait = it;
			continue;
		}
		alog_rec_digest2(c->buf + wait->off, wait->len, wait->d, c->buf + it->off, it->len,
		                 it->d);
		alog_sha256_leaf32_x2(wait->leaf, wait->d, it->leaf, it->d);
		if (wait->linked && it->linked)
			alog_sha256_pair_x2(wait->pre + 32, wait->pre, wait->d, it->pre + 32, it->pre,
			                    it->d);
		else if (wait->linked)
			alog_chain(wait->pre + 32, wait->pre, wait->d);
		else if (it->linked)
			alog_chain(it->pre + 32, it->pre, it->d);
		wait = NULL;
	}
	if (wait) {
		alog_rec_leaf(c->buf + wait->off, wait->len, wait->d, wait->leaf);
		if (wait->linked)
			alog_chain(wait->pre + 32, wait->pre, wait->d);
	}
	chunk_tops(c);
}

static void *worker(void *arg)
{
	struct alog_vpool *p = arg;
	for (;;) {
		struct alog_vchunk *c;
		pthread_mutex_lock(&p->mu);
		while (!p->qlen && !p->quit)
			pthread_cond_wait(&p->work, &p->mu);
		if (!p->qlen) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		c = p->queue[p->qhead];
		p->qhead = (p->qhead + 1) % (ALOG_VPOOL_MAX_JOBS + 1);
		p->qlen--;
		pthread_mutex_unlock(&p->mu);
		alog_vchunk_hash(c);
		pthread_mutex_lock(&p->mu);
		c->done = 1;
		pthread_cond_broadcast(&p->finished);
		pthread_mutex_unlock(&p->mu);
	}
}

void alog_vpool_submit(struct alog_vpool *p, struct alog_vchunk *c)
{
	c->done = 0;
	if (!p->nthreads) {
		alog_vchunk_hash(c);
		c->done = 1;
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->queue[(p->qhead + p->qlen) % (ALOG_VPOOL_MAX_JOBS + 1)] = c;
	p->qlen++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

/* Wait for chunk c, hashing queued chunks meanwhile rather than sitting idle. */
void alog_vpool_wait(struct alog_vpool *p, struct alog_vchunk *c)
{
	if (!p->nthreads)
		return;
	pthread_mutex_lock(&p->mu);
	while (!c->done) {
		if (p->qlen) {
			struct alog_vchunk *x = p->queue[p->qhead];
			p->qhead = (p->qhead + 1) % (ALOG_VPOOL_MAX_JOBS + 1);
			p->qlen--;
			pthread_mutex_unlock(&p->mu);
			alog_vchunk_hash(x);
			pthread_mutex_lock(&p->mu);
			x->done = 1;
			pthread_cond_broadcast(&p->finished);
			continue;
		}
		pthread_cond_wait(&p->finished, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
}

void alog_vpool_start(struct alog_vpool *p, int threads)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->finished, NULL);
	alog_sha256_setup();
	for (int i = 0; i < threads; i++)
		if (pthread_create(&p->threads[p->nthreads], NULL, worker, p) == 0)
			p->nthreads++;
}

void alog_vpool_stop(struct alog_vpool *p)
{
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->finished);
}
