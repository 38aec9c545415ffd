/* Hardening on the real daemon (issue 11): paths a local user prepared,
 * a stalled reader of stdout, the watchdog after a daemon stall, control
 * characters in actor output, log priorities, foot-gun warnings. */
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

/* h_write, with "@EA@" the echo actor's path */
static void write_config(const char *text)
{
	const char *ea = getenv("ECHOACTOR");
	char out[8192], *o = out;

	ck_assert_msg(ea != NULL, "ECHOACTOR is not set");
	for (const char *p = text; *p;) {
		if (strncmp(p, "@EA@", 4) == 0) {
			o += snprintf(o, (size_t)(out + sizeof out - o), "%s", ea);
			p += 4;
		} else {
			*o++ = *p++;
		}
		ck_assert((size_t)(o - out) < sizeof out - 1);
	}
	*o = '\0';
	h_write(&h, "root.jsonc", out);
}

/* Two actors pet a 1 s watchdog every 0.3 s, one on its control channel,
 * one on $NOTIFY_SOCKET. The daemon is stopped for 3 s: their timers are
 * long expired when it resumes, their pets queued. "tick" ends every
 * second: its restart after the SIGCONT shows the daemon has run its
 * expired timers. The old daemon killed both with reason "watchdog". */
START_TEST(a_daemon_stall_is_not_the_actors_fault)
{
	struct h_event e;

	write_config("{ \"supervisor\": \"root\", \"intensity\": 100, \"period\": 5, \"children\": [\n"
		     "  { \"actor\": \"w\", \"exec\": [\"@EA@\", \"--ready\", \"--pet\", \"300\", \"1000\", \"control\"],\n"
		     "    \"ready\": \"notify\", \"start_timeout\": 5000, \"watchdog\": 1000 },\n"
		     "  { \"actor\": \"n\", \"exec\": [\"@EA@\", \"--ready\", \"--pet\", \"300\", \"1000\", \"notify\"],\n"
		     "    \"ready\": \"notify\", \"start_timeout\": 5000, \"watchdog\": 1000 },\n"
		     "  { \"actor\": \"tick\", \"exec\": [\"/bin/sleep\", \"1\"], \"restart\": \"permanent\" } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_signal(&h, SIGSTOP);
	h_sleep_ms(3000);
	h_signal(&h, SIGCONT);
	/* the second restart of tick is after the stall, whatever was
	 * still unread before it; nothing else may end meanwhile */
	for (int restarts = 0; restarts < 2;) {
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "tick was not restarted");
		ck_assert_msg(strcmp(e.event, "exit") != 0 || strcmp(e.name, "tick") == 0,
			      "killed after the stall: %s", e.line);
		restarts += strcmp(e.event, "restart") == 0;
	}
	h_stop(&h);
	while (h_next(&h, &e, 0))
		ck_assert_msg(strcmp(e.reason, "watchdog") != 0, "killed after the stall: %s", e.line);
}
END_TEST

/* Set $JOURNAL_STREAM to FILE's device and inode (made now if need be),
 * as systemd does for the stream it hands a service as stderr. */
static void journal_is(const char *file)
{
	char v[64];
	struct stat st;

	if (stat(h_path(&h, file), &st) < 0)
		h_write(&h, file, "");
	ck_assert(stat(h_path(&h, file), &st) == 0);
	snprintf(v, sizeof v, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	ck_assert(setenv("JOURNAL_STREAM", v, 1) == 0);
}

/* Lines of FILE starting with PREFIX and holding WHAT. */
static int lines_with(const char *file, const char *prefix, const char *what)
{
	char buf[16384], *save = NULL;
	int n = 0;

	ck_assert(h_read(&h, file, buf, sizeof buf) >= 0);
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		n += strncmp(l, prefix, strlen(prefix)) == 0 && strstr(l, what) != NULL;
	return n;
}

/* stderr is the journal: give-ups and failed starts are errors, abnormal
 * exits and restarts warnings, the rest information. The old daemon put
 * every line at <6>. */
START_TEST(daemon_lines_carry_journal_priorities)
{
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 1, \"period\": 3600, \"children\": [\n"
		"  { \"actor\": \"s\", \"exec\": [\"/bin/sleep\", \"1000\"] },\n"
		"  { \"actor\": \"crash\", \"exec\": [\"/bin/sh\", \"-c\", \"exit 3\"] } ] }\n");
	journal_is("err");
	h_start(&h, root_only);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 3);
	ck_assert_int_eq(lines_with("err", "<6>prospero: start s", ""), 1);
	ck_assert_int_ge(lines_with("err", "<4>prospero: exit crash", "status 3"), 1);
	ck_assert_int_ge(lines_with("err", "<4>prospero: restart crash", ""), 1);
	ck_assert_int_eq(lines_with("err", "<3>prospero: give_up root", ""), 1);
	ck_assert_int_eq(lines_with("err", "", ""), lines_with("err", "<", ""));

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"bad\", \"exec\": [\"/bin/true\"], \"secrets\": [\"NO_SUCH_KEY\"] } ] }\n");
	journal_is("run.err");
	ck_assert_int_eq(run_with_events(h_path(&h, "events")), 1);
	ck_assert_int_eq(lines_with("run.err", "<3>prospero: exit bad", "could not start: secret"), 1);
	/* a config error keeps its form, behind the prefix */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ \"nobody\" ] }\n");
	ck_assert_int_eq(run_with_events(h_path(&h, "events")), 1);
	ck_assert_int_eq(lines_with("run.err", "<3>prospero: root.jsonc:1:", ": error: "), 1);
}
END_TEST

/* $JOURNAL_STREAM inherited by a daemon whose stderr went elsewhere: no
 * prefixes. The old daemon wrote them whenever the variable was set. */
START_TEST(a_stale_journal_stream_gets_no_priorities)
{
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ \"nobody\" ] }\n");
	ck_assert(setenv("JOURNAL_STREAM", "1:1", 1) == 0);
	ck_assert_int_eq(run_with_events(h_path(&h, "events")), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: root.jsonc:1:", ": error: "), 1);
	h_write(&h, "root.jsonc", one_sleeper);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_stop(&h);
	ck_assert_int_ge(lines_with("err", "prospero: start s", ""), 1);
	ck_assert_int_eq(lines_with("err", "<", ""), 0);
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
	tcase_add_test(tc, a_daemon_stall_is_not_the_actors_fault);
	tcase_add_test(tc, daemon_lines_carry_journal_priorities);
	tcase_add_test(tc, a_stale_journal_stream_gets_no_priorities);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
