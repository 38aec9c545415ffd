/* Hardening on the real daemon (issue 11): paths a local user prepared,
 * a stalled reader of stdout, the watchdog after a daemon stall, control
 * characters in actor output, log priorities, foot-gun warnings. */
#include <check.h>
#include <errno.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "src/config/config.h"
#include "src/daemon/ctl_server.h"
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

/* The sockets the daemon binds in its runtime directory are reached
 * through the directory's fd, not its path: with the directory moved
 * and a link to another directory put at its path, the stop removes its
 * own sockets and nothing where the link points. The old daemon
 * unlinked by path, through the link. */
START_TEST(the_runtime_sockets_are_not_reached_through_their_path)
{
	char run[512], moved[512], decoy[512];
	const char *extra[] = { "--runtime-dir", run, NULL };

	snprintf(run, sizeof run, "%s", h_path(&h, "outer/run"));
	snprintf(moved, sizeof moved, "%s", h_path(&h, "outer/moved"));
	snprintf(decoy, sizeof decoy, "%s", h_path(&h, "decoy"));
	ck_assert(mkdir(h_path(&h, "outer"), 0755) == 0);
	ck_assert(mkdir(decoy, 0755) == 0);
	h_write(&h, "decoy/notify", "not the daemon's\n");
	h_write(&h, "decoy/control", "not the daemon's\n");
	h_write(&h, "root.jsonc", one_sleeper);
	h_start_with(&h, root_only, extra);
	h_expect(&h, "ready", "s", NULL);
	ck_assert(rename(run, moved) == 0);
	ck_assert(symlink(decoy, run) == 0);
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
	ck_assert_int_eq(access(h_path(&h, "decoy/notify"), F_OK), 0);
	ck_assert_int_eq(access(h_path(&h, "decoy/control"), F_OK), 0);
	ck_assert_int_ne(access(h_path(&h, "outer/moved/notify"), F_OK), 0);
	ck_assert_int_ne(access(h_path(&h, "outer/moved/control"), F_OK), 0);
}
END_TEST

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

/* A hard link planted at the events path, to a file of the daemon's user
 * that another may not write (/etc/shadow, where hard links are not
 * protected): refused, and the file it names left as it was. The daemon
 * appended its events to it, as it was the daemon's user's. */
START_TEST(an_events_hard_link_is_refused)
{
	struct stat st;

	h_write(&h, "root.jsonc", one_sleeper);
	h_write(&h, "victim", "secret\n");
	ck_assert(link(h_path(&h, "victim"), h_path(&h, "events")) == 0);
	ck_assert_int_eq(run_with_events(h_path(&h, "events")), 1);
	assert_err_has("run.err", "has another name (a hard link)");
	ck_assert(stat(h_path(&h, "victim"), &st) == 0);
	ck_assert_int_eq((int)st.st_size, 7);
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
	assert_err_has("run.err", "is not a regular file");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert(stat(h_path(&h, "events"), &st) == 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0037u, 0);	/* at most 0640 */
	h_stop(&h);
}
END_TEST

/* Two actors pet a 1 s watchdog every 0.3 s, one on its control channel,
 * one on $NOTIFY_SOCKET. The daemon is stopped for 3 s: their timers are
 * long expired when it resumes, their pets queued. "tick" ends every
 * second: its restart after the SIGCONT shows the daemon has run its
 * expired timers. The old daemon killed both with reason "watchdog". */
START_TEST(a_daemon_stall_is_not_the_actors_fault)
{
	struct h_event e;

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"intensity\": 100, \"period\": 5, \"children\": [\n"
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

/* Each actor sends READY=1 1 s into a 1.5 s start_timeout, one on
 * $NOTIFY_SOCKET, one on its control channel, while the daemon is
 * stopped for 3 s: the start timer is long expired when it resumes, the
 * READY=1 queued in time. The old daemon judged the timer first and
 * killed each with "start timeout", failing the boot. */
START_TEST(a_daemon_stall_is_not_a_start_timeout)
{
	struct h_event e;

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"n\", \"exec\": [\"@TA@\", \"--notify-after\", \"1000\"],\n"
		     "    \"ready\": \"notify\", \"start_timeout\": 1500 },\n"
		     "  { \"actor\": \"c\", \"exec\": [\"/bin/sh\", \"-c\", \"sleep 1; exec @EA@ --ready\"],\n"
		     "    \"ready\": \"notify\", \"start_timeout\": 1500 } ] }\n");
	h_start(&h, root_only);
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "c" : "n";

		h_expect(&h, "start", name, NULL);
		h_signal(&h, SIGSTOP);
		h_sleep_ms(3000);
		h_signal(&h, SIGCONT);
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "%s: no event after the stall", name);
		ck_assert_msg(strcmp(e.event, "ready") == 0 && strcmp(e.name, name) == 0,
			      "after the stall: %s", e.line);
	}
	h_expect(&h, "ready", "root", NULL);
	h_stop(&h);
}
END_TEST

static void journal_is(const char *file)
{
	h_journal_is(&h, file);
}

