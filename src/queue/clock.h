/* The queue's two clocks (README "Queues", "Clocks"). Pure: the times
 * are whatever the caller says, so the unit tests give both.
 *
 * Within a run every wait (a retry's delay, max_batch_timeout) follows
 * the monotonic clock, which no step of the wall clock moves. The log
 * keeps wall-clock times, the only ones that mean anything to another
 * run: a message's enqueue time and a retry's due time (with the wait
 * that was asked, so that a restart never waits longer than it). */
#ifndef PROSPERO_QUEUE_CLOCK_H
#define PROSPERO_QUEUE_CLOCK_H

#include <stdint.h>

/* The most any wait may be (a retry's, max_batch_timeout): a day. */
#define PQ_WAIT_MAX 86400000u
/* A change of the wall clock against the monotonic one by more than
 * this (ms) is a step; less is the jitter of reading two clocks. */
#define PQ_STEP_MS 50
/* Epochs kept between steps: more steps merge the oldest. */
#define PQ_EPOCHS 16

/* Both clocks at one moment, in ms: the wall clock (since the epoch) and
 * the monotonic one, offset so that it is never below 2 * PQ_WAIT_MAX
 * (a time a wait ago is never negative). */
struct pq_now {
	uint64_t wall, mono;
};

/* The wall clock's offset from the monotonic one for the messages given
 * ids from FIRST_ID on, until the next epoch: what turns a message's
 * enqueue time into the monotonic time it was committed at. */
struct pq_epoch {
	uint64_t first_id;
	int64_t off;
};

struct pq_clock {
	struct pq_epoch e[PQ_EPOCHS];	/* e[0]: the earlier runs' messages */
	unsigned n;
	uint64_t start_mono;	/* when this run began */
	uint64_t earlier_upto;	/* ids up to this one are the earlier runs' */
};

/* This run begins at NOW; ids up to UPTO_ID were given by earlier runs. */
void pq_clock_start(struct pq_clock *c, struct pq_now now, uint64_t upto_id);
/* Messages from NEXT_ID on are stamped with NOW.wall: a new epoch if the
 * wall clock was stepped since the last. */
void pq_clock_stamp(struct pq_clock *c, struct pq_now now, uint64_t next_id);
/* Epochs no message after id UPTO needs are dropped. */
void pq_clock_forget(struct pq_clock *c, uint64_t upto);
/* When message ID, stamped WALL_MS on the wall clock, was committed, on
 * the monotonic clock: never later than NOW, nor, for an earlier run's,
 * than this run's start (a stamp in the future after a step back). */
uint64_t pq_clock_committed(const struct pq_clock *c, uint64_t id, uint64_t wall_ms, struct pq_now now);
/* A retry due at NOT_BEFORE_MS on the wall clock after a wait of WAIT_MS
 * (0: not known, a log written before the wait was kept), as read from
 * the log at NOW: when it is due on the monotonic clock. Never later
 * than the wait after NOW (a step back meanwhile); at NOW when its wait
 * ended while the queue was down. */
uint64_t pq_clock_restore(struct pq_now now, uint64_t not_before_ms, uint64_t wait_ms);

#endif
