/* `prospero status` on a tree of N actors, wall time per call, beside
 * what an s6 or runit user runs for the same question over N services:
 * s6-svstat once per service directory (it takes one), and one
 * `sv status` over all of them. Each supervisor runs the same N idle
 * processes; medians of ROUNDS calls, same run. A reference whose tools
 * are not installed is said and skipped.
 * Usage: bench_status [N]   (default 1000) */
#include <dirent.h>

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

static void bench_prospero(int n)
{
	char cfg[512], rt[512], log[512];
	long long ns[ROUNDS];
	FILE *c;
	pid_t pid;

	snprintf(cfg, sizeof cfg, "%s/tree.jsonc", dir);
	snprintf(rt, sizeof rt, "%s/rt", dir);
	snprintf(log, sizeof log, "%s/prospero.log", dir);
	mkdir(rt, 0755);
	c = fopen(cfg, "w");
	fprintf(c, "{ \"supervisor\": \"bench\", \"intensity\": 10, \"children\": [\n"
		   "  { \"actor\": \"a\", \"instances\": %d, \"exec\": [\"%s\"] } ] }\n", n, need_env("TESTACTOR"));
	fclose(c);
	char *run[] = { (char *)need_env("PROSPERO"), "run", "--runtime-dir", rt, "-c", cfg, NULL };
	char *status[] = { (char *)need_env("PROSPERO"), "status", "--runtime-dir", rt, NULL };
	pid = start_cmd(run, log);
	if (wait_ok(status) < 0) {
		fprintf(stderr, "prospero: the tree did not come up (see %s)\n", log);
		exit(1);
	}
	for (int i = 0; i < ROUNDS; i++)
		ns[i] = time_cmd(status);
	report("prospero status", ns, ROUNDS);
	char *json[] = { (char *)need_env("PROSPERO"), "status", "--json", "--runtime-dir", rt, NULL };
	for (int i = 0; i < ROUNDS; i++)
		ns[i] = time_cmd(json);
	report("prospero status --json", ns, ROUNDS);
	stop_cmd(pid);
}

/* N service directories under SCAN, each running a process that sleeps. */
static void make_services(const char *scan, int n)
{
	char path[512];

	mkdir(scan, 0755);
	for (int i = 0; i < n; i++) {
		FILE *f;

		snprintf(path, sizeof path, "%s/s%d", scan, i);
		mkdir(path, 0755);
		snprintf(path, sizeof path, "%s/s%d/run", scan, i);
		f = fopen(path, "w");
		fprintf(f, "#!/bin/sh\nexec sleep 100000\n");
		fclose(f);
		chmod(path, 0755);
	}
}

/* Every service's path, for argv. */
static char **service_paths(const char *scan, int n)
{
	char **v = calloc((size_t)n + 1, sizeof *v);

	for (int i = 0; i < n; i++)
		if (asprintf(&v[i], "%s/s%d", scan, i) < 0)
			exit(1);
	return v;
}

static void bench_s6(int n)
{
	char scan[512];
	long long ns[ROUNDS];
	char **svc;
	pid_t pid;

	if (!have("s6-svscan") || !have("s6-svstat")) {
		printf("  s6-svstat: s6 is not installed; skipped\n");
		return;
	}
	snprintf(scan, sizeof scan, "%s/s6", dir);
	make_services(scan, n);
	svc = service_paths(scan, n);
	char max[16];
	snprintf(max, sizeof max, "%d", n + 10);	/* s6-svscan supervises 500 at most by default */
	char *svscan[] = { "/usr/bin/s6-svscan", "-c", max, scan, NULL };
	pid = start_cmd(svscan, "/dev/null");
	for (int i = 0; i < n; i++) {
		char *one[] = { "/usr/bin/s6-svstat", svc[i], NULL };
		if (wait_ok(one) < 0) {
			printf("  s6-svstat: service %d did not come up; skipped\n", i);
			kill(pid, SIGTERM);
			return;
		}
	}
	for (int r = 0; r < ROUNDS; r++) {
		long long t0 = now_ns();

		for (int i = 0; i < n; i++) {
			char *one[] = { "/usr/bin/s6-svstat", svc[i], NULL };
			time_cmd(one);
		}
		ns[r] = now_ns() - t0;
	}
	report("s6-svstat, once per service", ns, ROUNDS);
	/* s6-svscan's SIGTERM ends the scan; s6-svscanctl -t takes the services down */
	char *down[] = { "/usr/bin/s6-svscanctl", "-t", scan, NULL };
	time_cmd(down);
	waitpid(pid, NULL, 0);
}

static void bench_runit(int n)
{
	char scan[512];
	long long ns[ROUNDS];
	char **svc, **argv;
	pid_t pid;

	if (!have("runsvdir") && access("/usr/sbin/runsvdir", X_OK) != 0) {
		printf("  sv status: runit is not installed; skipped\n");
		return;
	}
	snprintf(scan, sizeof scan, "%s/runit", dir);
	make_services(scan, n);
	svc = service_paths(scan, n);
	argv = calloc((size_t)n + 3, sizeof *argv);
	argv[0] = "/usr/bin/sv";
	argv[1] = "status";
	memcpy(argv + 2, svc, (size_t)n * sizeof *svc);
	char *runsvdir[] = { have("runsvdir") ? "/usr/bin/runsvdir" : "/usr/sbin/runsvdir", scan, NULL };
	pid = start_cmd(runsvdir, "/dev/null");
	if (wait_ok(argv) < 0) {
		printf("  sv status: the services did not come up; skipped\n");
	} else {
		for (int r = 0; r < ROUNDS; r++)
			ns[r] = time_cmd(argv);
		report("sv status, all services in one call", ns, ROUNDS);
	}
	/* runsvdir's SIGHUP stops every runsv and its service */
	kill(pid, SIGHUP);
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;

	if (n < 1 || !mkdtemp(dir))
		return 1;
	chmod(dir, 0755);
	printf("status of %d actors (services), wall time of one call\n", n);
	bench_prospero(n);
	bench_s6(n);
	bench_runit(n);
	return 0;
}
