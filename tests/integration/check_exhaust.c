/* The machine running out of something while a tree runs: a failed start
 * says in its reason what ran out and what to do, the daemon keeps its
 * tree, and the actor starts again once the resource is back. Root only:
 * the tests mount a tmpfs, make a pids cgroup and lower the daemon's
 * open file limits with prlimit(2). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/common/runner.h"
#include "tests/common/harness.h"

static struct h h;
static char small_rt[64];	/* a small tmpfs runtime directory, or "" */
static char pids_cg[128];	/* a v1 pids cgroup the test made, or "" */

static void setup(void)
{
	h_init(&h);
}

static void teardown(void)
{
	h_fini(&h);
}

/* Unchecked, in the test program itself: the mount and the cgroup go even
 * when a test fails (its daemon is killed with it). Root only: "" without. */
static void make_resources(void)
{
	small_rt[0] = pids_cg[0] = '\0';
	if (geteuid() != 0)
		return;
	strcpy(small_rt, "/tmp/prospero-exhaust.XXXXXX");
	ck_assert(mkdtemp(small_rt) != NULL);
	ck_assert_msg(mount("tmpfs", small_rt, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755") == 0,
		      "mount: %s", strerror(errno));
	/* a v1 pids hierarchy, to put the daemon in without moving it out of
	 * the cgroups it manages */
	if (access("/sys/fs/cgroup/pids/cgroup.procs", F_OK) != 0)
		return;
	snprintf(pids_cg, sizeof pids_cg, "/sys/fs/cgroup/pids/prospero-exhaust.%d", (int)getpid());
	ck_assert_msg(mkdir(pids_cg, 0755) == 0, "%s: %s", pids_cg, strerror(errno));
}

static void remove_resources(void)
{
	if (small_rt[0]) {
		umount2(small_rt, MNT_DETACH);
		rmdir(small_rt);
	}
	/* empty once the killed daemon's actors are gone too */
	if (pids_cg[0])
		for (int i = 0; i < 100 && rmdir(pids_cg) < 0 && errno == EBUSY; i++)
			h_sleep_ms(100);
	small_rt[0] = pids_cg[0] = '\0';
}

static const char *const root_only[] = { "root.jsonc", NULL };

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	ck_assert_msg(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "%s: %s", path, strerror(errno));
	close(fd);
}

/* The daemon in the test's pids cgroup, with no room for one more
 * process than it has now; MORE: room again. */
static void no_process_more(bool more)
{
	char path[256], buf[32], cur[32];
	FILE *f;

	snprintf(path, sizeof path, "%s/pids.max", pids_cg);
	if (more) {
		put(path, "max");
		return;
	}
	snprintf(path, sizeof path, "%s/cgroup.procs", pids_cg);
	snprintf(buf, sizeof buf, "%d", (int)h.pid);
	put(path, buf);
	snprintf(path, sizeof path, "%s/pids.current", pids_cg);
	ck_assert((f = fopen(path, "re")) != NULL);
	ck_assert(fgets(cur, sizeof cur, f) != NULL);
	fclose(f);
	snprintf(path, sizeof path, "%s/pids.max", pids_cg);
	put(path, cur);
}

/* The runtime directory full (a tmpfs /run that filled) when an actor
 * with secrets restarts: the old reason said "writing secret "K" to s: No
 * space left on device", which names neither the directory nor the fix. */