/* Lines of FILE starting with PREFIX and holding WHAT (0: no FILE). */
static int lines_with(const char *file, const char *prefix, const char *what)
{
	return h_lines_with(&h, file, prefix, what);
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

static void wait_file(const char *name)
{
	for (int waited = 0; access(h_path(&h, name), F_OK) != 0; waited += 10) {
		ck_assert_msg(waited < 4 * H_TIMEOUT_MS, "no %s", name);
		h_sleep_ms(10);
	}
}

/* A reader of the FIFO "out" (the daemon's stdout) copying to "copy",
 * pausing DELAY_US after each read of 4 KiB. O_RDWR: it never sees EOF. */
static pid_t start_reader(int delay_us)
{
	pid_t pid;

	ck_assert(mkfifo(h_path(&h, "out"), 0600) == 0);
	/* made by the reader once it holds the FIFO open */
	unlink(h_path(&h, "copy"));
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int in = open(h_path(&h, "out"), O_RDWR);
		int out = open(h_path(&h, "copy"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		char buf[4096];
		ssize_t n;

		if (in < 0 || out < 0)
			_exit(1);
		while ((n = read(in, buf, sizeof buf)) > 0) {
			if (write(out, buf, (size_t)n) != n)
				_exit(1);
			if (delay_us)
				usleep((useconds_t)delay_us);
		}
		_exit(0);
	}
	wait_file("copy");
	return pid;
}

static void stop_reader(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void wait_lines_with(const char *file, const char *prefix, const char *what, int n)
{
	for (int waited = 0; lines_with(file, prefix, what) < n; waited += 10) {
		ck_assert_msg(waited < 4 * H_TIMEOUT_MS, "%s: fewer than %d lines %s...%s", file, n, prefix, what);
		h_sleep_ms(10);
	}
}

static const char chatty_and_crash[] =
	"{ \"supervisor\": \"root\", \"intensity\": 1000, \"period\": 1, \"children\": [\n"
	"  { \"actor\": \"chatty\", \"exec\": [\"/bin/sh\", \"-c\",\n"
	"      \"seq 1 %d; touch @DIR@/said; exec sleep 1000\"] },\n"
	"  { \"actor\": \"crash\", \"exec\": [\"/bin/sh\", \"-c\", \"echo crash; sleep 0.1; exit 1\"] } ] }\n";

/* The reader of the daemon's stdout and stderr is stopped: actors keep
 * being read (their lines dropped), restarts happen, SIGTERM is served;
 * when the reader goes on, one line says what was lost. The old daemon
 * blocked in write: chatty never finished, no restart happened. */
START_TEST(a_stalled_stdout_never_freezes_supervision)
{
	char config[1024];
	pid_t reader = start_reader(0);

	kill(reader, SIGSTOP);
	/* stderr too, as on a terminal paused with Ctrl-S */
	ck_assert(symlink("out", h_path(&h, "err")) == 0);
	snprintf(config, sizeof config, chatty_and_crash, 400000);
	h_write(&h, "root.jsonc", config);
	h_start(&h, root_only);
	wait_file("said");
	h_expect(&h, "ready", "root", NULL);
	for (int i = 0; i < 8; i++)
		h_expect(&h, "restart", "crash", NULL);
	kill(reader, SIGCONT);
	wait_lines_with("copy", "prospero: ", " dropped while stdout was stalled (", 1);
	wait_lines_with("copy", "prospero: ", " dropped while stderr was stalled", 1);
	h_stop(&h);
	stop_reader(reader);
	/* most first */
	ck_assert_int_eq(lines_with("copy", "prospero: ", "stdout was stalled (chatty "), 1);
}
END_TEST

/* A slow reader that keeps reading gets every line, and no report. */
START_TEST(a_slow_but_moving_reader_gets_every_line)
{
	char config[1024];
	pid_t reader = start_reader(2000);

	snprintf(config, sizeof config, chatty_and_crash, 100000);
	h_write(&h, "root.jsonc", config);
	h_start(&h, root_only);
	wait_file("said");
	wait_lines_with("copy", "chatty: 100000", "", 1);
	h_stop(&h);
	stop_reader(reader);
	ck_assert_int_eq(lines_with("copy", "chatty: ", ""), 100000);
	ck_assert_int_eq(lines_with("copy", "prospero: ", "dropped"), 0);
}
END_TEST

/* An actor writing without end, no newline ever: the others are still
 * restarted and SIGTERM served. */
START_TEST(an_endless_writer_does_not_starve_the_loop)
{
	ck_assert(symlink("/dev/null", h_path(&h, "out")) == 0);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 1000, \"period\": 1, \"children\": [\n"
		"  { \"actor\": \"zero\", \"exec\": [\"/bin/cat\", \"/dev/zero\"] },\n"
		"  { \"actor\": \"crash\", \"exec\": [\"/bin/sh\", \"-c\", \"sleep 0.1; exit 1\"] } ] }\n");
	h_start(&h, root_only);
	for (int i = 0; i < 8; i++)
		h_expect(&h, "restart", "crash", NULL);
	h_stop(&h);
}
END_TEST

/* A daemon running actor "st": Python with $NOTIFY_SOCKET connected as
 * n, then SCRIPT. */
static void start_status_actor(const char *script)
{
	char text[4096];

	snprintf(text, sizeof text,
		 "import os, socket, time\n"
		 "n = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
		 "n.connect(os.environ['NOTIFY_SOCKET'])\n"
		 "%s", script);
	h_write(&h, "st.py", text);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"st\", \"exec\": [\"/usr/bin/python3\", \"@DIR@/st.py\"],\n"
		"    \"ready\": \"notify\", \"sandbox\": { \"profile\": \"none\" } } ] }\n");
	h_start(&h, root_only);
}

/* STATUS= is kept and logged, escaped, a change at most every 10 s: the
 * second, on the control channel once the first was taken, is not logged
 * (not yet: the actor ends before the 10 s are up, and so it never is).
 * The old daemon never showed it. */
START_TEST(status_changes_are_logged_escaped_and_rate_limited)
{
	start_status_actor(
		"n.send(b'STATUS=warming\\x1bup\\rnow\\nREADY=1')\n"
		"while not os.path.exists('@DIR@/go'):\n"
		"    time.sleep(0.01)\n"
		"socket.socket(fileno=3).send(b'STATUS=second')\n"
		"open('@DIR@/sent', 'w').close()\n"
		"time.sleep(1000)\n");
	/* READY=1 came in the datagram with the first STATUS= */
	h_expect(&h, "ready", "st", NULL);
	h_write(&h, "go", "");
	wait_file("sent");
	wait_lines_with("err", "prospero: st: status: ", "", 1);
	h_stop(&h);
	ck_assert_int_eq(lines_with("err", "prospero: st: status: warming\\x1bup\\rnow\n", ""), 1);
	ck_assert_int_eq(lines_with("err", "prospero: st: status: ", ""), 1);
	/* and the sample is an event, at the same bounded rate */
	ck_assert_int_eq(lines_with("events", "{", "\"event\": \"status\", \"name\": \"st\""), 1);
	ck_assert_int_eq(lines_with("events", "{", "\"text\": \"warming\\\\x1bup\\\\rnow\""), 1);
}
END_TEST

/* A NUL in STATUS= is escaped as output's is (\0), not the end of the
 * text: the old daemon kept and logged "a", and "b" was lost unseen. */
START_TEST(a_nul_in_a_status_is_escaped_not_an_end)
{
	start_status_actor(
		"n.send(b'STATUS=a\\x00b\\nREADY=1')\n"
		"time.sleep(1000)\n");
	h_expect(&h, "ready", "st", NULL);
	wait_lines_with("err", "prospero: st: status: ", "", 1);
	h_stop(&h);
	ck_assert_int_eq(lines_with("err", "prospero: st: status: a\\0b\n", ""), 1);
	ck_assert_int_eq(lines_with("events", "{", "\"text\": \"a\\\\0b\""), 1);
}
END_TEST

/* A change inside the 10 s after a sample is reported when they are up:
 * the latest, saying how many before it were not. The old daemon kept
 * "third" for `status` but never logged it, waiting for a later change. */
START_TEST(a_status_change_inside_the_window_is_reported_when_it_ends)
{
	start_status_actor(
		"n.send(b'STATUS=hello world\\nREADY=1')\n"
		"while not os.path.exists('@DIR@/go'):\n"
		"    time.sleep(0.01)\n"
		"c = socket.socket(fileno=3)\n"
		"c.send(b'STATUS=second')\n"
		"c.send(b'STATUS=third')\n"
		"open('@DIR@/sent', 'w').close()\n"
		"time.sleep(1000)\n");
	wait_lines_with("events", "{", "\"text\": \"hello world\", \"not_shown\": 0", 1);
	h_write(&h, "go", "");
	wait_file("sent");
	/* up to 10 s */
	wait_lines_with("events", "{", "\"text\": \"third\", \"not_shown\": 1", 1);
	wait_lines_with("err", "prospero: st: status: third (1 earlier change not shown)\n", "", 1);
	ck_assert_int_eq(lines_with("events", "{", "\"event\": \"status\""), 2);
	ck_assert_int_eq(lines_with("err", "prospero: st: status: ", ""), 2);
	h_stop(&h);
}
END_TEST

static const char secret_tree[] =
	"{ \"supervisor\": \"root\", \"children\": [\n"
	"  { \"actor\": \"pay\", \"secrets\": [\"K\"], \"exec\": [\"/bin/sh\", \"-c\",\n"
	"      \"cat $CREDENTIALS_DIRECTORY/K > @DIR@/got.tmp; mv @DIR@/got.tmp @DIR@/got; exec sleep 1000\"] },\n"
	"  { \"actor\": \"nosy\", \"exec\": [\"/bin/sh\", \"-c\",\n"
	"      \"cat .dev.vars > @DIR@/leak 2>/dev/null; touch @DIR@/tried; exec sleep 1000\"] } ] }\n";

/* check warns of a .dev.vars others can read; a root daemon makes root's
 * own 0600 before any actor runs (the quick start still works: pay gets
 * its key, nosy nothing). The old daemon let nosy read every secret. */
START_TEST(a_readable_dev_vars_is_made_private)
{
	char got[64];
	struct stat st;

	h_write(&h, "root.jsonc", secret_tree);
	h_write(&h, ".dev.vars", "K=v\n");
	ck_assert(chmod(h_path(&h, ".dev.vars"), 0644) == 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 0);
	ck_assert_int_eq(lines_with("run.err", "prospero: ", ".dev.vars is readable by other users (mode 0644)"), 1);
	ck_assert(stat(h_path(&h, ".dev.vars"), &st) == 0);
	ck_assert_int_eq((int)(st.st_mode & 0777), 0644);	/* check changes nothing */
	if (geteuid() != 0)
		return;
	h_start(&h, root_only);
	wait_file("got");
	wait_file("tried");
	ck_assert_int_eq(h_read(&h, "got", got, sizeof got), 1);
	ck_assert_str_eq(got, "v");
	ck_assert_int_eq(h_read(&h, "leak", got, sizeof got), 0);
	ck_assert(stat(h_path(&h, ".dev.vars"), &st) == 0);
	ck_assert_int_eq((int)(st.st_mode & 0777), 0600);
	h_stop(&h);
	ck_assert_int_eq(lines_with("err", "prospero: ", "was readable by other users (mode 0644), actors included: made it 0600"), 1);
}
END_TEST

/* git records 0755 too, and a file may be 0444: root's own is made
 * 0600 whatever its mode, as said. The old daemon kept the owner's bits
 * (0700, 0400). */
START_TEST(a_readable_dev_vars_is_made_0600_whatever_its_mode)
{
	static const mode_t modes[] = { 0755, 0444 };
	struct stat st;

	if (geteuid() != 0)
		return;
	h_write(&h, "root.jsonc", secret_tree);
	for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
		char want[128];

		h_write(&h, ".dev.vars", "K=v\n");
		ck_assert(chmod(h_path(&h, ".dev.vars"), modes[i]) == 0);
		h_start(&h, root_only);
		h_expect(&h, "ready", "pay", NULL);
		h_stop(&h);
		ck_assert(stat(h_path(&h, ".dev.vars"), &st) == 0);
		ck_assert_int_eq((int)(st.st_mode & 07777), 0600);
		snprintf(want, sizeof want, "was readable by other users (mode %04o), actors included: "
			 "made it 0600", (unsigned)modes[i]);
		ck_assert_int_eq(lines_with("err", "prospero: ", want), 1);
	}
}
END_TEST

