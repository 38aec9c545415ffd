/* Tables that grow by doubling: the queue's lists of waiting producers,
 * pending changes, dead letters and delayed messages. */
#ifndef PROSPERO_QUEUE_GROW_H
#define PROSPERO_QUEUE_GROW_H

#include <stddef.h>

/* Room in *ARR (of *CAP elements of SIZE bytes) for element N: the same
 * table, or one twice as large (at least FIRST). 0, or -1 with errno
 * ENOMEM and *ARR as it was. */
int pq_grow(void *arr, size_t *cap, size_t n, size_t size, size_t first);

#endif
