/* Start order and readiness, start timeouts, shutdown policies, output. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/common/runner.h"
#include "tests/common/harness.h"

static struct h h;

static void setup(void) { h_init(&h); }
static void teardown(void) { h_fini(&h); }

static const char *const root_only[] = { "root.jsonc", NULL };

START_TEST(a_child_starts_only_after_the_previous_one_is_ready)
{
	char buf[4096];
	long long ta = 0, tb = 0;
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"slow\", \"exec\": [\"@TA@\", \"--record\", \"@DIR@/rec\", \"--notify-after\", \"300\"],\n"
		"    \"ready\": \"notify\", \"start_timeout\": 5000 },\n"
		"  { \"actor\": \"next\", \"exec\": [\"@TA@\", \"--record\", \"@DIR@/rec\"] } ] }\n");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:slow ready:slow start:next ready:next ready:root");
	/* exec readiness comes before next's main() has written its line */
	char *p = NULL, *q = NULL;
	for (int waited = 0; waited < H_TIMEOUT_MS && !q; waited += 10) {
		if (h_read(&h, "rec", buf, sizeof buf) > 0) {
			p = strstr(buf, "start slow#1 ");
			q = strstr(buf, "start next#1 ");
		}
		if (!q)
			h_sleep_ms(10);
	}
	ck_assert(p && q && p < q);
	ck_assert(sscanf(p, "start slow#1 %*d %lld", &ta) == 1);
	ck_assert(sscanf(q, "start next#1 %*d %lld", &tb) == 1);
	/* next was started only after slow's READY=1, which came 300 ms after slow ran */
	ck_assert_msg(tb - ta >= 300000000LL, "next started %lld ns after slow", tb - ta);
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
	(void)e;
}
END_TEST

/* README and prospero-protocol(7): READY=1 on $NOTIFY_SOCKET is heard
 * from any process of the actor's process group (a shell's child), and
 * not from one that left it (setsid). */
START_TEST(readiness_is_heard_from_the_process_group_only)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"kid\", \"exec\": [\"/bin/sh\", \"-c\", \"'@TA@' --notify-after 0 & wait\"],\n"
		"    \"ready\": \"notify\", \"start_timeout\": 5000 },\n"
		"  { \"actor\": \"gone\", \"exec\": [\"/bin/sh\", \"-c\", \"setsid '@TA@' --notify-after 0 & wait\"],\n"
		"    \"ready\": \"notify\", \"start_timeout\": 1000 } ] }\n");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:kid ready:kid start:gone");
	h_expect(&h, "stop", "gone", &e);
	ck_assert_str_eq(e.reason, "start timeout");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);
}
END_TEST

/* Actor "kid" (USER: a "user" key, or "") is a shell whose child sends
 * READY=1 and exits, and is reaped by the shell, while the daemon is
 * stopped: when the daemon reads the message its sender is gone, and with
 * it the pid and process group it was known by. Returns with the daemon
 * running again; the fifos "go" and "sent" pace the shell. */
static void ready_from_a_reaped_sender(const char *user, int timeout_ms)
{
	char cfg[1024], buf[16];
	int fd, st;

	ck_assert(mkfifo(h_path(&h, "go"), 0600) == 0 && chmod(h_path(&h, "go"), 0666) == 0);
	ck_assert(mkfifo(h_path(&h, "sent"), 0600) == 0 && chmod(h_path(&h, "sent"), 0666) == 0);
	snprintf(cfg, sizeof cfg,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"kid\", %s\"exec\": [\"/bin/sh\", \"-c\", \"read x < @DIR@/go; "
		 "'@TA@' --notify-after 0 --exit-after 0 0 && echo reaped > @DIR@/sent; exec '@TA@'\"],\n"
		 "    \"ready\": \"notify\", \"start_timeout\": %d } ] }\n", user, timeout_ms);
	h_write(&h, "root.jsonc", cfg);
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:kid");
	/* stopped for certain, not just sent the signal */
	h_signal(&h, SIGSTOP);
	ck_assert(waitpid(h.pid, &st, WUNTRACED) == h.pid && WIFSTOPPED(st));
	ck_assert((fd = open(h_path(&h, "go"), O_WRONLY | O_CLOEXEC)) >= 0);
	ck_assert(write(fd, "\n", 1) == 1);
	close(fd);
	/* the shell writes once its child has exited and been waited for */
	ck_assert((fd = open(h_path(&h, "sent"), O_RDONLY | O_CLOEXEC)) >= 0);
	ck_assert(read(fd, buf, sizeof buf) > 0);
	close(fd);
	h_signal(&h, SIGCONT);
}

