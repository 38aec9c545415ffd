/* sd_notify assignments, actor → daemon: the input is one datagram.
 *
 * It is sent to the daemon's notify server (src/daemon/notify.c) over a real
 * socket, with an fd passed along when its length is odd (a datagram may
 * carry fds, which the server must close), and read by notify_server_recv
 * as the daemon's loop does; the parse must match pp_notify_parse of the
 * same bytes, which is also what the daemon runs on a control channel
 * (src/bindings.c), and must agree with the lines as the README reads
 * them: READY=1, STOPPING=1, WATCHDOG=1 each a whole line, the last
 * STATUS= line's text. A STATUS= text formats back to itself, cut
 * where the daemon would cut it. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/daemon/notify.h"
#include "src/proto/control.h"
#include "src/proto/fdpass.h"
#include "src/proto/utf8.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/scratch.h"

static struct {
	struct notify_server ns;
	int client;
} rig;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	const char *dir = fz_scratch();

	if (notify_server_open(&rig.ns, dir, open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		abort();
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", rig.ns.path);
	rig.client = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (rig.client < 0 || connect(rig.client, (struct sockaddr *)&sa, sizeof sa) < 0)
		abort();
	return 0;
}

/* The README's reading of TEXT (LEN bytes): what is set, line by line;
 * a line ends at '\n', and, as C reads it, at a NUL. */
static void oracle(const char *text, size_t len, struct pp_notify *m, const char **status)
{
	const char *line = text, *end = text + len;

	*m = (struct pp_notify){ 0 };
	*status = NULL;
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = strnlen(line, (size_t)((nl ? nl : end) - line));

		m->ready |= n == 7 && memcmp(line, "READY=1", 7) == 0;
		m->stopping |= n == 10 && memcmp(line, "STOPPING=1", 10) == 0;
		m->watchdog |= n == 10 && memcmp(line, "WATCHDOG=1", 10) == 0;
		if (n >= 7 && memcmp(line, "STATUS=", 7) == 0)
			*status = line + 7;
		line = nl ? nl + 1 : end;
	}
}

static void check_status(const char *status)
{
	/* cut short of PP_STATUS_MAX by at most a character's 3 bytes more */
	size_t len = strlen(status), kept = pp_utf8_cut(status, len, PP_STATUS_MAX);
	size_t cap = strlen("STATUS=") + kept + 1;
	char *buf = malloc(cap);
	struct pp_notify m;
	int n;

	if (!buf)
		abort();
	fz_assert(kept == len || (kept <= PP_STATUS_MAX && kept + 3 >= PP_STATUS_MAX));
	n = pp_status_format(buf, cap, status);
	fz_assert(n >= 0 && (size_t)n == cap - 1);
	pp_notify_parse(buf, (size_t)n, &m);	/* its one byte more: the NUL */
	fz_assert(m.status && strlen(m.status) == kept && memcmp(m.status, status, kept) == 0);
	free(buf);
}

static void check_same(const struct pp_notify *m, const char *buf, size_t len, const char *data)
{
	struct pp_notify want;
	const char *status;

	oracle(data, len, &want, &status);
	fz_assert(m->ready == want.ready && m->stopping == want.stopping && m->watchdog == want.watchdog);
	fz_assert(!m->status == !status);
	if (m->status) {
		size_t rest = len - (size_t)(status - data);
		const char *nl = memchr(status, '\n', rest);
		size_t n = strnlen(status, nl ? (size_t)(nl - status) : rest);

		/* where the oracle found it, up to its line's end */
		fz_assert(m->status - buf == status - data);
		fz_assert(strlen(m->status) == n && memcmp(m->status, status, n) == 0);
		check_status(m->status);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);	/* pp_notify_parse's one byte more */
	int lowest = fz_lowest_free_fd();
	struct pp_notify m;
	int r;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	pp_notify_parse(copy, size, &m);
	check_same(&m, copy, size, (const char *)data);
	free(copy);

	if (pp_fdpass_send(rig.client, data, size, size & 1 ? STDERR_FILENO : -1, 0) != (ssize_t)size)
		return 0;	/* larger than the socket takes: nothing to read */
	r = notify_server_recv(&rig.ns, &m);
	if (size > sizeof rig.ns.buf - 1) {
		fz_assert(r == 0);	/* truncated: dropped */
	} else {
		fz_assert(r == 1 && m.pid == getpid());
		check_same(&m, rig.ns.buf, size, (const char *)data);
	}
	fz_assert(notify_server_recv(&rig.ns, &m) == 0 && fz_lowest_free_fd() == lowest);
	return 0;
}
