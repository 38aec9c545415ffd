/* The transport: SOCK_SEQPACKET channels, datagrams out (sent at once,
 * or queued and coalesced while the socket is full) and datagrams in
 * (split into frames). It knows nothing of calls or serving; what its
 * owner must hear it says through struct pr_chan_ops. */
#ifndef PROSPERO_LIB_CHANNEL_H
#define PROSPERO_LIB_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "src/proto/frame.h"

/* Above this many queued datagrams a channel refuses new frames unless
 * forced (replies must not be lost). */
#define PR_QUEUE_HIGH 64u

/* A datagram waiting for the socket to take it. */
struct pr_dgram {
	struct pr_dgram *next;
	size_t len;
	uint64_t last;		/* the number of its last frame (pr_chan.frames) */
	int fd;			/* a memfd body to pass along, or -1 */
	unsigned char buf[PF_MAX_DGRAM];
};

struct pr_chan;

/* What a channel tells its owner: frame always, the others when set. */
struct pr_chan_ops {
	/* A frame arrived: BODY inline, or mapped from its memfd. */
	void (*frame)(struct pr_chan *c, const struct pf_frame *f, const void *body);
	/* The first datagram of a wake-up was answered at once (c->sent):
	 * the owner may read on its own way; the last read's 1, 0 or -1,
	 * as pr_chan_read_wait's. */
	int (*answered)(struct pr_chan *c);
	/* A wake-up's reads are done; the owner may pause reading. */
	void (*read_done)(struct pr_chan *c);
	/* Queued datagrams went out; DRAINED: a full queue is down to half. */
	void (*sent)(struct pr_chan *c, bool drained);
	/* Queued frames up to number LAST left for the socket (or were
	 * refused for good) at AT (pr_mono_ns, read just before the write):
	 * from the queue's every path, pr_chan_drain included. */
	void (*wrote)(struct pr_chan *c, uint64_t last, uint64_t at);
};

/* What the channels of one actor share: the loop, one receive and one
 * transmit buffer (the library is single-threaded; they are only address
 * space until a datagram that large passes), spare datagrams, and the
 * flush before the loop waits. */
struct pr_port {
	struct ev_loop *loop;
	struct pr_chan *head, *tail;	/* in the order they were added */
	struct pr_dgram *free_dgrams;
	ev_prepare flusher;
	/* run after the flush, just before the loop waits */
	void (*before_wait)(struct pr_port *port);
	/* Callbacks of the loop's into the port running now, nested
	 * (pr_port_enter): an owner that closes inside one must wait for the
	 * outermost to return, since each holds the channels. */
	unsigned depth;
	bool closed;		/* closed meanwhile: read and dispatch nothing more */
	void (*on_close)(struct pr_port *port);	/* the close, once depth is 0 */
	unsigned char rx[PF_MAX_DGRAM], tx[PF_MAX_DGRAM];
};

struct pr_chan {
	struct pr_port *port;
	const struct pr_chan_ops *ops;
	struct pr_chan *next;
	int fd;
	bool coalesce;
	bool sent;		/* sent during the current read callback */
	bool full;		/* reached PR_QUEUE_HIGH; tell ops->sent at half */
	bool gone;		/* a send found the other end closed: EPIPE from now on */
	/* Reads whatever its queue holds (a client's end: its replies must
	 * be read), so the errors it owes nobody, answers to calls sent to
	 * it, are dropped while the queue is full, not queued without end. */
	bool reads_on;
	uint8_t look_skip, look_backoff;	/* see read_on() in channel.c */
	ev_io rio, wio;
	struct pr_dgram *qhead, *qtail;
	unsigned qlen;
	/* SO_RCVTIMEO and SO_SNDTIMEO as set, or 0 */
	double rcv_timeout, snd_timeout;
	/* Frames are numbered as they are sent or queued, from 1, and go to
	 * the socket in that order: FRAMES is the last one's number, WRITTEN
	 * that of the last one written. A frame pr_chan_send took is in the
	 * socket when WRITTEN == FRAMES right after, else queued. */
	uint64_t frames, written;
};

void pr_port_init(struct pr_port *port, struct ev_loop *loop, void (*before_wait)(struct pr_port *));
/* After every channel is gone. */
void pr_port_fini(struct pr_port *port);
/* Offer every queue not waiting for room to its socket. */
void pr_port_flush(struct pr_port *port);
/* Flush, and run before_wait, before the loop next waits. */
void pr_port_wake(struct pr_port *port);
/* Around whatever may run the owner's callbacks: every watcher's
 * callback, and the owner's own blocking calls. When the owner closed
 * inside (CLOSED set), the outermost leave runs on_close, which may free
 * PORT: touch nothing of it after pr_port_leave. */
void pr_port_enter(struct pr_port *port);
void pr_port_leave(struct pr_port *port);

/* Set C up on FD (adopted: pr_chan_fini closes it) as the last of PORT's
 * channels; it reads nothing until pr_chan_start. */
void pr_chan_init(struct pr_chan *c, struct pr_port *port, int fd, const struct pr_chan_ops *ops);
/* Offer the queue to the socket once more, drop what it would not
 * take, close the fd and leave the port. */
void pr_chan_fini(struct pr_chan *c);
/* Give C's fd back, unread: pr_chan_fini will not close it. Only before
 * anything was sent on C. */
void pr_chan_disown(struct pr_chan *c);
/* Read C from the loop; nothing once its port is closed. */
void pr_chan_start(struct pr_chan *c);
void pr_chan_pause(struct pr_chan *c);

/* CLOCK_MONOTONIC in ns. */
uint64_t pr_mono_ns(void);

/* Send frame F (with memfd FD or -1, closed here either way) now, or
 * queue it; FORCE queues beyond PR_QUEUE_HIGH. -1 with errno: EAGAIN
 * for a full queue, or the socket's error. */
int pr_chan_send(struct pr_chan *c, const struct pf_frame *f, int fd, bool force);
/* Answer call ID with an error frame (CODE, WHY), queued if need be
 * (unless C reads on and its queue is full: dropped); nothing for ID 0,
 * which no call has. */
void pr_chan_send_error(struct pr_chan *c, uint64_t id, int code, const char *why);
/* Offer C's queue to the socket now, no callbacks; stops when it is full. */
void pr_chan_drain(struct pr_chan *c);
/* Set SO_RCVTIMEO to RCV and, when SND > 0, SO_SNDTIMEO to SND seconds;
 * a value already set costs nothing. */
int pr_chan_timeouts(struct pr_chan *c, double rcv, double snd);
/* Send F (with memfd FD or -1, closed here) blocking: SO_SNDTIMEO bounds
 * the wait (EAGAIN). */
int pr_chan_send_wait(struct pr_chan *c, const struct pf_frame *f, int fd);
/* One blocking read, honouring SO_RCVTIMEO: 1 a datagram was handled, 0
 * none came (EAGAIN or EINTR in errno), -1 the channel is finished. */
int pr_chan_read_wait(struct pr_chan *c);

#endif
