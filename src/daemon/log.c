#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "src/daemon/log.h"

/* The two settings of stderr, which is itself one per process: written
 * once by log_init before anything is logged, only read after, so the
 * daemon's parts log without being handed its context. */
static const char *prog = "prospero";
static bool journal;

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
