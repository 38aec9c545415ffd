#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "src/daemon/log.h"
#include "src/daemon/outq.h"
#include "src/proto/plural.h"

/* The settings of stderr, which is itself one per process: written once
 * by log_init (and log_nonblocking) before the loop runs, only read
 * after, so the daemon's parts log without being handed its context;
 * but for the count of lines a stalled reader made us drop. */
static const char *prog = "prospero";
static bool journal;
static int err_fd = STDERR_FILENO;
static bool err_socket;
static unsigned long err_dropped;

bool log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	/* systemd sets "DEV:INO" of the stream it gave us; it is inherited
	 * too by whatever stderr was redirected to since, so compare */
	if (!js || sscanf(js, "%llu:%llu%c", &dev, &ino, &end) != 2 || fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(const char *name)
{
	prog = name;
	journal = log_stderr_is_journal();
}

void log_nonblocking(void)
{
	err_fd = outq_nonblocking_fd(STDERR_FILENO, &err_socket);
}

/* One line, in one call so lines stay whole when several writers share
 * stderr; false if it would have blocked. */
static bool put_line(enum log_level lvl, const char *line, size_t len)
{
	char pri[4] = { '<', (char)('0' + lvl), '>', 0 };
	struct iovec iov[3] = {
		{ .iov_base = pri, .iov_len = journal ? 3 : 0 },
		{ .iov_base = (void *)line, .iov_len = len },
		{ .iov_base = "\n", .iov_len = 1 },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 3 };
	ssize_t w;

	do
		w = err_socket ? sendmsg(err_fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) : writev(err_fd, iov, 3);
	while (w < 0 && errno == EINTR);
	return w >= 0 || errno != EAGAIN;
}

/* Lines held back while the daemon restarts actors (log_hold): each
 * with its level and length before it. */
static char held[8192];
static size_t held_len;
static int holds;

struct held_head {
	enum log_level lvl;
	int len;
};

static void put_or_count(enum log_level lvl, const char *line, int len);

void log_hold(void)
{
	holds++;
}

static void flush_held(void)
{
	struct held_head h;

	for (size_t off = 0; off < held_len; off += sizeof h + (size_t)h.len) {
		memcpy(&h, held + off, sizeof h);
		put_or_count(h.lvl, held + off + sizeof h, h.len);
	}
	held_len = 0;
}

void log_release(void)
{
	if (holds > 0 && --holds == 0)
		flush_held();
}

void log_line(enum log_level lvl, const char *line, int len)
{
	struct held_head h = { lvl, len };
	int saved = errno;

	if (!holds) {
		put_or_count(lvl, line, len);
		return;
	}
	if (held_len + sizeof h + (size_t)len > sizeof held)
		flush_held();	/* the order stays; only the wait comes early */
	if (sizeof h + (size_t)len > sizeof held) {
		put_or_count(lvl, line, len);
		return;
	}
	memcpy(held + held_len, &h, sizeof h);
	memcpy(held + held_len + sizeof h, line, (size_t)len);
	held_len += sizeof h + (size_t)len;
	errno = saved;
}

static void put_or_count(enum log_level lvl, const char *line, int len)
{
	int saved = errno;

	if (err_dropped) {
		char note[128];
		int n = snprintf(note, sizeof note, "%s: %lu %s dropped while stderr was stalled",
				 prog, err_dropped, plural(err_dropped, "line", "lines"));

		if (!put_line(LOG_LVL_WARN, note, (size_t)n)) {
			err_dropped++;
			errno = saved;
			return;
		}
		err_dropped = 0;
	}
	/* a reader that does not read must not stop supervision */
	if (!put_line(lvl, line, (size_t)len))
		err_dropped++;
	errno = saved;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	int saved = errno;
	char buf[2048], *big = NULL;
	int n = snprintf(buf, sizeof buf, "%s: ", prog), m;
	va_list ap, again;

	va_start(ap, fmt);
	va_copy(again, ap);
	m = vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	/* a line with a path or two in it may be longer: said whole, from
	 * the heap (rare; cut as before if there is none) */
	if (m >= (int)sizeof buf - n && (big = malloc((size_t)n + (size_t)m + 1))) {
		memcpy(big, buf, (size_t)n);
		vsnprintf(big + n, (size_t)m + 1, fmt, again);
	}
	va_end(again);
	if (m < 0)
		m = 0;
	else if (!big && m >= (int)sizeof buf - n)
		m = (int)sizeof buf - 1 - n;
	log_line(lvl, big ? big : buf, n + m);
	free(big);
	errno = saved;
}

void log_diag(const char *line, int len)
{
	const char *e = memmem(line, (size_t)len, ": error: ", 9), *w = memmem(line, (size_t)len, ": warning: ", 11);
	enum log_level lvl = w && (!e || w < e) ? LOG_LVL_WARN : LOG_LVL_ERR;

	if (isatty(STDERR_FILENO))
		log_line(lvl, line, len);
	else
		log_msg(lvl, "%.*s", len, line);
}

int log_or_answer(char *msg, size_t len, int errnum, const char *why)
{
	if (msg)
		snprintf(msg, len, "%s", why);
	else
		log_msg(LOG_LVL_ERR, "%s", why);
	errno = errnum;
	return -1;
}

void log_lines(const char *text, bool diag)
{
	for (const char *end; text && *text; text = *end ? end + 1 : end) {
		int len = (int)((end = strchrnul(text, '\n')) - text);

		if (len == 0)
			continue;
		if (diag)
			log_diag(text, len);
		else
			log_msg(LOG_LVL_ERR, "%.*s", len, text);
	}
}