START_TEST(a_secret_on_a_full_runtime_directory_says_which_and_recovers)
{
	static char block[4096];
	struct h_event e;
	char path[192], sdir[512], want[512];
	int fd;

	if (!small_rt[0])
		return;
	snprintf(sdir, sizeof sdir, "%s", h_path(&h, "sdir"));
	ck_assert_int_eq(mkdir(sdir, 0700), 0);
	h_write(&h, "sdir/K", "exhaust-secret-value");
	ck_assert_int_eq(chmod(h_path(&h, "sdir/K"), 0600), 0);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 100, \"period\": 60, \"children\": [\n"
		"  { \"actor\": \"s\", \"exec\": [\"@TA@\"], \"secrets\": [\"K\"],\n"
		"    \"backoff\": { \"initial\": 1000, \"max\": 1000 } },\n"
		"  { \"actor\": \"other\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start_with(&h, root_only,
		     (const char *const[]){ "--runtime-dir", small_rt, "--secrets-dir", sdir, NULL });
	h_expect(&h, "start", "s", &e);
	h_expect(&h, "ready", "root", NULL);

	ck_assert_int_eq(kill(e.pid, SIGKILL), 0);
	h_expect(&h, "exit", "s", &e);
	ck_assert_str_eq(e.reason, "killed by SIGKILL");
	/* filled while it backs off: its last run's credentials are gone by now */
	snprintf(path, sizeof path, "%s/ballast", small_rt);
	ck_assert((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0);
	while (write(fd, block, sizeof block) > 0)
		;
	ck_assert_int_eq(errno, ENOSPC);
	close(fd);
	h_expect(&h, "exit", "s", &e);
	snprintf(want, sizeof want, "could not start: writing secret \"K\" to s: No space left on device "
		 "(the runtime directory %s is full: make room there)", small_rt);
	ck_assert_str_eq(e.reason, want);

	/* room again: the next retry delivers it */
	ck_assert_int_eq(unlink(path), 0);
	h_expect(&h, "ready", "s", NULL);
	h_stop(&h);
}
END_TEST

/* A tree of p, which retries every 200 ms while it cannot start, and
 * another actor; p's start event in *E once the tree is ready. */
static void start_p(struct h_event *e)
{
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 100, \"period\": 60, \"children\": [\n"
		"  { \"actor\": \"p\", \"exec\": [\"@TA@\"], \"backoff\": { \"initial\": 200, \"max\": 200 } },\n"
		"  { \"actor\": \"other\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "start", "p", e);
	h_expect(&h, "ready", "root", NULL);
}

/* fork failing at a restart (the daemon's pids cgroup at its pids.max):
 * the reason said "reset signals (clone): Resource temporarily
 * unavailable", a step that never ran and no word of processes. */
START_TEST(a_restart_with_no_process_left_says_so_and_recovers)
{
	struct h_event e;

	if (!pids_cg[0])
		return;
	start_p(&e);
	no_process_more(false);
	ck_assert_int_eq(kill(e.pid, SIGKILL), 0);
	h_expect(&h, "exit", "p", &e);
	ck_assert_str_eq(e.reason, "killed by SIGKILL");
	h_expect(&h, "exit", "p", &e);
	ck_assert_str_eq(e.reason, "could not start: clone: Resource temporarily unavailable (the daemon "
				   "cannot make another process: its RLIMIT_NPROC or its cgroup's pids.max "
				   "is reached)");
	/* the limit lifted: the next retry starts it */
	no_process_more(true);
	h_expect(&h, "ready", "p", NULL);
	h_stop(&h);
}
END_TEST

/* The pid an actor wrote to NAME in the test directory. */
static pid_t pid_in(const char *name)
{
	char buf[32];

	for (long long end = h_now_ms() + H_TIMEOUT_MS; h_read(&h, name, buf, sizeof buf) <= 0 || !strchr(buf, '\n');) {
		ck_assert_msg(h_now_ms() < end, "no pid in %s", name);
		h_sleep_ms(5);
	}
	return (pid_t)atoi(buf);
}

/* The uid level, fork failing as an actor ends (the daemon's pids cgroup
 * at its pids.max): "b: cannot kill the processes of uid N: Resource
 * temporarily unavailable", no fix named, and its exit was told all the
 * same, its daemonized grandchild alive; b restarted beside it under
 * the same uid. The exit waits until the helper that kills can be made,
 * and the log says why and what to do. */
