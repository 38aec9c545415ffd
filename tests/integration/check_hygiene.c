/* Process hygiene: process groups, grandchildren, zombies, fds, and no
 * actor outliving a killed daemon. */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/common/runner.h"
#include "tests/common/harness.h"

static struct h h;

static void setup(void) { h_init(&h); }
static void teardown(void) { h_fini(&h); }

static const char *const root_only[] = { "root.jsonc", NULL };

START_TEST(a_grandchild_does_not_survive_its_actors_restart)
{
	char buf[64];
	struct h_event e;
	int grandchild;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"parent\", \"exec\": [\"@TA@\", \"--grandchild\", \"@DIR@/gc\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "start", "parent", &e);
	h_expect(&h, "ready", "root", NULL);
	for (int i = 0; i < 200 && h_read(&h, "gc", buf, sizeof buf) <= 0; i++)
		h_sleep_ms(10);
	grandchild = atoi(buf);
	ck_assert_int_gt(grandchild, 0);
	ck_assert(h_alive(grandchild));
	kill(e.pid, SIGKILL);
	h_expect_seq(&h, "exit:parent restart:parent start:parent ready:parent");
	/* killed with its group, then reaped by the daemon as subreaper */
	ck_assert_msg(h_wait_gone(grandchild, 5000), "grandchild %d survived", grandchild);
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

START_TEST(crash_restart_cycles_leave_no_zombie_and_no_fd_behind)
{
	struct h_event e;
	int fds_before, fds_after, pid;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"intensity\": 100000, \"period\": 1,\n"
		"  \"children\": [ { \"actor\": \"other\", \"exec\": [\"@TA@\"] },\n"
		"                  { \"actor\": \"crashy\", \"exec\": [\"@TA@\", \"--grandchild\", \"@DIR@/gc\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "start", "crashy", &e);
	pid = e.pid;
	h_expect(&h, "ready", "root", NULL);
	/* a first restart: from then on it keeps its namespaces, four fds,
	 * for the next (ns_reuse.h) */
	kill(pid, SIGKILL);
	h_expect(&h, "start", "crashy", &e);
	pid = e.pid;
	h_expect(&h, "ready", "crashy", NULL);
	fds_before = h_fd_count(h.pid);
	for (int i = 0; i < 500; i++) {
		kill(pid, i % 2 ? SIGKILL : SIGSEGV);
		h_expect(&h, "start", "crashy", &e);
		ck_assert_int_ne(e.pid, pid);
		pid = e.pid;
		h_expect(&h, "ready", "crashy", NULL);
	}
	/* the last grandchildren are reaped a moment later: waited for,
	 * not slept for, on a machine of any speed */
	for (int waited = 0; waited < H_TIMEOUT_MS; waited += 10) {
		if (h_fd_count(h.pid) == fds_before && h_zombie_children(h.pid) == 0)
			break;
		h_sleep_ms(10);
	}
	fds_after = h_fd_count(h.pid);
	ck_assert_int_eq(fds_after, fds_before);
	ck_assert_int_eq(h_zombie_children(h.pid), 0);
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

START_TEST(no_actor_outlives_a_sigkilled_daemon)
{
	struct h_event e;
	int pids[3], n = 0;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		"  { \"supervisor\": \"sub\", \"strategy\": \"one_for_all\", \"children\": [\n"
		"    { \"actor\": \"b\", \"exec\": [\"@TA@\"] }, { \"actor\": \"c\", \"exec\": [\"@TA@\", \"--ignore-term\"] } ] } ] }\n");
	h_start(&h, root_only);
	while (n < 3) {
		h_expect(&h, "start", NULL, &e);
		if (e.pid > 0)
			pids[n++] = e.pid;
	}
	h_expect(&h, "ready", "root", NULL);
	h_signal(&h, SIGKILL);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 128 + SIGKILL);
	for (int i = 0; i < 3; i++)
		ck_assert_msg(h_wait_dead(pids[i], 5000), "actor %d outlived the daemon", pids[i]);
}
END_TEST