/* README "Semantics": READY=1 from any process of the actor's process
 * group, a shell's short-lived notifier among them (systemd-notify):
 * under a dynamic uid of the actor's own, a sender reaped before the
 * daemon read its message is known by that uid. */
START_TEST(readiness_is_heard_from_a_reaped_sender_of_its_dynamic_uid)
{
	ready_from_a_reaped_sender("", 30000);
	h_expect_seq(&h, "ready:kid ready:root");
	h_stop(&h);
}
END_TEST

/* A fixed "user" is not the actor's alone: its reaped sender is known
 * by nothing, and the message is dropped (the start times out). */
START_TEST(readiness_from_a_reaped_sender_of_a_shared_uid_is_dropped)
{
	struct h_event e;

	ready_from_a_reaped_sender("\"user\": \"nobody\", ", 2000);
	ck_assert(h_next(&h, &e, H_TIMEOUT_MS));
	ck_assert_str_eq(e.event, "stop");
	ck_assert_str_eq(e.name, "kid");
	ck_assert_str_eq(e.reason, "start timeout");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);	/* a failed boot */
}
END_TEST

START_TEST(a_start_timeout_at_boot_fails_the_boot)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"first\", \"exec\": [\"@TA@\"] },\n"
		"  { \"actor\": \"mute\", \"exec\": [\"@TA@\"], \"ready\": \"notify\", \"start_timeout\": 200 },\n"
		"  { \"actor\": \"never\", \"exec\": [\"@TA@\"] } ] }\n");
	h_journal_is(&h, "err");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:first ready:first start:mute");
	h_expect(&h, "stop", "mute", &e);
	ck_assert_str_eq(e.reason, "start timeout");
	h_expect(&h, "exit", "mute", &e);
	ck_assert_str_eq(e.signal, "SIGKILL");
	h_expect_seq(&h, "stop:first exit:first");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);
	/* a start-up error, said as one: the exit 1 had no line of its own */
	ck_assert_int_eq(h_lines_with(&h, "err", "<3>prospero: the tree could not start: ", "failed to start at boot"), 1);
}
END_TEST

/* A start timeout is an end the daemon caused (it kills the actor), and
 * a give-up names it as it names a watchdog's: "a: not ready within N
 * ms" (it said "a not ready within N ms"). The first run is ready (the
 * timeout leaves it room on a loaded machine); once the file "never" is
 * there, a run never is. */
START_TEST(a_give_up_names_a_start_timeout_as_the_daemons)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 1, \"period\": 30, \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"/bin/sh\", \"-c\", \"[ -e @DIR@/never ] && exec sleep 1000; "
		"exec @TA@ --notify-after 0\"],\n"
		"    \"ready\": \"notify\", \"start_timeout\": 3000 } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_write(&h, "never", "");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "kill", "a", "-s", "KILL", "--runtime-dir", h.rundir, NULL }), 0);
	h_expect(&h, "give_up", "root", &e);
	ck_assert_str_eq(e.reason, "more than 1 restart in 30 s; last: a: not ready within 3000 ms");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 3);
}
END_TEST

