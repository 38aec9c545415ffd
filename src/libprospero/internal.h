/* What the files of libprospero share; not installed. */
#ifndef PROSPERO_LIB_INTERNAL_H
#define PROSPERO_LIB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "src/proto/error.h"
#include "src/proto/frame.h"
#include "src/proto/notice.h"
#include "src/libprospero/prospero.h"

/* Above this many queued datagrams a binding refuses new calls and casts,
 * and a served edge stops reading requests until its replies drain. */
#define PR_QUEUE_HIGH 64u

/* A datagram waiting for the socket to take it. */
struct pr_dgram {
	struct pr_dgram *next;
	size_t len;
	int fd;			/* a memfd body to pass along, or -1 */
	unsigned char buf[PF_MAX_DGRAM];
};

/* A call sent and not yet answered; reused through a free list. */
struct pr_call {
	ev_timer timer;		/* first: the timer callback finds the call */
	struct prospero_binding *b;
	struct pr_call *next_free;
	uint64_t id;		/* 0 while free */
	uint32_t slot;
	bool doomed;		/* marked for failing by pr_call_fail_all */
	uint64_t sent_at;	/* CLOCK_MONOTONIC ns, to weigh a peer_restarted notice */
	prospero_reply_fn *cb;
	void *arg;
};

struct prospero_binding {
	struct prospero *p;
	char *name;		/* binding NAME, or the client's name for a served edge */
	int fd;
	bool serve;		/* an incoming edge: we read calls, send replies */
	bool coalesce;
	bool sent;		/* sent during the current read callback */
	uint8_t look_skip, look_backoff;	/* see read_on() in channel.c */
	bool full;		/* reached PR_QUEUE_HIGH; tell on_writable at half */
	ev_io rio, wio;
	struct pr_dgram *qhead, *qtail;
	unsigned qlen;
	void (*on_writable)(struct prospero_binding *, void *);
	void *wr_arg;
	/* outgoing calls: id = generation << 32 | slot */
	struct pr_call **slots;
	uint32_t nslots, cap;
	uint32_t pending;
	struct pr_call *free_calls;
	uint32_t generation;
	/* the latest peer_restarted notice acted on: it comes both in band
	 * and on the control channel, and only the first may fail calls */
	unsigned long restarts_seen;
	/* SO_RCVTIMEO and SO_SNDTIMEO as set (for call_wait and lingering), or 0 */
	double rcv_timeout, snd_timeout;
};

struct pr_method {
	char *name;
	size_t len;
	prospero_handler_fn *fn;
	void *arg;
};

struct prospero {
	struct ev_loop *loop;
	int control_fd;
	ev_io control_io;
	struct prospero_binding **chans;
	unsigned nchans;
	struct pr_method *methods;
	unsigned nmethods;
	bool serving, stopping, stopped;
	unsigned deferred;	/* requests answered later */
	double linger;		/* prospero_linger's seconds; 0: off */
	ev_timer watchdog;
	ev_signal sigterm;
	ev_idle stop_check;
	ev_prepare flusher;	/* before the loop waits: send what this turn
				 * queued, then linger for answers */
	ev_idle lingered;	/* the loop must not wait after lingering */
	void (*on_stop)(struct prospero *, void *);
	void *stop_arg;
	void (*on_peer_restarted)(struct prospero *, const char *, unsigned long, void *);
	void *restart_arg;
	struct pr_dgram *free_dgrams;
	/* One receive and one transmit buffer: the library is single-threaded.
	 * They are only address space until a datagram that large passes. */
	unsigned char rx[PF_MAX_DGRAM], tx[PF_MAX_DGRAM];
};

/* channel.c: datagrams in and out of one socket */
struct prospero_binding *pr_chan_new(struct prospero *p, const char *name, int fd, bool serve);
void pr_chan_free(struct prospero_binding *b);
void pr_chan_start(struct prospero_binding *b);
/* Send frame F (with memfd FD or -1) now, or queue it; FORCE queues beyond
 * the high mark (replies must not be lost). */
int pr_chan_send(struct prospero_binding *b, const struct pf_frame *f, int fd, bool force);
bool pr_chan_idle(const struct prospero_binding *b);
/* Offer B's queue to the socket now, no callbacks; stops when it is full. */
void pr_chan_drain(struct prospero_binding *b);
/* Offer every queue not waiting for room to its socket. */
void pr_chan_flush_all(struct prospero *p);
/* P's flusher (ev_prepare), run just before the loop waits: flush, then
 * linger for the answers to calls (linger.c) if P lingers. */
void pr_chan_before_wait(struct ev_loop *loop, ev_prepare *w, int revents);
/* Set B's SO_RCVTIMEO to RCV and, when SND > 0, SO_SNDTIMEO to SND
 * seconds; a value already set costs nothing. */
int pr_chan_timeouts(struct prospero_binding *b, double rcv, double snd);

/* Send F (with memfd FD or -1, closed here) blocking, for
 * prospero_call_wait: SO_SNDTIMEO bounds the wait (EAGAIN). */
int pr_chan_send_wait(struct prospero_binding *b, const struct pf_frame *f, int fd);
/* One blocking read for prospero_call_wait, honouring the socket's
 * SO_RCVTIMEO: 1 a datagram was handled, 0 none came (EAGAIN or EINTR in
 * errno), -1 the channel is finished. */
int pr_chan_read_wait(struct prospero_binding *b);

/* linger.c: waiting on one socket when the loop has only it to wait for */
/* B answered a call just now: read B's next calls blocking while P may
 * linger. As pr_chan_read_wait: the last read's 1, 0 or -1. */
int pr_linger_served(struct prospero_binding *b);
/* The loop is about to wait: if calls on one binding are all P waits
 * for, read their answers there, blocking, while P may linger. */
void pr_linger_calls(struct prospero *p);
/* P's idle watcher "lingered": having read answers before the loop's
 * wait, the loop must not then block, as if nothing had happened (an
 * EVRUN_ONCE caller waits for progress); an active idle watcher makes its
 * wait a look. It stops itself. */
void pr_linger_done(struct ev_loop *loop, ev_idle *w, int revents);

/* call.c: the client side of a binding */
int pr_call_dispatch(struct prospero_binding *b, const struct pf_frame *f, const void *body);
void pr_call_fail_all(struct prospero_binding *b, int code, const char *why);
/* The service behind B ended (at AT, CLOCK_MONOTONIC ns; 0 unknown)
 * before its INCARNATION (0: unknown) started: fail B's calls sent before
 * AT, once per notice. True when this notice was news. */
bool pr_call_peer_restarted(struct prospero_binding *b, unsigned long incarnation, uint64_t at);
/* CLOCK_MONOTONIC in ns. */
uint64_t pr_mono_ns(void);

/* serve.c: the service side */
void pr_serve_dispatch(struct prospero_binding *b, const struct pf_frame *f, const void *body);
void pr_serve_reject(struct prospero_binding *b, uint64_t id, int code, const char *why);

/* memfd.c: bodies too large for a datagram */
int pr_memfd_make(const void *body, size_t len);
/* Map the sealed memfd FD holding LEN bytes; NULL with errno on a memfd
 * that is not sealed against change or is too short. */
void *pr_memfd_map(int fd, size_t len);

/* actor.c */
void pr_check_stopped(struct prospero *p);

#endif
