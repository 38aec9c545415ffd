/* The daemon's stdout, where every actor's lines go: written without ever
 * blocking the loop, through a bounded buffer.
 *
 * A reader that is slow but moving gets every line: when the buffer fills,
 * the actors' pipes are no longer read (outq_wait), so they wait in their
 * own writes as they would on a slow terminal. A reader that makes no
 * progress for OUTQ_STALL_MS is stalled: the actors' output is read again
 * and whole lines are dropped and counted per sender; when output flows
 * again one line says how many were lost, and whose.
 *
 * stdout may be an open file shared with other processes (a terminal, a
 * pipe to a shell): its O_NONBLOCK is not ours to set. A socket (the
 * journal) is written with MSG_DONTWAIT; a pipe, FIFO or terminal is
 * opened again through /proc/self/fd, which makes a file description of
 * our own to set O_NONBLOCK on; a regular file is written as it is. */
#ifndef PROSPERO_DAEMON_OUTQ_H
#define PROSPERO_DAEMON_OUTQ_H

#include <stdbool.h>
#include <stddef.h>

#include <ev.h>

#define OUTQ_SOFT (256u * 1024)		/* past this, actors' pipes are not read */
#define OUTQ_HARD (1024u * 1024)	/* past this, a line is dropped */
#define OUTQ_STALL_MS 2000		/* no progress this long: the reader is stalled */

/* A sender of lines: one per actor instance. */
struct outq_src {
	const char *name;
	unsigned long dropped;		/* lines lost since the last report */
};

struct outq {
	struct ev_loop *loop;		/* NULL: no watchers (a unit test's pipe) */
	int fd;
	bool own_fd;			/* a description of our own, closed at the end */
	bool is_socket;
	bool stalled;
	char *buf;			/* OUTQ_HARD bytes; the queue is buf[off, off + len) */
	size_t off, len;
	unsigned long dropped;		/* lines lost since the last report */
	struct outq_src **droppers;	/* who lost them */
	size_t ndroppers, cap;
	ev_io **waiting;		/* actors' pipe watchers stopped while full */
	size_t nwaiting;
	ev_io writable;
	ev_timer stall;
};

/* What to write FD through without blocking or touching a shared file
 * description: FD itself (a socket: *IS_SOCKET, send with MSG_DONTWAIT; a
 * regular file), or a new O_NONBLOCK description of the same pipe, FIFO
 * or terminal. */
int outq_nonblocking_fd(int fd, bool *is_socket);
/* Write to FD (usually STDOUT_FILENO) for up to NSRC senders. -1 with errno. */
int outq_open(struct outq *q, struct ev_loop *loop, int fd, size_t nsrc);
/* One last try to write what is queued, without waiting; then free it all. */
void outq_close(struct outq *q);

/* The buffer is past OUTQ_SOFT and the reader is not stalled: read no more. */
bool outq_full(const struct outq *q);
/* Queue one whole line (with its newline) from SRC, or drop it. */
void outq_put(struct outq *q, struct outq_src *src, const char *line, size_t n);
/* Write what is queued, as far as the reader takes it now; the rest is
 * written when stdout is writable again. */
void outq_push(struct outq *q);
/* Stop W (a pipe's read watcher) until the buffer has room again. */
void outq_wait(struct outq *q, ev_io *w);

#endif
