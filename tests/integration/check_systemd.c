/* systemd/prospero.service passes systemd-analyze verify, with ExecStart
 * pointed at the binary under test (verify insists the binary exists);
 * the starter config that `make install` puts where the unit looks passes
 * `check` and runs its actor. */
#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
			/* the installed path, @bindir@/prospero, becomes the one under test */
			const char *args = strchr(line, ' '), *eq = strchr(line, '=');

			ck_assert_msg(args && args - eq >= 10 &&
				      strncmp(args - 9, "/prospero", 9) == 0,
				      "%.*s does not run an absolute .../prospero: %s", (int)(eq - line + 1), line, line);
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
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite, .before = before };
