/* systemd/prospero.service passes systemd-analyze verify, with ExecStart
 * pointed at the binary under test (verify insists the binary exists);
 * the starter config that `make install` puts where the unit looks passes
 * `check` and runs its actor; the unit's CapabilityBoundingSet= holds
 * every capability the daemon needs. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/common/runner.h"
#include "tests/common/harness.h"

static struct h h;

static void setup(void) { h_init(&h); }
static void teardown(void) { h_fini(&h); }

START_TEST(the_unit_file_verifies)
{
	const char *src = getenv("SYSTEMD_UNIT");
	char line[1024], cmd[2048], out[8192];
	FILE *in, *o;
	int n, seen_notify = 0, seen_exec = 0;

	ck_assert_msg(src, "SYSTEMD_UNIT not set: run through make check");
	in = fopen(src, "r");
	ck_assert_msg(in != NULL, "cannot read %s", src);
	o = fopen(h_path(&h, "prospero.service"), "w");
	ck_assert(o != NULL);
	while (fgets(line, sizeof line, in)) {
		if (strncmp(line, "ExecStart=/", 11) == 0 || strncmp(line, "ExecReload=/", 12) == 0) {
			/* the installed path, @bindir@/ and the daemon's installed
			 * name (prospero, or as --program-prefix and the like
			 * rename it), becomes the one under test */
			const char *args = strchr(line, ' '), *eq = strchr(line, '=');

			ck_assert_msg(args && args - eq >= 3 && args[-1] != '/',
				      "%.*s does not run a program by its absolute path: %s", (int)(eq - line + 1), line, line);
			fprintf(o, "%.*s%s%s", (int)(eq - line + 1), line, getenv("PROSPERO"), args);
			seen_exec |= line[4] == 'S';
		} else {
			fputs(line, o);
		}
		if (strcmp(line, "Type=notify\n") == 0)
			seen_notify = 1;
	}
	fclose(in);
	fclose(o);
	ck_assert_msg(seen_notify, "the unit is not Type=notify");
	ck_assert_msg(seen_exec, "the unit has no ExecStart=/...");
	snprintf(cmd, sizeof cmd, "systemd-analyze verify %s > %s 2>&1",
		 h_path(&h, "prospero.service"), h_path(&h, "verify.out"));
	n = system(cmd);
	ck_assert(h_read(&h, "verify.out", out, sizeof out) >= 0);
	ck_assert_msg(WIFEXITED(n) && WEXITSTATUS(n) == 0, "systemd-analyze verify failed: %s", out);
	ck_assert_msg(strstr(out, "prospero.service") == NULL, "verify complained: %s", out);
}
END_TEST

/* What the daemon printed on stdout has LINE, waiting for it to come. */
static bool out_has(const char *line)
{
	char out[8192];

	for (int waited = 0; waited < H_TIMEOUT_MS; waited += 20) {
		if (h_read(&h, "out", out, sizeof out) > 0 && strstr(out, line))
			return true;
		h_sleep_ms(20);
	}
	return false;
}