START_TEST(an_exit_at_the_uid_level_waits_for_the_helper_that_kills)
{
	const char *esc = getenv("ESCAPER");
	char text[1024];
	struct h_event e;
	pid_t main, away;

	if (!pids_cg[0])
		return;
	ck_assert_ptr_nonnull(esc);
	snprintf(text, sizeof text, "{ \"supervisor\": \"root\", \"intensity\": 100, \"period\": 1, \"children\": [\n"
		 "  { \"actor\": \"b\", \"exec\": [\"%s\", \"--daemonize\", \"@DIR@/b.pid\"] } ] }\n", esc);
	h_write(&h, "root.jsonc", text);
	h_start_with(&h, root_only, (const char *const[]){ "--containment", "uid", NULL });
	h_expect(&h, "start", "b", &e);
	main = e.pid;
	h_expect(&h, "ready", "root", NULL);
	away = pid_in("b.pid");

	no_process_more(false);
	ck_assert_int_eq(kill(main, SIGKILL), 0);
	for (long long end = h_now_ms() + H_TIMEOUT_MS;
	     h_lines_with(&h, "err", "prospero: b: ", "its exit waits until nothing of it is left") < 1;) {
		ck_assert_msg(h_now_ms() < end, "no word of a kill that waits");
		ck_assert_msg(!h_next(&h, &e, 5) || strcmp(e.name, "b") != 0, "before the kill: %s", e.line);
	}
	ck_assert_int_eq(kill(away, 0), 0);
	no_process_more(true);
	do
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "no exit from b");
	while (strcmp(e.name, "b") != 0);
	ck_assert_msg(strcmp(e.event, "exit") == 0, "%s", e.line);
	ck_assert_msg(kill(away, 0) < 0 && errno == ESRCH, "pid %d outlived its actor", (int)away);
	h_expect(&h, "ready", "b", NULL);
	h_stop(&h);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: b: cannot kill the processes of uid ",
				      "Resource temporarily unavailable (the daemon cannot make the helper process "
				      "that kills them: its RLIMIT_NPROC or its cgroup's pids.max is reached: "
				      "raise it); its exit waits"), 1);
}
END_TEST

/* The daemon's own open fds, from /proc. */
static unsigned daemon_fds(void)
{
	char path[64];
	unsigned n = 0;
	DIR *dir;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)h.pid);
	ck_assert_ptr_nonnull(dir = opendir(path));
	for (struct dirent *e; (e = readdir(dir));)
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

/* The next events of NAME up to its "ready" hold no exit: it started at once. */
static void ready_without_exit(const char *name)
{
	struct h_event e;

	do {
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "no ready from %s", name);
		ck_assert_msg(strcmp(e.name, name) != 0 || strcmp(e.event, "exit") != 0, "%s", e.line);
	} while (strcmp(e.name, name) != 0 || strcmp(e.event, "ready") != 0);
}

/* Its soft and hard open file limits lowered at run time, as prlimit(1)
 * --nofile=74:74 would: every restart failed "set resource limits
 * (setrlimit(RLIMIT_NOFILE)): Operation not permitted" until the root
 * gave up, as each start was given the hard limit the daemon had at
 * start-up, which a child below it cannot raise. */
START_TEST(a_restart_after_the_limit_is_lowered_gets_the_lowered_limit)
{
	const struct rlimit low = { 74, 74 };
	struct h_event e;

	start_p(&e);
	ck_assert_uint_lt(daemon_fds() + 8, 74);
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &low, NULL), 0);
	ck_assert_int_eq(kill(e.pid, SIGKILL), 0);
	h_expect(&h, "exit", "p", &e);
	ck_assert_str_eq(e.reason, "killed by SIGKILL");
	ready_without_exit("p");
	h_stop(&h);
}
END_TEST

/* The soft limit lowered below the fds the daemon already holds: a
 * restart failed "cgroup .../p.actor: cannot remove the last run's: Too
 * many open files", with warnings that its cgroup could not be killed or
 * removed, none of them saying the daemon's limit or what to do. */