/* start_timeout counts from the actor's own start. The boot starts the
 * 1,000 exec-ready siblings before it in one turn of the loop (about a
 * second on a sanitizer build): the old daemon counted from that turn's
 * start, and stopped "late" a few ms after starting it, though its
 * READY=1 came 100 ms into its 700. */
START_TEST(a_start_timeout_counts_from_the_actors_own_start)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"quick\", \"exec\": [\"/bin/sleep\", \"1000\"], \"instances\": 1000 },\n"
		"  { \"actor\": \"late\", \"exec\": [\"@TA@\", \"--notify-after\", \"100\"],\n"
		"    \"ready\": \"notify\", \"start_timeout\": 700 } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "start", "late", NULL);
	do
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "nothing after late's start");
	while (strcmp(e.name, "late") != 0);
	ck_assert_msg(strcmp(e.event, "ready") == 0, "late: %s", e.line);
	h_expect(&h, "ready", "root", NULL);
	h_stop(&h);
}
END_TEST

/* A confinement step fails in the child: its cwd, there when the config
 * was checked, is gone by the time the actor starts. The start fails with
 * the step and the errno, and so does the boot. */
START_TEST(a_failing_confinement_step_names_itself_and_fails_the_boot)
{
	struct h_event e;
	char gone[300], want[400];

	snprintf(gone, sizeof gone, "%s/gone", h.dir);
	ck_assert_int_eq(mkdir(gone, 0755), 0);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"gate\", \"exec\": [\"@TA@\", \"--notify-after\", \"400\"], \"ready\": \"notify\" },\n"
		"  { \"actor\": \"late\", \"exec\": [\"@TA@\"], \"cwd\": \"@DIR@/gone\" } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "start", "gate", NULL);
	ck_assert_int_eq(rmdir(gone), 0);
	h_expect(&h, "exit", "late", &e);
	snprintf(want, sizeof want, "could not start: chdir %s: No such file or directory", gone);
	ck_assert_str_eq(e.reason, want);
	h_expect_seq(&h, "stop:gate exit:gate");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);
}
END_TEST

START_TEST(a_child_dying_before_ready_at_boot_fails_the_boot)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"first\", \"exec\": [\"@TA@\"] },\n"
		"  { \"actor\": \"dies\", \"exec\": [\"@TA@\", \"--exit-after\", \"50\", \"7\"], \"ready\": \"notify\" } ] }\n");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:first ready:first start:dies");
	h_expect(&h, "exit", "dies", &e);
	ck_assert_int_eq(e.status, 7);
	h_expect_seq(&h, "stop:first exit:first");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);
}
END_TEST

START_TEST(an_actor_ignoring_sigterm_is_killed_after_its_shutdown_timeout)
{
	struct h_event stop, e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"stubborn\", \"exec\": [\"@TA@\", \"--ignore-term\", \"--notify-after\", \"0\"],\n"
		"    \"ready\": \"notify\", \"shutdown\": 300 } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_signal(&h, SIGTERM);
	h_expect(&h, "stop", "stubborn", &stop);
	h_expect(&h, "exit", "stubborn", &e);
	ck_assert_str_eq(e.signal, "SIGKILL");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

START_TEST(brutal_kill_sends_sigkill_at_once)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"x\", \"exec\": [\"@TA@\"], \"shutdown\": \"brutal_kill\" } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_signal(&h, SIGTERM);
	h_expect(&h, "exit", "x", &e);
	ck_assert_str_eq(e.signal, "SIGKILL");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

START_TEST(sigterm_is_the_polite_stop)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"x\", \"exec\": [\"@TA@\"], \"shutdown\": 5000 } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_signal(&h, SIGINT);
	h_expect(&h, "exit", "x", &e);
	ck_assert_str_eq(e.signal, "SIGTERM");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

/* The daemon's own signal mask, from /proc (SigBlk). */
static unsigned long long blocked_of(pid_t pid)
{
	char path[64], line[256];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "SigBlk:", 7) == 0)
			v = strtoull(line + 7, NULL, 16);
	fclose(f);
	return v;
}