/* Another user's readable .dev.vars: a root daemon will not read it. */
START_TEST(another_users_readable_dev_vars_is_refused)
{
	if (geteuid() != 0)
		return;
	h_write(&h, "root.jsonc", secret_tree);
	h_write(&h, ".dev.vars", "K=v\n");
	ck_assert(chmod(h_path(&h, ".dev.vars"), 0644) == 0);
	ck_assert(chown(h_path(&h, ".dev.vars"), 65534, 65534) == 0);
	ck_assert_int_eq(run_with_events(h_path(&h, "events")), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: ", "refusing to read it; chmod 600"), 1);
	ck_assert_int_eq(access(h_path(&h, "tried"), F_OK), -1);
}
END_TEST

/* A .dev.vars that is a symbolic link is read through it, so the file
 * it points to is what others must not read: check warns of it, and a
 * root daemon refuses it without changing a file it did not name (the
 * old one looked at the link alone, said nothing and gave nosy the key). */
START_TEST(a_dev_vars_link_to_a_readable_file_is_refused)
{
	struct stat st;

	h_write(&h, "root.jsonc", secret_tree);
	h_write(&h, "shared.vars", "K=v\n");
	ck_assert(chmod(h_path(&h, "shared.vars"), 0644) == 0);
	ck_assert(symlink("shared.vars", h_path(&h, ".dev.vars")) == 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 0);
	ck_assert_int_eq(lines_with("run.err", "prospero: ", ".dev.vars is readable by other users (mode 0644)"), 1);
	if (geteuid() != 0)
		return;
	ck_assert_int_eq(run_with_events(h_path(&h, "events")), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: ", "refusing to read it; chmod 600"), 1);
	ck_assert_int_eq(access(h_path(&h, "tried"), F_OK), -1);
	ck_assert(stat(h_path(&h, "shared.vars"), &st) == 0);
	ck_assert_int_eq((int)(st.st_mode & 0777), 0644);
}
END_TEST

/* "pay" restarted by the operator: what its next start made of K, or
 * its exit reason when it could not start. */
static void restart_pay(char *got, size_t len)
{
	struct h_event e;

	unlink(h_path(&h, "got"));
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "restart", "--runtime-dir", h.rundir,
							    "pay", NULL }), 0);
	h_expect(&h, "exit", "pay", NULL);	/* the run it stopped */
	do
		ck_assert(h_next(&h, &e, H_TIMEOUT_MS));
	while (strcmp(e.name, "pay") != 0 ||
	       (strcmp(e.event, "ready") != 0 && strcmp(e.event, "exit") != 0));
	if (strcmp(e.event, "exit") == 0) {
		snprintf(got, len, "%s", e.reason);
		return;
	}
	wait_file("got");
	ck_assert_int_ge(h_read(&h, "got", got, (int)len), 0);
}

static void put_secret(const char *name, const char *text)
{
	h_write(&h, name, text);
	ck_assert(chmod(h_path(&h, name), 0600) == 0);
}

/* .dev.vars is looked for at each start, as the other sources are: one
 * made while the daemon runs gives its secrets at the next start, and
 * one removed since takes nothing from the others. The old daemon looked
 * once, when it started: it never saw a new file ("not found in
 * --secrets-dir"), and once the file it had seen was gone every start
 * failed on it, whatever the other sources held. */
START_TEST(a_dev_vars_made_or_removed_while_the_daemon_runs_counts_at_the_next_start)
{
	char sdir[512], got[512];
	const char *extra[] = { "--secrets-dir", sdir, NULL };

	snprintf(sdir, sizeof sdir, "%s", h_path(&h, "sdir"));
	ck_assert(mkdir(sdir, 0700) == 0);
	put_secret("sdir/K", "one");
	h_write(&h, "root.jsonc", secret_tree);
	h_start_with(&h, root_only, extra);
	h_expect(&h, "ready", "pay", NULL);
	wait_file("got");

	unlink(h_path(&h, "sdir/K"));
	put_secret(".dev.vars", "K=dev\n");
	restart_pay(got, sizeof got);
	ck_assert_str_eq(got, "dev");

	unlink(h_path(&h, ".dev.vars"));
	put_secret("sdir/K", "two");
	restart_pay(got, sizeof got);
	ck_assert_str_eq(got, "two");
	h_stop(&h);
}
END_TEST

/* A reload that adds the first actor with a secret makes the
 * credentials directory; when it cannot (a file is in its place) the
 * reload is refused saying why, and the next one, once the file is gone,
 * makes it and delivers. The old daemon kept the directory's path after
 * the failure, so every later reload skipped making it, and each start
 * failed on a directory it never opened. */
START_TEST(a_reload_refused_for_the_credentials_directory_can_be_retried)
{
	const char *const reload[] = { "reload", "--runtime-dir", h.rundir, NULL };
	char out[4096], got[64], cred[600];
	struct h_event e;

	put_secret(".dev.vars", "K=dev\n");
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"/bin/sleep\", \"1000\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	snprintf(cred, sizeof cred, "%s/credentials", h.rundir);
	h_write(&h, "cred-blocker", "");
	ck_assert(rename(h_path(&h, "cred-blocker"), cred) == 0);
	h_write(&h, "root.jsonc", secret_tree);
	ck_assert_int_eq(h_run(&h, reload), 1);
	ck_assert_int_gt(h_read(&h, "run.err", out, sizeof out - 1), 0);
	ck_assert_msg(strstr(out, "cannot prepare secrets delivery: ") && strstr(out, "/credentials: Not a directory"),
		      "%s", out);
	h_expect(&h, "reload", "root", &e);
	ck_assert_str_eq(e.reason, "refused: nothing changed");

	ck_assert(unlink(cred) == 0);
	ck_assert_int_eq(h_run(&h, reload), 0);
	h_expect(&h, "ready", "pay", NULL);
	wait_file("got");
	ck_assert_int_eq(h_read(&h, "got", got, sizeof got), 3);
	ck_assert_str_eq(got, "dev");
	h_stop(&h);
}
END_TEST

/* An empty $CREDENTIALS_DIRECTORY names no directory (systemd leaves it
 * unset when there are none): the other sources are searched. The old
 * daemon failed every start on it ("$CREDENTIALS_DIRECTORY (): No such
 * file or directory"). */
START_TEST(an_empty_credentials_directory_is_no_source)
{
	char got[512];

	put_secret(".dev.vars", "K=dev\n");
	h_write(&h, "root.jsonc", secret_tree);
	ck_assert(setenv("CREDENTIALS_DIRECTORY", "", 1) == 0);
	h_start(&h, root_only);
	wait_file("got");
	ck_assert_int_eq(h_read(&h, "got", got, sizeof got), 3);
	ck_assert_str_eq(got, "dev");
	h_stop(&h);
}
END_TEST

/* A --secrets-dir that does not exist is said once, by check and by run
 * before anything starts, with the option, the path and the fix; a
 * secret $CREDENTIALS_DIRECTORY holds never reaches it (first match
 * wins), so it is no error then and the actor starts. The old check
 * said "configuration ok" (it did not read --secrets-dir) and run failed
 * every start of "pay", restart after restart, on the same line; with
 * the key in $CREDENTIALS_DIRECTORY too. */
START_TEST(a_missing_secrets_dir_is_said_once_before_anything_starts)
{
	char sdir[512], creds[512], want[1400], got[64];
	const char *extra[] = { "--secrets-dir", sdir, NULL };

	snprintf(sdir, sizeof sdir, "%s", h_path(&h, "nosuch"));
	snprintf(creds, sizeof creds, "%s", h_path(&h, "creds"));
	h_write(&h, "root.jsonc", secret_tree);
	snprintf(want, sizeof want, "--secrets-dir (%s): No such file or directory: actor \"pay\" needs secret \"K\" "
		 "from it: make the directory (owned by root or the daemon's user, not writable by group or "
		 "others) or pass --secrets-dir the one that holds the secrets", sdir);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--secrets-dir", sdir,
							  NULL }), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: ", want), 1);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.rundir, "--secrets-dir", sdir,
							  "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: ", want), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: ", "could not start"), 0);
	ck_assert_int_eq(lines_with("run.err", "prospero: start ", ""), 0);
	ck_assert_int_eq(access(h_path(&h, "tried"), F_OK), -1);

	ck_assert(mkdir(creds, 0700) == 0);
	put_secret("creds/K", "cred");
	ck_assert(setenv("CREDENTIALS_DIRECTORY", creds, 1) == 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--secrets-dir", sdir,
							  NULL }), 0);
	h_start_with(&h, root_only, extra);
	wait_file("got");
	ck_assert_int_eq(h_read(&h, "got", got, sizeof got), 4);
	ck_assert_str_eq(got, "cred");
	h_stop(&h);
}
END_TEST

/* The --secrets-dir is opened by its path at each start: a user owning
 * a directory above it could move it away and put in its place a link
 * to another directory of root's, whose files the daemon then handed to
 * actors as their secrets. check and run refuse it, as they refuse such
 * a runtime or state directory; the old daemon said "configuration ok"
 * and gave "pay" the planted directory's K. */
START_TEST(a_secrets_dir_another_user_could_swap_is_refused)
{
	char above[512], sdir[600], moved[600], other[512], want[1600];
	const char *const check[] = { "check", "-c", "root.jsonc", "--secrets-dir", sdir, NULL };
	const char *const run[] = { "run", "--runtime-dir", h.rundir, "--secrets-dir", sdir, "-c", "root.jsonc",
				    NULL };

	if (geteuid() != 0)
		return;	/* needs another uid to give the directory above to */
	ck_assert(unsetenv("CREDENTIALS_DIRECTORY") == 0);
	snprintf(above, sizeof above, "%s", h_path(&h, "above"));
	snprintf(sdir, sizeof sdir, "%s/secrets", above);
	snprintf(moved, sizeof moved, "%s/moved", above);
	snprintf(other, sizeof other, "%s", h_path(&h, "roots"));
	ck_assert(mkdir(above, 0755) == 0 && mkdir(sdir, 0700) == 0 && mkdir(other, 0700) == 0);
	put_secret("above/secrets/K", "real");
	put_secret("roots/K", "planted");
	ck_assert(chown(above, 65534, 65534) == 0);
	/* what uid 65534 may do there: its own link in the directory's place */
	ck_assert(rename(sdir, moved) == 0 && symlink(other, sdir) == 0 && lchown(sdir, 65534, 65534) == 0);
	h_write(&h, "root.jsonc", secret_tree);
	snprintf(want, sizeof want, "--secrets-dir (%s) is inside %s, owned by uid 65534 with mode 0755: another "
		 "user could put another directory in its place, or a link to one of root's: refusing it: actor "
		 "\"pay\" needs secret \"K\" from it: ", sdir, above);
	ck_assert_int_eq(h_run(&h, check), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: ", want), 1);
	ck_assert_int_eq(h_run(&h, run), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: ", want), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: start ", ""), 0);
	ck_assert_int_eq(access(h_path(&h, "got"), F_OK), -1);
	/* a directory above it of root's again: the link is root's choice */
	ck_assert(chown(above, 0, 0) == 0);
	ck_assert_int_eq(h_run(&h, check), 0);
}
END_TEST