START_TEST(a_restart_out_of_open_files_says_the_limit_and_recovers)
{
	struct rlimit low, was;
	struct h_event e;
	char want[256];

	start_p(&e);
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, NULL, &was), 0);
	/* fewer than it holds even once the killed run's are closed */
	low = (struct rlimit){ daemon_fds() - 10, was.rlim_max };
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &low, NULL), 0);
	ck_assert_int_eq(kill(e.pid, SIGKILL), 0);
	h_expect(&h, "exit", "p", &e);
	ck_assert_str_eq(e.reason, "killed by SIGKILL");
	h_expect(&h, "exit", "p", &e);
	snprintf(want, sizeof want, "(the daemon's limit is %llu open files: raise it, e.g. LimitNOFILE= "
		 "under systemd)", (unsigned long long)low.rlim_cur);
	ck_assert_msg(strstr(e.reason, want), "%s", e.reason);
	ck_assert_msg(strstr(e.reason, "Too many open files"), "%s", e.reason);
	/* the limit back: the next retry starts it */
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &was, NULL), 0);
	h_expect(&h, "ready", "p", NULL);
	h_stop(&h);
}
END_TEST

/* At its soft limit, a restart that hands over its namespaces for the
 * next one: the fds the kernel could not give the daemon were said as
 * "p: cannot keep its namespaces: Bad message". The start itself goes on
 * without them. */
START_TEST(namespaces_not_kept_for_want_of_fds_say_so)
{
	struct rlimit low, was;
	struct h_event e;

	start_p(&e);
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, NULL, &was), 0);
	/* the restarted run holds what this one does: no room for the three */
	low = (struct rlimit){ daemon_fds(), was.rlim_max };
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &low, NULL), 0);
	ck_assert_int_eq(kill(e.pid, SIGKILL), 0);
	h_expect(&h, "exit", "p", &e);
	ck_assert_str_eq(e.reason, "killed by SIGKILL");
	ready_without_exit("p");
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &was, NULL), 0);
	h_stop(&h);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: ", "cannot keep its namespaces"), 1);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: ", "p: cannot keep its namespaces: Too many open files"), 1);
}
END_TEST

/* The hard limit lowered below what the tree may hold: a restart still
 * kept its namespaces for the next one, their fds counted against the
 * limit the daemon started with, in the room the tree itself needs. */
START_TEST(no_namespaces_are_kept_beyond_the_present_hard_limit)
{
	char second[64], third[64];
	struct rlimit low;
	struct h_event e;

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"intensity\": 100, \"period\": 60, \"children\": [\n"
		"  { \"actor\": \"q\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "start", "q", &e);
	h_expect(&h, "ready", "root", NULL);
	low.rlim_cur = low.rlim_max = daemon_fds() + 20;
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &low, NULL), 0);
	ck_assert_int_eq(kill(e.pid, SIGKILL), 0);
	h_expect(&h, "start", "q", &e);
	h_ns_id(e.pid, "ipc", second, sizeof second);
	ck_assert_int_eq(kill(e.pid, SIGKILL), 0);
	h_expect(&h, "start", "q", &e);
	h_ns_id(e.pid, "ipc", third, sizeof third);
	ck_assert_str_ne(second, third);
	h_stop(&h);
}
END_TEST

/* The state root's file system out of inodes as an actor's state
 * directory is made: the start failed "state directory ...: No space
 * left on device", saying nothing of what to do. */
START_TEST(a_state_directory_on_a_full_file_system_says_the_fix)
{
	char root[64] = "/tmp/prospero-exhaust-state.XXXXXX", err[8192];
	const char *const extra[] = { "--state-dir", root, NULL };

	if (geteuid() != 0)
		return;	/* mounts a tmpfs */
	ck_assert(mkdtemp(root) != NULL);
	/* its root directory, and one actor's: the next has none */
	ck_assert_msg(mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "nr_inodes=2,mode=0755") == 0, "mount: %s",
		      strerror(errno));
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@TA@\"], \"state\": true },\n"
		     "  { \"actor\": \"b\", \"exec\": [\"@TA@\"], \"state\": true } ] }\n");
	h_start_with(&h, root_only, extra);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);
	umount2(root, MNT_DETACH);
	rmdir(root);
	ck_assert_int_gt(h_read(&h, "err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, ": No space left on device: free space (or inodes) on its file system, or give "
				  "another --state-dir"), "%s", err);
}
END_TEST

