/* prospero-queue: a durable queue as an actor (README "Queues"). It
 * serves its producers' edges, calls its consumer through the binding
 * CONSUMER and its dead-letter queue through DEAD_LETTER, and keeps its
 * messages in an SQLite log in $STATE_DIRECTORY.
 *
 * One loop; the end of each turn (an ev_prepare, before the loop waits)
 * is where the turn's work is settled, in this order: the producers'
 * messages are committed with one sync and acknowledged; the delivery
 * side's changes are applied; dead letters are handed on; batches go to
 * the consumer. The struct queue below is the one context. */
#ifndef PROSPERO_QUEUE_QUEUE_H
#define PROSPERO_QUEUE_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "src/libprospero/prospero.h"
#include "src/queue/clock.h"
#include "src/queue/delayed.h"
#include "src/queue/settings.h"
#include "src/queue/store.h"

#define PQ_BATCH_CAP 100	/* the most max_batch_size allows */

enum pq_answer { PQ_UNANSWERED, PQ_ANSWER_ACK, PQ_ANSWER_RETRY };

/* A batch delivered to the consumer and not yet answered. */
struct pq_batch {
	struct queue *q;
	bool busy;
	unsigned n;
	uint64_t seq;		/* which send it was: the latest is q->sent */
	struct pq_item items[PQ_BATCH_CAP];
	uint8_t answer[PQ_BATCH_CAP];	/* enum pq_answer */
	uint32_t asked_ms[PQ_BATCH_CAP];	/* a retry's delay, as the consumer asked */
	/* a retry's due time (monotonic), its place if put back; 0 for one
	 * read from the log's order */
	uint64_t due_ms[PQ_BATCH_CAP];
};

/* Since this incarnation started: what STATUS= shows. */
struct pq_counters {
	uint64_t received, delivered, acked, retried, dead_lettered, dropped, expired, bad_answers;
};

/* A producer's call, answered once the turn's commit is done. */
struct pq_waiter {
	struct prospero_request *req;
	uint64_t first;
	uint32_t n;
};

struct queue {
	struct ev_loop *loop;
	struct prospero *p;
	struct prospero_binding *consumer, *dlq;
	struct pq_options opt;
	struct pq_store store;
	ev_prepare turn_end;

	/* producers */
	struct pq_waiter *waiters;
	size_t nwaiters, capwaiters;

	/* delivery: ids up to cursor were read from the log in this
	 * incarnation; later ones have never been delivered since it began */
	uint64_t cursor;
	/* ids past the cursor up to this one may be no ready messages
	 * (acked by an earlier incarnation, retried, expired): the log
	 * counts them; past it, every id is one */
	uint64_t holes_upto;
	bool kick;		/* something changed: look for a batch to send */
	struct pq_delayed delayed;	/* retries, by when they may go (monotonic) */
	struct pq_clock clock;	/* enqueue times to the monotonic clock */
	struct pq_batch *batches;	/* max_concurrency of them */
	unsigned busy;
	ev_timer batch_timer, delay_timer;
	uint64_t sent;		/* batches sent */
	/* a batch timed out unread (the consumer is down or not reading):
	 * nothing more goes until it has read what waits for it */
	bool held;
	ev_timer hold_timer;
	uint8_t *out;		/* a body being built */
	size_t outlen, outcap;

	/* dead letters on their way to the dead-letter queue */
	struct pq_item *dead;
	size_t ndead, capdead, dead_sending;
	double dead_backoff;
	ev_timer dead_again;

	/* a full disk (room.c): while full, sends are refused and the
	 * delivery side's changes wait in the store's memory */
	bool full;
	char full_why[128];	/* what sends are refused with */
	char *reserve;		/* the reserve's path (reserve.h) */
	size_t reserve_size;
	ev_timer room_again;

	struct pq_counters count;
	ev_timer status_timer, sweep_timer;
	ev_tstamp status_sent;
	ev_signal sigterm, sigint;
	bool stopping;		/* SIGTERM: answer what was read, then end */
	bool closing;		/* calls failing now are the queue's own end */
	int exit_code;
};

/* Milliseconds since the epoch: what the log's times are in. */
uint64_t pq_now_ms(void);
/* Both clocks (clock.h): waits within a run follow .mono. */
struct pq_now pq_clocks(void);
/* Stop the loop with exit status 1, saying why on stderr. */
__attribute__((format(printf, 2, 3)))
void pq_fatal(struct queue *q, const char *fmt, ...);

/* A peer's text (an error's message), at most PQ_PEER_TEXT bytes of it,
 * as a line of the queue's may hold it: control bytes as \xNN, so a
 * newline in it cannot start a line that reads as the queue's own. */
#define PQ_PEER_TEXT 200
const char *pq_peer_text(char buf[static PQ_PEER_TEXT * 4 + 1], const void *text, size_t len);
/* A body being built in q->out: begin one, with room for its count
 * (filled in last); room for LEN more bytes. -1 with errno ENOMEM. */
int pq_out_begin(struct queue *q);
int pq_out_reserve(struct queue *q, size_t len);

/* intake.c: the producers' side */
int pq_intake_init(struct queue *q);
/* Commit the turn's messages and answer their producers. */
void pq_intake_commit(struct queue *q);
void pq_intake_fini(struct queue *q);

/* delivery.c: batches to the consumer, answers, retries */
int pq_delivery_init(struct queue *q);
void pq_deliver(struct queue *q);
void pq_delivery_fini(struct queue *q);

/* deadletter.c */
void pq_dead_init(struct queue *q);
/* ITEM had its retries: to the dead-letter queue, or dropped without one. */
void pq_dead_add(struct queue *q, const struct pq_item *item);
void pq_dead_flush(struct queue *q);
void pq_dead_fini(struct queue *q);

/* room.c: a full disk */
int pq_room_init(struct queue *q);
/* A write of the log failed with ERR (WHY): if for want of room, the
 * queue is full from now on, until room.c gets the room back: true.
 * False for any other error. */
bool pq_room_lost(struct queue *q, int err, const char *why);
void pq_room_fini(struct queue *q);

/* status.c: STATUS= at most once a second, and the retention sweep */
void pq_status_init(struct queue *q);
void pq_status_touch(struct queue *q);
/* A message out with the consumer, enqueued at ENQUEUED_MS, waits again
 * (a retry, or put back): the sweep comes by its retention's end. */
void pq_status_waits(struct queue *q, uint64_t enqueued_ms);
void pq_status_send(struct queue *q);
/* N messages were dropped as expired: counted, and said on stderr when
 * there were some. */
void pq_status_expired(struct queue *q, long n);
void pq_status_fini(struct queue *q);

#endif
