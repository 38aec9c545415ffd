/* `prospero check` on configs of N trivial actors, and of N actors that
 * each carry a "sandbox" block as the examples' do: its time for each N
 * and how that grows against n log n from the smallest N. Figures, not
 * pass/fail.
 * Usage: bench_check [N...]   (default 1000 4000 16000) */
#include <math.h>
#include <stdbool.h>

#include "tests/bench/bench.h"

#define ROUNDS 5
#define MAX_COUNTS 8
#define UID_BASE 100000

static char dir[] = "/tmp/prospero-bench-check.XXXXXX";

/* One supervisor with N inline actors, one a line, as a generator would
 * write them; with SANDBOX, each with a profile and lists of its own. */
static void write_config(const char *path, int n, const char *exec, bool sandbox)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	fprintf(f, "{ \"supervisor\": \"bench\", \"strategy\": \"one_for_one\",\n  \"children\": [\n");
	for (int i = 0; i < n; i++)
		fprintf(f, "    { \"actor\": \"a%d\", \"exec\": [\"%s\"]%s }%s\n", i, exec,
			sandbox ? ", \"sandbox\": { \"profile\": \"service\", \"allow\": [\"@network-io\"], "
				  "\"deny\": [\"@state\"] }" : "",
			i + 1 < n ? "," : "");
	fprintf(f, "  ] }\n");
	if (fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* One `prospero check`, with a uid range that holds N; its wall time. */
static long long time_check(const char *cfg, int n, const char *log)
{
	char range[64];
	char *argv[] = { (char *)need_env("PROSPERO"), "check", "--uid-range", range, "-c", (char *)cfg, NULL };
	long long t0;
	int status;
	pid_t pid;

	snprintf(range, sizeof range, "%d-%d", UID_BASE, UID_BASE + n);
	t0 = now_ns();
	pid = start_cmd(argv, log);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "prospero check failed on %d actors (see %s)\n", n, log);
		exit(1);
	}
	return now_ns() - t0;
}

/* Both kinds of config for every N, rounds interleaved so a noisy moment
 * touches every N alike; then a table a kind. */
int main(int argc, char **argv)
{
	static const char *const kinds[] = { "trivial actors", "actors with a sandbox block each" };
	int counts[MAX_COUNTS] = { 1000, 4000, 16000 }, ncounts = 3;
	long long t[2][MAX_COUNTS][ROUNDS];
	char cfg[2][MAX_COUNTS][256], log[256];

	if (argc > 1) {
		ncounts = 0;
		for (int i = 1; i < argc && ncounts < MAX_COUNTS; i++)
			counts[ncounts++] = atoi(argv[i]);
	}
	if (!mkdtemp(dir))
		return 1;
	snprintf(log, sizeof log, "%s/check.log", dir);
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < ncounts; i++) {
			snprintf(cfg[k][i], sizeof cfg[k][i], "%s/check-%d-%d.jsonc", dir, k, counts[i]);
			write_config(cfg[k][i], counts[i], need_env("TESTACTOR"), k == 1);
		}
	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < ncounts; i++)
			for (int k = 0; k < 2; k++)
				t[k][i][r] = time_check(cfg[k][i], counts[i], log);
	for (int k = 0; k < 2; k++) {
		long long med0 = percentile(t[k][0], ROUNDS, 0.5);

		printf("check: N %s in one file, median of %d; growth from N = %d, beside n log n's\n",
		       kinds[k], ROUNDS, counts[0]);
		printf("%8s %12s %10s %14s %18s\n", "N", "check ms", "growth", "n log n growth", "growth / n log n");
		for (int i = 0; i < ncounts; i++) {
			double n0 = counts[0], n = counts[i], growth, nlogn;
			long long med = percentile(t[k][i], ROUNDS, 0.5);

			growth = (double)med / (double)med0;
			nlogn = n * log2(n) / (n0 * log2(n0));
			printf("%8d %12.1f %10.2f %14.2f %18.2f\n", counts[i], (double)med / 1e6, growth, nlogn,
			       growth / nlogn);
		}
	}
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < ncounts; i++)
			unlink(cfg[k][i]);
	unlink(log);
	rmdir(dir);
	remove_dir(dir);
	return 0;
}
