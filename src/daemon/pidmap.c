#include <stdint.h>
#include <stdlib.h>

#include "src/daemon/pidmap.h"

int pidmap_init(struct pidmap *m, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	m->slots = calloc(cap, sizeof *m->slots);
	if (!m->slots)
		return -1;
	m->mask = cap - 1;
	return 0;
}

int pidmap_reserve(struct pidmap *m, size_t n)
{
	struct pidmap bigger;

	if (2 * n <= m->mask + 1)
		return 0;
	if (pidmap_init(&bigger, n) < 0)
		return -1;
	for (size_t i = 0; i <= m->mask; i++)
		if (m->slots[i].pid)
			pidmap_put(&bigger, m->slots[i].pid, m->slots[i].val);
	free(m->slots);
	*m = bigger;
	return 0;
}

void pidmap_fini(struct pidmap *m)
{
	free(m->slots);
	m->slots = NULL;
}

static size_t home(const struct pidmap *m, pid_t pid)
{
	/* pids are sequential: spread them with a multiplicative hash */
	return ((uint32_t)pid * 2654435761u) & m->mask;
}

void pidmap_put(struct pidmap *m, pid_t pid, void *val)
{
	size_t i = home(m, pid);

	while (m->slots[i].pid != 0 && m->slots[i].pid != pid)
		i = (i + 1) & m->mask;
	m->slots[i].pid = pid;
	m->slots[i].val = val;
}

void *pidmap_get(const struct pidmap *m, pid_t pid)
{
	size_t i = home(m, pid);

	while (m->slots[i].pid != 0) {
		if (m->slots[i].pid == pid)
			return m->slots[i].val;
		i = (i + 1) & m->mask;
	}
	return NULL;
}

/* Backward-shift deletion: no tombstones, so lookups stay short for ever. */
void pidmap_del(struct pidmap *m, pid_t pid)
{
	size_t i = home(m, pid), j;

	while (m->slots[i].pid != pid) {
		if (m->slots[i].pid == 0)
			return;
		i = (i + 1) & m->mask;
	}
	for (j = i;;) {
		j = (j + 1) & m->mask;
		if (m->slots[j].pid == 0)
			break;
		size_t h = home(m, m->slots[j].pid);
		/* move j back to i unless its home lies cyclically in (i, j] */
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		m->slots[i] = m->slots[j];
		i = j;
	}
	m->slots[i].pid = 0;
	m->slots[i].val = NULL;
}
