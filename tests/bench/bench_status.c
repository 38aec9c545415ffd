/* `prospero status` on a tree of N actors, wall time per call, beside
 * what an s6 or runit user runs for the same question over N services:
 * s6-svstat once per service directory (it takes one), and one
 * `sv status` over all of them. Each supervisor runs the same N idle
 * processes; medians of ROUNDS calls, same run. A reference whose tools
 * are not installed is said and skipped.
 * Usage: bench_status [N]   (default 1000) */
#include <stdbool.h>

#include "tests/bench/bench.h"

#define ROUNDS 15

static char dir[] = "/tmp/prospero-bench-status.XXXXXX";

/* Wall time of one run of ARGV, its output to /dev/null; it must say
 * that everything runs (exit 0). */
static long long time_cmd(char *const *argv)
{
	long long t0 = now_ns();
	int st;
	pid_t pid = start_cmd(argv, "/dev/null");

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "%s %s: failed while measured\n", argv[0], argv[1]);
		exit(1);
	}
	return now_ns() - t0;
}

static void report(const char *what, long long *ns, int n)
{
	printf("  %-40s median %7.2f ms  p90 %7.2f ms\n", what, (double)percentile(ns, n, 0.5) / 1e6,
	       (double)percentile(ns, n, 0.9) / 1e6);
}

static int have(const char *prog)
{
	char path[256];

	snprintf(path, sizeof path, "/usr/bin/%s", prog);
	return access(path, X_OK) == 0;
}

/* Poll ARGV until it exits 0 (everything up), at most ~60 s. */
static int wait_ok(char *const *argv)
{
	for (int i = 0; i < 600; i++) {
		int st;
		pid_t pid = start_cmd(argv, "/dev/null");

		if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			return 0;
		usleep(100000);
	}
	return -1;
}

/* One way of asking: how to bring its N services up, one measured call,
 * and how to take them down. */
struct contender {
	const char *name;
	bool up;
	pid_t pid;
	char **svc;		/* service directories (s6, runit) */
	char **argv;		/* the measured call */
	long long ns[ROUNDS];
};

static void prospero_up(struct contender *c, int n)
{
	char cfg[512], rt[512], log[512];
	FILE *f;

	snprintf(cfg, sizeof cfg, "%s/tree.jsonc", dir);
	snprintf(rt, sizeof rt, "%s/rt", dir);
	snprintf(log, sizeof log, "%s/prospero.log", dir);
	mkdir(rt, 0755);
	f = fopen(cfg, "w");
	fprintf(f, "{ \"supervisor\": \"bench\", \"intensity\": 10, \"children\": [\n"
		   "  { \"actor\": \"a\", \"instances\": %d, \"exec\": [\"%s\"] } ] }\n", n, need_env("TESTACTOR"));
	fclose(f);
	char *run[] = { (char *)need_env("PROSPERO"), "run", "--runtime-dir", rt, "-c", cfg, NULL };
	c->argv = calloc(5, sizeof *c->argv);
	c->argv[0] = (char *)need_env("PROSPERO");
	c->argv[1] = "status";
	c->argv[2] = "--runtime-dir";
	c->argv[3] = strdup(rt);
	c->pid = start_cmd(run, log);
	c->up = wait_ok(c->argv) == 0;
	if (!c->up)
		fprintf(stderr, "prospero: the tree did not come up (see %s)\n", log);
}

/* N service directories under SCAN, each running a process that sleeps. */
static char **make_services(const char *scan, int n)
{
	char path[512];
	char **v = calloc((size_t)n + 1, sizeof *v);

	mkdir(scan, 0755);
	for (int i = 0; i < n; i++) {
		FILE *f;

		snprintf(path, sizeof path, "%s/s%d", scan, i);
		mkdir(path, 0755);
		v[i] = strdup(path);
		snprintf(path, sizeof path, "%s/s%d/run", scan, i);
		f = fopen(path, "w");
		fprintf(f, "#!/bin/sh\nexec sleep 100000\n");
		fclose(f);
		chmod(path, 0755);
	}
	return v;
}