START_TEST(the_starter_config_checks_and_runs)
{
	const char *starter = getenv("STARTER_CONFIG");
	char err[4096] = "";

	ck_assert_msg(starter, "STARTER_CONFIG not set: run through make check");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", starter, NULL }), 0);
	ck_assert(h_read(&h, "run.err", err, sizeof err) >= 0);
	ck_assert_msg(strstr(err, "warning") == NULL, "check warned: %s", err);

	h_start(&h, (const char *const[]){ starter, NULL });
	h_expect(&h, "ready", "main", NULL);
	ck_assert_msg(out_has("hello: started; replace me in prospero.jsonc\n"),
		      "the starter actor said nothing");
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

/* The capabilities the unit's CapabilityBoundingSet= names, as a mask. */
static uint64_t unit_bounding_set(void)
{
	const char *src = getenv("SYSTEMD_UNIT");
	char line[1024];
	uint64_t set = 0;
	int lines = 0;
	FILE *in;

	ck_assert_msg(src, "SYSTEMD_UNIT not set: run through make check");
	ck_assert_msg((in = fopen(src, "r")) != NULL, "cannot read %s", src);
	while (fgets(line, sizeof line, in)) {
		static const char key[] = "CapabilityBoundingSet=";

		if (strncmp(line, key, sizeof key - 1) != 0)
			continue;
		lines++;
		for (char *save, *w = strtok_r(line + sizeof key - 1, " \n", &save); w;
		     w = strtok_r(NULL, " \n", &save)) {
			cap_value_t c;

			ck_assert_msg(cap_from_name(w, &c) == 0 && c < 64, "the unit names an unknown capability %s", w);
			set |= (uint64_t)1 << c;
		}
	}
	fclose(in);
	ck_assert_msg(lines == 1, "the unit has %d CapabilityBoundingSet= lines, not one", lines);
	return set;
}

/* prospero ARGS run as root within bounding set SET, as the unit runs
 * it (root's permitted set after exec is its bounding set); its exit
 * status, its stderr in DIR/run.err. */
static int run_bounded(uint64_t set, const char *const *args)
{
	const char *argv[16] = { "prospero" };
	int n = 1, st;
	pid_t pid;

	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int err = open(h_path(&h, "run.err"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		for (int c = 0; c <= CAP_LAST_CAP && c < 64; c++)
			if (!((set >> c) & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
				_exit(120);
		if (err < 0 || dup2(err, 2) < 0 || chdir(h.dir) < 0)
			_exit(120);
		execv(getenv("PROSPERO"), (char *const *)argv);
		_exit(121);
	}
	ck_assert(waitpid(pid, &st, 0) == pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) < 120, "prospero could not be run bounded (%d)", st);
	return WEXITSTATUS(st);
}

/* Everything `check` and `run` refuse a root daemon without (dynamic
 * uids, signals, secrets and state, namespaces, an rlimit above the hard
 * one, a capability an actor keeps) passes within the unit's bounding
 * set; a capability it leaves out is refused there, as the README says. */
START_TEST(the_units_bounding_set_is_enough)
{
	uint64_t set = unit_bounding_set();
	struct rlimit rl;
	char cfg[1024], err[4096] = "", nofile[32] = "";
	int n;

	if (geteuid() != 0) {
		fprintf(stderr, "not root: the bounding set is not checked\n");
		return;
	}
	/* one above the hard limit, where the kernel allows that much and
	 * this host's own bounding set has CAP_SYS_RESOURCE to give */
	if (prctl(PR_CAPBSET_READ, CAP_SYS_RESOURCE, 0, 0, 0) == 1 && getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 1048576)
		snprintf(nofile, sizeof nofile, "\"nofile\": %llu", (unsigned long long)rl.rlim_max + 1);
	snprintf(cfg, sizeof cfg,
		 "{ \"supervisor\": \"main\", \"children\": [\n"
		 "  { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"cwd\": \"/\", \"secrets\": [\"KEY\"],\n"
		 "    \"state\": true, \"private_network\": true, \"read_only\": [\"/usr\"],\n"
		 "    \"capabilities\": [\"CAP_NET_BIND_SERVICE\"], \"limits\": { %s } } ] }\n", nofile);
	h_write(&h, "all.jsonc", cfg);
	h_write(&h, ".dev.vars", "KEY=value\n");
	ck_assert(chmod(h_path(&h, ".dev.vars"), 0600) == 0);
	n = run_bounded(set, (const char *const[]){ "check", "-c", "all.jsonc", "--state-dir", h_path(&h, "state"),
						    NULL });
	ck_assert(h_read(&h, "run.err", err, sizeof err) >= 0);
	ck_assert_msg(n == 0 && strstr(err, "error") == NULL && strstr(err, "warning") == NULL,
		      "within the unit's bounding set, check exited %d: %s", n, err);

	/* the README's "Confinement and secrets": under systemd every start
	 * makes new namespaces, since keeping them needs this */
	ck_assert_msg(!((set >> CAP_SYS_CHROOT) & 1), "the unit gives CAP_SYS_CHROOT, which the README says it leaves out");
	ck_assert_msg(!((set >> CAP_NET_RAW) & 1), "the unit gives CAP_NET_RAW");
	h_write(&h, "raw.jsonc", "{ \"supervisor\": \"main\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"capabilities\": [\"CAP_NET_RAW\"] } ] }\n");
	ck_assert_int_eq(run_bounded(set, (const char *const[]){ "check", "-c", "raw.jsonc", NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) >= 0);
	ck_assert_msg(strstr(err, "this daemon cannot give CAP_NET_RAW"), "not refused: %s", err);
}
END_TEST

static int before(int argc, char **argv)
{
	if (system("command -v systemd-analyze >/dev/null 2>&1") != 0) {
		fprintf(stderr, "systemd-analyze is not installed: skipped\n");
		return 77;
	}
	return -1;
}

static Suite *suite(void)
{
	Suite *s = suite_create("systemd");
	TCase *tc = tcase_create("unit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, the_unit_file_verifies);
	tcase_add_test(tc, the_starter_config_checks_and_runs);
	tcase_add_test(tc, the_units_bounding_set_is_enough);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite, .before = before };