START_TEST(an_actor_inherits_only_fds_0_to_2_and_its_control_channel)
{
	char buf[256];

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"x\", \"exec\": [\"@TA@\", \"--list-fds\", \"@DIR@/fds\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	for (int i = 0; i < 200 && h_read(&h, "fds", buf, sizeof buf) <= 0; i++)
		h_sleep_ms(10);
	/* 3: its control channel to the daemon (README "Wire protocol and fd convention") */
	ck_assert_str_eq(buf, "0\n1\n2\n3\n");
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

START_TEST(each_actor_leads_its_own_process_group)
{
	char path[64], buf[1024];
	struct h_event e;
	int pgid = 0, sid = 0;
	FILE *f;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"x\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "start", "x", &e);
	h_expect(&h, "ready", "root", NULL);
	snprintf(path, sizeof path, "/proc/%d/stat", e.pid);
	f = fopen(path, "r");
	ck_assert(f != NULL);
	ck_assert(fgets(buf, sizeof buf, f) != NULL);
	fclose(f);
	ck_assert(sscanf(strrchr(buf, ')') + 2, "%*c %*d %d %d", &pgid, &sid) == 2);
	ck_assert_int_eq(pgid, e.pid);
	ck_assert_int_eq(sid, e.pid);
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

/* exec keeps an ignored signal ignored: an actor of a daemon started
 * under nohup or by a shell's "&" got SIGHUP, SIGQUIT or SIGINT ignored,
 * and one started by GNU make glibc's 32 and 33 (the old daemon reset
 * only those it handles itself). */
START_TEST(an_actor_gets_every_signal_at_its_default)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"x\", \"exec\": [\"/bin/sleep\", \"1000\"] } ] }\n");
	signal(SIGQUIT, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	h_start(&h, root_only);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	h_expect(&h, "start", "x", &e);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_uint_eq(h_status_mask(e.pid, "SigIgn"), 0);
	ck_assert_uint_eq(h_status_mask(e.pid, "SigBlk"), 0);
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

/* prospero(1) SIGNALS: SIGQUIT, SIGUSR1 or SIGUSR2 ends the daemon as
 * SIGKILL would, also when it was started with one ignored (a shell's
 * "&" ignores SIGQUIT), which exec would otherwise keep */
START_TEST(sigquit_ends_a_daemon_started_with_it_ignored)
{
	static const int sigs[] = { SIGQUIT, SIGUSR1, SIGUSR2 };

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"x\", \"exec\": [\"/bin/sleep\", \"1000\"] } ] }\n");
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		signal(sigs[i], SIG_IGN);
	h_start(&h, root_only);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		signal(sigs[i], SIG_DFL);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_uint_eq(h_status_mask(h.pid, "SigIgn") & (1ULL << (SIGQUIT - 1) | 1ULL << (SIGUSR1 - 1) |
							 1ULL << (SIGUSR2 - 1)), 0);
	h_signal(&h, SIGQUIT);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 128 + SIGQUIT);
}
END_TEST

/* The same for one started with them blocked, which exec keeps too: it
 * reset their actions and left them blocked, so none of them ended it. */
START_TEST(sigusr1_ends_a_daemon_started_with_it_blocked)
{
	sigset_t three, old;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"x\", \"exec\": [\"/bin/sleep\", \"1000\"] } ] }\n");
	sigemptyset(&three);
	sigaddset(&three, SIGQUIT);
	sigaddset(&three, SIGUSR1);
	sigaddset(&three, SIGUSR2);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &three, &old), 0);
	h_start(&h, root_only);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_uint_eq(h_status_mask(h.pid, "SigBlk") & (1ULL << (SIGQUIT - 1) | 1ULL << (SIGUSR1 - 1) |
							 1ULL << (SIGUSR2 - 1)), 0);
	h_signal(&h, SIGUSR1);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 128 + SIGUSR1);
}
END_TEST

static void close_output(void)
{
	close(STDOUT_FILENO);
	close(STDERR_FILENO);
}

/* A daemon started with stdout and stderr closed: the first files it
 * opened took fds 1 and 2, and its log went into RUNTIME/lock, which
 * holds its pid (prospero(1) FILES). They are /dev/null. */