/* prospero(1) SIGNALS: SIGTERM stops the tree, "then exit 0", whenever it
 * comes: one sent while the daemon still reads its config and sets up
 * (once main() holds SIGHUP) ended it by the default action, 143, and
 * left its notify socket in the runtime directory. */
START_TEST(sigterm_during_setup_is_a_clean_stop)
{
	char cfg[16384];
	int n = 0;
	long long end;

	n += snprintf(cfg + n, sizeof cfg - (size_t)n,
		      "{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n");
	for (int i = 0; i < 40; i++)	/* a config that takes a while to load */
		n += snprintf(cfg + n, sizeof cfg - (size_t)n, "  %s{ \"actor\": \"a%d\", \"exec\": [\"@TA@\"] }\n",
			      i ? "," : "", i);
	snprintf(cfg + n, sizeof cfg - (size_t)n, "] }\n");
	h_write(&h, "root.jsonc", cfg);
	h_start(&h, root_only);
	end = h_now_ms() + H_TIMEOUT_MS;
	while (!(blocked_of(h.pid) & (1ULL << (SIGHUP - 1))) && h_now_ms() < end)
		;
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
	for (const char *const *f = (const char *const[]){ "notify", "control", "reload", NULL }; *f; f++) {
		char path[512];

		snprintf(path, sizeof path, "%s/%s", h.rundir, *f);
		ck_assert_msg(access(path, F_OK) < 0, "%s left behind", path);
	}
}
END_TEST

/* prospero(1) SIGNALS: SIGTERM stops the tree in reverse start order.
 * One that came while a supervisor started children ready at exec waited
 * until every one of them had started (each start's readiness was handled
 * in the same turn as the spawn, never returning to the loop): 300 such
 * actors took seconds more to start, all to be stopped again. */
START_TEST(sigterm_during_a_boot_of_exec_ready_actors_stops_it_there)
{
	struct h_event e;
	char started[100][96];
	int n = 0, exits = 0;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"w\", \"exec\": [\"@TA@\"], \"instances\": 100 } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "start", "w#3", NULL);
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, 3 * H_TIMEOUT_MS), 0);
	/* whatever started, stopped in reverse order; far from all 100 */
	rewind(h.events);
	while (h_next(&h, &e, 200)) {
		if (strcmp(e.event, "start") == 0 && e.pid > 0) {
			ck_assert_int_lt(n, 100);
			snprintf(started[n++], sizeof started[0], "%s", e.name);
		} else if (strcmp(e.event, "exit") == 0) {
			ck_assert_int_gt(n - exits, 0);
			ck_assert_str_eq(e.name, started[n - 1 - exits]);
			exits++;
		}
	}
	ck_assert_int_eq(exits, n);
	ck_assert_msg(n < 50, "%d of 100 actors started, the SIGTERM sent at the third", n);
}
END_TEST

/* A SIGTERM pending across the exec, as one sent before the daemon ran */
static void leave_sigterm_pending(void)
{
	sigset_t term;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &term, NULL) < 0 || kill(getpid(), SIGTERM) < 0)
		_exit(124);
}

/* A stop that was pending from the start is taken at the first start
 * and the rest never starts (README: "it stops between two starts"): it
 * went in behind the first child's readiness, which started the second. */
START_TEST(a_stop_pending_from_exec_starts_no_second_child)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"] }, { \"actor\": \"b\", \"exec\": [\"@TA@\"] },\n"
		"  { \"actor\": \"c\", \"exec\": [\"@TA@\"] } ] }\n");
	h.before_exec = leave_sigterm_pending;
	h_start(&h, root_only);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
	while (h_next(&h, &e, 0))
		ck_assert_msg(strcmp(e.event, "start") != 0 || strcmp(e.name, "a") == 0 || strcmp(e.name, "root") == 0,
			      "started after the stop: %s", e.line);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: received SIGTERM: stopping", ""), 1);
}
END_TEST

