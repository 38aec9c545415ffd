/* Line and column of byte offsets in a text, each in O(log n) from an
 * index built in one pass: a diagnostic per definition must not count
 * from the start of the file every time. Columns count UTF-8 characters,
 * as editors and jansson do; only '\n' ends a line. */
#ifndef PROSPERO_LINES_H
#define PROSPERO_LINES_H

#include <stddef.h>

struct lines_mark {
	size_t off;
	unsigned line, col;
};

struct lines {
	const char *text;		/* borrowed; must not change while indexed */
	size_t len;
	struct lines_mark *marks;	/* ascending offsets */
	size_t n;
};

/* Index TEXT. Its first SKIP bytes (a byte order mark, kept or blanked)
 * take no column. Returns 0, or -1 with errno ENOMEM. */
int lines_index(struct lines *ix, const char *text, size_t len, size_t skip);

/* 1-based line and column of byte OFF; OFF may equal the length (beyond
 * it counts as the length). */
void lines_pos(const struct lines *ix, size_t off, unsigned *line, unsigned *col);

void lines_free(struct lines *ix);

#endif
