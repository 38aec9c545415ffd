/* See logring.h. The ring is linear: making room moves the kept lines to
 * the front, and frees half of it at once, so that a chatty actor costs
 * one move per half a ring of output, not one per line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/daemon/logring.h"

/* Drop whole lines from the front until NEED more bytes fit, and half
 * the ring is free if a line had to go. */
static void make_room(struct logring *r, size_t need)
{
	size_t drop = 0, want = need > r->cap / 2 ? need : r->cap / 2;

	if (r->len + need <= r->cap)
		return;
	while (r->len - drop + want > r->cap) {
		const char *nl = memchr(r->buf + drop, '\n', r->len - drop);
		drop = nl ? (size_t)(nl - r->buf) + 1 : r->len;
	}
	memmove(r->buf, r->buf + drop, r->len - drop);
	r->len -= drop;
}

/* Byte I of the line A (NA bytes) then B. */
static unsigned char byte_at(const char *a, size_t na, const char *b, size_t i)
{
	return (unsigned char)(i < na ? a[i] : b[i - na]);
}

/* Where to begin the end kept of a line of N bytes that is cut at FROM:
 * not inside an escape output wrote (\xNN, \r, \0), nor inside a
 * UTF-8 character, which `logs` would show as "?" or "x01". */
static size_t cut_at(const char *a, size_t na, const char *b, size_t n, size_t from)
{
	for (size_t j = from > 3 ? from - 3 : 0; j < from; j++) {
		size_t end;

		if (byte_at(a, na, b, j) != '\\' || j + 1 >= n)
			continue;
		end = j + (byte_at(a, na, b, j + 1) == 'x' ? 4 : 2);
		if (end > from) {
			from = end < n ? end : n;
			break;
		}
	}
	while (from < n && (byte_at(a, na, b, from) & 0xc0) == 0x80)
		from++;
	return from;
}

int logring_add(struct logring *r, size_t cap, const char *a, size_t na, const char *b, size_t nb)
{
	size_t mark = 0;

	if (cap < 2)
		return 0;
	if (!r->buf) {
		if (!(r->buf = malloc(cap)))
			return -1;
		r->cap = cap;
		r->len = 0;
	}
	/* a line longer than the ring: its end, which says the most, after
	 * a mark that says it was cut */
	if (na + nb + 1 > r->cap) {
		size_t n = na + nb, from;

		mark = r->cap - 1 > LOGRING_CUT_LEN ? LOGRING_CUT_LEN : 0;
		from = cut_at(a, na, b, n, n - (r->cap - 1 - mark));
		if (from < na) {
			a += from;
			na -= from;
		} else {
			b += from - na;
			nb -= from - na;
			na = 0;
		}
	}
	make_room(r, mark + na + nb + 1);
	memcpy(r->buf + r->len, LOGRING_CUT, mark);
	r->len += mark;
	if (na)
		memcpy(r->buf + r->len, a, na);
	if (nb)
		memcpy(r->buf + r->len + na, b, nb);
	r->len += na + nb;
	r->buf[r->len++] = '\n';
	return 0;
}

void logring_tail(const struct logring *r, unsigned n,
		  void (*fn)(const char *line, size_t len, void *arg), void *arg)
{
	size_t start = r->len;
	unsigned seen = 0;

	if (!r->buf)
		return;
	/* back from the end over N newlines */
	while (start > 0 && (n == 0 || seen < n)) {
		const char *p = start >= 2 ? memrchr(r->buf, '\n', start - 1) : NULL;
		start = p ? (size_t)(p - r->buf) + 1 : 0;
		seen++;
	}
	while (start < r->len) {
		const char *nl = memchr(r->buf + start, '\n', r->len - start);
		size_t len = (size_t)(nl - (r->buf + start));
		fn(r->buf + start, len, arg);
		start += len + 1;
	}
}

void logring_free(struct logring *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}