/* prospero(1) SIGNALS and EXIT STATUS: a second stop signal changes
 * nothing (the stubborn actor still gets its shutdown, the order holds,
 * exit 0); one that comes while a root that gave up stops the rest
 * leaves the exit status 3. */
START_TEST(a_second_stop_signal_changes_nothing)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		"  { \"actor\": \"stubborn\", \"exec\": [\"@TA@\", \"--ignore-term\", \"--notify-after\", \"0\"],\n"
		"    \"ready\": \"notify\", \"shutdown\": 600 } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_signal(&h, SIGTERM);
	h_expect_seq(&h, "stop:root stop:stubborn");
	h_signal(&h, SIGINT);
	h_signal(&h, SIGTERM);
	h_expect(&h, "exit", "stubborn", &e);
	ck_assert_str_eq(e.signal, "SIGKILL");
	h_expect_seq(&h, "stop:a exit:a");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

START_TEST(a_stop_signal_while_the_root_gives_up_leaves_status_3)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"intensity\": 0, \"children\": [\n"
		"  { \"actor\": \"stubborn\", \"exec\": [\"@TA@\", \"--ignore-term\", \"--notify-after\", \"0\"],\n"
		"    \"ready\": \"notify\", \"shutdown\": 600 },\n"
		"  { \"actor\": \"crash\", \"exec\": [\"@TA@\", \"--exit-after\", \"100\", \"1\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "give_up", "root", NULL);
	h_expect(&h, "stop", "stubborn", NULL);
	h_signal(&h, SIGTERM);
	h_expect(&h, "exit", "stubborn", &e);
	ck_assert_str_eq(e.signal, "SIGKILL");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 3);
}
END_TEST

START_TEST(output_is_captured_and_prefixed_env_and_cwd_are_applied)
{
	char out[8192];

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"talker\", \"exec\": [\"@TA@\", \"--print\", \"hello\"] },\n"
		"  { \"actor\": \"shell\", \"exec\": [\"/bin/sh\", \"-c\", \"echo K=$K in $(pwd); exec sleep 1000\"],\n"
		"    \"env\": {\"K\": \"V 1\"}, \"cwd\": \"/usr\" },\n"
		"  { \"actor\": \"envdump\", \"exec\": [\"/usr/bin/env\"], \"restart\": \"temporary\",\n"
		"    \"env\": {\"PROSPERO_ACTOR\": \"other\", \"NOTIFY_SOCKET\": \"/elsewhere\"} } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	/* "exec" readiness says nothing about when either prints: wait for both */
	for (int waited = 0; waited < H_TIMEOUT_MS; waited += 20) {
		if (h_read(&h, "out", out, sizeof out) > 0 && strstr(out, "shell: ") &&
		    strstr(out, "talker: hello-err\n") && strstr(out, "envdump: PROSPERO_FDNAMES="))
			break;
		h_sleep_ms(20);
	}
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
	ck_assert(h_read(&h, "out", out, sizeof out) > 0);
	ck_assert_msg(strstr(out, "talker: hello\n"), "stdout: %s", out);
	ck_assert_msg(strstr(out, "talker: hello-err\n"), "stderr line missing: %s", out);
	ck_assert_msg(strstr(out, "shell: K=V 1 in /usr\n"), "env/cwd: %s", out);
	/* what the daemon sets is its own, not "env"'s, and there once */
	ck_assert_int_eq(h_count_lines(&h, "out", "envdump: PROSPERO_ACTOR="), 1);
	ck_assert_int_eq(h_count_lines(&h, "out", "envdump: PROSPERO_ACTOR=envdump"), 1);
	ck_assert_int_eq(h_count_lines(&h, "out", "envdump: NOTIFY_SOCKET="), 1);
	ck_assert_int_eq(h_count_lines(&h, "out", "envdump: NOTIFY_SOCKET=/elsewhere"), 0);
}
END_TEST