/* A runtime directory out of inodes at each step of the daemon's setup in
 * turn: each failure is said once. Its ledger of uids ("uids") was said
 * twice, the second time as "cannot set up 1 actor", which blames no one. */
START_TEST(a_setup_step_on_a_full_runtime_directory_is_said_once)
{
	char mnt[64] = "/tmp/prospero-exhaust-rt.XXXXXX", rt[96], err[8192], opt[64];
	const char *const extra[] = { "--runtime-dir", rt, NULL };
	int failed = 0, st = -1;

	if (geteuid() != 0)
		return;	/* mounts a tmpfs */
	ck_assert(mkdtemp(mnt) != NULL);
	snprintf(rt, sizeof rt, "%s/run", mnt);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	for (int inodes = 2; inodes < 24 && st != 0; inodes++) {
		snprintf(opt, sizeof opt, "nr_inodes=%d,mode=0755", inodes);
		ck_assert_msg(mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, opt) == 0, "mount: %s", strerror(errno));
		h_start_with(&h, root_only, extra);
		st = h_wait_exit(&h, 1000);
		if (st < 0) {	/* it runs: every step found room */
			h_stop(&h);
			st = 0;
		} else {
			ck_assert_int_eq(st, 1);
			ck_assert_int_gt(h_read(&h, "err", err, sizeof err), 0);
			char *first = strstr(err, "No space left on device");
			ck_assert_msg(first, "%d inodes: %s", inodes, err);
			ck_assert_msg(!strstr(first + 1, "No space left on device"), "%d inodes, said twice: %s",
				      inodes, err);
			ck_assert_msg(!strstr(err, "cannot set up"), "%d inodes: %s", inodes, err);
			failed++;
		}
		ck_assert_int_eq(umount2(mnt, MNT_DETACH), 0);
	}
	rmdir(mnt);
	ck_assert_int_eq(st, 0);
	ck_assert_int_ge(failed, 3);	/* the lock, the sockets, the ledger at least */
}
END_TEST

/* A connection to the daemon's control socket, its request sent. */
static int ask_status(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	static const char req[] = "{\"verb\": \"status\"}\n";
	int fd;

	ck_assert_int_lt(snprintf(a.sun_path, sizeof a.sun_path, "%s/control", h.rundir), (int)sizeof a.sun_path);
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	/* refused on sight, it may be closed before the request is sent */
	if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)sizeof req - 1)
		ck_assert_msg(errno == EPIPE || errno == ECONNRESET, "send: %s", strerror(errno));
	return fd;
}

/* The answer on FD, waited for, in BUF. */
static void answer_of(int fd, char *buf, size_t len)
{
	ssize_t n;

	ck_assert_msg(poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, H_TIMEOUT_MS) == 1,
		      "no answer from the daemon");
	ck_assert_int_gt(n = read(fd, buf, len - 1), 0);
	buf[n] = 0;
}

/* Less than a fifth of a second of CPU in a second: it waits, not spins. */
static void no_spin(void)
{
	long before = h_cpu_ticks(h.pid);

	h_sleep_ms(1000);
	ck_assert_int_lt(h_cpu_ticks(h.pid) - before, sysconf(_SC_CLK_TCK) / 5);
}

/* The soft limit lowered at run time, as prlimit --nofile=150:1024 would,
 * on a chain of 40 actors, each bound to the one before: a control
 * connection is answered EMFILE at once, as the README says. The spare fd
 * given up for that answer was taken after the bindings' (fd 199), above
 * such a limit, so the daemon had nothing to answer with: `prospero
 * status` waited for ever, and the daemon spun at 90% CPU, its
 * one-second pause restarted without being set again, so that it ended
 * at once. */
