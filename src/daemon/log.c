#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "src/daemon/log.h"

/* The two settings of stderr, which is itself one per process: written
 * once by log_init before anything is logged, only read after, so the
 * daemon's parts log without being handed its context. */
static const char *prog = "prospero";
static bool journal;

void log_init(const char *name)
{
	prog = name;
	journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_line(enum log_level lvl, const char *line, int len)
{
	char pri[4] = { '<', (char)('0' + lvl), '>', 0 };
	struct iovec iov[3] = {
		{ .iov_base = pri, .iov_len = journal ? 3 : 0 },
		{ .iov_base = (void *)line, .iov_len = (size_t)len },
		{ .iov_base = "\n", .iov_len = 1 },
	};
	int saved = errno;

	/* one writev per line keeps lines whole when several writers share stderr */
	while (writev(STDERR_FILENO, iov, 3) < 0 && errno == EINTR)
		;
	errno = saved;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char buf[2048];
	int n = snprintf(buf, sizeof buf, "%s: ", prog);
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof buf)
		n = sizeof buf - 1;
	log_line(lvl, buf, n);
}