/* A reload that brings the first actor with secrets refuses a missing
 * --secrets-dir as check and run do, dry run or not; it took the tree,
 * and that actor failed every start. */
START_TEST(a_reload_refuses_a_missing_secrets_dir)
{
	char sdir[512];
	const char *extra[] = { "--secrets-dir", sdir, NULL };
	const char *const reload[] = { "reload", "--runtime-dir", h.rundir, NULL };
	const char *const dry[] = { "reload", "--dry-run", "--runtime-dir", h.rundir, NULL };
	char out[4096];

	snprintf(sdir, sizeof sdir, "%s", h_path(&h, "nosuch"));
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"/bin/sleep\", \"1000\"] } ] }\n");
	h_start_with(&h, root_only, extra);
	h_expect(&h, "ready", "root", NULL);
	h_write(&h, "root.jsonc", secret_tree);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(h_run(&h, i ? reload : dry), 1);
		ck_assert_int_gt(h_read(&h, "run.err", out, sizeof out - 1), 0);
		ck_assert_msg(strstr(out, ": No such file or directory: actor \"pay\" needs secret \"K\" from it: "
					  "make the directory"),
			      "%s", out);
	}
	ck_assert_int_eq(lines_with("err", "prospero: start pay", ""), 0);
	h_stop(&h);
}
END_TEST

/* A --secrets-dir BASE/ and COMPONENTS directories of 160 bytes each ("wörd
 * and more " ten times), made, into SDIR: a long path with blanks and
 * two-byte characters. */
static void long_secrets_dir(char *sdir, size_t len, const char *base, int components)
{
	size_t n = (size_t)snprintf(sdir, len, "%s", h_path(&h, base));

	ck_assert(mkdir(sdir, 0700) == 0);
	for (int i = 0; i < components; i++) {
		n += (size_t)snprintf(sdir + n, len - n, "/");
		for (int k = 0; k < 10; k++)
			n += (size_t)snprintf(sdir + n, len - n, "w\xc3\xb6rd and more ");
		ck_assert_uint_lt(n, len);
		ck_assert(mkdir(sdir, 0700) == 0);
	}
}

/* A start failure's reason is said whole, in the event and the log
 * line, up to 1023 bytes; a longer one is cut at a blank and ends in
 * " ...", never mid-word or mid-character. The old daemon cut it at 319
 * bytes, mid-word and, here, mid-"ö". */
START_TEST(a_long_start_failure_is_said_whole_or_cut_at_a_word)
{
	char sdir[2048], want[2400], err[16384], *at, *end;
	size_t cut;

	h_write(&h, "root.jsonc", secret_tree);
	long_secrets_dir(sdir, sizeof sdir, "s4", 4);
	snprintf(want, sizeof want, "prospero: exit pay: could not start: secret \"K\" not found in --secrets-dir (%s)\n",
		 sdir);
	ck_assert_uint_gt(strlen(want), 600);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.rundir, "--events",
							  h_path(&h, "events"), "--secrets-dir", sdir, "-c",
							  "root.jsonc", NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_msg(strstr(err, want), "no \"%s\" in: %s", want, err);
	ck_assert_int_eq(lines_with("events", "{", "\"reason\": \"could not start: secret \\\"K\\\" not found in "
						   "--secrets-dir ("), 1);
	ck_assert(h_read(&h, "events", err, sizeof err) > 0);
	ck_assert_msg(strstr(err, sdir) && strstr(err, ")\""), "%s", err);

	/* 9 components: 1400 bytes, over the limit */
	unlink(h_path(&h, "events"));
	long_secrets_dir(sdir, sizeof sdir, "s9", 9);
	snprintf(want, sizeof want, "could not start: secret \"K\" not found in --secrets-dir (%s)", sdir);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.rundir, "--events",
							  h_path(&h, "events"), "--secrets-dir", sdir, "-c",
							  "root.jsonc", NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	at = strstr(err, "prospero: exit pay: ");
	ck_assert_ptr_nonnull(at);
	at += strlen("prospero: exit pay: ");
	end = strchr(at, '\n');
	ck_assert_ptr_nonnull(end);
	ck_assert_msg(end - at > 4 && strncmp(end - 4, " ...", 4) == 0, "no mark: %.*s", (int)(end - at), at);
	cut = (size_t)(end - 4 - at);
	ck_assert_uint_le(cut + 4, 1023);
	ck_assert_uint_gt(cut, 900);
	ck_assert_msg(strncmp(at, want, cut) == 0, "not the reason's start: %.*s", (int)(end - at), at);
	ck_assert_msg(want[cut] == ' ' && want[cut - 1] != ' ', "cut mid-word at %zu: %.*s", cut, (int)(end - at), at);
	ck_assert_int_eq(lines_with("events", "{", " ...\""), 1);
}
END_TEST

/* A .dev.vars made readable to others while the daemon runs (an editor
 * that writes a new file, umask 022) is judged at the next start as at
 * the first: a root daemon makes root's own 0600, with a warning, and
 * refuses another user's. The old daemon judged it once, at start, and
 * read it as it was from then on. */
START_TEST(a_dev_vars_made_readable_while_the_daemon_runs_is_judged_at_the_next_start)
{
	char got[512];
	struct stat st;

	if (geteuid() != 0)
		return;
	put_secret(".dev.vars", "K=v\n");
	h_write(&h, "root.jsonc", secret_tree);
	h_start(&h, root_only);
	h_expect(&h, "ready", "pay", NULL);
	wait_file("got");

	h_write(&h, ".dev.vars", "K=w\n");
	ck_assert(chmod(h_path(&h, ".dev.vars"), 0644) == 0);
	restart_pay(got, sizeof got);
	ck_assert_str_eq(got, "w");
	ck_assert(stat(h_path(&h, ".dev.vars"), &st) == 0);
	ck_assert_int_eq((int)(st.st_mode & 0777), 0600);
	ck_assert_int_eq(lines_with("err", "prospero: ", "was readable by other users (mode 0644), "
				    "actors included: made it 0600"), 1);

	ck_assert(chmod(h_path(&h, ".dev.vars"), 0644) == 0);
	ck_assert(chown(h_path(&h, ".dev.vars"), 65534, 65534) == 0);
	restart_pay(got, sizeof got);
	ck_assert_msg(strstr(got, "could not start: ") == got &&
		      strstr(got, ".dev.vars is readable by other users (mode 0644), actors included: "
				  "refusing to read it; chmod 600 ") != NULL, "%s", got);
	ck_assert(stat(h_path(&h, ".dev.vars"), &st) == 0);
	ck_assert_int_eq((int)(st.st_mode & 0777), 0644);
	h_stop(&h);
}
END_TEST

/* "user": "root" passes, with a warning, in check and at start. */
START_TEST(an_actor_running_as_root_is_warned_of)
{
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"r\", \"user\": \"root\", \"exec\": [\"/bin/sleep\", \"1000\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 0);
	ck_assert_int_eq(lines_with("run.err", "prospero: root.jsonc:2:", "warning: actor \"r\" runs as root"), 1);
}
END_TEST

/* prospero ARGS as nobody, in the test's directory, its stdout in
 * nobody.out and its stderr in nobody.err: its exit status. */
