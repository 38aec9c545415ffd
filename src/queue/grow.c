/* Doubling tables. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/queue/grow.h"

int pq_grow(void *arr, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t want = *cap ? *cap * 2 : first;
	void *old, *p;

	if (n < *cap)
		return 0;
	memcpy(&old, arr, sizeof old);
	if (want < *cap || want > SIZE_MAX / size || !(p = realloc(old, want * size))) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(arr, &p, sizeof p);
	*cap = want;
	return 0;
}
