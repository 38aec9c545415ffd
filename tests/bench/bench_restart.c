/* Restart latency: SIGKILL an actor, time until its replacement runs (the
 * replacement's own first clock reading). Prospero against the reference
 * supervisor in the same run, in turns, the order changing every turn,
 * so drift and position hit all alike. A second, identical reference
 * runs in the same turns: its ratio to the first is this run's own
 * noise, and prospero's ratios are to both, pooled.
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

enum kind { REFERENCE, CONTROL, PROSPERO, PROSPERO_NOIPC, NKINDS };

static void start_sut(struct sut *s, const char *dir, enum kind kind, int crowd)
{
	const char *ta = need_env("TESTACTOR");
	char cfg[512], log[512];

	static const char *const fifos[] = { "r.fifo", "c.fifo", "p.fifo", "q.fifo" };
	static const char *const logs[] = { "refsup", "refsup-control", "prospero", "prospero-noipc" };

	fifo_open(&s->fifo, dir, fifos[kind]);
	snprintf(log, sizeof log, "%s/%s.log", dir, logs[kind]);
	if (kind == PROSPERO || kind == PROSPERO_NOIPC) {
		FILE *f;
		snprintf(cfg, sizeof cfg, "%s/bench-%d.jsonc", dir, kind);
		f = fopen(cfg, "w");
		fprintf(f, "{ \"supervisor\": \"bench\", \"strategy\": \"one_for_one\",\n"
			   "  \"intensity\": 100000, \"period\": 1,\n"
			   "  \"children\": [ { \"actor\": \"victim\", \"instances\": %d,\n"
			   "                  \"exec\": [\"%s\", \"--record\", \"%s\"]%s } ] }\n",
			crowd + 1, ta, s->fifo.path, kind == PROSPERO_NOIPC ? ", \"private_ipc\": false" : "");
		fclose(f);
		/* a runtime directory each: one daemon holds one */
		char rundir[512];
		snprintf(rundir, sizeof rundir, "%s/%s.run", dir, logs[kind]);
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

/* Turns per supervisor: three times through the order below. A turn is
 * some 40 kills in a row, so each supervisor restarts warm, as in a crash
 * loop; turns of a few kills make every restart colder, the reference's
 * too, and the ratios smaller (1.12x where these give 1.19x). */
#define TURNS 12

int main(int argc, char **argv)
{
	int total = argc > 1 ? atoi(argv[1]) : 500, crowd = argc > 2 ? atoi(argv[2]) : 0;
	char dir[] = "/tmp/prospero-bench.XXXXXX";
	struct sut sut[NKINDS] = {
		[REFERENCE] = { .label = "reference (fork+execve)" },
		[CONTROL] = { .label = "reference again (control)" },
		[PROSPERO] = { .label = "prospero" },
		[PROSPERO_NOIPC] = { .label = "prospero, private_ipc false" },
	};
	long long med[NKINDS], p99[NKINDS];

	if (!mkdtemp(dir))
		return 1;
	for (int k = 0; k < NKINDS; k++) {
		sut[k].lat = calloc((size_t)total, sizeof(long long));
		start_sut(&sut[k], dir, (enum kind)k, crowd);
	}
	/* A Williams square: each supervisor goes first equally often and
	 * follows each other one equally often, so what one leaves behind
	 * (a kworker's free, an RCU callback) falls on all alike */
	static const int order[NKINDS][NKINDS] = { { 0, 1, 3, 2 }, { 1, 2, 0, 3 }, { 2, 3, 1, 0 }, { 3, 0, 2, 1 } };

	for (int turn = 0; turn < TURNS; turn++)
		for (int i = 0; i < NKINDS; i++)
			kills(&sut[order[turn % NKINDS][i]], total * (turn + 1) / TURNS - total * turn / TURNS);
	for (int k = 0; k < NKINDS; k++)
		stop_cmd(sut[k].pid);
	if (crowd)
		printf("restart latency beside %d idle copies: SIGKILL -> replacement running\n", crowd);
	else
		printf("restart latency: SIGKILL -> replacement running\n");
	for (int k = 0; k < NKINDS; k++)
		report(&sut[k], &med[k], &p99[k]);
	printf("  this run's noise, reference again/reference: median %.2fx, p99 %.2fx\n",
	       (double)med[CONTROL] / (double)med[REFERENCE], (double)p99[CONTROL] / (double)p99[REFERENCE]);

	/* the ratios are to both references' kills together */
	long long *both = malloc(2 * (size_t)total * sizeof(long long)), rm, rp;

	if (!both)
		return 1;
	memcpy(both, sut[REFERENCE].lat, (size_t)sut[REFERENCE].n * sizeof(long long));
	memcpy(both + sut[REFERENCE].n, sut[CONTROL].lat, (size_t)sut[CONTROL].n * sizeof(long long));
	rm = percentile(both, sut[REFERENCE].n + sut[CONTROL].n, 0.5);
	rp = percentile(both, sut[REFERENCE].n + sut[CONTROL].n, 0.99);
	free(both);
	printf("  ratio prospero/reference: median %.2fx, p99 %.2fx\n", (double)med[PROSPERO] / (double)rm,
	       (double)p99[PROSPERO] / (double)rp);
	printf("  ratio prospero (private_ipc false)/reference: median %.2fx, p99 %.2fx\n",
	       (double)med[PROSPERO_NOIPC] / (double)rm, (double)p99[PROSPERO_NOIPC] / (double)rp);
	for (int k = 0; k < NKINDS; k++) {
		fifo_close(&sut[k].fifo);
		free(sut[k].lat);
	}
	remove_dir(dir);
	return 0;
}
