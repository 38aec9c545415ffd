/* systemd/prospero.service passes systemd-analyze verify, with ExecStart
 * pointed at the binary under test (verify insists the binary exists). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/harness.h"

static struct h h;

static void setup(void) { h_init(&h); }
static void teardown(void) { h_fini(&h); }

START_TEST(the_unit_file_verifies)
{
	const char *src = getenv("SYSTEMD_UNIT");
	char line[1024], cmd[2048], out[8192];
	FILE *in, *o;
	int n, seen_notify = 0;

	ck_assert_msg(src, "SYSTEMD_UNIT not set: run through make check");
	in = fopen(src, "r");
	ck_assert_msg(in != NULL, "cannot read %s", src);
	o = fopen(h_path(&h, "prospero.service"), "w");
	ck_assert(o != NULL);
	while (fgets(line, sizeof line, in)) {
		if (strncmp(line, "ExecStart=/usr/local/bin/prospero ", 34) == 0)
			fprintf(o, "ExecStart=%s %s", getenv("PROSPERO"), line + 34);
		else
			fputs(line, o);
		if (strcmp(line, "Type=notify\n") == 0)
			seen_notify = 1;
	}
	fclose(in);
	fclose(o);
	ck_assert_msg(seen_notify, "the unit is not Type=notify");
	snprintf(cmd, sizeof cmd, "systemd-analyze verify %s > %s 2>&1",
		 h_path(&h, "prospero.service"), h_path(&h, "verify.out"));
	n = system(cmd);
	ck_assert(h_read(&h, "verify.out", out, sizeof out) >= 0);
	ck_assert_msg(WIFEXITED(n) && WEXITSTATUS(n) == 0, "systemd-analyze verify failed: %s", out);
	ck_assert_msg(strstr(out, "prospero.service") == NULL, "verify complained: %s", out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("systemd");
	TCase *tc = tcase_create("unit");

	if (system("command -v systemd-analyze >/dev/null 2>&1") != 0) {
		fprintf(stderr, "systemd-analyze is not installed: skipped\n");
		return 77;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, the_unit_file_verifies);
	suite_add_tcase(s, tc);
	return h_main(s);
}
