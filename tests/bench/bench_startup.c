/* Start-up of N actors to the first and to the last running, the CPU
 * time that took, daemon memory per actor, and wake-ups while idle.
 * Prospero against the reference supervisor spawning the same count back
 * to back, and against the same reference spawning them in OTP's order
 * (each once the previous has exec'ed), same run; as root, with a
 * --uid-range that holds N.
 * Usage: bench_startup [N...]   (default 1000 4000 16000) */
#include <stdbool.h>
#include <sys/resource.h>

#include "src/config/config.h"
#include "tests/bench/bench.h"

static char dir[] = "/tmp/prospero-bench.XXXXXX";

/* The reference; the reference in OTP's order (refsup --serial);
 * prospero with its default confinement; prospero with confinement off
 * as far as config allows (no seccomp filter, no uid change), which is
 * the cost of supervision alone. */
enum { REFERENCE, SERIAL, CONFINED, UNCONFINED, NKINDS };
#define ROUNDS 5

/* CPU time from the supervisor's exec to the last actor running: the
 * whole machine's, the supervisor's own, and the actors' (each one's, up
 * to when the bench reads it just after its report; a prospero actor's
 * includes its confinement before exec). */
struct cpu_use {
	long long machine_ms, supervisor_ns, actors_ns;
};

/* Start a supervisor with n actors; returns its pid once all n ran, and
 * the time to the last in *ns (to the first in *first, if not NULL). */
static pid_t start_n(int kind, int n, long long *ns, struct fifo *f, long long *first, struct cpu_use *cpu)
{
	static const char *const logs[] = { "refsup", "serial", "prospero", "unconfined" };
	bool prospero = kind == CONFINED || kind == UNCONFINED;
	const char *unconfined = kind == UNCONFINED
		? (geteuid() == 0 ? ", \"sandbox\": {\"profile\": \"none\"}, \"user\": \"root\""
				  : ", \"sandbox\": {\"profile\": \"none\"}") : "";
	const char *ta = need_env("TESTACTOR");
	char cfg[512], log[512];
	char nbuf[16];
	long long t0, stamp, last = 0, min = 0;
	pid_t pid;
	int apid;

	fifo_open(f, dir, prospero ? "p.fifo" : "r.fifo");
	snprintf(log, sizeof log, "%s/%s-%d.log", dir, logs[kind], n);
	snprintf(nbuf, sizeof nbuf, "%d", n);
	if (prospero) {
		FILE *c;
		snprintf(cfg, sizeof cfg, "%s/bench-%d.jsonc", dir, n);
		c = fopen(cfg, "w");
		fprintf(c, "{ \"supervisor\": \"bench\", \"strategy\": \"one_for_one\",\n"
			   "  \"children\": [ { \"actor\": \"a\", \"instances\": %d%s,\n"
			   "                    \"exec\": [\"%s\", \"--record\", \"%s\"] } ] }\n",
			n, unconfined, ta, f->path);
		fclose(c);
	}
	/* room for n dynamic uids, whatever passwd and group use; a runtime
	 * directory each: one daemon holds one */
	char range[64], rundir[512];
	snprintf(range, sizeof range, "100000-%d", 100000 + 2 * n + 1000);
	snprintf(rundir, sizeof rundir, "%s/run-%d", dir, n);
	char *pargv[] = { (char *)need_env("PROSPERO"), "run", "--runtime-dir", rundir, "--uid-range", range,
			  "-c", cfg, NULL };
	char *rargv[] = { (char *)need_env("REFSUP"), nbuf, (char *)ta, "--record", f->path, NULL };
	char *sargv[] = { (char *)need_env("REFSUP"), "--serial", nbuf, (char *)ta, "--record", f->path, NULL };
	long long machine0 = machine_cpu_ms(), actors = 0;
	t0 = now_ns();
	pid = start_cmd(prospero ? pargv : kind == SERIAL ? sargv : rargv, log);
	for (int i = 0; i < n; i++) {
		if (!fifo_next(f, &apid, &stamp, 20000)) {
			fprintf(stderr, "only %d of %d started (see %s)\n", i, n, log);
			exit(1);
		}
		if (cpu)
			actors += run_ns(apid);
		if (stamp > last)
			last = stamp;
		if (!min || stamp < min)
			min = stamp;
	}
	*ns = last - t0;
	if (first)
		*first = min - t0;
	if (cpu)
		*cpu = (struct cpu_use){ .machine_ms = machine_cpu_ms() - machine0, .supervisor_ns = run_ns(pid),
					 .actors_ns = actors };
	return pid;
}

/* The daemon holds about six fds per instance (its output pipe, the
 * control channel, the pidfd, the cgroup, the seccomp listener;
 * src/config/fds.c)
 * and refuses a tree the hard limit cannot hold: N it cannot run here is
 * skipped, and said. */
static long need_fds(int n)
{
	return (long)n * 6 + CFG_DAEMON_BASE_FDS;
}

static bool fits(int n, bool say)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) < 0 || r.rlim_max == RLIM_INFINITY || r.rlim_max >= (rlim_t)need_fds(n))
		return true;
	if (say)
		printf("  N=%-5d skipped: needs about %ld fds, the hard limit here is %llu\n", n, need_fds(n),
		       (unsigned long long)r.rlim_max);
	return false;
}

