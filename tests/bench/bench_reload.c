/* Live reload of a large tree with one changed actor: the time from the
 * request (`prospero reload`, which returns once the reload is applied)
 * to applied, and to the changed actor running again; and how many
 * actors started meanwhile (exactly one is right). Beside it, same run:
 * a reload that changes nothing, and the way without reload — stopping
 * the daemon and starting it again on the new config.
 * Usage: bench_reload [N [ROUNDS]]   (default 1000 actors, 9 rounds) */
#include "tests/bench/bench.h"

static char dir[] = "/tmp/prospero-bench-reload.XXXXXX";

/* N actors under 10 supervisors; actor "a<CHANGED>" has env V=VALUE. */
static void write_config(const char *path, int n, int value, const char *fifo)
{
	const char *ta = need_env("TESTACTOR");
	FILE *c = fopen(path, "w");

	if (!c) {
		perror(path);
		exit(1);
	}
	fprintf(c, "{ \"supervisor\": \"bench\", \"intensity\": 100, \"children\": [\n");
	for (int s = 0; s < 10; s++) {
		fprintf(c, "%s  { \"supervisor\": \"s%d\", \"children\": [\n", s ? ",\n" : "", s);
		for (int i = s; i < n; i += 10)
			fprintf(c, "%s    { \"actor\": \"a%d\", \"env\": { \"V\": \"%d\" }, \"exec\": [\"%s\", \"--record\", \"%s\"] }",
				i == s ? "" : ",\n", i, i == n / 2 ? value : 0, ta, fifo);
		fprintf(c, " ] }");
	}
	fprintf(c, " ] }\n");
	fclose(c);
}

/* Every one of N reported in. */
static void await_starts(struct fifo *f, int n, const char *log)
{
	long long stamp;
	int pid;

	for (int i = 0; i < n; i++)
		if (!fifo_next(f, &pid, &stamp, 60000)) {
			fprintf(stderr, "only %d of %d started (see %s)\n", i, n, log);
			exit(1);
		}
}

/* `prospero reload`: its wall time, in ns. */
static long long reload(const char *rundir, const char *log)
{
	char *argv[] = { (char *)need_env("PROSPERO"), "reload", "--runtime-dir", (char *)rundir, NULL };
	long long t0 = now_ns();
	int st;
	pid_t pid = start_cmd(argv, log);

	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "prospero reload failed (see %s)\n", log);
		exit(1);
	}
	return now_ns() - t0;
}

/* Records that arrive within MS of quiet: starts nobody asked for. */
static int strays(struct fifo *f, int ms)
{
	long long stamp;
	int pid, n = 0;

	while (fifo_next(f, &pid, &stamp, ms))
		n++;
	return n;
}

static pid_t start_daemon(const char *cfg, const char *rundir, const char *log, struct fifo *f, int n)
{
	char *argv[] = { (char *)need_env("PROSPERO"), "run", "--runtime-dir", (char *)rundir, "-c",
			 (char *)cfg, NULL };
	pid_t pid = start_cmd(argv, log);

	await_starts(f, n, log);
	return pid;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, rounds = argc > 2 ? atoi(argv[2]) : 9;
	long long *changed = calloc((size_t)rounds, sizeof *changed);
	long long *running = calloc((size_t)rounds, sizeof *running);
	long long *same = calloc((size_t)rounds, sizeof *same);
	char cfg[512], rundir[512], log[512], rlog[512];
	long long t0, stamp, full;
	int pid, restarted = 0, stray = 0;
	struct fifo f;
	pid_t d;

	if (!changed || !running || !same || !mkdtemp(dir))
		return 1;
	snprintf(cfg, sizeof cfg, "%s/bench.jsonc", dir);
	snprintf(rundir, sizeof rundir, "%s/run", dir);
	snprintf(log, sizeof log, "%s/prospero.log", dir);
	snprintf(rlog, sizeof rlog, "%s/reload.log", dir);
	mkdir(rundir, 0755);
	fifo_open(&f, dir, "p.fifo");
	write_config(cfg, n, 0, f.path);
	d = start_daemon(cfg, rundir, log, &f, n);
	for (int r = 0; r < rounds; r++) {
		/* the reference first: a reload with nothing to do */
		same[r] = reload(rundir, rlog);
		stray += strays(&f, 0);
		write_config(cfg, n, r + 1, f.path);
		t0 = now_ns();
		changed[r] = reload(rundir, rlog);
		if (!fifo_next(&f, &pid, &stamp, 10000)) {
			fprintf(stderr, "the changed actor did not start again (see %s)\n", log);
			exit(1);
		}
		restarted++;
		running[r] = stamp - t0;
	}
	stray += strays(&f, 500);	/* a restart would be done by now */
	stop_cmd(d);
	/* without reload: stop everything, start it all on the new config */
	write_config(cfg, n, 0, f.path);
	t0 = now_ns();
	d = start_daemon(cfg, rundir, log, &f, n);
	full = now_ns() - t0;
	stop_cmd(d);

	printf("reload of %d actors, one actor's env changed, %d rounds (medians, p90)\n", n, rounds);
	printf("  request to applied (prospero reload returns)  %7.1f ms  (p90 %7.1f ms)\n",
	       (double)percentile(changed, rounds, 0.5) / 1e6, (double)percentile(changed, rounds, 0.9) / 1e6);
	printf("  request to the changed actor running          %7.1f ms  (p90 %7.1f ms)\n",
	       (double)percentile(running, rounds, 0.5) / 1e6, (double)percentile(running, rounds, 0.9) / 1e6);
	printf("  actors restarted per reload                   %7.2f    (other starts seen: %d)\n",
	       (double)restarted / rounds, stray);
	printf("  reference: a reload that changes nothing      %7.1f ms  (p90 %7.1f ms)\n",
	       (double)percentile(same, rounds, 0.5) / 1e6, (double)percentile(same, rounds, 0.9) / 1e6);
	printf("  reference: without reload, daemon started on the new config  %7.1f ms (one run)\n",
	       (double)full / 1e6);
	fifo_close(&f);
	remove_dir(dir);
	return 0;
}
