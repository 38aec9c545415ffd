/* The queue's log: its messages in an SQLite database in its state
 * directory (README "Queues"). Two kinds of write:
 *   - producers' messages, added to a transaction that stays open for one
 *     turn of the loop and is committed durably (synchronous=FULL) at its
 *     end, before any of them is acknowledged: one sync for the turn;
 *   - the delivery side's changes (a message acked, rescheduled, moved
 *     on), kept in memory and applied in one transaction (on a full
 *     disk, in small ones) that is not synced on its own: the next
 *     durable commit or checkpoint syncs it.
 *     A power cut may undo such a change, and the queue then delivers a
 *     message once more: at least once, never lost.
 * Reads see only what was committed.
 *
 * On a full disk (README "Queues", "A full disk") a failed write leaves
 * the log as it was (errno ENOSPC or EDQUOT, pq_no_room), the delivery
 * side's changes still queued. So that the room can come back: the WAL
 * is checkpointed once it holds pq_store_bound_wal's bytes, which a
 * checkpoint may need to grow the database by, and a new log frees its
 * deleted pages only when asked (auto_vacuum incremental), which
 * pq_store_shrink does. */
#ifndef PROSPERO_QUEUE_STORE_H
#define PROSPERO_QUEUE_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PQ_STORE_FILE "queue.db"

/* A change of the delivery side, applied later. */
struct pq_change {
	uint64_t id;
	uint64_t not_before_ms;
	uint32_t wait_ms;	/* the wait that led to not_before_ms */
	uint32_t failed;
	bool forget;		/* delete it; else set failed and not_before_ms */
};

struct pq_store {
	sqlite3 *db;
	sqlite3_stmt **st;
	uint64_t last_id;	/* the highest id given */
	uint64_t committed_id;	/* the highest id committed */
	uint64_t depth;		/* messages committed and not deleted */
	uint64_t syncs;		/* durable commits */
	bool in_tx;		/* the producers' transaction is open */
	bool doomed;		/* ... and a write in it failed */
	int doom_errno;		/* ... with this */
	bool can_shrink;	/* auto_vacuum incremental: a log made so */
	bool relaxed;		/* synchronous=NORMAL may be in force: FULL again before a producers' commit */
	unsigned wal_pages;	/* the WAL's bound, in pages */
	uint32_t tx_added;
	struct pq_change *changes;
	size_t nchanges, capchanges;
	char msg[256];		/* why the last call failed */
};

/* A message as read from the log. */
struct pq_row {
	uint64_t id;
	uint64_t enqueued_ms;
	uint32_t failed;
	const void *body;	/* valid during the callback */
	size_t len;
};

/* Nonzero stops the walk. */
typedef int pq_row_fn(const struct pq_row *r, void *arg);

/* Open DIR/queue.db (DIR NULL: $STATE_DIRECTORY). -1 with errno and
 * s->msg. */
int pq_store_open(struct pq_store *s, const char *dir);
void pq_store_close(struct pq_store *s);

/* Add a message to the producers' transaction (begun if need be): its id
 * in *ID. -1 with errno: the transaction is doomed. */
int pq_store_add(struct pq_store *s, const void *body, size_t len, uint64_t now_ms, uint64_t *id);
/* Commit the producers' transaction, synced: 0 (also when none was
 * open), or -1 with errno when it was rolled back, its ids given back. */
int pq_store_commit(struct pq_store *s);

/* Queue a change; -1 with errno ENOMEM. */
int pq_store_forget(struct pq_store *s, uint64_t id);
/* Message ID had FAILED attempts and waits WAIT_MS, to NOT_BEFORE_MS on
 * the wall clock (clock.h: what a restart reads). */
int pq_store_reschedule(struct pq_store *s, uint64_t id, uint32_t failed, uint64_t not_before_ms, uint32_t wait_ms);
/* Apply the queued changes in one transaction, not synced: how many
 * messages they deleted, or -1 with errno, the log as it was and the
 * changes still queued. */
