/* The price of confinement: spawn-to-running of one actor under the
 * default full confinement (service profile, a dynamic uid when root,
 * every capability dropped, no_new_privs, seccomp) against the same actor
 * with "profile": "none" and, when root, "user": "root" (no filter, no id
 * change; the capabilities still go, as they do for every actor), and the
 * reference supervisor's bare fork+execve, interleaved in rounds in one
 * run. Measured as bench_restart does: SIGKILL the actor, time until its
 * replacement's own first clock reading, so the figure covers the spawn,
 * the confinement steps, execve and the dynamic loader under the filter.
 * Usage: bench_confine [KILLS]   (default 500 per supervisor) */
#include "tests/bench/bench.h"

struct sut {
	const char *label;
	pid_t pid;
	struct fifo fifo;
	int actor;
	long long *lat;
	int n;
};

enum kind { REFERENCE, UNCONFINED, CONFINED };

static void start_sut(struct sut *s, const char *dir, enum kind k)
{
	static const char *const fifos[] = { "r.fifo", "u.fifo", "c.fifo" };
	static const char *const names[] = { "refsup", "unconfined", "confined" };
	const char *ta = need_env("TESTACTOR");
	char cfg[512], log[512];
	long long stamp;

	fifo_open(&s->fifo, dir, fifos[k]);
	snprintf(log, sizeof log, "%s/%s.log", dir, names[k]);
	if (k == REFERENCE) {
		char *argv[] = { (char *)need_env("REFSUP"), "1", (char *)ta, "--record", s->fifo.path, NULL };
		s->pid = start_cmd(argv, log);
	} else {
		FILE *f;

		snprintf(cfg, sizeof cfg, "%s/%s.jsonc", dir, names[k]);
		f = fopen(cfg, "w");
		fprintf(f, "{ \"supervisor\": \"bench\", \"intensity\": 100000, \"period\": 1,\n"
			   "  \"children\": [ { \"actor\": \"victim\", \"exec\": [\"%s\", \"--record\", \"%s\"]%s } ] }\n",
			ta, s->fifo.path,
			k == CONFINED ? "" :
			geteuid() == 0 ? ", \"sandbox\": { \"profile\": \"none\" }, \"user\": \"root\", \"private_ipc\": false" :
					 ", \"sandbox\": { \"profile\": \"none\" }");
		fclose(f);
		/* a runtime directory each: one daemon holds one; unconfined
		 * also means no cgroup of its own */
		char rundir[512];
		snprintf(rundir, sizeof rundir, "%s/%s.run", dir, names[k]);
		char *argv[] = { (char *)need_env("PROSPERO"), "run", "--runtime-dir", rundir, "--containment",
				 k == CONFINED ? "auto" : "pgroup", "-c", cfg, NULL };
		s->pid = start_cmd(argv, log);
	}
	if (!fifo_next(&s->fifo, &s->actor, &stamp, 10000)) {
		fprintf(stderr, "%s: no actor started (see %s)\n", s->label, log);
		exit(1);
	}
}

static void kills(struct sut *s, int count)
{
	for (int i = 0; i < count; i++)
		kill_and_time(&s->fifo, &s->actor, s->lat, &s->n, s->label);
}

static long long report(struct sut *s)
{
	long long med = percentile(s->lat, s->n, 0.5), p99 = percentile(s->lat, s->n, 0.99);

	printf("  %-44s median %7.1f us   p99 %7.1f us   (%d kills)\n", s->label,
	       (double)med / 1e3, (double)p99 / 1e3, s->n);
	return med;
}

int main(int argc, char **argv)
{
	int total = argc > 1 ? atoi(argv[1]) : 500, rounds = 10;
	char dir[] = "/tmp/prospero-bench.XXXXXX";
	struct sut sut[3] = {
		{ .label = "reference (bare fork+execve)" },
		{ .label = "prospero, unconfined (profile none)" },
		{ .label = "prospero, default confinement (service)" },
	};
	long long med[3];

	if (!mkdtemp(dir))
		return 1;
	for (int k = 0; k < 3; k++) {
		sut[k].lat = calloc((size_t)total, sizeof(long long));
		start_sut(&sut[k], dir, (enum kind)k);
	}
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < 3; k++)
			kills(&sut[k], total / rounds);
	for (int k = 0; k < 3; k++)
		stop_cmd(sut[k].pid);
	printf("spawn to running, confined against unconfined (SIGKILL -> replacement's first clock reading)%s\n",
	       geteuid() == 0 ? "" : "\n  (not root: no dynamic uid, capabilities held by no one)");
	for (int k = 0; k < 3; k++)
		med[k] = report(&sut[k]);
	printf("  ratio confined/unconfined: median %.2fx (target <= 1.3x); confined/reference %.2fx\n",
	       (double)med[CONFINED] / (double)med[UNCONFINED],
	       (double)med[CONFINED] / (double)med[REFERENCE]);
	for (int k = 0; k < 3; k++) {
		fifo_close(&sut[k].fifo);
		free(sut[k].lat);
	}
	rmdir(dir);
	remove_dir(dir);
	return 0;
}
