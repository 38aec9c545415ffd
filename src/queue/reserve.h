/* The room a queue's log keeps for a full disk (README "Queues", "A full
 * disk"): a file of real blocks beside the log, freed when a write of the
 * log finds no room, so that the acks that give the room back can still
 * be written; made again once the room is back. */
#ifndef PROSPERO_QUEUE_RESERVE_H
#define PROSPERO_QUEUE_RESERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PQ_RESERVE_FILE "queue.reserve"

/* The reserve for a file system of FS_BYTES: a sixteenth of it, from
 * 64 KiB to 16 MiB, in whole 4 KiB pages. */
size_t pq_reserve_size(uint64_t fs_bytes);
/* Whether ERR says the disk (or the uid's quota) has no room. */
bool pq_no_room(int err);
/* PATH holds SIZE bytes of its own blocks (written, not a sparse file,
 * nor one a compressing file system would shrink): 0, or -1 with errno
 * and no file left. One already that size is kept as it is. */
int pq_reserve_make(const char *path, size_t size);
/* Give its room back: 0 (also when there was none), or -1 with errno. */
int pq_reserve_free(const char *path);

#endif