static int run_as_nobody(const char *const *args)
{
	int st;
	pid_t pid = fork();

	ck_assert(pid >= 0);
	if (pid == 0) {
		int o = open(h_path(&h, "nobody.out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(h_path(&h, "nobody.err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0 || chdir(h.dir) < 0 || setgroups(0, NULL) < 0 ||
		    setgid(65534) < 0 || setuid(65534) < 0)
			_exit(120);
		execv(getenv("PROSPERO"), (char *const *)args);
		_exit(121);
	}
	ck_assert(waitpid(pid, &st, 0) == pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* A daemon without root says its actors are not kept apart. It stops at
 * once here: its events path is refused, after the warning. */
START_TEST(a_daemon_without_root_warns_once)
{
	if (geteuid() != 0)
		return;	/* needs to become another user */
	h_write(&h, "root.jsonc", one_sleeper);
	ck_assert(symlink("nowhere", h_path(&h, "events")) == 0);
	ck_assert_int_eq(run_as_nobody((const char *const[]){ "prospero", "run", "--events", "events", "-c",
							      "root.jsonc", NULL }), 1);
	ck_assert_int_eq(lines_with("nobody.err", "prospero: running without root: every actor process runs as uid 65534", ""), 1);
	/* check says it too, as the README has it; the old one did not */
	ck_assert_int_eq(run_as_nobody((const char *const[]){ "prospero", "check", "-c", "root.jsonc", NULL }), 0);
	ck_assert_int_eq(lines_with("nobody.err", "prospero: running without root: every actor process runs as uid 65534", ""), 1);
}
END_TEST

/* A cgroup delegated to nobody on a hybrid host, where the limits'
 * controllers are v1 hierarchies only root may write in: check passed a
 * tree with a memory limit, and run then failed every start of the actor
 * ("cgroup .../a: Permission denied"). The limit is refused up front. */
START_TEST(a_v1_controller_a_daemon_without_root_cannot_use_is_no_limit)
{
	static const char deleg[] = "/sys/fs/cgroup/unified/prospero-test-deleg";
	static const char *const files[] = { "", "/cgroup.procs", "/cgroup.subtree_control", "/cgroup.threads" };
	char path[256], err[8192], controllers[256] = "";
	int st, fd;
	pid_t pid;

	if (geteuid() != 0 || access("/sys/fs/cgroup/memory/cgroup.procs", F_OK) < 0 || mkdir(deleg, 0755) < 0)
		return;	/* a hybrid host, as root, with the cgroup ours to make */
	snprintf(path, sizeof path, "%s/cgroup.controllers", deleg);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		(void)!read(fd, controllers, sizeof controllers - 1);
		close(fd);
	}
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(path, sizeof path, "%s%s", deleg, files[i]);
		ck_assert_int_eq(chown(path, 65534, 65534), 0);
	}
	ck_assert_int_eq(setxattr(deleg, "user.delegate", "1", 1, 0), 0);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@TA@\"], \"limits\": { \"memory\": 100000000 } } ] }\n");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int o = open(h_path(&h, "nobody.out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(h_path(&h, "nobody.err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		char procs[256];

		snprintf(procs, sizeof procs, "%s/cgroup.procs", deleg);
		fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (o < 0 || e < 0 || fd < 0 || write(fd, "0", 1) != 1 || dup2(o, 1) < 0 || dup2(e, 2) < 0 ||
		    chdir(h.dir) < 0 || setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0 ||
		    setenv("XDG_RUNTIME_DIR", h.dir, 1) < 0)
			_exit(120);
		execl(getenv("PROSPERO"), "prospero", "check", "-c", "root.jsonc", (char *)NULL);
		_exit(121);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	snprintf(path, sizeof path, "%s/daemon", deleg);
	rmdir(path);
	rmdir(deleg);
	if (strstr(controllers, "memory"))
		return;	/* the controller is v2's here, and delegated with it */
	ck_assert(WIFEXITED(st));
	ck_assert_int_gt(h_read(&h, "nobody.err", err, sizeof err), 0);
	ck_assert_msg(WEXITSTATUS(st) == 1 && strstr(err, "root.jsonc:2:") &&
		      strstr(err, ": error: actor \"a\": limit \"memory\" cannot be applied on this host: ") &&
		      strstr(err, "Permission denied"), "exit %d: %s", WEXITSTATUS(st), err);
}
END_TEST

/* Root without CAP_SETPCAP changes no id (confinement_plan): its actors
 * run as uid 0 with one another and the daemon, as a daemon without root
 * has its actors share its uid, and it is said the same way, in check
 * and at start (the old daemon said "dynamic uids: ..." and nothing else). */
START_TEST(a_root_daemon_without_cap_setpcap_warns_its_actors_stay_root)
{
	const char *warning = "prospero: running as root without CAP_SETPCAP: every actor process runs as uid 0";

	if (geteuid() != 0)
		return;
	ck_assert_int_eq(prctl(PR_CAPBSET_DROP, CAP_SETPCAP, 0, 0, 0), 0);
	h_write(&h, "root.jsonc", one_sleeper);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 0);
	ck_assert_int_eq(lines_with("run.err", warning, ""), 1);
	/* and no range is said to be in use: none is (the old one said one) */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "s", NULL }), 0);
	ck_assert_int_eq(lines_with("run.out", "  user: the daemon's (dynamic uids need a daemon that may change ids and "
				    "capabilities: root, with CAP_SETPCAP)", ""), 1);
	ck_assert_int_eq(lines_with("run.out", "  dynamic uids: ", ""), 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--uid-range", "65535-65535",
							  NULL }), 0);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_stop(&h);
	ck_assert_int_eq(lines_with("err", warning, ""), 1);
	ck_assert_int_eq(lines_with("err", "prospero: dynamic uids: ", ""), 0);
}
END_TEST

/* Hide every cgroup2 mount from this (forked) test and what it runs:
 * a mount namespace of its own, private, so nothing reaches the host. */
static void hide_cgroup2(void)
{
	char line[4096], dir[4096], type[64];
	FILE *f;

	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_ptr_nonnull(f = fopen("/proc/self/mounts", "re"));
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%*s %4095s %63s", dir, type) == 2 && strcmp(type, "cgroup2") == 0)
			ck_assert_msg(umount2(dir, MNT_DETACH) == 0, "umount %s: %s", dir, strerror(errno));
	fclose(f);
}

/* Uid containment is made of dynamic uids, which root without
 * CAP_SETPCAP does not give: check and run refuse it when forced, as
 * without root (README "Process hygiene"), and a pgroup line says why.
 * The old daemon said "containment: uid (every process of an instance's
 * dynamic uid ...)" while its actors all ran as uid 0, so an end killed
 * no more than the process group. */
START_TEST(uid_containment_is_refused_to_root_without_cap_setpcap)
{
	const char *refusal = "--containment=uid needs dynamic uids, which a root daemon without CAP_SETPCAP "
			      "cannot give";

	if (geteuid() != 0)
		return;
	ck_assert_int_eq(prctl(PR_CAPBSET_DROP, CAP_SETPCAP, 0, 0, 0), 0);
	h_write(&h, "root.jsonc", one_sleeper);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--containment", "uid",
							  NULL }), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: containment: none: ", refusal), 1);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.rundir, "-c", "root.jsonc",
							  "--containment", "uid", NULL }), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: ", refusal), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: start ", ""), 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--containment", "pgroup",
							  "--explain", "s", NULL }), 0);
	ck_assert_int_eq(lines_with("run.out", "  containment: process group only (no dynamic uids without "
				    "CAP_SETPCAP; cgroups not used: --containment=pgroup)", ""), 1);
	/* where no cgroup can be had, auto falls back to the process group */
	hide_cgroup2();
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "s", NULL }), 0);
	ck_assert_int_eq(lines_with("run.out", "  containment: process group only (no dynamic uids without "
				    "CAP_SETPCAP; ", ""), 1);
}
END_TEST

/* Every actor of a root daemon changes ids (CAP_SETUID, CAP_SETGID) and
 * is signalled across uids (CAP_KILL); one with secrets or state gets a
 * directory handed over and removed (CAP_CHOWN, CAP_FOWNER,
 * CAP_DAC_OVERRIDE). Without one, check and run say which before
 * anything starts. The old check said "configuration ok"; then every
 * start failed ("change uid/gid (setresuid): Operation not permitted",
 * "writing secret ...") or, without CAP_KILL, a stop waited for ever. */
START_TEST(a_root_daemon_without_a_capability_its_actors_need_is_refused)
{
	const char *error = "error: this root daemon lacks CAP_KILL, which its actors need (their uids, "
			    "signals to them, their credentials and state directories): start it with it";

	if (geteuid() != 0)
		return;
	ck_assert_int_eq(prctl(PR_CAPBSET_DROP, CAP_KILL, 0, 0, 0), 0);
	ck_assert_int_eq(prctl(PR_CAPBSET_DROP, CAP_CHOWN, 0, 0, 0), 0);
	h_write(&h, "root.jsonc", one_sleeper);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: root.jsonc:1:", error), 1);
	ck_assert_int_eq(run_with_events(h_path(&h, "events")), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: root.jsonc:1:", error), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: start ", ""), 0);
	/* with secrets, what delivering them takes too */
	h_write(&h, "root.jsonc", secret_tree);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: root.jsonc:1:",
				    "error: this root daemon lacks CAP_CHOWN, CAP_KILL, which its actors need"), 1);
}
END_TEST

/* A runtime directory given 0700 (mkdtemp's, RuntimeDirectoryMode=0700)
 * is made searchable, so an actor of another uid reaches the notify
 * socket and its credentials: the old daemon used it as it was, and a
 * "ready": "notify" actor failed its connect with EACCES, unexplained. */
