/* Restart latency: SIGKILL an actor, time until its replacement runs (the
 * replacement's own first clock reading). Prospero against the reference
 * supervisor in the same run, interleaved in rounds so drift hits both.
 * The actor is killed as soon as it reports, so every actor here dies
 * within a millisecond of starting. With CROWD, each supervisor also
 * runs CROWD idle copies beside the one killed: a restart in a big tree.
 * Usage: bench_restart [KILLS [CROWD]]   (default 500 per supervisor, 0) */
#include "tests/bench/bench.h"

struct sut {
	const char *label;
	pid_t pid;
	struct fifo fifo;
	int actor;
	long long *lat;
	int n;
};

static void start_sut(struct sut *s, const char *dir, int prospero, int crowd)
{
	const char *ta = need_env("TESTACTOR");
	char cfg[512], log[512];

	static const char *const fifos[] = { "r.fifo", "p.fifo", "q.fifo" };
	static const char *const logs[] = { "refsup", "prospero", "prospero-noipc" };

	fifo_open(&s->fifo, dir, fifos[prospero]);
	snprintf(log, sizeof log, "%s/%s.log", dir, logs[prospero]);
	if (prospero) {
		FILE *f;
		snprintf(cfg, sizeof cfg, "%s/bench-%d.jsonc", dir, prospero);
		f = fopen(cfg, "w");
		fprintf(f, "{ \"supervisor\": \"bench\", \"strategy\": \"one_for_one\",\n"
			   "  \"intensity\": 100000, \"period\": 1,\n"
			   "  \"children\": [ { \"actor\": \"victim\", \"instances\": %d,\n"
			   "                  \"exec\": [\"%s\", \"--record\", \"%s\"]%s } ] }\n",
			crowd + 1, ta, s->fifo.path, prospero == 2 ? ", \"private_ipc\": false" : "");
		fclose(f);
		/* a runtime directory each: one daemon holds one */
		char rundir[512];
		snprintf(rundir, sizeof rundir, "%s/%s.run", dir, logs[prospero]);
		/* room for every copy's dynamic uid */
		char range[64];
		snprintf(range, sizeof range, "100000-%d", 100000 + 2 * crowd + 1000);
		char *argv[] = { (char *)need_env("PROSPERO"), "run", "--runtime-dir", rundir, "--uid-range", range,
				 "-c", cfg, NULL };
		s->pid = start_cmd(argv, log);
	} else {
		char n[16];
		snprintf(n, sizeof n, "%d", crowd + 1);
		char *argv[] = { (char *)need_env("REFSUP"), n, (char *)ta, "--record", s->fifo.path, NULL };
		s->pid = start_cmd(argv, log);
	}
	/* every copy reports once; the last to start is the one killed */
	long long stamp;
	for (int i = 0; i <= crowd; i++)
		if (!fifo_next(&s->fifo, &s->actor, &stamp, 30000)) {
			fprintf(stderr, "%s: %d of %d started (see %s)\n", s->label, i, crowd + 1, log);
			exit(1);
		}
}

static void kills(struct sut *s, int count)
{
	for (int i = 0; i < count; i++)
		kill_and_time(&s->fifo, &s->actor, s->lat, &s->n, s->label);
}

static void report(struct sut *s, long long *med, long long *p99)
{
	*med = percentile(s->lat, s->n, 0.5);
	*p99 = percentile(s->lat, s->n, 0.99);
	printf("  %-30s median %7.1f us   p99 %7.1f us   (%d kills)\n", s->label,
	       (double)*med / 1e3, (double)*p99 / 1e3, s->n);
}

int main(int argc, char **argv)
{
	int total = argc > 1 ? atoi(argv[1]) : 500, crowd = argc > 2 ? atoi(argv[2]) : 0, rounds = 10;
	char dir[] = "/tmp/prospero-bench.XXXXXX";
	struct sut ref = { .label = "reference (fork+execve)" };
	struct sut pro = { .label = "prospero" };
	struct sut noipc = { .label = "prospero, private_ipc false" };
	long long rm, rp, pm, pp, qm, qp;

	if (!mkdtemp(dir))
		return 1;
	ref.lat = calloc((size_t)total, sizeof(long long));
	pro.lat = calloc((size_t)total, sizeof(long long));
	noipc.lat = calloc((size_t)total, sizeof(long long));
	start_sut(&ref, dir, 0, crowd);
	start_sut(&pro, dir, 1, crowd);
	start_sut(&noipc, dir, 2, crowd);
	for (int r = 0; r < rounds; r++) {
		kills(&ref, total / rounds);
		kills(&pro, total / rounds);
		kills(&noipc, total / rounds);
	}
	stop_cmd(ref.pid);
	stop_cmd(pro.pid);
	stop_cmd(noipc.pid);
	if (crowd)
		printf("restart latency beside %d idle copies: SIGKILL -> replacement running\n", crowd);
	else
		printf("restart latency: SIGKILL -> replacement running\n");
	report(&ref, &rm, &rp);
	report(&pro, &pm, &pp);
	report(&noipc, &qm, &qp);
	printf("  ratio prospero/reference: median %.2fx, p99 %.2fx\n",
	       (double)pm / (double)rm, (double)pp / (double)rp);
	printf("  ratio prospero (private_ipc false)/reference: median %.2fx, p99 %.2fx\n",
	       (double)qm / (double)rm, (double)qp / (double)rp);
	fifo_close(&ref.fifo);
	fifo_close(&pro.fifo);
	fifo_close(&noipc.fifo);
	free(ref.lat);
	free(pro.lat);
	free(noipc.lat);
	remove_dir(dir);
	return 0;
}