int main(int argc, char **argv)
{
	int counts[8] = { 1000, 4000, 16000 }, ncounts = 3;
	struct fifo f;

	if (argc > 1) {
		ncounts = 0;
		for (int i = 1; i < argc && ncounts < 8; i++)
			counts[ncounts++] = atoi(argv[i]);
	}
	if (!mkdtemp(dir))
		return 1;

	printf("start-up: from exec to the first actor running / to all N running\n");
	for (int i = 0; i < ncounts; i++) {
		/* rounds interleaved, medians reported: one start-up is a single
		 * sample, and this machine's noise moves one by 30% */
		long long t[NKINDS][ROUNDS], t1[NKINDS][ROUNDS];
		long long cm[NKINDS][ROUNDS], cs[NKINDS][ROUNDS], ca[NKINDS][ROUNDS];
		pid_t p;

		if (!fits(counts[i], true))
			continue;
		for (int r = 0; r < ROUNDS; r++)
			for (int k = REFERENCE; k < NKINDS; k++) {
				struct cpu_use u;
				p = start_n(k, counts[i], &t[k][r], &f, &t1[k][r], &u);
				cm[k][r] = u.machine_ms;
				cs[k][r] = u.supervisor_ns;
				ca[k][r] = u.actors_ns;
				stop_cmd(p);
				fifo_close(&f);
			}
		long long rt = percentile(t[REFERENCE], ROUNDS, 0.5);
		long long st = percentile(t[SERIAL], ROUNDS, 0.5);
		long long ut = percentile(t[UNCONFINED], ROUNDS, 0.5);
		long long ct = percentile(t[CONFINED], ROUNDS, 0.5);
		long long r1 = percentile(t1[REFERENCE], ROUNDS, 0.5);
		long long u1 = percentile(t1[UNCONFINED], ROUNDS, 0.5);
		long long c1 = percentile(t1[CONFINED], ROUNDS, 0.5);
		printf("  N=%-5d first: reference %7.1f ms | prospero unconfined %7.1f ms | "
		       "default confinement %7.1f ms\n", counts[i], (double)r1 / 1e6, (double)u1 / 1e6, (double)c1 / 1e6);
		printf("  N=%-5d last:  reference %7.1f ms | prospero unconfined %7.1f ms (%.2fx) | "
		       "default confinement %7.1f ms (%.2fx)   (medians of %d)\n", counts[i],
		       (double)rt / 1e6, (double)ut / 1e6, (double)ut / (double)rt, (double)ct / 1e6,
		       (double)ct / (double)rt, ROUNDS);
		/* the reference keeps every CPU busy: a start-up cannot end
		 * sooner than the CPU it needs spread over all of them */
		static const char *const names[] = { "reference", "reference in OTP's order", "default confinement",
						     "prospero unconfined" };
		long long ref_cpu = percentile(cm[REFERENCE], ROUNDS, 0.5);
		printf("  N=%-5d CPU time, whole machine (%ld CPUs) | the supervisor's own | its actors', per actor:\n",
		       counts[i], sysconf(_SC_NPROCESSORS_ONLN));
		for (int k = REFERENCE; k < NKINDS; k++) {
			long long m = percentile(cm[k], ROUNDS, 0.5);
			printf("           %-25s %6lld ms (%.2fx) | %6.1f us | %6.1f us\n", names[k], m,
			       (double)m / (double)ref_cpu, (double)percentile(cs[k], ROUNDS, 0.5) / 1e3 / counts[i],
			       (double)percentile(ca[k], ROUNDS, 0.5) / 1e3 / counts[i]);
		}
		printf("  N=%-5d last, against the reference in OTP's order: %7.1f ms (%.2fx the reference) | "
		       "prospero unconfined %.2fx | default confinement %.2fx\n", counts[i], (double)st / 1e6,
		       (double)st / (double)rt, (double)ut / (double)st, (double)ct / (double)st);
	}

	/* memory: the same daemon with 1 and with N actors */
	int big = 1;
	for (int i = 0; i < ncounts; i++)
		if (fits(counts[i], false) && counts[i] > big)
			big = counts[i];
	long rss1, pss1, rssn, pssn;
	long long t;
	pid_t one = start_n(CONFINED, 1, &t, &f, NULL, NULL);
	usleep(200000);
	mem_kib(one, &rss1, &pss1);
	stop_cmd(one);
	fifo_close(&f);
	pid_t many = start_n(CONFINED, big, &t, &f, NULL, NULL);
	usleep(200000);
	mem_kib(many, &rssn, &pssn);
	printf("daemon memory: 1 actor RSS %ld KiB PSS %ld KiB; %d actors RSS %ld KiB PSS %ld KiB\n",
	       rss1, pss1, big, rssn, pssn);
	printf("  per actor beyond the base: RSS %.2f KiB, PSS %.2f KiB\n",
	       (double)(rssn - rss1) / (big - 1), (double)(pssn - pss1) / (big - 1));

	/* idle: nothing happens for 10 s; count the daemon's wake-ups */
	long c0 = ctx_switches(many);
	sleep(10);
	long c1 = ctx_switches(many);
	printf("idle 10 s with %d actors: %ld wake-ups\n", big, c1 - c0);
	stop_cmd(many);
	fifo_close(&f);
	remove_dir(dir);
	return 0;
}