START_TEST(a_runtime_directory_only_its_owner_may_search_is_opened_to_actors)
{
	struct stat st;

	if (geteuid() != 0)
		return;	/* without root the actors share the daemon's uid */
	ck_assert_int_eq(chmod(h.rundir, 0700), 0);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\", \"--notify-after\", \"0\"],\n"
		"    \"ready\": \"notify\", \"start_timeout\": 3000 } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "a", NULL);
	ck_assert_int_eq(stat(h.rundir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0711);
	h_stop(&h);
}
END_TEST

/* A runtime directory inside one that other users may not search (a
 * mktemp -d) is out of the actors' reach: the daemon says so at start.
 * The old daemon said nothing, and each notify actor's connect failed
 * with EACCES in its own output alone. */
START_TEST(a_runtime_directory_behind_a_closed_parent_is_warned_of)
{
	char rt[600];

	if (geteuid() != 0)
		return;	/* without root the actors share the daemon's uid */
	ck_assert_int_eq(chmod(h.rundir, 0700), 0);
	snprintf(rt, sizeof rt, "%s/rt", h.rundir);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"/bin/sleep\", \"1000\"] } ] }\n");
	h_start_with(&h, root_only, (const char *const[]){ "--runtime-dir", rt, NULL });
	h_expect(&h, "ready", "root", NULL);
	h_stop(&h);
	ck_assert_int_eq(lines_with("err", "prospero: runtime directory ", "/rt is inside /"), 1);
	ck_assert_int_eq(lines_with("err", "prospero: runtime directory ",
				    ", which other users may not search (mode 0700): actors of other uids cannot "
				    "reach the notify socket or their credentials; give it o+x, or choose another "
				    "runtime directory"), 1);
}
END_TEST

/* Credentials on a disk: run says so at start, and check says so too
 * for a tree with secrets (the old check did not). */
START_TEST(check_says_when_credentials_could_reach_a_disk)
{
	char rt[] = "/var/tmp/prospero-rt.XXXXXX";
	struct statfs fs;

	ck_assert_ptr_nonnull(mkdtemp(rt));
	ck_assert_int_eq(statfs(rt, &fs), 0);
	if (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC) {
		rmdir(rt);
		return;	/* nothing to say here */
	}
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"/bin/sleep\", \"1000\"], \"secrets\": [\"K\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "--runtime-dir", rt, "-c", "root.jsonc", NULL }), 0);
	rmdir(rt);
	ck_assert_int_eq(lines_with("run.err", "prospero: runtime directory /var/tmp/prospero-rt.",
				    "is not on tmpfs or ramfs: credentials delivered there may reach a disk"), 1);
}
END_TEST

/* "user" and "capabilities" need a root daemon: check says so without
 * root, where each is written, as run would refuse the actor. */
START_TEST(check_without_root_refuses_user_and_capabilities)
{
	if (geteuid() != 0)
		return;	/* needs to become another user */
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"u\", \"exec\": [\"/bin/true\"], \"user\": \"nobody\" },\n"
		"  { \"actor\": \"c\", \"exec\": [\"/bin/true\"], \"capabilities\": [\"CAP_NET_BIND_SERVICE\"] },\n"
		"  { \"actor\": \"b\", \"exec\": [\"/bin/true\"], \"user\": \"nobody\", \"capabilities\": [\"CAP_KILL\"] } ] }\n");
	ck_assert_int_eq(run_as_nobody((const char *const[]){ "prospero", "check", "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_eq(lines_with("nobody.err", "prospero: root.jsonc:2:50: error: ",
				    "actor \"u\": \"user\" needs a daemon that may change ids and capabilities (root)"), 1);
	ck_assert_int_eq(lines_with("nobody.err", "prospero: root.jsonc:3:58: error: ",
				    "actor \"c\": \"capabilities\" needs a daemon"), 1);
	/* both where both are written (it said only "user") */
	ck_assert_int_eq(lines_with("nobody.err", "prospero: root.jsonc:4:50: error: ",
				    "actor \"b\": \"user\" needs a daemon"), 1);
	ck_assert_int_eq(lines_with("nobody.err", "prospero: root.jsonc:4:76: error: ",
				    "actor \"b\": \"capabilities\" needs a daemon"), 1);
	/* and as root both are fine */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 0);
}
END_TEST

/* With no state directory to be had (not root, no $STATE_DIRECTORY, a
 * relative $HOME and no $XDG_STATE_HOME), run refuses a tree that keeps
 * state; check said "configuration ok". Both now say why, not ENOENT's
 * "No such file or directory". */
START_TEST(check_refuses_state_without_a_state_directory)
{
	static const char why[] = "prospero: no state directory: neither $STATE_DIRECTORY, an absolute "
				  "$XDG_STATE_HOME nor an absolute $HOME names one (pass --state-dir DIR)";

	if (geteuid() != 0)
		return;	/* needs to become another user */
	h_write(&h, "state.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"s\", \"exec\": [\"/bin/true\"], \"state\": true } ] }\n");
	ck_assert_int_eq(setenv("HOME", "relhome", 1), 0);
	ck_assert_int_eq(unsetenv("XDG_STATE_HOME"), 0);
	ck_assert_int_eq(unsetenv("STATE_DIRECTORY"), 0);
	ck_assert_int_eq(run_as_nobody((const char *const[]){ "prospero", "check", "-c", "state.jsonc", NULL }), 1);
	ck_assert_int_eq(lines_with("nobody.err", why, ""), 1);
	ck_assert_int_eq(lines_with("nobody.out", "configuration ok", ""), 0);
	/* a state directory given, it passes */
	ck_assert_int_eq(run_as_nobody((const char *const[]){ "prospero", "check", "-c", "state.jsonc", "--state-dir",
							       h_path(&h, "nbstate"), NULL }), 0);
}
END_TEST

/* "private_tmp", "private_network" and "read_only" need namespaces,
 * which a daemon without root cannot make: check says so where each is
 * written, as run would fail the actor's start (the old check said
 * "configuration ok"). An empty "read_only" asks for nothing. */
START_TEST(check_without_root_refuses_namespaces)
{
	if (geteuid() != 0)
		return;	/* needs to become another user */
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"t\", \"exec\": [\"/bin/true\"], \"private_tmp\": true, \"cwd\": \"/\" },\n"
		"  { \"actor\": \"n\", \"exec\": [\"/bin/true\"], \"private_network\": true },\n"
		"  { \"actor\": \"r\", \"exec\": [\"/bin/true\"], \"read_only\": [\"/usr\"] },\n"
		"  { \"actor\": \"e\", \"exec\": [\"/bin/true\"], \"read_only\": [], \"private_network\": false } ] }\n");
	ck_assert_int_eq(run_as_nobody((const char *const[]){ "prospero", "check", "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_eq(lines_with("nobody.err", "prospero: root.jsonc:2:57: error: ",
				    "actor \"t\": \"private_tmp\" needs a daemon that may make namespaces (root, CAP_SYS_ADMIN)"), 1);
	ck_assert_int_eq(lines_with("nobody.err", "prospero: root.jsonc:3:61: error: ",
				    "actor \"n\": \"private_network\" needs a daemon that may make namespaces"), 1);
	ck_assert_int_eq(lines_with("nobody.err", "prospero: root.jsonc:4:55: error: ",
				    "actor \"r\": \"read_only\" needs a daemon that may make namespaces"), 1);
	ck_assert_int_eq(lines_with("nobody.err", "", "actor \"e\""), 0);
	/* a state directory is not the actor's alone: every actor runs as
	 * the daemon (explain said "its uid's alone") */
	h_write(&h, "state.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"s\", \"exec\": [\"/bin/true\"], \"state\": true } ] }\n");
	ck_assert_int_eq(run_as_nobody((const char *const[]){ "prospero", "check", "-c", "state.jsonc", "--explain", "s",
							       "--state-dir", h_path(&h, "state"), NULL }), 0);
	ck_assert_int_eq(lines_with("nobody.out", "  state directory: ",
				    "mode 0700, the daemon's uid's (every actor runs as it), writable"), 1);
	/* run refuses the tree before it starts anything */
	ck_assert_int_eq(run_as_nobody((const char *const[]){ "prospero", "run", "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_eq(lines_with("nobody.err", "prospero: root.jsonc:2:57: error: ",
				    "actor \"t\": \"private_tmp\" needs a daemon that may make namespaces"), 1);
	ck_assert_int_eq(lines_with("nobody.err", "prospero: start ", ""), 0);
	/* and as root all are fine */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 0);
}
END_TEST

/* root.jsonc: N sleeping instances of "a". */
static void sleepers(int n)
{
	char text[256];

	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"a\", \"exec\": [\"/bin/sleep\", \"1000\"], \"instances\": %d } ] }\n", n);
	h_write(&h, "root.jsonc", text);
}

/* A tree the open file limit cannot hold is refused before anything
 * starts; the old daemon started what fitted and failed midway ("could
 * not start: control channel: socketpair: Too many open files"), then
 * stopped it all. */
START_TEST(run_says_when_the_open_file_limit_is_too_small)
{
	sleepers(30);
	h.nofile = 150;	/* every prospero this test starts */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.rundir, "--events",
						  h_path(&h, "events"), "--uid-range", "61184-65519",
						  "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: root.jsonc:1:", "error: the tree needs about "), 1);
	ck_assert_int_eq(lines_with("run.err", "", "open files in the daemon"), 1);
	ck_assert_int_eq(lines_with("run.err", "", "the hard limit here is 150: raise it"), 1);
	ck_assert_int_eq(lines_with("events", "", "start"), 0);
}
END_TEST

/* An rlimit above the daemon's hard one needs CAP_SYS_RESOURCE, which
 * this test's process gives up: `check` warns where the limit is
 * written, and `run` refuses before anything starts. The old `check`
 * said "configuration ok" and `run` failed the start midway ("set
 * resource limits (setrlimit(RLIMIT_NOFILE)): Operation not permitted"). */