static void s6_up(struct contender *c, int n)
{
	char scan[512], max[16];

	if (!have("s6-svscan") || !have("s6-svstat")) {
		printf("  s6-svstat: s6 is not installed; skipped\n");
		return;
	}
	snprintf(scan, sizeof scan, "%s/s6", dir);
	c->svc = make_services(scan, n);
	snprintf(max, sizeof max, "%d", n + 10);	/* s6-svscan supervises 500 at most by default */
	char *svscan[] = { "/usr/bin/s6-svscan", "-c", max, scan, NULL };
	c->pid = start_cmd(svscan, "/dev/null");
	for (int i = 0; i < n; i++) {
		char *one[] = { "/usr/bin/s6-svstat", c->svc[i], NULL };
		if (wait_ok(one) < 0) {
			printf("  s6-svstat: service %d did not come up; skipped\n", i);
			return;
		}
	}
	c->up = true;
}

static void runit_up(struct contender *c, int n)
{
	char scan[512];
	const char *runsvdir = have("runsvdir") ? "/usr/bin/runsvdir" : "/usr/sbin/runsvdir";

	if (!have("sv") || access(runsvdir, X_OK) != 0) {
		printf("  sv status: runit is not installed; skipped\n");
		return;
	}
	snprintf(scan, sizeof scan, "%s/runit", dir);
	c->svc = make_services(scan, n);
	c->argv = calloc((size_t)n + 3, sizeof *c->argv);
	c->argv[0] = "/usr/bin/sv";
	c->argv[1] = "status";
	memcpy(c->argv + 2, c->svc, (size_t)n * sizeof *c->svc);
	char *dirv[] = { (char *)runsvdir, scan, NULL };
	c->pid = start_cmd(dirv, "/dev/null");
	c->up = wait_ok(c->argv) == 0;
	if (!c->up)
		printf("  sv status: the services did not come up; skipped\n");
}

/* One round of C: s6-svstat takes one directory, so asking about N
 * services is N calls. */
static long long measure(const struct contender *c, int n)
{
	long long t0;

	if (c->argv)
		return time_cmd(c->argv);
	t0 = now_ns();
	for (int i = 0; i < n; i++) {
		char *one[] = { "/usr/bin/s6-svstat", c->svc[i], NULL };
		time_cmd(one);
	}
	return now_ns() - t0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	struct contender cs[] = {
		{ .name = "prospero status" },
		{ .name = "s6-svstat, once per service" },
		{ .name = "sv status, all services in one call" },
	};
	enum { NC = sizeof cs / sizeof *cs };

	if (n < 1 || !mkdtemp(dir))
		return 1;
	chmod(dir, 0755);
	printf("status of %d actors (services), wall time of one call, rounds interleaved\n", n);
	prospero_up(&cs[0], n);
	s6_up(&cs[1], n);
	runit_up(&cs[2], n);
	for (int r = 0; r < ROUNDS; r++)
		for (int k = 0; k < NC; k++)
			if (cs[k].up)
				cs[k].ns[r] = measure(&cs[k], n);
	for (int k = 0; k < NC; k++)
		if (cs[k].up)
			report(cs[k].name, cs[k].ns, ROUNDS);
	if (cs[0].pid > 0)
		stop_cmd(cs[0].pid);
	if (cs[1].pid > 0) {	/* s6-svscanctl -t takes the services down with the scan */
		char scan[512];

		snprintf(scan, sizeof scan, "%s/s6", dir);
		char *down[] = { "/usr/bin/s6-svscanctl", "-t", scan, NULL };
		time_cmd(down);
		waitpid(cs[1].pid, NULL, 0);
	}
	if (cs[2].pid > 0) {	/* runsvdir's SIGHUP stops every runsv and its service */
		kill(cs[2].pid, SIGHUP);
		waitpid(cs[2].pid, NULL, 0);
	}
	remove_dir(dir);
	return 0;
}
