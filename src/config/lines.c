#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "src/config/lines.h"

/* A mark at every line start, and every STRIDE bytes within a line, so
 * that a minified file on one line costs no more than a tidy one. */
#define STRIDE 256

static bool starts_char(char c)
{
	return ((unsigned char)c & 0xC0) != 0x80;	/* UTF-8 continuation bytes do not */
}

static int add_mark(struct lines *ix, size_t *cap, size_t off, unsigned line, unsigned col)
{
	if (ix->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct lines_mark *m;

		if (ncap > SIZE_MAX / sizeof *m || !(m = realloc(ix->marks, ncap * sizeof *m))) {
			errno = ENOMEM;
			return -1;
		}
		ix->marks = m;
		*cap = ncap;
	}
	ix->marks[ix->n++] = (struct lines_mark){ off, line, col };
	return 0;
}

int lines_index(struct lines *ix, const char *text, size_t len, size_t skip)
{
	size_t cap = 0, since = 0;
	unsigned line = 1, col = 1;

	*ix = (struct lines){ .text = text, .len = len };
	if (skip > len)
		skip = len;
	if (add_mark(ix, &cap, skip, 1, 1) < 0)
		goto fail;
	for (size_t i = skip; i < len; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
			since = 0;
			if (add_mark(ix, &cap, i + 1, line, col) < 0)
				goto fail;
			continue;
		}
		if (++since == STRIDE) {
			since = 0;
			if (add_mark(ix, &cap, i, line, col) < 0)
				goto fail;
		}
		if (starts_char(text[i]))
			col++;
	}
	return 0;
fail:
	lines_free(ix);
	return -1;
}

void lines_pos(const struct lines *ix, size_t off, unsigned *line, unsigned *col)
{
	size_t lo = 0, hi = ix->n;
	const struct lines_mark *m;
	unsigned c;

	if (ix->n == 0) {
		*line = *col = 1;
		return;
	}
	if (off > ix->len)
		off = ix->len;
	/* the last mark at or before OFF; the first is at the skipped bytes' end */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->marks[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	m = &ix->marks[lo];
	c = m->col;
	for (size_t i = m->off; i < off; i++)
		if (starts_char(ix->text[i]))
			c++;
	*line = m->line;
	*col = c;
}

void lines_free(struct lines *ix)
{
	free(ix->marks);
	*ix = (struct lines){ 0 };
}