START_TEST(a_control_connection_past_a_lowered_limit_is_answered_emfile)
{
	struct rlimit low, was;
	char answer[512];
	int fd;

	char config[8192] = "{ \"supervisor\": \"root\", \"children\": [\n"
			    "  { \"actor\": \"a0\", \"exec\": [\"@TA@\"] }";
	size_t len = strlen(config);

	if (geteuid() != 0)
		return;	/* the fds counted below are root's (cgroups, seccomp listeners) */
	for (int i = 1; i < 40; i++)
		len += (size_t)snprintf(config + len, sizeof config - len, ",\n  { \"actor\": \"a%d\", \"exec\": "
					"[\"@TA@\"], \"bindings\": { \"SVC\": \"a%d\" } }", i, i - 1);
	ck_assert_uint_lt(len + 8, sizeof config);
	strcpy(config + len, " ] }\n");
	h_write(&h, "root.jsonc", config);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, NULL, &was), 0);
	/* every fd below it taken */
	ck_assert_uint_gt(h_lowest_free_fd(h.pid), 150);
	low = (struct rlimit){ 150, was.rlim_max };
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &low, NULL), 0);
	fd = ask_status();
	answer_of(fd, answer, sizeof answer);
	ck_assert_msg(strstr(answer, "\"code\":\"EMFILE\""), "%s", answer);
	close(fd);
	no_spin();
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &was, NULL), 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "status", "--runtime-dir", h.rundir, NULL }), 0);
	h_stop(&h);
	ck_assert_int_eq(h_lines_with(&h, "err", "", "control socket: no spare fd"), 0);
}
END_TEST

/* Lowered below even the spare fd (3: stdio alone), there is nothing to
 * answer with: the connection waits, the log says why once, the daemon
 * looks at its listener again once a second, not at once, and answers
 * when the limit is back. The old one spun, and said nothing of it. */
START_TEST(past_a_limit_below_the_reserve_a_connection_waits_without_a_spin)
{
	struct rlimit tiny, was;
	char answer[512];
	int fd;

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, NULL, &was), 0);
	tiny = (struct rlimit){ 3, was.rlim_max };
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &tiny, NULL), 0);
	fd = ask_status();
	for (long long end = h_now_ms() + H_TIMEOUT_MS;
	     h_lines_with(&h, "err", "", "control socket: no spare fd below the daemon's limit of 3 open files") == 0;
	     h_sleep_ms(50))
		ck_assert_msg(h_now_ms() < end, "the daemon did not say it cannot answer");
	no_spin();
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &was, NULL), 0);
	answer_of(fd, answer, sizeof answer);
	ck_assert_msg(strncmp(answer, "{\"ok\":true,", 11) == 0, "%s", answer);
	close(fd);
	h_stop(&h);
	ck_assert_int_eq(h_lines_with(&h, "err", "", "control socket: no spare fd"), 1);
	ck_assert_int_eq(h_lines_with(&h, "err", "", "control socket: taking connections again (0 refused"), 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("exhaust");
	TCase *tc = tcase_create("exhaust");

	tcase_add_unchecked_fixture(tc, make_resources, remove_resources);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_secret_on_a_full_runtime_directory_says_which_and_recovers);
	tcase_add_test(tc, a_restart_with_no_process_left_says_so_and_recovers);
	tcase_add_test(tc, an_exit_at_the_uid_level_waits_for_the_helper_that_kills);
	tcase_add_test(tc, a_restart_after_the_limit_is_lowered_gets_the_lowered_limit);
	tcase_add_test(tc, no_namespaces_are_kept_beyond_the_present_hard_limit);
	tcase_add_test(tc, a_restart_out_of_open_files_says_the_limit_and_recovers);
	tcase_add_test(tc, namespaces_not_kept_for_want_of_fds_say_so);
	tcase_add_test(tc, a_state_directory_on_a_full_file_system_says_the_fix);
	tcase_add_test(tc, a_setup_step_on_a_full_runtime_directory_is_said_once);
	tcase_add_test(tc, a_control_connection_past_a_lowered_limit_is_answered_emfile);
	tcase_add_test(tc, past_a_limit_below_the_reserve_a_connection_waits_without_a_spin);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
