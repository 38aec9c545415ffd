/* What fault injection costs, each figure beside its same-run reference:
 *   - an actor no fault names: restart latency (SIGKILL to replacement
 *     running) under `run --faults` with a plan that names another actor,
 *     against the same tree without --faults, interleaved in rounds;
 *   - an edge no fault names, and one a plan interposes with nothing to
 *     do ("drop": 0: every message through the daemon's relay): a 64-byte
 *     round trip, against the same edge without --faults;
 *   - one system call routed to the daemon's listener (getppid), answered
 *     "continue" and "fail", against the bare call.
 * Usage: bench_faults [KILLS] [ROUND_TRIPS] [CALLS]. Figures, not pass/fail. */
#include <stdbool.h>

#include "tests/bench/bench.h"

static char dir[] = "/tmp/prospero-bench-faults.XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "w")) || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* prospero run on DIR/CFG, with DIR/PLAN when not NULL; stdout and
 * stderr to DIR/LOG. A runtime directory each: one daemon holds one, and
 * the restart figures run two daemons at once (nor may a bench take a
 * live daemon's default one). */
static pid_t start_prospero(const char *cfg, const char *plan, const char *log)
{
	static int daemons;
	char c[512], p[512], l[512], r[512];
	char *argv[] = { (char *)need_env("PROSPERO"), "run", "--runtime-dir", r, "-c", c, "--faults", p, NULL };

	snprintf(c, sizeof c, "%s/%s", dir, cfg);
	snprintf(p, sizeof p, "%s/%s", dir, plan ? plan : "");
	snprintf(l, sizeof l, "%s/%s", dir, log);
	snprintf(r, sizeof r, "%s/run-%d", dir, daemons++);
	if (!plan)
		argv[6] = NULL;
	return start_cmd(argv, l);
}

/* The number after PREFIX on the first line of DIR/LOG that has it,
 * waiting up to a minute; exits if none comes. */
static long long wait_number(const char *log, const char *prefix)
{
	char path[512], line[1024];

	snprintf(path, sizeof path, "%s/%s", dir, log);
	for (int i = 0; i < 6000; i++) {
		FILE *f = fopen(path, "r");

		while (f && fgets(line, sizeof line, f)) {
			char *at = strstr(line, prefix);

			if (at) {
				fclose(f);
				return atoll(at + strlen(prefix));
			}
		}
		if (f)
			fclose(f);
		usleep(10000);
	}
	fprintf(stderr, "no \"%s\" in %s\n", prefix, path);
	exit(1);
}

/* --- restart latency of an actor no fault names --- */

struct sut {
	const char *label;
	pid_t pid;
	struct fifo fifo;
	int actor;
	long long *lat;
	int n;
};

static void start_victim(struct sut *s, bool faults)
{
	const char *ta = need_env("TESTACTOR");
	char cfg[1024];
	long long stamp;

	fifo_open(&s->fifo, dir, faults ? "f.fifo" : "p.fifo");
	snprintf(cfg, sizeof cfg,
		 "{ \"supervisor\": \"bench\", \"intensity\": 100000, \"period\": 1, \"children\": [\n"
		 "  { \"actor\": \"victim\", \"exec\": [\"%s\", \"--record\", \"%s\"] },\n"
		 "  { \"actor\": \"bystander\", \"exec\": [\"%s\"] } ] }\n", ta, s->fifo.path, ta);
	write_file(faults ? "victim-f.jsonc" : "victim-p.jsonc", cfg);
	s->pid = start_prospero(faults ? "victim-f.jsonc" : "victim-p.jsonc", faults ? "other.jsonc" : NULL,
				faults ? "victim-f.log" : "victim-p.log");
	if (!fifo_next(&s->fifo, &s->actor, &stamp, 10000)) {
		fprintf(stderr, "%s: no actor started\n", s->label);
		exit(1);
	}
}

static void kills(struct sut *s, int count)
{
	for (int i = 0; i < count; i++)
		kill_and_time(&s->fifo, &s->actor, s->lat, &s->n, s->label);
}

static void restart_latency(int total)
{
	struct sut plain = { .label = "without --faults" }, faults = { .label = "--faults, victim not named" };
	long long pm, fm;

	plain.lat = calloc((size_t)total, sizeof(long long));
	faults.lat = calloc((size_t)total, sizeof(long long));
	start_victim(&plain, false);
	start_victim(&faults, true);
	for (int r = 0; r < 10; r++) {
		kills(&plain, total / 10);
		kills(&faults, total / 10);
	}
	stop_cmd(plain.pid);
	stop_cmd(faults.pid);
	pm = percentile(plain.lat, plain.n, 0.5);
	fm = percentile(faults.lat, faults.n, 0.5);
	printf("restart latency, SIGKILL -> replacement running (%d kills each)\n", plain.n);
	printf("  %-30s median %7.1f us   p99 %7.1f us\n", plain.label, (double)pm / 1e3,
	       (double)percentile(plain.lat, plain.n, 0.99) / 1e3);
	printf("  %-30s median %7.1f us   p99 %7.1f us   (%.2fx)\n", faults.label, (double)fm / 1e3,
	       (double)percentile(faults.lat, faults.n, 0.99) / 1e3, (double)fm / (double)pm);
	fifo_close(&plain.fifo);
	fifo_close(&faults.fifo);
	free(plain.lat);
	free(faults.lat);
}

/* --- one run of an actor that prints a figure --- */

static long long one_run(const char *cfg, const char *plan, const char *prefix)
{
	static int runs;
	char log[32];
	pid_t pid;
	long long v;

	/* a log of its own: an old one would answer before the run writes */
	snprintf(log, sizeof log, "run%d.log", runs++);
	pid = start_prospero(cfg, plan, log);
	v = wait_number(log, prefix);

	stop_cmd(pid);
	return v;
}

/* The median of ROUNDS runs of each of N setups, interleaved. */
static void medians(int n, const char *const *cfg, const char *const *plan, const char *prefix,
		    long long *out)
{
	enum { ROUNDS = 5 };
	long long v[8][ROUNDS];

	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < n; i++)
			v[i][r] = one_run(cfg[i], plan[i], prefix);
	for (int i = 0; i < n; i++)
		out[i] = percentile(v[i], ROUNDS, 0.5);
}

