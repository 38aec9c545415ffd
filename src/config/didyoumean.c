#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/didyoumean.h"

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t dym_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), w = lb + 1, d;
	size_t *row;	/* three rows: transpositions look two rows back */

	if (w > SIZE_MAX / 3 / sizeof *row || !(row = malloc(3 * w * sizeof *row)))
		return (size_t)-1;
	size_t *pp = row, *p = row + w, *c = row + 2 * w, *tmp;

	for (size_t j = 0; j <= lb; j++)
		p[j] = j;
	for (size_t i = 1; i <= la; i++) {
		c[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			c[j] = min3(p[j] + 1, c[j - 1] + 1, p[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < c[j])
				c[j] = pp[j - 2] + 1;
		}
		tmp = pp;
		pp = p;
		p = c;
		c = tmp;
	}
	d = p[lb];
	free(row);
	return d;
}

/* A and B differ only in the case of ASCII letters. */
static bool case_slip(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && ((*a | 0x20) != (*b | 0x20) || (*a | 0x20) < 'a' || (*a | 0x20) > 'z'))
			return false;
	return *a == *b;
}

const char *dym_closest(const char *word, const char *const *candidates, size_t n, bool *oom)
{
	/* in half steps, so that a slip of case (1) is nearer than any
	 * edit (2 each) but an exact match (0) */
	size_t len = strlen(word), limit = len / 3 > 2 ? len / 3 : 2, best = (size_t)-1, d;
	const char *hit = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t lc = strlen(candidates[i]);
		if ((d = dym_distance(word, candidates[i])) == (size_t)-1) {
			*oom = true;
			return NULL;
		}
		if (d > 0 && case_slip(word, candidates[i]))
			d = 1;
		else if (d <= limit && d < len && d < lc)
			d *= 2;
		else
			continue;
		if (d < best) {
			best = d;
			hit = candidates[i];
		}
	}
	return hit;
}
