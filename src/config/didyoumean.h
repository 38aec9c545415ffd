/* "Did you mean": the nearest known word to a misspelt one. */
#ifndef PROSPERO_DIDYOUMEAN_H
#define PROSPERO_DIDYOUMEAN_H

#include <stdbool.h>
#include <stddef.h>

/* Optimal string alignment distance: insertions, deletions,
 * substitutions and transpositions of adjacent bytes each cost 1.
 * Returns (size_t)-1 if memory ran out. */
size_t dym_distance(const char *a, const char *b);

/* The first of the N CANDIDATES nearest to WORD, if it is close enough
 * to be a typo: distance at most max(2, strlen(WORD) / 3), and less than
 * the length of either word (so "id" does not suggest "cwd"); or one that
 * differs from it only in the case of ASCII letters, which is nearer than
 * any other. NULL if none is, or if memory ran out: then *OOM is set
 * (left alone otherwise), for a hint missing is a different message. */
const char *dym_closest(const char *word, const char *const *candidates, size_t n, bool *oom);

#endif
