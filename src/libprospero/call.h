/* The client side of a binding: calls with an id, a timer each, and an
 * answer that arrives as a reply, an error, a timeout or peer_restarted —
 * exactly one of them. Built on a channel it is handed, which it does
 * not own. */
#ifndef PROSPERO_LIB_CALL_H
#define PROSPERO_LIB_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "src/libprospero/channel.h"
#include "src/libprospero/prospero.h"

struct pr_calls;

/* sent_at of a call whose frame waits in the channel's queue */
#define PR_UNWRITTEN UINT64_MAX

/* A call sent and not yet answered; reused through a free list. */
struct pr_call {
	ev_timer timer;		/* first: the timer callback finds the call */
	struct pr_calls *calls;
	struct pr_call *next_free;
	uint64_t id;		/* 0 while free */
	uint32_t slot;
	bool doomed;		/* marked for failing by fail_sent_by */
	/* when its frame was written to the socket (CLOCK_MONOTONIC ns), to
	 * weigh a peer_restarted notice; PR_UNWRITTEN while queued */
	uint64_t sent_at;
	uint64_t frame;		/* its frame's number on the channel, while queued */
	struct pr_call *qprev, *qnext;	/* in pr_calls.queued, while queued */
	prospero_reply_fn *cb;
	void *arg;
};

/* The calls of one binding: id = generation << 32 | slot. */
struct pr_calls {
	struct pr_port *port;	/* its timers' callbacks enter it */
	struct ev_loop *loop;
	struct pr_call **slots;
	uint32_t nslots, cap;
	uint32_t pending;
	struct pr_call *free_calls;
	/* calls whose frames wait in the channel's queue, oldest first: the
	 * order the channel writes them in */
	struct pr_call *queued, *queued_tail;
	uint32_t generation;
	/* the latest peer_restarted notice acted on: it comes both in band
	 * and on the control channel, and only the first may fail calls */
	unsigned long restarts_seen;
	/* after each answer's callback has run */
	void (*settled)(struct pr_calls *calls);
};

void pr_calls_init(struct pr_calls *calls, struct pr_port *port, void (*settled)(struct pr_calls *));
/* Free the records; fail the calls first (pr_calls_fail_all). */
void pr_calls_fini(struct pr_calls *calls);

/* prospero_call on channel C; STOPPING: the actor is stopping with no
 * request left to answer, so a new call is refused (ESHUTDOWN). */
int pr_calls_send(struct pr_calls *calls, struct pr_chan *c, bool stopping, const char *method,
		  const void *body, size_t len, double timeout, prospero_reply_fn *cb, void *arg);
/* prospero_call_wait on C, which must have no frames queued and no call
 * of the loop's in flight (EBUSY otherwise). */
int pr_calls_wait(struct pr_calls *calls, struct pr_chan *c, bool stopping, const char *method,
		  const void *body, size_t len, double timeout, prospero_reply_fn *cb, void *arg);
/* prospero_cast on C. */
int pr_cast_send(struct pr_chan *c, const char *method, const void *body, size_t len);

/* A reply or an error answering one of CALLS (late ones are dropped). */
void pr_calls_answer(struct pr_calls *calls, const struct pf_frame *f, const void *body);
void pr_calls_fail_all(struct pr_calls *calls, int code, const char *why);
/* The service ended (at AT, CLOCK_MONOTONIC ns; 0 unknown) before its
 * INCARNATION (0: unknown) started: fail the calls written to the socket
 * by AT (by now when unknown), once per notice; calls still queued stay,
 * for the next incarnation. True when this notice was news. */
bool pr_calls_peer_restarted(struct pr_calls *calls, unsigned long incarnation, uint64_t at);
/* The channel wrote its queued frames up to number LAST, from AT on. */
void pr_calls_written(struct pr_calls *calls, uint64_t last, uint64_t at);

#endif
