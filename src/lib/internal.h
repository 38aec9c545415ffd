/* What the files of libprospero share; not installed. */
#ifndef PROSPERO_LIB_INTERNAL_H
#define PROSPERO_LIB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "src/lib/frame.h"
#include "src/lib/prospero.h"

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
	ev_timer watchdog;
	ev_signal sigterm;
	ev_idle stop_check;
	void (*on_stop)(struct prospero *, void *);
	void *stop_arg;
	void (*on_peer_restarted)(struct prospero *, const char *, unsigned long, void *);
	void *restart_arg;
	struct pr_dgram *free_dgrams;
	/* one receive buffer and one fd array: the library is single-threaded */
	unsigned char rx[PF_MAX_DGRAM];
	unsigned char tx[PF_MAX_DGRAM];
};

/* channel.c: datagrams in and out of one socket */
struct prospero_binding *pr_chan_new(struct prospero *p, const char *name, int fd, bool serve);
void pr_chan_free(struct prospero_binding *b);
void pr_chan_start(struct prospero_binding *b);
/* Send frame F (with memfd FD or -1) now, or queue it; FORCE queues beyond
 * the high mark (replies must not be lost). */
int pr_chan_send(struct prospero_binding *b, const struct pf_frame *f, int fd, bool force);
bool pr_chan_idle(const struct prospero_binding *b);

/* call.c: the client side of a binding */
int pr_call_dispatch(struct prospero_binding *b, const struct pf_frame *f, const void *body);
void pr_call_fail_all(struct prospero_binding *b, int code, const char *why);

/* serve.c: the service side */
void pr_serve_dispatch(struct prospero_binding *b, const struct pf_frame *f, const void *body);
void pr_serve_reject(struct prospero_binding *b, uint64_t id, int code, const char *why);

/* memfd.c: bodies too large for a datagram */
int pr_memfd_make(const void *body, size_t len);
/* Map the sealed memfd FD holding LEN bytes; NULL with errno on a memfd
 * that is not sealed against change or is too short. */
void *pr_memfd_map(int fd, size_t len);

/* control.c: the daemon's datagrams to the actor */
/* Parse "PEER_RESTARTED=NAME\nINCARNATION=n\n": 1 with NAME in name (cap
 * bytes) and n in *inc, 0 for other messages. */
int pr_control_parse(const char *msg, size_t len, char *name, size_t cap, unsigned long *inc);

/* actor.c */
void pr_check_stopped(struct prospero *p);

#endif
