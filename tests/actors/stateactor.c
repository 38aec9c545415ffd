/* An actor on the state API for the durable-state tests. Each mode
 * appends one line a start to FILE (one FILE an actor), then acts:
 *
 *   stateactor crash FILE TARGET SEED
 *       "start N ok" when the N transactions committed so far are all
 *       there, whole, and nothing of the next one is ("start N bad: WHY"
 *       otherwise); then commits transactions of three puts each (a/I,
 *       b/I, count) and, a seeded number of commits later, SIGKILLs
 *       itself between the puts of one, until TARGET are committed:
 *       then "done N" and it waits. SEED 0: it never kills itself (the
 *       test does) and says "committed I" as each commit returns.
 *   stateactor put FILE
 *       "put N uid U" once it has added 1 to its key "count"; waits.
 *   stateactor open FILE PATH
 *       "open PATH: RESULT": what opening PATH for reading gave (ok, or
 *       the errno's name); waits.
 * Built plain, as the examples are, to run under "minimal" (with the
 * state group "state": true adds, which lets it create FILE). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/libprospero/prospero_state.h"

static int out = -1;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof line - 1)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	if (write(out, line, (size_t)n) != n)
		exit(101);
}

static struct prospero_state *open_state(void)
{
	struct prospero_state *st = prospero_state_open(NULL);

	if (!st) {
		say("cannot open the state: %s", strerror(errno));
		exit(102);
	}
	return st;
}

/* The value of KEY as a number; -1 when absent, -2 when not a number. */
static long get_num(struct prospero_state *st, const char *key)
{
	void *v;
	size_t len;
	long n;
	char *end;

	if (prospero_state_get(st, key, &v, &len) < 0)
		return errno == ENOENT ? -1 : -2;
	n = strtol(v, &end, 10);
	if (len == 0 || *end)
		n = -2;
	free(v);
	return n;
}

static int put_num(struct prospero_state *st, const char *key, long n)
{
	char v[32];

	snprintf(v, sizeof v, "%ld", n);
	return prospero_state_put(st, key, v, strlen(v));
}

static int count_one(const char *key, const void *value, size_t len, void *arg)
{
	(void)key, (void)value, (void)len;
	++*(long *)arg;
	return 0;
}

/* What the crash mode checks at each start: N whole transactions, and
 * nothing else. NULL when so, else what is wrong. */
static const char *check_committed(struct prospero_state *st, long n, char *why, size_t len)
{
	static const char *const prefixes[] = { "a/", "b/" };
	char key[64];

	for (int p = 0; p < 2; p++) {
		long seen = 0;

		for (long i = 1; i <= n; i++) {
			snprintf(key, sizeof key, "%s%ld", prefixes[p], i);
			if (get_num(st, key) != i) {
				snprintf(why, len, "%s is missing or wrong", key);
				return why;
			}
		}
		if (prospero_state_list(st, &(struct prospero_state_range){ .prefix = prefixes[p] },
					count_one, &seen) < 0 || seen != n) {
			snprintf(why, len, "%ld keys under %s, not %ld", seen, prefixes[p], n);
			return why;
		}
	}
	return NULL;
}

static int commit_one(struct prospero_state *st, long i, int kill_at)
{
	char a[64], b[64];

	snprintf(a, sizeof a, "a/%ld", i);
	snprintf(b, sizeof b, "b/%ld", i);
	if (prospero_state_begin(st) < 0 || put_num(st, a, i) < 0)
		return -1;
	if (kill_at == 1)
		raise(SIGKILL);
	if (put_num(st, b, i) < 0)
		return -1;
	if (kill_at == 2)
		raise(SIGKILL);
	if (put_num(st, "count", i) < 0)
		return -1;
	if (kill_at == 3)
		raise(SIGKILL);
	return prospero_state_commit(st);
}

static void crash(long target, unsigned long seed)
{
	struct prospero_state *st = open_state();
	long n = get_num(st, "count");
	char why[128];
	const char *bad;
	unsigned long r;
	long left;

	if (n == -1)
		n = 0;
	if (n < 0 || (bad = check_committed(st, n, why, sizeof why))) {
		say("start %ld bad: %s", n, n < 0 ? "count is not a number" : bad);
		exit(103);
	}
	say("start %ld ok", n);
	/* the same run of kills for the same seed and progress */
	r = (seed ^ (unsigned long)n) * 6364136223846793005UL + 1442695040888963407UL;
	left = seed ? 1 + (long)((r >> 33) % 5) : -1;
	for (; n < target; n++, left--) {
		if (commit_one(st, n + 1, left == 0 ? 1 + (int)((r >> 13) % 3) : 0) < 0) {
			say("commit %ld: %s", n + 1, prospero_state_errmsg(st));
			exit(104);
		}
		if (!seed)
			say("committed %ld", n + 1);
	}
	say("done %ld", n);
	prospero_state_close(st);
}

static void put(void)
{
	struct prospero_state *st = open_state();
	long n = get_num(st, "count");

	if (n < 0)
		n = 0;
	if (put_num(st, "count", n + 1) < 0) {
		say("put: %s", prospero_state_errmsg(st));
		exit(104);
	}
	say("put %ld uid %u", n + 1, (unsigned)getuid());
	prospero_state_close(st);
}

static void try_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	say("open %s: %s", path, fd >= 0 ? "ok" : strerrorname_np(errno));
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: stateactor crash|put|open FILE ...\n");
		return 2;
	}
	out = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (out < 0) {
		perror(argv[2]);
		return 100;
	}
	if (strcmp(argv[1], "crash") == 0 && argc == 5)
		crash(strtol(argv[3], NULL, 10), strtoul(argv[4], NULL, 10));
	else if (strcmp(argv[1], "put") == 0)
		put();
	else if (strcmp(argv[1], "open") == 0 && argc == 4)
		try_open(argv[3]);
	else
		return 2;
	for (;;)
		pause();
}