static void round_trip(long n)
{
	static const char *const cfg[] = { "rtt.jsonc", "rtt.jsonc", "rtt.jsonc" };
	static const char *const plan[] = { NULL, "other.jsonc", "relay.jsonc" };
	const char *fe = need_env("FAULTEE");
	char text[1024];
	long long ns[3];

	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"bench\", \"children\": [\n"
		 "  { \"actor\": \"pong\", \"exec\": [\"%s\", \"pong\"] },\n"
		 "  { \"actor\": \"ping\", \"exec\": [\"%s\", \"ping\", \"%ld\"], \"bindings\": { \"P\": \"pong\" } },\n"
		 "  { \"actor\": \"bystander\", \"exec\": [\"%s\"] } ] }\n", fe, fe, n, need_env("TESTACTOR"));
	write_file("rtt.jsonc", text);
	write_file("relay.jsonc", "{ \"faults\": [ { \"edge\": \"ping -> pong\", \"drop\": 0 } ] }\n");
	medians(3, cfg, plan, "ping: rtt ", ns);
	printf("binding round trip, 64 bytes (%ld each, median of 5 runs)\n", n);
	printf("  %-30s %7.2f us\n", "without --faults", (double)ns[0] / 1e3);
	printf("  %-30s %7.2f us   (%.2fx)\n", "--faults, edge not named", (double)ns[1] / 1e3, (double)ns[1] / (double)ns[0]);
	printf("  %-30s %7.2f us   (+%.2f us)\n", "--faults, edge relayed", (double)ns[2] / 1e3, (double)(ns[2] - ns[0]) / 1e3);
}

static void intercepted_call(long n)
{
	static const char *const cfg[] = { "calls.jsonc", "calls.jsonc", "calls.jsonc" };
	static const char *const plan[] = { NULL, "continue.jsonc", "fail.jsonc" };
	const char *fe = need_env("FAULTEE");
	char text[1024];
	long long ns[3];

	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"bench\", \"children\": [\n"
		 "  { \"actor\": \"calls\", \"exec\": [\"%s\", \"calls\", \"%ld\"] } ] }\n", fe, n);
	write_file("calls.jsonc", text);
	write_file("continue.jsonc", "{ \"faults\": [ { \"syscall\": \"getppid\", \"target\": \"calls\", "
				     "\"errno\": \"EPERM\", \"probability\": 0 } ] }\n");
	write_file("fail.jsonc", "{ \"faults\": [ { \"syscall\": \"getppid\", \"target\": \"calls\", "
				 "\"errno\": \"EPERM\" } ] }\n");
	medians(3, cfg, plan, "calls: call ", ns);
	printf("one system call, getppid (%ld each, median of 5 runs)\n", n);
	printf("  %-30s %7.2f us\n", "bare (no plan)", (double)ns[0] / 1e3);
	printf("  %-30s %7.2f us   (+%.2f us)\n", "routed, answered continue", (double)ns[1] / 1e3, (double)(ns[1] - ns[0]) / 1e3);
	printf("  %-30s %7.2f us   (+%.2f us)\n", "routed, answered EPERM", (double)ns[2] / 1e3, (double)(ns[2] - ns[0]) / 1e3);
}

int main(int argc, char **argv)
{
	int kills_n = argc > 1 ? atoi(argv[1]) : 500;
	long rtts = argc > 2 ? atol(argv[2]) : 20000, calls = argc > 3 ? atol(argv[3]) : 20000;

	if (!mkdtemp(dir))
		return 1;
	chmod(dir, 0755);
	/* a plan that names only the bystander, and that far in the future */
	write_file("other.jsonc", "{ \"faults\": [ { \"kill\": \"bystander\", \"at\": [86400000] } ] }\n");
	restart_latency(kills_n);
	round_trip(rtts);
	intercepted_call(calls);
	remove_dir(dir);
	return 0;
}