long pq_store_apply(struct pq_store *s);
/* The same on a full disk, in transactions small enough for the room the
 * reserve keeps (a quarter of the WAL's bound in changes each, fewer if
 * one finds no room): -1 with errno leaves queued only those not applied
 * (s->depth counts the rest). Thousands of acks pile up between two
 * tries, and in one transaction they would need more room than there
 * is, every time. */
long pq_store_apply_in_steps(struct pq_store *s);
/* Keep only the change that counts for each message queued: its last,
 * or its delete. Changes kept while the disk is full pile up, a retry
 * each, and a retry rewrites its message's row, body and all, when the
 * row's size changes: applied one by one in one transaction they need
 * far more room than the deletes that end them. Without memory, it
 * leaves them as they are. */
void pq_store_coalesce(struct pq_store *s);

/* Checkpoint the WAL once it holds BYTES (rounded to pages, at least
 * one): 0 or -1 with errno. */
int pq_store_bound_wal(struct pq_store *s, size_t bytes);
/* Give the room of deleted messages and of the WAL back to the file
 * system, in at most STEPS transactions of the WAL's bound each: 0 when
 * it is all back (the WAL empty, no free page left), 1 when there is
 * more to do, -1 with errno (the log is as it was before the step that
 * failed). */
int pq_store_shrink(struct pq_store *s, unsigned steps);
/* The log's file, for files beside it. */
const char *pq_store_file(const struct pq_store *s);

/* Committed messages with AFTER < id <= UPTO and not_before <= T0_MS, in
 * id order, at most LIMIT: how many FN saw, or -1 with errno. */
long pq_store_scan(struct pq_store *s, uint64_t after, uint64_t upto, uint64_t t0_ms, unsigned limit,
		   pq_row_fn *fn, void *arg);
/* Message ID to FN: 1, 0 when it is not there, -1 with errno. */
int pq_store_fetch(struct pq_store *s, uint64_t id, pq_row_fn *fn, void *arg);
/* How many of the ids after AFTER up to UPTO are in the log and not
 * waiting for a retry past T0_MS, counting up to LIMIT. */
long pq_store_count_ready(struct pq_store *s, uint64_t after, uint64_t upto, uint64_t t0_ms, unsigned limit);
/* The first message after id AFTER: its enqueue time in *MS; 1, 0 for
 * none, -1 with errno. */
int pq_store_first_after(struct pq_store *s, uint64_t after, uint64_t *ms);
/* The same for the first message after AFTER that is not waiting for a
 * retry past T0_MS: when it became ready (committed, or its wait over),
 * and its id in *ID. */
int pq_store_first_ready(struct pq_store *s, uint64_t after, uint64_t t0_ms, uint64_t *ms, uint64_t *id);
/* Messages that were waiting for a retry later than T0_MS when the
 * queue last stopped, in no order, with the time they wait for and the
 * wait that led to it (0: not known; the row's body is not read). How
 * many, or -1 with errno. */
typedef int pq_wait_fn(const struct pq_row *r, uint64_t not_before_ms, uint64_t wait_ms, void *arg);
long pq_store_each_waiting(struct pq_store *s, uint64_t t0_ms, pq_wait_fn *fn, void *arg);
/* Delete the messages with AFTER < id <= UPTO enqueued before CUTOFF_MS,
 * at once (not synced): how many, or -1 with errno. */
long pq_store_expire(struct pq_store *s, uint64_t after, uint64_t upto, uint64_t cutoff_ms);
/* The same on a full disk, in id order, in transactions of as many
 * messages as pq_store_apply_in_steps takes changes (fewer if one finds
 * no room): one transaction for a backlog would need the room of all of
 * it. How many it deleted in *N; 0, or -1 with errno and *UPTO lowered
 * to the last id it went through: those after it are left. */
int pq_store_expire_in_steps(struct pq_store *s, uint64_t after, uint64_t *upto, uint64_t cutoff_ms, long *n);

#endif
