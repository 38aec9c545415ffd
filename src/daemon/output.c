#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/daemon/output.h"

int output_open(struct output *o, const char *prefix)
{
	int p[2];

	o->rfd = o->wfd = -1;
	o->prefix = prefix;
	o->on_line = NULL;
	o->partial = NULL;
	o->npartial = 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
		int saved = errno;
		close(p[0]);
		close(p[1]);
		errno = saved;
		return -1;
	}
	o->rfd = p[0];
	o->wfd = p[1];
	return 0;
}

void output_close(struct output *o)
{
	if (o->rfd >= 0)
		close(o->rfd);
	if (o->wfd >= 0)
		close(o->wfd);
	free(o->partial);
	o->partial = NULL;
	o->rfd = o->wfd = -1;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;	/* stdout gone: the daemon keeps supervising */
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Batches prefixed lines into one write. */
struct sink {
	int fd;
	size_t n;
	char buf[16384];
};

static void sink_put(struct sink *s, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (s->n + n > sizeof s->buf) {
		write_all(s->fd, s->buf, s->n);
		s->n = 0;
	}
	if (n > sizeof s->buf) {
		write_all(s->fd, p, n);
		return;
	}
	memcpy(s->buf + s->n, p, n);
	s->n += n;
}

/* "<N>text" keeps its sd-daemon priority in front of the prefix. */
static void emit_line(struct sink *s, const struct output *o, const char *a, size_t na,
		      const char *b, size_t nb)
{
	const char *first = na ? a : b;
	size_t nfirst = na ? na : nb;

	if (nfirst >= 3 && first[0] == '<' && first[1] >= '0' && first[1] <= '7' && first[2] == '>') {
		sink_put(s, first, 3);
		if (na) { a += 3; na -= 3; } else { b += 3; nb -= 3; }
	}
	sink_put(s, o->prefix, strlen(o->prefix));
	sink_put(s, ": ", 2);
	sink_put(s, a, na);
	sink_put(s, b, nb);
	sink_put(s, "\n", 1);
	if (o->on_line)
		o->on_line(o->line_arg, a, na, b, nb);
}

static int keep_partial(struct output *o, const char *p, size_t n)
{
	if (!o->partial) {
		o->partial = malloc(OUTPUT_MAX_LINE);
		if (!o->partial)
			return -1;
	}
	memcpy(o->partial + o->npartial, p, n);
	o->npartial += n;
	return 0;
}

int output_drain(struct output *o, int out_fd)
{
	/* one large read for many lines; on the stack, not static, so the
	 * module holds no state of its own */
	char in[65536];
	struct sink s = { .fd = out_fd };
	int rc = 0;

	for (;;) {
		ssize_t r = read(o->rfd, in, sizeof in);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				rc = -1;
			break;
		}
		if (r == 0)
			break;
		const char *p = in, *end = in + r;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t room = OUTPUT_MAX_LINE - o->npartial;
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			if (!nl && len < room) {
				if (keep_partial(o, p, len) < 0) {
					emit_line(&s, o, o->partial, o->npartial, p, len);
					o->npartial = 0;
				}
				break;
			}
			if (len > room)
				len = room;	/* an overlong line: cut it */
			emit_line(&s, o, o->partial, o->npartial, p, len);
			o->npartial = 0;
			p += len + (nl && p + len == nl);
		}
		if (r < (ssize_t)sizeof in)
			break;	/* drained: skip the read that would say EAGAIN */
	}
	write_all(out_fd, s.buf, s.n);
	if (o->npartial == 0 && o->partial) {
		free(o->partial);
		o->partial = NULL;
	}
	return rc;
}

void output_flush(struct output *o, int out_fd)
{
	struct sink s = { .fd = out_fd };

	if (o->npartial == 0)
		return;
	emit_line(&s, o, o->partial, o->npartial, "", 0);
	write_all(out_fd, s.buf, s.n);
	o->npartial = 0;
	free(o->partial);
	o->partial = NULL;
}