START_TEST(a_daemon_started_with_its_output_closed_keeps_its_lock_its_own)
{
	char fd2[64], lock[512], want[32];
	ssize_t n;
	int fd;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"x\", \"exec\": [\"/bin/sleep\", \"1000\"] } ] }\n");
	h.before_exec = close_output;
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	snprintf(lock, sizeof lock, "/proc/%d/fd/2", (int)h.pid);
	n = readlink(lock, fd2, sizeof fd2 - 1);
	ck_assert_int_gt(n, 0);
	fd2[n] = 0;
	ck_assert_str_eq(fd2, "/dev/null");
	snprintf(want, sizeof want, "%d\n", (int)h.pid);
	h_stop(&h);
	snprintf(lock, sizeof lock, "%s/lock", h.rundir);
	fd = open(lock, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	n = read(fd, lock, sizeof lock - 1);
	close(fd);
	lock[n > 0 ? n : 0] = 0;
	ck_assert_str_eq(lock, want);
}
END_TEST

/* The daemon's time belongs to every actor: one that floods a channel
 * from many processes must not keep the loop reading it, away from the
 * ends, restarts and signals of the others (it once read until EAGAIN,
 * which never came: 16 senders on the control channel held it for 40 s,
 * SIGTERM too). The victim restarts every 50 ms: its ends must keep
 * coming. */
static void does_not_stall(const char *how, const char *flood)
{
	struct h_event e;
	long long last, worst = 0, end;
	int exits = 0;
	char text[1024];

	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\",\n"
		 "  \"intensity\": 1000, \"period\": 1, \"children\": [\n"
		 "  { \"actor\": \"flood\", %s },\n"
		 "  { \"actor\": \"victim\", \"exec\": [\"@TA@\", \"--exit-after\", \"50\", \"0\"],\n"
		 "    \"restart\": \"permanent\" } ] }\n", flood);
	h_write(&h, "root.jsonc", text);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	/* the victim's ends as they come, and the wait after the last */
	last = h_now_ms();
	end = last + 5000;
	while (h_now_ms() < end && h_next(&h, &e, (int)(end - h_now_ms()) + 1)) {
		if (strcmp(e.event, "exit") != 0 || strcmp(e.name, "victim") != 0)
			continue;
		if (h_now_ms() - last > worst)
			worst = h_now_ms() - last;
		last = h_now_ms();
		exits++;
	}
	if (h_now_ms() - last > worst)
		worst = h_now_ms() - last;
	/* about 50 ms apart; a second allows for a loaded machine */
	ck_assert_msg(exits >= 10 && worst < 1000, "%s: %d ends of victim in 5 s, %lld ms apart at worst",
		      how, exits, worst);
}

static void flood_does_not_stall(const char *how, int senders)
{
	char flood[256];

	snprintf(flood, sizeof flood, "\"exec\": [\"@TA@\", \"%s\", \"%d\"]", how, senders);
	does_not_stall(how, flood);
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}

/* Files below PATH, however deep (not following links). */
static long files_below(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	long n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char sub[4096];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
		if (e->d_type == DT_DIR)
			n += files_below(sub);
		else
			n++;
	}
	closedir(d);
	return n;
}

/* An actor owns its credentials directory (0500, its uid's): it may make
 * it writable and fill it. The daemon removes it once the actor has
 * ended, but not at the cost of the others: 400,000 files on a tmpfs
 * held its loop for well over a second when it removed them at once.
 * What is left goes all the same, and soon. The runtime directory is a
 * tmpfs of the test's own (as /run is on most hosts), in a mount
 * namespace of its own. */
START_TEST(an_actor_filling_its_credentials_directory_does_not_stall_the_others)
{
	char creds[4096];

	ck_assert_msg(unshare(CLONE_NEWNS) == 0, "unshare: %s", strerror(errno));
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_msg(mount("tmpfs", h.rundir, "tmpfs", 0, "mode=0755") == 0, "%s", strerror(errno));
	h_write(&h, ".dev.vars", "K=v\n");
	ck_assert_int_eq(chmod(h_path(&h, ".dev.vars"), 0600), 0);
	does_not_stall("--fill-creds",
		       "\"exec\": [\"@TA@\", \"--fill-creds\", \"400000\"], \"secrets\": [\"K\"],\n"
		       "    \"restart\": \"temporary\"");
	/* it filled them all, in the time measured */
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: exit flood ", "exited with status 0"), 1);
	snprintf(creds, sizeof creds, "%s/credentials", h.rundir);
	for (int waited = 0; files_below(creds) > 0; waited += 10) {
		ck_assert_msg(waited < H_TIMEOUT_MS, "%ld files left below %s", files_below(creds), creds);
		h_sleep_ms(10);
	}
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
	ck_assert_int_eq(umount(h.rundir), 0);
}
END_TEST

