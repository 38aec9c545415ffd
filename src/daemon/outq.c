/* The daemon's stdout; see outq.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/daemon/outq.h"
#include "src/daemon/timer.h"
#include "src/proto/plural.h"

/* Names in the report line; the rest are counted as "N more". */
#define REPORT_NAMES 8

static void on_writable(struct ev_loop *loop, ev_io *w, int revents);
static void on_stall(struct ev_loop *loop, ev_timer *w, int revents);

int outq_nonblocking_fd(int fd, bool *is_socket)
{
	struct stat st;
	char path[64];
	int own;

	*is_socket = false;
	if (fstat(fd, &st) < 0)
		return fd;	/* closed: writes fail and are dropped */
	if (S_ISSOCK(st.st_mode)) {
		*is_socket = true;
		return fd;
	}
	if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
		return fd;	/* a regular file does not stall */
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	own = open(path, O_WRONLY | O_APPEND | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	return own < 0 ? fd : own;	/* no /proc: blocking writes, as before */
}

int outq_open(struct outq *q, struct ev_loop *loop, int fd, size_t nsrc)
{
	*q = (struct outq){ .loop = loop, .fd = -1, .cap = nsrc ? nsrc : 1 };
	q->buf = malloc(OUTQ_HARD);
	q->droppers = calloc(q->cap, sizeof *q->droppers);
	q->waiting = calloc(q->cap, sizeof *q->waiting);
	if (!q->buf || !q->droppers || !q->waiting) {
		outq_close(q);
		errno = ENOMEM;
		return -1;
	}
	q->fd = outq_nonblocking_fd(fd, &q->is_socket);
	q->own_fd = q->fd != fd;
	ev_io_init(&q->writable, on_writable, q->fd, EV_WRITE);
	q->writable.data = q;
	ev_timer_init(&q->stall, on_stall, 0., (double)OUTQ_STALL_MS / 1000.);
	q->stall.data = q;
	return 0;
}

/* One write without waiting: how much went (all of it on an error other
 * than EAGAIN: the lines are lost as on a closed stdout), 0 to wait. */
static size_t write_once(struct outq *q, const char *p, size_t n)
{
	ssize_t w;

	do
		w = q->is_socket ? send(q->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) : write(q->fd, p, n);
	while (w < 0 && errno == EINTR);
	if (w < 0 && errno != EAGAIN)
		return n;
	return w < 0 ? 0 : (size_t)w;
}

/* Bytes written without waiting, in whole lines of at most PIPE_BUF
 * bytes: a pipe takes such a write whole or not at all, so the daemon's
 * own stderr lines, when stderr is the same pipe or terminal, never land
 * inside an actor's line. A longer line goes in pieces. */
static size_t try_write(struct outq *q, const char *p, size_t n)
{
	size_t done = 0;

	if (!q->own_fd && !q->is_socket)
		return write_once(q, p, n);	/* a regular file takes it all */
	while (done < n) {
		size_t chunk = n - done < PIPE_BUF ? n - done : PIPE_BUF;
		const char *nl = memrchr(p + done, '\n', chunk);
		size_t w;

		if (nl)
			chunk = (size_t)(nl - (p + done)) + 1;
		w = write_once(q, p + done, chunk);
		done += w;
		if (w < chunk)
			break;
	}
	return done;
}

void outq_close(struct outq *q)
{
	if (q->len && q->fd >= 0)
		try_write(q, q->buf + q->off, q->len);
	if (q->loop) {
		ev_io_stop(q->loop, &q->writable);
		ev_timer_stop(q->loop, &q->stall);
	}
	if (q->own_fd)
		close(q->fd);
	free(q->buf);
	free(q->droppers);
	free(q->waiting);
	*q = (struct outq){ .fd = -1 };
}

bool outq_full(const struct outq *q)
{
	return !q->stalled && q->len >= OUTQ_SOFT;
}

static void resume_readers(struct outq *q)
{
	for (size_t i = 0; i < q->nwaiting; i++)
		ev_io_start(q->loop, q->waiting[i]);
	q->nwaiting = 0;
}

void outq_wait(struct outq *q, ev_io *w)
{
	if (!q->loop || q->nwaiting == q->cap)
		return;
	ev_io_stop(q->loop, w);
	q->waiting[q->nwaiting++] = w;
}

static void drop(struct outq *q, struct outq_src *src)
{
	q->dropped++;
	if (src->dropped++ == 0 && q->ndroppers < q->cap)
		q->droppers[q->ndroppers++] = src;
}

/* Append without any check but the hard bound. */
static bool append(struct outq *q, const char *p, size_t n)
{
	if (q->len + n > OUTQ_HARD)
		return false;
	if (q->off + q->len + n > OUTQ_HARD) {
		memmove(q->buf, q->buf + q->off, q->len);
		q->off = 0;
	}
	memcpy(q->buf + q->off + q->len, p, n);
	q->len += n;
	return true;
}

void outq_put(struct outq *q, struct outq_src *src, const char *line, size_t n)
{
	if (q->stalled || !append(q, line, n))
		drop(q, src);
}

void outq_push(struct outq *q)
{
	size_t n;

	if (q->len == 0 || (q->loop && ev_is_active(&q->writable)))
		return;	/* nothing to write, or waiting to be writable */
	n = try_write(q, q->buf + q->off, q->len);
	q->off += n;
	q->len -= n;
	if (q->len == 0) {
		q->off = 0;
	} else if (q->loop) {
		ev_io_start(q->loop, &q->writable);
		timer_again(q->loop, &q->stall);
	}
}

static int by_count(const void *a, const void *b)
{
	unsigned long x = (*(struct outq_src *const *)a)->dropped, y = (*(struct outq_src *const *)b)->dropped;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* "prospero: 1234 lines dropped while stdout was stalled (payment 1200, driver 34)" */
static void report_drops(struct outq *q)
{
	char line[1024];
	size_t n, shown = q->ndroppers < REPORT_NAMES ? q->ndroppers : REPORT_NAMES;

	qsort(q->droppers, q->ndroppers, sizeof *q->droppers, by_count);
	n = (size_t)snprintf(line, sizeof line, "prospero: %lu %s dropped while stdout was stalled (",
			     q->dropped, plural(q->dropped, "line", "lines"));
	for (size_t i = 0; i < q->ndroppers; i++) {
		if (i < shown && n < sizeof line)
			n += (size_t)snprintf(line + n, sizeof line - n, "%s%s %lu", i ? ", " : "",
					      q->droppers[i]->name, q->droppers[i]->dropped);
		q->droppers[i]->dropped = 0;
	}
	if (q->ndroppers > shown && n < sizeof line)
		n += (size_t)snprintf(line + n, sizeof line - n, " and %zu more", q->ndroppers - shown);
	if (n < sizeof line)
		n += (size_t)snprintf(line + n, sizeof line - n, ")\n");
	if (n >= sizeof line) {
		n = sizeof line;
		line[n - 1] = '\n';
	}
	append(q, line, n);
	q->dropped = 0;
	q->ndroppers = 0;
}

static void on_writable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct outq *q = w->data;
	size_t n = try_write(q, q->buf + q->off, q->len);

	if (n == 0)
		return;
	q->off += n;
	q->len -= n;
	if (q->stalled) {
		/* flowing again: the report goes where the gap is */
		q->stalled = false;
		if (q->dropped)
			report_drops(q);
	}
	if (q->len == 0) {
		q->off = 0;
		ev_io_stop(loop, &q->writable);
		ev_timer_stop(loop, &q->stall);
	} else {
		timer_again(loop, &q->stall);
	}
	if (q->len < OUTQ_SOFT / 2)
		resume_readers(q);
}

static void on_stall(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct outq *q = w->data;

	/* read the actors again, dropping what they say, so none of them
	 * blocks on its own output for a reader that does not read */
	ev_timer_stop(loop, w);
	q->stalled = true;
	resume_readers(q);
}
