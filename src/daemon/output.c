#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/daemon/output.h"
#include "src/proto/utf8.h"

int output_open(struct output *o, const char *prefix)
{
	int p[2];

	o->rfd = o->wfd = -1;
	o->src = (struct outq_src){ .name = prefix };
	o->on_line = NULL;
	o->partial = NULL;
	o->npartial = 0;
	o->cut = o->midline = false;
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

/* One line as it goes out: "<N>" (kept in front), the prefix, the text
 * with control characters escaped, a newline. */
struct line {
	size_t n;
	char buf[3 + OUTPUT_MAX_PREFIX + 2 + OUTPUT_MAX_LINE * 4 + 2];	/* every byte escaped */
};

static void line_put(struct line *l, const char *p, size_t n)
{
	memcpy(l->buf + l->n, p, n);
	l->n += n;
}

static size_t hex_escape(char *e, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	e[0] = '\\';
	e[1] = 'x';
	e[2] = hex[c >> 4];
	e[3] = hex[c & 15];
	return 4;
}

size_t output_escape(char *dst, size_t cap, const char *src, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		char e[8];
		size_t ne;

		if ((c >= 0x20 && c != 0x7f && c != 0xc2) || c == '\t') {
			if (out + 1 >= cap)
				break;
			dst[out++] = (char)c;	/* most bytes: no escape to weigh */
			continue;
		}
		if (c == 0 || c == '\r') {
			e[0] = '\\';
			e[1] = c == 0 ? '0' : 'r';
			ne = 2;
		} else if (c != 0xc2) {
			ne = hex_escape(e, c);
		} else if (i + 1 < n && pp_utf8_c1(c, (unsigned char)src[i + 1])) {
			ne = hex_escape(e, c);
			ne += hex_escape(e + ne, (unsigned char)src[++i]);
		} else {
			e[0] = (char)c;
			ne = 1;
		}
		if (out + ne >= cap)
			break;	/* never half an escape */
		memcpy(dst + out, e, ne);
		out += ne;
	}
	if (cap)
		dst[out] = '\0';
	return out;
}

static void emit_line(struct output *o, struct outq *q, const char *a, size_t na,
		      const char *b, size_t nb)
{
	struct line l = { 0 };
#define AT(i) ((i) < na ? a[i] : b[(i) - na])

	/* a priority begins a line the actor wrote, not the piece after a
	 * cut; its bytes may lie across the two */
	if (!o->midline && na + nb >= 3 && AT(0) == '<' && AT(1) >= '0' && AT(1) <= '7' && AT(2) == '>') {
		/* at most an error: <0> (emerg) journald writes on every
		 * logged-in terminal, and alert and crit page an operator */
		char pri[3] = { '<', AT(1) < '3' ? '3' : AT(1), '>' };
		size_t from_a = na < 3 ? na : 3;

		line_put(&l, pri, 3);
		a += from_a;
		na -= from_a;
		b += 3 - from_a;
		nb -= 3 - from_a;
	}
#undef AT
	line_put(&l, o->src.name, strnlen(o->src.name, OUTPUT_MAX_PREFIX));
	line_put(&l, ": ", 2);
	/* the buffer holds every byte escaped, and the NUL */
	size_t text = l.n;
	/* a C1 control that a read split between the two pieces */
	bool split = na && nb && pp_utf8_c1((unsigned char)a[na - 1], (unsigned char)b[0]);
	char pair[2] = { split ? a[na - 1] : 0, split ? b[0] : 0 };

	l.n += output_escape(l.buf + l.n, sizeof l.buf - l.n, a, na - split);
	l.n += output_escape(l.buf + l.n, sizeof l.buf - l.n, pair, split ? 2 : 0);
	l.n += output_escape(l.buf + l.n, sizeof l.buf - l.n, b + split, nb - split);
	size_t ntext = l.n - text;
	line_put(&l, "\n", 1);
	outq_put(q, &o->src, l.buf, l.n);
	if (o->on_line)	/* escaped once, for stdout and for it alike */
		o->on_line(o->line_arg, l.buf + text, ntext);
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

/* The bytes at the end of a piece (A then B) that begin a UTF-8
 * character the piece does not hold whole: 0 to 3. A journal keeps a
 * line that is not UTF-8 as binary data, so a cut goes before them. */
static size_t utf8_cut_back(const char *a, size_t na, const char *b, size_t nb)
{
	for (size_t i = 1; i <= 3 && i <= na + nb; i++) {
		size_t at = na + nb - i;
		unsigned char c = (unsigned char)(at < na ? a[at] : b[at - na]);
		size_t need = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;

		if ((c & 0xc0) == 0x80)
			continue;	/* a continuation byte: its lead is further back */
		return need > i ? i : 0;
	}
	return 0;
}

void output_split(struct output *o, struct outq *q, const char *p, size_t n)
{
	const char *end = p + n;

	while (p < end) {
		/* a newline right after a line put out unfinished (there was
		 * no memory to keep it) ends that line: it starts no empty one */
		if (o->cut) {
			o->cut = false;
			if (*p == '\n') {
				o->midline = false;
				p++;
				continue;
			}
		}
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t room = OUTPUT_MAX_LINE - o->npartial;
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (!nl && len < room) {
			if (keep_partial(o, p, len) < 0) {
				emit_line(o, q, o->partial, o->npartial, p, len);
				o->npartial = 0;
				o->cut = o->midline = true;
			}
			break;
		}
		/* an overlong line is cut; so is one that fills the limit with
		 * a character it cannot hold whole, newline or not, so that
		 * the pieces are the same however the reads fall */
		if (len >= room) {
			size_t back = utf8_cut_back(o->partial, o->npartial, p, room);

			if (back > room) {	/* the character began in what was kept */
				size_t keep = back - room;

				emit_line(o, q, o->partial, o->npartial - keep, p, 0);
				memmove(o->partial, o->partial + o->npartial - keep, keep);
				o->npartial = keep;
				o->midline = true;
				continue;
			}
			len = room - back;
		}
		emit_line(o, q, o->partial, o->npartial, p, len);
		o->npartial = 0;
		o->cut = o->midline = !(nl && p + len == nl);
		p += len + !o->cut;
	}
}

int output_drain(struct output *o, struct outq *q)
{
	/* one large read for many lines; on the stack, not static, so the
	 * module holds no state of its own */
	char in[65536];
	int rc = 0;

	/* a few reads at most: an actor writing without end (cat /dev/zero)
	 * must not keep the loop from everything else */
	for (int reads = 0; reads < OUTPUT_READS; reads++) {
		if (outq_full(q)) {
			rc = 1;
			break;
		}
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
		output_split(o, q, in, (size_t)r);
		if (r < (ssize_t)sizeof in)
			break;	/* drained: skip the read that would say EAGAIN */
	}
	outq_push(q);
	if (o->npartial == 0 && o->partial) {
		free(o->partial);
		o->partial = NULL;
	}
	return rc;
}

void output_flush(struct output *o, struct outq *q)
{
	o->cut = false;	/* the next instance's first newline is a line of its own */
	if (o->npartial == 0) {
		o->midline = false;
		return;
	}
	emit_line(o, q, o->partial, o->npartial, "", 0);
	o->midline = false;
	outq_push(q);
	o->npartial = 0;
	free(o->partial);
	o->partial = NULL;
}