START_TEST(an_actor_flooding_its_control_channel_does_not_stall_the_others)
{
	flood_does_not_stall("--flood-control", 16);
}
END_TEST

/* $NOTIFY_SOCKET is every actor's: the senders wait while it holds
 * net.unix.max_dgram_qlen datagrams, 10 by default, which slows a flood
 * enough; a host that raised it (syslog daemons ask for 512) must not
 * let one either. The sysctl is per network namespace: this test's own. */
START_TEST(an_actor_flooding_the_notify_socket_does_not_stall_the_others)
{
	int fd;

	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare: %s", strerror(errno));
	fd = open("/proc/sys/net/unix/max_dgram_qlen", O_WRONLY | O_CLOEXEC);
	ck_assert(fd >= 0);
	ck_assert_int_eq(write(fd, "512", 3), 3);
	close(fd);
	flood_does_not_stall("--flood-notify", 32);
}
END_TEST

/* A descendant outlives a SIGKILLed daemon until the next one sweeps it
 * (README "After a SIGKILL of the daemon"). It must not be able to stop
 * that one from starting: the runtime directory's lock was 0644, so it
 * could wait for a read lock there, have it the moment the daemon died,
 * and every next daemon refused ("in use by another prospero daemon"),
 * leaving it to run for ever. */
START_TEST(an_actor_cannot_hold_the_runtime_directory_lock)
{
	struct h_event e;
	char buf[64];
	int holder = 0, err = -1;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\", \"--lock-runtime\", \"@DIR@/holder\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	for (int waited = 0; waited < H_TIMEOUT_MS && holder <= 0; waited += 10) {
		if (h_read(&h, "holder", buf, sizeof buf) > 0 && strchr(buf, '\n'))
			ck_assert(sscanf(buf, "%d %d", &holder, &err) == 2);
		else
			h_sleep_ms(10);
	}
	ck_assert_int_gt(holder, 0);
	h_signal(&h, SIGKILL);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 128 + SIGKILL);
	h_start(&h, root_only);
	bool started = h_next(&h, &e, H_TIMEOUT_MS);
	if (!started)	/* it holds the lock: it is ours to end */
		kill(holder, SIGKILL);
	ck_assert_msg(started, "the next daemon did not start (the actor's open of the lock: %s)",
		      err ? strerror(err) : "allowed");
	h_expect(&h, "ready", "root", NULL);
	ck_assert_msg(h_wait_dead(holder, 5000), "pid %d outlived the sweep", holder);
	h_stop(&h);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("hygiene");
	TCase *tc = tcase_create("hygiene");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_grandchild_does_not_survive_its_actors_restart);
	tcase_add_test(tc, crash_restart_cycles_leave_no_zombie_and_no_fd_behind);
	tcase_add_test(tc, no_actor_outlives_a_sigkilled_daemon);
	tcase_add_test(tc, an_actor_inherits_only_fds_0_to_2_and_its_control_channel);
	tcase_add_test(tc, each_actor_leads_its_own_process_group);
	tcase_add_test(tc, an_actor_gets_every_signal_at_its_default);
	tcase_add_test(tc, sigquit_ends_a_daemon_started_with_it_ignored);
	tcase_add_test(tc, sigusr1_ends_a_daemon_started_with_it_blocked);
	tcase_add_test(tc, a_daemon_started_with_its_output_closed_keeps_its_lock_its_own);
	tcase_add_test(tc, an_actor_flooding_its_control_channel_does_not_stall_the_others);
	tcase_add_test(tc, an_actor_flooding_the_notify_socket_does_not_stall_the_others);
	tcase_add_test(tc, an_actor_cannot_hold_the_runtime_directory_lock);
	tcase_add_test(tc, an_actor_filling_its_credentials_directory_does_not_stall_the_others);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