START_TEST(an_rlimit_the_daemon_cannot_raise_is_said_before_anything_starts)
{
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"/bin/sleep\", \"1000\"] },\n"
		"  { \"actor\": \"b\", \"exec\": [\"/bin/sleep\", \"1000\"],\n"
		"    \"limits\": { \"core\": 0, \"nofile\": 200 } } ] }\n");
	h.nofile = 150;	/* every prospero this test starts */
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0) < 0)
		ck_abort_msg("PR_CAPBSET_DROP: %s", strerror(errno));
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "--uid-range", "61184-65519",
						  "-c", "root.jsonc", NULL }), 0);
	ck_assert_int_eq(lines_with("run.err", "prospero: root.jsonc:4:38: warning: ",
				    "actor \"b\": limit \"nofile\" 200 is above the hard limit here (150)"), 1);
	ck_assert_int_eq(lines_with("run.err", "", "CAP_SYS_RESOURCE"), 1);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.rundir, "--events",
						  h_path(&h, "events"), "--uid-range", "61184-65519",
						  "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: root.jsonc:4:38: error: ",
				    "(LimitNOFILE= under systemd)"), 1);
	ck_assert_int_eq(lines_with("events", "", "start"), 0);
}
END_TEST

/* The modes the README gives a new runtime directory (0755) and events
 * file (0640) hold whatever the umask. Under umask 077 the old daemon
 * made the directory 0700, so an actor's dynamic uid could not reach
 * the notify socket in it: a notify actor never became ready. */
START_TEST(a_restrictive_umask_takes_nothing_from_the_modes_the_daemon_gives)
{
	char fresh[600];
	struct stat st;

	if (geteuid() != 0)
		return;	/* no dynamic uids without root */
	snprintf(fresh, sizeof fresh, "%s.umask", h.rundir);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\", \"--notify-after\", \"0\"],\n"
		"    \"ready\": \"notify\", \"start_timeout\": 10000 } ] }\n");
	umask(077);
	h_start_with(&h, root_only, (const char *const[]){ "--runtime-dir", fresh, NULL });
	h_expect(&h, "ready", "a", NULL);
	ck_assert_int_eq(stat(fresh, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0755);
	ck_assert_int_eq(stat(h_path(&h, "events"), &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	h_stop(&h);
	rmdir(fresh);
}
END_TEST

/* The same count guards a reload: one that adds more than the limit
 * holds is refused whole, and the tree runs on unchanged. */
START_TEST(a_reload_the_open_file_limit_cannot_hold_changes_nothing)
{
	struct h_event e;

	sleepers(2);
	h.nofile = 150;	/* every prospero this test starts */
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	sleepers(30);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "reload", "--runtime-dir", h.rundir, NULL }), 1);
	ck_assert_int_eq(lines_with("run.err", "", "open files in the daemon"), 1);
	h_expect(&h, "reload", "root", &e);
	ck_assert_msg(strstr(e.reason, "refused"), "%s", e.line);
	h_expect_quiet(&h, 300);	/* nothing stopped, nothing started */
	h_stop(&h);
}
END_TEST

/* Control connections held open until the daemon is out of fds (64
 * clients are more than a limit of 100, lowered on the running daemon as
 * prlimit(1) would, leaves): each one it cannot take is answered EMFILE
 * at once and closed, said once in its log, and the daemon does not
 * spin. The old one left such a connection in its backlog, where libev
 * found it readable again at once: 100% CPU, and the operator's command
 * waited for ever. */
START_TEST(a_daemon_out_of_fds_refuses_control_connections_and_does_not_spin)
{
	const struct rlimit r = { 100, 100 };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fds[64], emfile = 0;
	char line[128], answer[512];
	ssize_t n;
	long before;

	sleepers(1);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &r, NULL), 0);
	ck_assert_int_lt(snprintf(a.sun_path, sizeof a.sun_path, "%s/control", h.rundir),
			 (int)sizeof a.sun_path);
	for (int i = 0; i < 64; i++) {
		ck_assert_int_ge(fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
		ck_assert_int_eq(connect(fds[i], (struct sockaddr *)&a, sizeof a), 0);
	}
	/* the last is taken last: once it is answered, all are */
	ck_assert_int_eq(poll(&(struct pollfd){ .fd = fds[63], .events = POLLIN }, 1, H_TIMEOUT_MS), 1);
	for (int i = 0; i < 64; i++) {
		struct pollfd p = { .fd = fds[i], .events = POLLIN };

		if (poll(&p, 1, 0) == 1 && (n = read(fds[i], answer, sizeof answer - 1)) > 0) {
			answer[n] = 0;
			ck_assert_msg(strstr(answer, "\"code\":\"EMFILE\""), "%s", answer);
			emfile++;
		}
	}
	ck_assert_int_gt(emfile, 0);
	before = h_cpu_ticks(h.pid);
	usleep(1000 * 1000);
	ck_assert_int_lt(h_cpu_ticks(h.pid) - before, sysconf(_SC_CLK_TCK) / 5);
	/* the clients that held its fds hang up, and a status comes at the
	 * same moment (the daemon stopped meanwhile, so it finds both at
	 * once): they hold nothing it may not take back, and the status is
	 * answered, not refused for want of fds (CI met it so, under load) */
	h_signal(&h, SIGSTOP);
	for (int i = 0; i < 64; i++)
		close(fds[i]);
	ck_assert_int_ge(fds[0] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
	ck_assert_int_eq(connect(fds[0], (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(write(fds[0], "{\"verb\": \"status\"}\n", 19), 19);
	h_signal(&h, SIGCONT);
	ck_assert_int_eq(poll(&(struct pollfd){ .fd = fds[0], .events = POLLIN }, 1, H_TIMEOUT_MS), 1);
	ck_assert_int_gt(n = read(fds[0], answer, sizeof answer - 1), 0);
	answer[n] = 0;
	ck_assert_msg(strncmp(answer, "{\"ok\":true,", 11) == 0, "%s", answer);
	close(fds[0]);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "status", "--runtime-dir", h.rundir, NULL }), 0);
	ck_assert_int_eq(lines_with("err", "", "control socket: cannot take a connection: Too many open files"), 1);
	ck_assert_int_eq(lines_with("err", "", "control socket: taking connections again"), 1);
	/* and counts the connections it refused, not its tries at an empty backlog */
	snprintf(line, sizeof line, "control socket: taking connections again (%d refused for want of open files)",
		 emfile);
	ck_assert_int_eq(lines_with("err", "", line), 1);
	h_stop(&h);
}
END_TEST

/* A daemon whose open file limit is just what check counts for its tree
 * keeps working with every control connection taken: all 64 are held,
 * and a restart still finds the fds it needs. */
START_TEST(a_tree_that_fits_the_open_file_limit_runs_with_every_connection_taken)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct h_event e;
	int fds[CTL_MAX_CLIENTS];

	if (geteuid() != 0)
		return;	/* the count below is root's (cgroups, dynamic uids) */
	sleepers(1);
	/* one instance: output pipe (2), control channel, pidfd, cgroup,
	 * seccomp listener; one fewer and check warns */
	h.nofile = CFG_DAEMON_BASE_FDS + 5;
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 0);
	ck_assert_int_eq(lines_with("run.err", "", "open files in the daemon"), 1);
	h.nofile = CFG_DAEMON_BASE_FDS + 6;
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 0);
	ck_assert_int_eq(lines_with("run.err", "", "open files in the daemon"), 0);
	h_start(&h, root_only);
	h_expect(&h, "ready", "a", &e);
	ck_assert_int_lt(snprintf(a.sun_path, sizeof a.sun_path, "%s/control", h.rundir),
			 (int)sizeof a.sun_path);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		ck_assert_int_ge(fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
		ck_assert_int_eq(connect(fds[i], (struct sockaddr *)&a, sizeof a), 0);
	}
	usleep(300 * 1000);	/* each taken, or refused with a line */
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct pollfd p = { .fd = fds[i], .events = POLLIN };
		char buf[512];
		ssize_t n = poll(&p, 1, 0) == 1 ? read(fds[i], buf, sizeof buf - 1) : 0;

		buf[n > 0 ? n : 0] = 0;
		ck_assert_msg(n <= 0, "connection %d refused: %s", i, buf);
	}
	ck_assert_int_eq(kill(e.pid, SIGKILL), 0);
	h_expect(&h, "exit", "a", NULL);
	h_expect(&h, "ready", "a", NULL);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		close(fds[i]);
	ck_assert_int_eq(lines_with("err", "", "Too many open files"), 0);
	h_stop(&h);
}
END_TEST

/* Namespaces kept for restarts take the open files the tree leaves, but
 * not those a start of its largest actor needs for a moment: a service
 * of 300 edges, spawned unstaged, lifts its fd map above 304 in its copy
 * of the daemon's table. The old daemon kept a pair per restarted
 * instance up to the limit, and the service's restart then failed ("set
 * up file descriptors: Too many open files"). */
