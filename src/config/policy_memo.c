/* The policy memo; see policy_memo.h. Open addressing, kept at most half
 * full. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/policy_memo.h"

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;	/* FNV-1a */
	return h;
}

static uint64_t mix_list(uint64_t h, char *const *v, size_t n)
{
	h = mix(h, &n, sizeof n);
	for (size_t i = 0; i < n; i++)
		h = mix(h, v[i], strlen(v[i]) + 1);
	return h;
}

static uint64_t hash(const struct cfg_actor *a, unsigned tag)
{
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned fixed[] = { (unsigned)a->profile, (unsigned)a->on_violation, a->state, tag };

	h = mix(h, fixed, sizeof fixed);
	h = mix_list(h, a->allow, a->nallow);
	return mix_list(h, a->deny, a->ndeny);
}

static bool same_list(char *const *x, size_t nx, char *const *y, size_t ny)
{
	if (nx != ny)
		return false;
	for (size_t i = 0; i < nx; i++)
		if (strcmp(x[i], y[i]) != 0)
			return false;
	return true;
}

static bool same(const struct cfg_actor *a, const struct cfg_actor *b)
{
	return a->profile == b->profile && a->on_violation == b->on_violation && a->state == b->state &&
	       same_list(a->allow, a->nallow, b->allow, b->nallow) &&
	       same_list(a->deny, a->ndeny, b->deny, b->ndeny);
}

/* Where A's key is, or the empty slot it would take. CAP is a power of two. */
static struct memo_slot *probe(struct memo_slot *slot, size_t cap, const struct cfg_actor *a, unsigned tag)
{
	for (size_t i = (size_t)hash(a, tag) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!slot[i].a || (slot[i].tag == tag && same(slot[i].a, a)))
			return &slot[i];
}

const struct cfg_actor *cfg_policy_memo_find(const struct cfg_policy_memo *m, const struct cfg_actor *a,
					     unsigned tag)
{
	return m->cap ? probe(m->slot, m->cap, a, tag)->a : NULL;
}

static int grow(struct cfg_policy_memo *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct memo_slot *slot = calloc(cap, sizeof *slot);

	if (!slot)
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].a)
			*probe(slot, cap, m->slot[i].a, m->slot[i].tag) = m->slot[i];
	free(m->slot);
	m->slot = slot;
	m->cap = cap;
	return 0;
}

int cfg_policy_memo_add(struct cfg_policy_memo *m, const struct cfg_actor *a, unsigned tag)
{
	struct memo_slot *s;

	if (2 * (m->n + 1) > m->cap && grow(m) < 0) {
		errno = ENOMEM;
		return -1;
	}
	s = probe(m->slot, m->cap, a, tag);
	if (!s->a) {
		*s = (struct memo_slot){ .a = a, .tag = tag };
		m->n++;
	}
	return 0;
}

void cfg_policy_memo_free(struct cfg_policy_memo *m)
{
	free(m->slot);
	*m = (struct cfg_policy_memo){ 0 };
}
