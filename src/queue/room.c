/* A full disk (README "Queues", "A full disk"). The queue must not die
 * of one: a queue that exits cannot record the acks that would empty it.
 *
 * What SQLite needs: a failed write (SQLITE_FULL, or SQLITE_IOERR with
 * ENOSPC) leaves the log as it was, once the transaction is rolled back.
 * But in WAL mode every write appends to the WAL, an ack's delete too,
 * and the WAL starts over from its beginning only after a checkpoint
 * has copied all of it into the database, which grows the database
 * first by whatever new pages the WAL holds. On a full disk neither
 * fits, and a checkpoint alone does not help. So:
 *   - the reserve (reserve.h), a file of real blocks, is freed when a
 *     write finds no room: the acks' deletes fit there, written a few
 *     at a time (pq_store_apply_in_steps, and the sweep's of expired
 *     messages, pq_store_expire_in_steps), and so does a checkpoint,
 *     since the WAL is checkpointed whenever it holds a quarter of the
 *     reserve (pq_store_bound_wal);
 *   - while full, sends are refused `unavailable` before anything is
 *     stored, and the delivery side goes on: its changes wait in memory
 *     (a retried message's attempt count comes from memory too), and a
 *     timer applies them, gives the deleted messages' pages and the WAL
 *     back to the file system (pq_store_shrink), and once the file
 *     system has room for the reserve twice over makes it again: the
 *     queue has room and takes sends again.
 * A killed queue loses the changes in memory: those messages come again,
 * as after any kill. A single transaction larger than the reserve (a
 * send_batch of megabytes) can leave a checkpoint needing more room than
 * the reserve gives; the acks are still recorded while the reserve's room
 * lasts, and the rest waits for room made some other way. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "src/queue/queue.h"
#include "src/queue/reserve.h"

#define ROOM_AGAIN 1.0		/* s between tries to get the room back */
#define SHRINK_STEPS 16		/* steps of pq_store_shrink a try takes at most */

/* The file system's size, or its room free for the queue's uid. */
static int fs_bytes(struct queue *q, bool avail, uint64_t *bytes)
{
	struct statvfs fs;

	if (statvfs(pq_store_file(&q->store), &fs) < 0)
		return -1;
	*bytes = (uint64_t)(avail ? fs.f_bavail : fs.f_blocks) * fs.f_frsize;
	return 0;
}

static void says_full(struct queue *q, const char *why)
{
	snprintf(q->full_why, sizeof q->full_why, "%s", why);
	fprintf(stderr, "its log is full (%s): sends are refused until it has room again\n", why);
}

bool pq_room_lost(struct queue *q, int err, const char *why)
{
	if (!pq_no_room(err))
		return false;
	if (q->full)
		return true;
	q->full = true;
	says_full(q, why);
	/* its room is what the acks are written in from now on */
	if (q->reserve && pq_reserve_free(q->reserve) < 0)
		fprintf(stderr, "cannot free its reserve %s: %s\n", q->reserve, strerror(errno));
	ev_timer_again(q->loop, &q->room_again);
	return true;
}

/* A write failed while getting the room back: a full disk, or a reader
 * in the way of the checkpoint (an operator's shell), waits for the next
 * try; anything else ends the queue, as it would have anyway. */
static void failed(struct queue *q)
{
	if (!pq_no_room(errno) && errno != EBUSY)
		pq_fatal(q, "cannot update its log: %s", q->store.msg);
}

static void room_again(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct queue *q = w->data;
	uint64_t avail, depth = q->store.depth;
	int r;

	if (q->store.in_tx)
		return;		/* between turns, please: next time */
	pq_store_coalesce(&q->store);
	if (pq_store_apply_in_steps(&q->store) < 0) {
		bool no_room = pq_no_room(errno);

		failed(q);
		/* what fitted is written; the rest may fit in the room the
		 * shrink gives back (the WAL's, first) */
		if (!no_room)
			return;
	}
	if (q->store.depth != depth)
		pq_status_touch(q);
	if ((r = pq_store_shrink(&q->store, SHRINK_STEPS)) != 0) {
		if (r < 0)
			failed(q);
		return;		/* more next time: the loop goes on between */
	}
	/* room for the reserve and as much again for sends: the room the
	 * reserve itself gave back is no sign of any (and not a reserve
	 * written only to be removed again, each second) */
	if (fs_bytes(q, true, &avail) < 0 || avail / 2 < q->reserve_size)
		return;
	if (pq_reserve_make(q->reserve, q->reserve_size) < 0) {
		if (!pq_no_room(errno))
			pq_fatal(q, "cannot make its reserve %s: %s", q->reserve, strerror(errno));
		return;
	}
	q->full = false;
	ev_timer_stop(loop, w);
	fprintf(stderr, "its log has room again\n");
	q->kick = true;
}

int pq_room_init(struct queue *q)
{
	const char *db = pq_store_file(&q->store);
	const char *slash = strrchr(db, '/');
	uint64_t size;

	ev_timer_init(&q->room_again, room_again, 0., ROOM_AGAIN);
	q->room_again.data = q;
	if (!slash || asprintf(&q->reserve, "%.*s/%s", (int)(slash - db), db, PQ_RESERVE_FILE) < 0) {
		q->reserve = NULL;
		errno = ENOMEM;
		return -1;
	}
	if (fs_bytes(q, false, &size) < 0)
		return -1;
	q->reserve_size = pq_reserve_size(size);
	if (pq_store_bound_wal(&q->store, q->reserve_size / 4) < 0)
		return -1;
	if (pq_reserve_make(q->reserve, q->reserve_size) == 0)
		return 0;
	/* started on a full disk: as if a write had just found it full */
	return pq_room_lost(q, errno, strerror(errno)) ? 0 : -1;
}

void pq_room_fini(struct queue *q)
{
	ev_timer_stop(q->loop, &q->room_again);
	free(q->reserve);
	q->reserve = NULL;
}