START_TEST(kept_namespaces_leave_room_for_the_largest_start)
{
	const char *const restart_w[] = { "restart", "w", "--runtime-dir", h.rundir, NULL };
	const char *const restart_svc[] = { "restart", "svc", "--runtime-dir", h.rundir, NULL };

	if (geteuid() != 0)
		return;	/* namespaces are kept for root's dynamic uids */
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 10, \"children\": [\n"
		"  { \"actor\": \"w\", \"exec\": [\"/bin/sleep\", \"1000\"], \"instances\": 100 },\n"
		"  { \"actor\": \"svc\", \"exec\": [\"/bin/sh\", \"-c\", \"echo up; exec sleep 1000\"] },\n"
		"  { \"actor\": \"cli\", \"exec\": [\"/bin/sleep\", \"1000\"], \"instances\": 150,\n"
		"    \"bindings\": { \"A\": \"svc\", \"B\": \"svc\" } } ] }\n");
	/* what check counts (2234), and room for 100 pairs */
	h.nofile = CFG_DAEMON_BASE_FDS + 100 * 6 + 6 + 150 * (6 + 4) + 400;
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(h_run(&h, restart_w), 0);
	h_expect(&h, "ready", "w#100", NULL);
	ck_assert_int_eq(h_run(&h, restart_svc), 0);
	h_expect(&h, "exit", "svc", NULL);
	h_expect(&h, "ready", "svc", NULL);
	/* ready is its exec; its line comes after */
	wait_lines_with("out", "svc: up", "", 2);
	ck_assert_int_eq(lines_with("err", "", "Too many open files"), 0);
	h_stop(&h);
	ck_assert_int_eq(lines_with("out", "svc: up", ""), 2);
}
END_TEST

/* run, like check, refuses a tree that needs more dynamic uids than the
 * range holds, before starting anything. The old daemon started one
 * actor and failed the second. */
START_TEST(run_says_when_the_uid_range_is_too_small)
{
	if (geteuid() != 0)
		return;
	sleepers(3);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.rundir, "--events",
						  h_path(&h, "events"), "--uid-range", "61184-61185",
						  "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_eq(lines_with("run.err", "prospero: root.jsonc:1:", "error: the tree needs 3 dynamic uids"), 1);
	ck_assert_int_eq(lines_with("run.err", "", "widen it"), 1);
	ck_assert_int_eq(lines_with("events", "", "start"), 0);
}
END_TEST

/* A service shuts its served edge down, then crashes. The edge must work
 * for the next incarnation: the client's 40 casts, sent once the service
 * tried, all arrive. The shutdown is a sandbox violation (the daemon holds
 * the same socket); the old daemon let it through, and the client got
 * EPIPE for ever. */
START_TEST(a_shutdown_binding_still_works_for_the_next_incarnation)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 10, \"children\": [\n"
		"  { \"actor\": \"svc\", \"sandbox\": { \"profile\": \"service\" },\n"
		"    \"exec\": [\"@EA@\", \"--shutdown-once\", \"@DIR@/shut\", \"--serve\", \"@DIR@/served\"] },\n"
		"  { \"actor\": \"cli\", \"sandbox\": { \"profile\": \"service\" },\n"
		"    \"bindings\": { \"SVC\": \"svc\" }, \"exec\": [\"/bin/sh\", \"-c\",\n"
		"      \"while [ ! -e @DIR@/shut ]; do sleep 0.01; done; exec @EA@ --cast SVC 40 @DIR@/sent\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "exit", "svc", &e);
	wait_lines_with("sent", "sent 40", "", 1);
	wait_lines_with("served", "", "", 40);
	h_stop(&h);
	ck_assert_int_eq(lines_with("events", "", "\"violation\", \"name\": \"svc\""), 1);
	ck_assert_int_eq(lines_with("events", "", "\"syscall\": \"shutdown\""), 1);
}
END_TEST

/* 200 KiB of datagrams on $NOTIFY_SOCKET, each a new STATUS=: the daemon
 * takes them, logs one, and goes on restarting the others. */
START_TEST(a_notify_flood_is_taken_in_stride)
{
	h_write(&h, "flood.py",
		"import os, socket, time\n"
		"n = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
		"n.connect(os.environ['NOTIFY_SOCKET'])\n"
		"for i in range(800):\n"
		"    n.send(b'STATUS=%d ' % i + b'x' * 250)\n"
		"n.send(b'READY=1')\n"
		"open('@DIR@/flooded', 'w').close()\n"
		"time.sleep(1000)\n");
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 1000, \"period\": 1, \"children\": [\n"
		"  { \"actor\": \"flood\", \"exec\": [\"/usr/bin/python3\", \"@DIR@/flood.py\"],\n"
		"    \"ready\": \"notify\", \"sandbox\": { \"profile\": \"none\" } },\n"
		"  { \"actor\": \"crash\", \"exec\": [\"/bin/sh\", \"-c\", \"sleep 0.1; exit 1\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "flood", NULL);
	wait_file("flooded");
	for (int i = 0; i < 8; i++)
		h_expect(&h, "restart", "crash", NULL);
	h_stop(&h);
	ck_assert_int_eq(lines_with("err", "prospero: flood: status: 0 xxx", ""), 1);
	ck_assert_int_eq(lines_with("err", "prospero: flood: status: ", ""), 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("harden");
	TCase *tc = tcase_create("harden");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, an_events_symlink_is_refused);
	tcase_add_test(tc, an_events_hard_link_is_refused);
	tcase_add_test(tc, an_events_file_of_another_user_is_refused);
	tcase_add_test(tc, the_runtime_sockets_are_not_reached_through_their_path);
	tcase_add_test(tc, a_daemon_stall_is_not_the_actors_fault);
	tcase_add_test(tc, a_daemon_stall_is_not_a_start_timeout);
	tcase_add_test(tc, daemon_lines_carry_journal_priorities);
	tcase_add_test(tc, a_stale_journal_stream_gets_no_priorities);
	tcase_add_test(tc, a_stalled_stdout_never_freezes_supervision);
	tcase_add_test(tc, a_slow_but_moving_reader_gets_every_line);
	tcase_add_test(tc, an_endless_writer_does_not_starve_the_loop);
	tcase_add_test(tc, status_changes_are_logged_escaped_and_rate_limited);
	tcase_add_test(tc, a_status_change_inside_the_window_is_reported_when_it_ends);
	tcase_add_test(tc, a_nul_in_a_status_is_escaped_not_an_end);
	tcase_add_test(tc, a_readable_dev_vars_is_made_private);
	tcase_add_test(tc, a_readable_dev_vars_is_made_0600_whatever_its_mode);
	tcase_add_test(tc, another_users_readable_dev_vars_is_refused);
	tcase_add_test(tc, a_dev_vars_link_to_a_readable_file_is_refused);
	tcase_add_test(tc, a_dev_vars_made_or_removed_while_the_daemon_runs_counts_at_the_next_start);
	tcase_add_test(tc, a_dev_vars_made_readable_while_the_daemon_runs_is_judged_at_the_next_start);
	tcase_add_test(tc, an_empty_credentials_directory_is_no_source);
	tcase_add_test(tc, a_missing_secrets_dir_is_said_once_before_anything_starts);
	tcase_add_test(tc, a_secrets_dir_another_user_could_swap_is_refused);
	tcase_add_test(tc, a_reload_refuses_a_missing_secrets_dir);
	tcase_add_test(tc, a_long_start_failure_is_said_whole_or_cut_at_a_word);
	tcase_add_test(tc, a_reload_refused_for_the_credentials_directory_can_be_retried);
	tcase_add_test(tc, an_actor_running_as_root_is_warned_of);
	tcase_add_test(tc, a_daemon_without_root_warns_once);
	tcase_add_test(tc, a_v1_controller_a_daemon_without_root_cannot_use_is_no_limit);
	tcase_add_test(tc, a_root_daemon_without_cap_setpcap_warns_its_actors_stay_root);
	tcase_add_test(tc, uid_containment_is_refused_to_root_without_cap_setpcap);
	tcase_add_test(tc, a_root_daemon_without_a_capability_its_actors_need_is_refused);
	tcase_add_test(tc, check_says_when_credentials_could_reach_a_disk);
	tcase_add_test(tc, a_runtime_directory_only_its_owner_may_search_is_opened_to_actors);
	tcase_add_test(tc, a_runtime_directory_behind_a_closed_parent_is_warned_of);
	tcase_add_test(tc, check_without_root_refuses_user_and_capabilities);
	tcase_add_test(tc, check_without_root_refuses_namespaces);
	tcase_add_test(tc, check_refuses_state_without_a_state_directory);
	tcase_add_test(tc, run_says_when_the_uid_range_is_too_small);
	tcase_add_test(tc, run_says_when_the_open_file_limit_is_too_small);
	tcase_add_test(tc, an_rlimit_the_daemon_cannot_raise_is_said_before_anything_starts);
	tcase_add_test(tc, a_restrictive_umask_takes_nothing_from_the_modes_the_daemon_gives);
	tcase_add_test(tc, a_reload_the_open_file_limit_cannot_hold_changes_nothing);
	tcase_add_test(tc, a_daemon_out_of_fds_refuses_control_connections_and_does_not_spin);
	tcase_add_test(tc, kept_namespaces_leave_room_for_the_largest_start);
	tcase_add_test(tc, a_tree_that_fits_the_open_file_limit_runs_with_every_connection_taken);
	tcase_add_test(tc, a_shutdown_binding_still_works_for_the_next_incarnation);
	tcase_add_test(tc, a_notify_flood_is_taken_in_stride);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
