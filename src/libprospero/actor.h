/* The actor: its bindings and the state that spans them. The top layer
 * of libprospero; the layers below (serve.h and call.h over channel.h)
 * know nothing of it and reach it only through the hooks it gives them.
 * Not installed. */
#ifndef PROSPERO_LIB_ACTOR_H
#define PROSPERO_LIB_ACTOR_H

#include <stdbool.h>
#include <stddef.h>

#include <ev.h>

#include "src/libprospero/call.h"
#include "src/libprospero/channel.h"
#include "src/libprospero/prospero.h"
#include "src/libprospero/serve.h"

#define pr_container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* An outgoing binding, or an edge the actor serves. */
struct prospero_binding {
	struct pr_chan chan;		/* the transport */
	struct pr_calls calls;		/* calls made on an outgoing binding */
	struct prospero *p;
	char *name;			/* binding NAME, or the client's name for a served edge */
	bool serve;
	void (*on_writable)(struct prospero_binding *, void *);
	void *wr_arg;
};

struct prospero {
	struct pr_server server;
	int control_fd;
	ev_io control_io;
	bool serving, stopping, stopped;
	bool closing;		/* prospero_close was called: no new call */
	double linger;		/* prospero_linger's seconds; 0: off */
	ev_idle lingered;	/* the loop must not wait after lingering */
	ev_timer watchdog;
	ev_signal sigterm;
	ev_idle stop_check;
	void (*on_stop)(struct prospero *, void *);
	void *stop_arg;
	void (*on_peer_restarted)(struct prospero *, const char *, unsigned long, void *);
	void *restart_arg;
	struct pr_port port;	/* the loop, and the bindings' channels; last:
				 * its buffers are large */
};

/* The binding whose transport C is, or NULL for NULL. */
static inline struct prospero_binding *pr_binding_of(struct pr_chan *c)
{
	return c ? pr_container_of(c, struct prospero_binding, chan) : NULL;
}

/* P's bindings, in the order they were adopted: its port's channels. */
static inline struct prospero_binding *pr_first_binding(const struct prospero *p)
{
	return pr_binding_of(p->port.head);
}

static inline struct prospero_binding *pr_next_binding(const struct prospero_binding *b)
{
	return pr_binding_of(b->chan.next);
}

/* binding.c */
/* A binding of P on FD (adopted), called NAME; SERVE for an edge it serves. */
struct prospero_binding *pr_binding_new(struct prospero *p, const char *name, int fd, bool serve);
/* Fail its calls (UNAVAILABLE), offer its queue once more, close it. */
void pr_binding_free(struct prospero_binding *b);
/* Whether frames written on B wait unread by its peer, in the socket or
 * still in B's own queue (for prospero-queue, which must tell a peer
 * that is down from one that is slow): 1, 0, or -1 with errno. */
int pr_binding_unread(const struct prospero_binding *b);

/* control.c: the channel to the daemon */
/* Read the daemon's messages from FD (adopted). */
void pr_control_open(struct prospero *p, int fd);
void pr_control_close(struct prospero *p);
/* MSG on the control channel, else to $NOTIFY_SOCKET: 0 sent or nobody
 * to tell, -1 with errno. */
int pr_notify(struct prospero *p, const char *msg);

/* linger.c */
/* B answered a call just now: read B's next calls blocking while P may
 * linger. As pr_chan_read_wait: the last read's 1, 0 or -1. */
int pr_linger_served(struct prospero_binding *b);
/* P's port is about to let the loop wait: if calls on one binding are
 * all P waits for, read their answers there, blocking, while P may
 * linger. */
void pr_linger_calls(struct pr_port *port);
/* P's idle watcher "lingered": having read answers before the loop's
 * wait, the loop must not then block, as if nothing had happened (an
 * EVRUN_ONCE caller waits for progress); an active idle watcher makes its
 * wait a look. It stops itself. */
void pr_linger_done(struct ev_loop *loop, ev_idle *w, int revents);

/* stop.c */
/* If P is stopping, see (from an idle watcher) whether it is done. */
void pr_check_stopped(struct prospero *p);
void pr_stop_fini(struct prospero *p);

#endif
