/* Hardening on the real daemon (issue 11): paths a local user prepared,
 * more to come. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/common/runner.h"
#include "tests/common/harness.h"

static struct h h;

static void setup(void) { h_init(&h); }
static void teardown(void) { h_fini(&h); }

static const char *const root_only[] = { "root.jsonc", NULL };

static const char one_sleeper[] =
	"{ \"supervisor\": \"root\", \"children\": [\n"
	"  { \"actor\": \"s\", \"exec\": [\"/bin/sleep\", \"1000\"] } ] }\n";

/* "run --events EVENTS -c root.jsonc" to completion: its exit status */
static int run_with_events(const char *events)
{
	return h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.rundir, "--events", events,
						"-c", "root.jsonc", NULL });
}

static void assert_err_has(const char *file, const char *what)
{
	char err[8192];

	ck_assert(h_read(&h, file, err, sizeof err) >= 0);
	ck_assert_msg(strstr(err, what) != NULL, "no \"%s\" in %s: %s", what, file, err);
}

/* A symlink planted at the events path: the daemon refuses it and the
 * file it points to is left as it was. The old daemon appended through it. */
START_TEST(an_events_symlink_is_refused)
{
	struct stat st;

	h_write(&h, "root.jsonc", one_sleeper);
	h_write(&h, "victim", "");
	ck_assert(symlink(h_path(&h, "victim"), h_path(&h, "events")) == 0);
	ck_assert_int_eq(run_with_events(h_path(&h, "events")), 1);
	assert_err_has("run.err", "is a symbolic link");
	ck_assert(stat(h_path(&h, "victim"), &st) == 0);
	ck_assert_int_eq((int)st.st_size, 0);
}
END_TEST

/* Another user's file (or a FIFO) is refused; a new one is made 0640. */
START_TEST(an_events_file_of_another_user_is_refused)
{
	struct stat st;

	h_write(&h, "root.jsonc", one_sleeper);
	h_write(&h, "theirs", "");
	if (geteuid() == 0) {
		ck_assert(chown(h_path(&h, "theirs"), 65534, 65534) == 0);
		ck_assert_int_eq(run_with_events(h_path(&h, "theirs")), 1);
		assert_err_has("run.err", "belongs to another user");
		ck_assert(stat(h_path(&h, "theirs"), &st) == 0);
		ck_assert_int_eq((int)st.st_size, 0);
	}
	ck_assert(mkfifo(h_path(&h, "fifo"), 0600) == 0);
	ck_assert_int_eq(run_with_events(h_path(&h, "fifo")), 1);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert(stat(h_path(&h, "events"), &st) == 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq((int)(st.st_mode & 0077 & ~0040), 0);
	h_stop(&h);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("harden");
	TCase *tc = tcase_create("harden");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, an_events_symlink_is_refused);
	tcase_add_test(tc, an_events_file_of_another_user_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