/* README: lines longer than 4,096 bytes are cut into pieces of that size.
 * A piece, a pause, then its newline: the newline ends the piece and adds
 * no empty "x: " line (it did when it came in a later read), on stdout
 * and stderr alike, and in what `logs` keeps. */
START_TEST(a_newline_after_a_full_piece_adds_no_empty_line)
{
	static char out[32768], want[32768], kept[32768];
	static const char *const ring[] = { "--log-ring", "65536", NULL };
	/* the lines: N bytes of C, or TEXT */
	static const struct { char c; size_t n; const char *text; } lines[] = {
		{ 'B', 4096, "" }, { 'C', 4096, "" }, { 'C', 4096, "" }, { 'D', 4096, "" },
		{ 0, 0, "abc" }, { 'E', 4096, "" }, { 0, 0, "end" },
	};
	const char *logs[] = { "logs", "x", "--runtime-dir", h.rundir, NULL };
	size_t n = 0, k = 0;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"x\", \"exec\": [\"/bin/sh\", \"-c\",\n"
		"    \"printf %4096s | tr ' ' B; sleep 0.2; echo;"
		"      printf %8192s | tr ' ' C; sleep 0.2; echo;"
		"      { printf %4096s | tr ' ' D; sleep 0.2; echo abc; } >&2;"
		"      printf '%4096s\\\\n' | tr ' ' E; echo end; exec sleep 1000\"] } ] }\n");
	h_start_with(&h, root_only, ring);
	h_expect(&h, "ready", "root", NULL);
	for (int waited = 0; waited < H_TIMEOUT_MS; waited += 20) {
		if (h_read(&h, "out", out, sizeof out) > 0 && strstr(out, "x: end\n"))
			break;
		h_sleep_ms(20);
	}
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		n += (size_t)snprintf(want + n, sizeof want - n, "x: ");
		memset(want + n, lines[i].c, lines[i].n);
		memset(kept + k, lines[i].c, lines[i].n);
		n += lines[i].n;
		k += lines[i].n;
		n += (size_t)snprintf(want + n, sizeof want - n, "%s\n", lines[i].text);
		k += (size_t)snprintf(kept + k, sizeof kept - k, "%s\n", lines[i].text);
	}
	ck_assert_int_gt(h_read(&h, "out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, want), "not those 7 lines: %zu bytes", strlen(out));
	ck_assert_msg(!strstr(out, "x: \n"), "an empty line");

	/* the same lines, without the prefix, from the ring */
	ck_assert_int_eq(h_run(&h, logs), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strcmp(out, kept) == 0, "logs: %zu bytes, not %zu", strlen(out), k);
	h_stop(&h);
}
END_TEST

/* A relative --runtime-dir (and --events) is taken from the daemon's
 * cwd, and what actors and other commands are given of it is absolute:
 * an actor's cwd is its config's directory, a command's its own. */
START_TEST(relative_daemon_paths_reach_actors_and_commands_absolute)
{
	const char *const configs[] = { "conf/root.jsonc", NULL };
	const char *const extra[] = { "--runtime-dir", "rt", "--events", "./events", NULL };
	const char *const status[] = { "status", "--runtime-dir", "rt", NULL };
	const char *const reload[] = { "reload", "--runtime-dir", "./rt/", NULL };
	const char *prospero = getenv("PROSPERO");
	char want[1024], cmd[2048];

	ck_assert_msg(prospero != NULL, "PROSPERO not set: run with make check");
	ck_assert_int_eq(mkdir(h_path(&h, "conf"), 0755), 0);
	h_write(&h, "conf/.dev.vars", "K=v\n");
	ck_assert_int_eq(chmod(h_path(&h, "conf/.dev.vars"), 0600), 0);
	h_write(&h, "conf/root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"/bin/sh\", \"-c\",\n"
		"      \"echo CD=$CREDENTIALS_DIRECTORY; echo NS=$NOTIFY_SOCKET; exec \\\"$0\\\" --notify-after 0\", \"@TA@\"],\n"
		"    \"ready\": \"notify\", \"start_timeout\": 3000, \"secrets\": [\"K\"] } ] }\n");
	h_start_with(&h, configs, extra);
	h_expect(&h, "ready", "a", NULL);
	h_expect(&h, "ready", "root", NULL);
	snprintf(want, sizeof want, "a: CD=%s/rt/credentials/a", h.dir);
	ck_assert_int_eq(h_count_lines(&h, "out", want), 1);
	snprintf(want, sizeof want, "a: NS=%s/rt/notify", h.dir);
	ck_assert_int_eq(h_count_lines(&h, "out", want), 1);
	/* the commands find it as the daemon did, written either way */
	ck_assert_int_eq(h_run(&h, status), 0);
	ck_assert_int_eq(h_run(&h, reload), 0);
	/* `events` reads the file the daemon names, from another cwd */
	snprintf(cmd, sizeof cmd, "cd / && '%s' events --runtime-dir '%s/rt' > '%s' 2>&1", prospero, h.dir,
		 h_path(&h, "ev.out"));
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_ge(h_lines_with(&h, "ev.out", "{", "\"ready\""), 1);
	h_stop(&h);
}
END_TEST

START_TEST(a_pool_runs_n_instances_and_restarts_each_alone)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"w\", \"exec\": [\"@TA@\"], \"instances\": 3 } ] }\n");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:w#1 ready:w#1 start:w#2");
	h_expect_seq(&h, "ready:w#2");
	h_expect(&h, "start", "w#3", &e);
	h_expect_seq(&h, "ready:w#3 ready:root");
	kill(e.pid, SIGKILL);
	h_expect_seq(&h, "exit:w#3 restart:w#3 start:w#3 ready:w#3");
	h_expect_quiet(&h, 200);
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *tc = tcase_create("lifecycle");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_child_starts_only_after_the_previous_one_is_ready);
	tcase_add_test(tc, a_start_timeout_at_boot_fails_the_boot);
	tcase_add_test(tc, a_give_up_names_a_start_timeout_as_the_daemons);
	tcase_add_test(tc, readiness_is_heard_from_the_process_group_only);
	tcase_add_test(tc, a_start_timeout_counts_from_the_actors_own_start);
	tcase_add_test(tc, a_child_dying_before_ready_at_boot_fails_the_boot);
	tcase_add_test(tc, a_failing_confinement_step_names_itself_and_fails_the_boot);
	tcase_add_test(tc, an_actor_ignoring_sigterm_is_killed_after_its_shutdown_timeout);
	tcase_add_test(tc, brutal_kill_sends_sigkill_at_once);
	tcase_add_test(tc, sigterm_is_the_polite_stop);
	tcase_add_test(tc, sigterm_during_setup_is_a_clean_stop);
	tcase_add_test(tc, sigterm_during_a_boot_of_exec_ready_actors_stops_it_there);
	tcase_add_test(tc, a_stop_pending_from_exec_starts_no_second_child);
	tcase_add_test(tc, a_second_stop_signal_changes_nothing);
	tcase_add_test(tc, a_stop_signal_while_the_root_gives_up_leaves_status_3);
	tcase_add_test(tc, output_is_captured_and_prefixed_env_and_cwd_are_applied);
	tcase_add_test(tc, a_pool_runs_n_instances_and_restarts_each_alone);
	tcase_add_test(tc, a_newline_after_a_full_piece_adds_no_empty_line);
	tcase_add_test(tc, relative_daemon_paths_reach_actors_and_commands_absolute);
	suite_add_tcase(s, tc);

	/* a message read after its sender is gone */
	tc = tcase_create("reaped_sender");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, readiness_is_heard_from_a_reaped_sender_of_its_dynamic_uid);
	tcase_add_test(tc, readiness_from_a_reaped_sender_of_a_shared_uid_is_dropped);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
