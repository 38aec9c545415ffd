/* Containment (issue 10): no process outlives its actor, its restart or
 * the daemon, whatever it does with sessions, process groups, PDEATHSIG
 * or double forks; cgroup limits count shared memory; no secret outlives
 * a SIGKILLed daemon. Each escape test runs under the cgroup level and
 * under the uid level forced with --containment, and checks what is left
 * by uid and by cgroup membership, never by name. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/common/harness.h"
#include "tests/common/runner.h"

static struct h h;

static void setup(void)
{
	unsetenv("PROSPERO_CONTAINMENT");
	h_init(&h);
}
static void teardown(void) { h_fini(&h); }

static const char *const levels[] = { "cgroup", "uid" };
static const char *const root_only[] = { "root.jsonc", NULL };

/* One of the ways out, and what is known of it while it runs. */
struct escapee {
	const char *name;
	pid_t main, esc;	/* the actor's process, and the one that tried to get away */
	uid_t uid;
};

static bool is_root(void)
{
	return geteuid() == 0;
}

/* The real uid of pid, or (uid_t)-1. */
static uid_t proc_uid(pid_t pid)
{
	char path[64], line[256];
	unsigned uid = (unsigned)-1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return (uid_t)-1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Uid:\t%u", &uid) == 1)
			break;
	fclose(f);
	return (uid_t)uid;
}

/* Live (not zombie) processes whose real or saved uid is uid. */
static int uid_procs(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		char path[300], line[256];
		unsigned r, eu, s;
		bool zombie = false, mine = false;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		while (fgets(line, sizeof line, f)) {
			if (strncmp(line, "State:\t", 7) == 0)
				zombie = line[7] == 'Z' || line[7] == 'X';
			if (sscanf(line, "Uid:\t%u\t%u\t%u", &r, &eu, &s) == 3)
				mine = r == uid || s == uid;
		}
		fclose(f);
		n += mine && !zombie;
	}
	closedir(d);
	return n;
}

/* The State: line of pid, for a failure's message. */
static const char *proc_state_text(pid_t pid)
{
	static char state[64];
	char path[64], line[256];
	FILE *f;

	snprintf(state, sizeof state, "gone");
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return state;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "State:\t", 7) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(state, sizeof state, "%.40s", line + 7);
		}
	fclose(f);
	return state;
}

/* Still running: h_alive, but a process being reaped (state X, "dead",
 * for the moment between its parent's wait and its release) is not. */
static bool running(pid_t pid)
{
	const char *st = proc_state_text(pid);

	return strcmp(st, "gone") != 0 && st[0] != 'X' && st[0] != 'Z';
}

/* pid's cgroup on the unified hierarchy ("/prospero-1234abcd/x.actor"). */
static void proc_cgroup(pid_t pid, char *buf, size_t len)
{
	char path[64], line[512];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s", line + 3);
		}
	fclose(f);
}

/* The subtree the daemon said it uses ("containment: cgroup PATH"). */
static void subtree(char *buf, size_t len)
{
	char err[16384], *at;

	ck_assert_int_gt(h_read(&h, "err", err, sizeof err), 0);
	ck_assert_msg((at = strstr(err, "containment: cgroup ")) != NULL, "no cgroup level: %s", err);
	at += strlen("containment: cgroup ");
	at[strcspn(at, "\n")] = '\0';
	snprintf(buf, len, "%s", at);
}

/* A process of our own under UID (and its gid), pausing until killed,
 * once /proc shows it so: what a predecessor or a stranger left. */
static pid_t process_as(uid_t uid)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close_range(3, ~0u, 0);	/* none of the harness's pipes */
		if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
			_exit(1);
		for (;;)
			pause();
	}
	while (proc_uid(pid) != uid)
		h_sleep_ms(1);
	return pid;
}

/* The pid a process wrote to DIR/name (whole: it renames into place),
 * once it differs from not. */
static pid_t read_pid(const char *name, pid_t not)
{
	char buf[64];
	long long end = h_now_ms() + H_TIMEOUT_MS;
	pid_t pid;

	for (;;) {
		if (h_read(&h, name, buf, sizeof buf) > 0 && strchr(buf, '\n') &&
		    (pid = atoi(buf)) > 0 && pid != not)
			return pid;
		ck_assert_msg(h_now_ms() < end, "no pid in %s", name);
		h_sleep_ms(5);
	}
}

/* The three ways out of a process group, beside a plain actor whose
 * crash restarts them all (one_for_all). */
static void write_escapers(void)
{
	char text[4096];
	const char *esc = getenv("ESCAPER");

	ck_assert_ptr_nonnull(esc);
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"intensity\": 100, \"period\": 1, \"children\": [\n"
		 " { \"supervisor\": \"sub\", \"strategy\": \"one_for_all\", \"intensity\": 100, \"period\": 1, \"children\": [\n"
		 "  { \"actor\": \"daemonizer\", \"exec\": [\"%s\", \"--daemonize\", \"@DIR@/daemonizer.pid\"] },\n"
		 "  { \"actor\": \"shelljob\", \"exec\": [\"/bin/bash\", \"-c\",\n"
		 "    \"set -m; sleep 100000 & echo $! > @DIR@/shelljob.tmp && mv @DIR@/shelljob.tmp @DIR@/shelljob.pid; wait\"] },\n"
		 "  { \"actor\": \"nodeath\", \"exec\": [\"%s\", \"--clear-pdeathsig\", \"@DIR@/nodeath.pid\"] },\n"
		 "  { \"actor\": \"trigger\", \"exec\": [\"@TA@\"] } ] } ] }\n", esc, esc);
	h_write(&h, "root.jsonc", text);
}

/* The level through the environment (the option is tested elsewhere): a
 * daemon that knows neither runs these tests as it would anyway. */
static void force_level(int level)
{
	ck_assert_int_eq(setenv("PROSPERO_CONTAINMENT", levels[level], 1), 0);
}

static void start_escapers(int level, struct escapee *e, pid_t *trigger)
{
	struct h_event ev;
	char path[64], cg[512], want[128];

	write_escapers();
	force_level(level);
	h_start(&h, root_only);
	for (int i = 0; i < 3; i++) {
		h_expect(&h, "start", e[i].name, &ev);
		e[i].main = ev.pid;
	}
	h_expect(&h, "start", "trigger", &ev);
	*trigger = ev.pid;
	h_expect(&h, "ready", "root", NULL);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s.pid", e[i].name);
		e[i].esc = read_pid(path, 0);
		e[i].uid = proc_uid(e[i].main);
		ck_assert_int_ne(e[i].uid, 0);
		ck_assert_int_eq(proc_uid(e[i].esc), e[i].uid);
		ck_assert(running(e[i].esc));
		if (level == 0) {	/* in its instance's cgroup, wherever it went */
			proc_cgroup(e[i].esc, cg, sizeof cg);
			snprintf(want, sizeof want, "/%s.actor", e[i].name);
			ck_assert_msg(strlen(cg) > strlen(want) && strcmp(cg + strlen(cg) - strlen(want), want) == 0,
				      "%s's escapee is in %s", e[i].name, cg);
		}
	}
}

#define ESCAPEES { { .name = "daemonizer" }, { .name = "shelljob" }, { .name = "nodeath" } }

/* Not even a zombie: reaped, its pid free. */
static bool gone(pid_t pid)
{
	return kill(pid, 0) < 0 && errno == ESRCH;
}

/* Its exit event is final only once nothing of it is left: what it
 * started is not just dead but reaped (the daemon is its subreaper), so
 * kill(pid, 0) finds nothing. */
static void expect_exits_with_nothing_left(struct escapee *e, unsigned mask)
{
	struct h_event ev;

	while (mask) {
		ck_assert_msg(h_next(&h, &ev, H_TIMEOUT_MS), "timed out waiting for exits");
		for (int i = 0; i < 3; i++) {
			if (!(mask & (1u << i)) || strcmp(ev.event, "exit") || strcmp(ev.name, e[i].name))
				continue;
			ck_assert_msg(gone(e[i].esc), "%s: pid %d outlived it (%s)", e[i].name, (int)e[i].esc,
				      proc_state_text(e[i].esc));
			ck_assert(gone(e[i].main));
			mask &= ~(1u << i);
		}
	}
}

START_TEST(nothing_outlives_an_actors_crash)
{
	struct escapee e[3] = ESCAPEES;
	pid_t trigger;

	if (!is_root())
		return;
	start_escapers(_i, e, &trigger);
	/* one at a time: each crash restarts the whole sub (one_for_all) */
	kill(e[0].main, SIGKILL);
	expect_exits_with_nothing_left(e, 7);
	for (int i = 0; i < 3; i++) {
		struct h_event ev;
		char path[64];

		h_expect(&h, "start", e[i].name, &ev);
		e[i].main = ev.pid;
		snprintf(path, sizeof path, "%s.pid", e[i].name);
		e[i].esc = read_pid(path, e[i].esc);
		ck_assert(running(e[i].esc));
	}
	h_expect(&h, "start", "trigger", NULL);
	kill(e[2].main, SIGKILL);
	expect_exits_with_nothing_left(e, 7);
	h_expect(&h, "start", "trigger", NULL);
	h_stop(&h);
}
END_TEST

START_TEST(nothing_outlives_a_restart_of_its_supervisor)
{
	struct escapee e[3] = ESCAPEES;
	pid_t trigger;

	if (!is_root())
		return;
	start_escapers(_i, e, &trigger);
	kill(trigger, SIGKILL);
	expect_exits_with_nothing_left(e, 7);
	h_expect(&h, "start", "trigger", NULL);
	h_stop(&h);
}
END_TEST

START_TEST(nothing_outlives_a_clean_stop)
{
	struct escapee e[3] = ESCAPEES;
	char tree[512];
	struct stat st;
	pid_t trigger;

	if (!is_root())
		return;
	start_escapers(_i, e, &trigger);
	if (_i == 0)
		subtree(tree, sizeof tree);
	h_stop(&h);
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(!running(e[i].esc), "%s: pid %d outlived the daemon", e[i].name, (int)e[i].esc);
		ck_assert_int_eq(uid_procs(e[i].uid), 0);
	}
	if (_i == 0)	/* no cgroup left behind either */
		ck_assert_msg(stat(tree, &st) < 0 && errno == ENOENT, "%s is left", tree);
}
END_TEST

START_TEST(nothing_outlives_a_sigkilled_daemon_once_the_next_starts)
{
	struct escapee e[3] = ESCAPEES;
	struct h_event ev;
	pid_t trigger;

	if (!is_root())
		return;
	start_escapers(_i, e, &trigger);
	h_signal(&h, SIGKILL);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 128 + SIGKILL);
	/* what PDEATHSIG alone leaves */
	ck_assert(running(e[0].esc));
	ck_assert(running(e[2].main));
	h_start(&h, root_only);
	/* the sweep comes before anything starts */
	ck_assert(h_next(&h, &ev, H_TIMEOUT_MS));
	ck_assert_msg(strcmp(ev.event, "sweep") == 0, "first event: %s", ev.line);
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(!running(e[i].esc), "%s: pid %d outlived the daemon", e[i].name, (int)e[i].esc);
		ck_assert(!running(e[i].main));
	}
	h_expect(&h, "ready", "root", NULL);
	/* the log line is written just after the event: read it once later
	 * events are in */
	ck_assert_int_gt(h_count_lines(&h, "err", "prospero: sweep root: killed "), 0);
	h_stop(&h);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(uid_procs(e[i].uid), 0);
}
END_TEST


/* A daemon SIGKILLed while an actor with "user" (under no dynamic uid,
 * held by its cgroup alone) had a daemonized child: that child's pid,
 * still running, and the daemon's subtree in TREE (LEN bytes). */
static pid_t killed_leaving_an_escapee(char *tree, size_t len)
{
	const char *esc = getenv("ESCAPER");
	char text[1024];
	pid_t pid;

	ck_assert_ptr_nonnull(esc);
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 " { \"actor\": \"d\", \"user\": \"nobody\", \"exec\": [\"%s\", \"--daemonize\", \"@DIR@/d.pid\"] } ] }\n",
		 esc);
	h_write(&h, "root.jsonc", text);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	subtree(tree, len);
	pid = read_pid("d.pid", 0);
	h_signal(&h, SIGKILL);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 128 + SIGKILL);
	ck_assert(running(pid));
	return pid;
}

/* The ledger tests' uids, LEDGER_UIDS + 1 that no account has, this
 * process's own: a run of this suite beside (another build's make check)
 * keeps a process under its own, which a sweep of fixed ids killed, and
 * its process made this one's sweep kill 2. Above check_uidkill's and
 * h_unused_id's ids, below (uid_t)-1. */
enum { LEDGER_UIDS = 9000 };
static uid_t ledger_uids(void)
{
	return (uid_t)(3000000000u + ((unsigned)getpid() % 100000u) * (LEDGER_UIDS + 1u));
}

/* The ledger of a tree of more than ~8,000 instances is over 64 KiB:
 * the next daemon read that much of it, and a process under a uid noted
 * past that point outlived its sweep. */
START_TEST(the_sweep_reads_a_long_ledger_to_its_end)
{
	const uid_t first = ledger_uids();
	char path[600];
	struct h_event ev;
	struct stat st;
	pid_t pid;
	FILE *f;

	if (!is_root())
		return;
	/* what a SIGKILLed predecessor left: its last uid still running */
	pid = process_as(first + LEDGER_UIDS - 1);
	snprintf(path, sizeof path, "%s/uids", h.rundir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	for (unsigned i = 0; i < LEDGER_UIDS; i++)
		fprintf(f, "%u\n", (unsigned)(first + i));
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_gt(st.st_size, 65536);
	/* and its lock, unheld: the directory is a daemon's */
	snprintf(path, sizeof path, "%s/lock", h.rundir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(fclose(f), 0);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	ck_assert(h_next(&h, &ev, H_TIMEOUT_MS));
	ck_assert_msg(strcmp(ev.event, "sweep") == 0, "first event: %s", ev.line);
	ck_assert_msg(strstr(ev.line, "killed 1 process a previous daemon left"), "%s", ev.line);
	ck_assert_msg(!running(pid), "pid %d outlived the sweep (%s)", (int)pid, proc_state_text(pid));
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	h_expect(&h, "ready", "root", NULL);
	h_stop(&h);
}
END_TEST

/* A file named "uids" in a directory no daemon held (no lock) is no
 * predecessor's ledger: the daemon refused the directory, but only after
 * it had killed every process of each uid the file named. */
START_TEST(a_ledger_in_a_directory_no_daemon_held_kills_nothing)
{
	const uid_t uid = ledger_uids() + LEDGER_UIDS;
	char path[600], err[4096];
	pid_t pid;
	FILE *f;

	if (!is_root())
		return;
	pid = process_as(uid);
	snprintf(path, sizeof path, "%s/uids", h.rundir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "%u\n", (unsigned)uid);
	ck_assert_int_eq(fclose(f), 0);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);
	ck_assert_int_gt(h_read(&h, "err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "holds files but no prospero lock") && !strstr(err, "sweep"), "%s", err);
	/* and says what to do (it said only what it would not) */
	ck_assert_msg(strstr(err, "empty it, or give another --runtime-dir"), "%s", err);
	ck_assert_msg(running(pid), "pid %d was killed (%s)", (int)pid, proc_state_text(pid));
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
}
END_TEST

/* A daemon forced off cgroups still sweeps the cgroups its SIGKILLed
 * predecessor on the same runtime directory left: what an actor with
 * "user" started is under no uid of the predecessor's ledger, and only
 * its cgroup held it. */
START_TEST(a_daemon_off_cgroups_sweeps_the_cgroups_a_predecessor_left)
{
	const char *const extra[] = { "--containment", "uid", NULL };
	char tree[512];
	struct stat st;
	pid_t pid;

	if (!is_root())
		return;
	pid = killed_leaving_an_escapee(tree, sizeof tree);
	/* at this level nothing would hold what d starts now */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start_with(&h, root_only, extra);
	h_expect_seq(&h, "sweep:root start:root start:a ready:a ready:root");
	ck_assert_msg(!running(pid), "pid %d outlived the daemon (%s)", (int)pid, proc_state_text(pid));
	ck_assert_msg(stat(tree, &st) < 0 && errno == ENOENT, "%s is left", tree);
	h_stop(&h);
}
END_TEST

/* The subtree is the runtime directory's, however its path is spelled:
 * the next daemon on it, given "/run/../run/X" for "/run/X", sweeps the
 * cgroups its SIGKILLed predecessor left, where what an actor with
 * "user" started was held (no uid of the ledger names it). */
START_TEST(the_subtree_is_the_runtime_directorys_however_spelled)
{
	char tree[512], now[512], parent[512], other[1100];
	const char *const extra[] = { "--runtime-dir", other, NULL };
	char *slash;
	struct stat st;
	pid_t pid;

	if (!is_root())
		return;
	/* "/A/B/X" as "/A/B/../B/X" */
	snprintf(parent, sizeof parent, "%s", h.rundir);
	ck_assert_ptr_nonnull(slash = strrchr(parent, '/'));
	*slash = '\0';
	ck_assert_ptr_nonnull(slash = strrchr(parent, '/'));
	snprintf(other, sizeof other, "%s/../%s/%s", parent, slash + 1, strrchr(h.rundir, '/') + 1);
	pid = killed_leaving_an_escapee(tree, sizeof tree);
	h_start_with(&h, root_only, extra);
	h_expect_seq(&h, "sweep:root start:root start:d ready:d ready:root");
	ck_assert_msg(!running(pid), "pid %d outlived the daemon (%s)", (int)pid, proc_state_text(pid));
	subtree(now, sizeof now);
	ck_assert_str_eq(now, tree);
	h_stop(&h);
	ck_assert_msg(stat(tree, &st) < 0 && errno == ENOENT, "%s is left", tree);
}
END_TEST

/* check --explain names the subtree run will use, for a runtime
 * directory not made yet below a symlinked parent too. */
START_TEST(explain_names_the_subtree_of_a_runtime_directory_not_made_yet)
{
	char link[600], dir[700], out[16384], *at, said[512], used[512];
	const char *const extra[] = { "--runtime-dir", dir, NULL };

	if (!is_root())
		return;
	snprintf(link, sizeof link, "%s", h_path(&h, "link"));
	ck_assert_int_eq(symlink(h.rundir, link), 0);
	snprintf(dir, sizeof dir, "%s/sub", link);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "--runtime-dir", dir, "-c", "root.jsonc",
							  "--explain", "a", NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg((at = strstr(out, "\n  containment: cgroup ")) != NULL, "%s", out);
	at += strlen("\n  containment: cgroup ");
	at[strcspn(at, "\n")] = '\0';
	snprintf(said, sizeof said, "%s", at);
	h_start_with(&h, root_only, extra);
	h_expect(&h, "ready", "root", NULL);
	subtree(used, sizeof used);
	ck_assert_str_eq(said, used);
	h_stop(&h);
}
END_TEST

/* "a" alone, or with "b" beside it. */
static void write_a_and(bool b)
{
	h_write(&h, "root.jsonc", b ? "{ \"supervisor\": \"root\", \"children\": [\n"
				     " { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
				     " { \"actor\": \"b\", \"exec\": [\"@TA@\"] } ] }\n"
				   : "{ \"supervisor\": \"root\", \"children\": [\n"
				     " { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
}

/* README "Process hygiene": a dynamic uid is never handed out while any
 * process of that uid is alive, to an actor a reload adds too: one that
 * took the uid "b" would get after the daemon started keeps b off it
 * (the daemon looked at /proc once, at start). */
START_TEST(a_reload_hands_out_no_uid_a_process_took_since_the_start)
{
	const char *const reload[] = { "reload", "--runtime-dir", h.rundir, NULL };
	struct h_event e;
	pid_t stranger;
	uid_t uid;

	if (!is_root())
		return;
	write_a_and(true);
	h_start(&h, root_only);
	h_expect(&h, "start", "b", &e);
	uid = proc_uid(e.pid);
	h_expect(&h, "ready", "root", NULL);
	h_stop(&h);
	write_a_and(false);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	stranger = process_as(uid);
	write_a_and(true);
	ck_assert_int_eq(h_run(&h, reload), 0);
	h_expect(&h, "start", "b", &e);
	ck_assert_int_ne(proc_uid(e.pid), uid);
	h_stop(&h);
	ck_assert(running(stranger));
	kill(stranger, SIGKILL);
	waitpid(stranger, NULL, 0);
}
END_TEST

/* Lines of the daemon's uid ledger, RUNTIME/uids. */
static int ledger_lines(void)
{
	char path[512], line[64];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof path, "%s/uids", h.rundir);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fgets(line, sizeof line, f))
		n++;
	fclose(f);
	return n;
}

/* The ledger is kept for the daemon's life: it names each dynamic uid
 * once, not again at each reload that removes and adds an actor (it kept
 * its uid), or it would grow with every reload of a long-running daemon. */
START_TEST(reloads_add_nothing_to_the_uid_ledger)
{
	const char *const reload[] = { "reload", "--runtime-dir", h.rundir, NULL };

	if (!is_root())
		return;
	write_a_and(true);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(ledger_lines(), 2);
	for (int i = 0; i < 10; i++) {
		write_a_and(false);
		ck_assert_int_eq(h_run(&h, reload), 0);
		write_a_and(true);
		ck_assert_int_eq(h_run(&h, reload), 0);
		h_expect(&h, "start", "b", NULL);
	}
	ck_assert_int_eq(ledger_lines(), 2);
	h_stop(&h);
}
END_TEST

/* The inotify watches the daemon holds, as its fdinfo lists them. */
static int inotify_watches(pid_t pid)
{
	char dir[64], path[320], line[512];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof dir, "/proc/%d/fdinfo", (int)pid);
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((e = readdir(d))) {
		FILE *f;

		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || !(f = fopen(path, "re")))
			continue;
		while (fgets(line, sizeof line, f))
			n += strncmp(line, "inotify wd:", 11) == 0;
		fclose(f);
	}
	closedir(d);
	return n;
}

/* A removed cgroup's watch of cgroup.events is let go with it: the kernel
 * keeps a watch on a removed cgroup's file, so one left behind at each
 * removal (an actor a reload removes, a cgroup killed and made anew)
 * would grow the daemon's watches, and the kernel memory they pin, for
 * as long as it runs, up to max_user_watches. */
START_TEST(a_removed_cgroup_takes_its_watch_with_it)
{
	const char *const reload[] = { "reload", "--runtime-dir", h.rundir, NULL };
	const char *esc = getenv("ESCAPER");
	char text[1024];
	struct h_event e;
	int after_one;

	if (!is_root())
		return;
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"intensity\": 100, \"children\": [\n"
		 " { \"actor\": \"d\", \"exec\": [\"%s\", \"--daemonize\", \"@DIR@/d.pid\"] },\n"
		 " { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n", esc);
	h_write(&h, "root.jsonc", text);
	h_start(&h, root_only);
	h_expect(&h, "start", "d", &e);
	h_expect(&h, "ready", "root", NULL);
	if (h_lines_with(&h, "err", "prospero: ", "containment: cgroup ") == 0) {
		h_stop(&h);
		return;
	}
	/* a kill of one that leaves a process behind: its cgroup is killed,
	 * removed, and the next run gets a new one */
	for (int i = 0; i < 11; i++) {
		ck_assert_int_eq(kill(e.pid, SIGKILL), 0);
		h_expect(&h, "exit", "d", NULL);
		h_expect(&h, "start", "d", &e);
		h_expect(&h, "ready", "d", NULL);
		if (i == 0)
			after_one = inotify_watches(h.pid);
	}
	ck_assert_int_eq(inotify_watches(h.pid), after_one);
	/* an actor a reload removes, and adds again */
	for (int i = 0; i < 11; i++) {
		h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
					  " { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
		ck_assert_int_eq(h_run(&h, reload), 0);
		h_write(&h, "root.jsonc", text);
		ck_assert_int_eq(h_run(&h, reload), 0);
		h_expect(&h, "ready", "d", NULL);
		if (i == 0)
			after_one = inotify_watches(h.pid);
	}
	ck_assert_int_eq(inotify_watches(h.pid), after_one);
	h_stop(&h);
}
END_TEST

/* Processes in the cgroups below dir, and the cgroups there (dir itself
 * not counted). */
static void count_cgroups(const char *dir, int *procs, int *groups)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1024];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s/cgroup.procs", dir, e->d_name);
		*procs += h_count_lines(&h, path, "");
		(*groups)++;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		count_cgroups(path, procs, groups);
	}
	closedir(d);
}

/* A tree three supervisors deep, a daemonizing actor at each level, killed
 * 1000 times: nothing is left, no process and no cgroup. */
START_TEST(a_thousand_kills_leave_nothing_behind)
{
	static const char *const names[] = { "d1", "d2", "d3" };
	const char *esc = getenv("ESCAPER");
	pid_t main[3], escaped[3] = { 0 };
	uid_t uid[3];
	char text[2048], tree[512] = "", path[64];
	int procs = 0, groups = 0;
	long long t0;
	struct h_event ev;
	struct stat st;

	if (!is_root())
		return;
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"intensity\": 100000, \"period\": 1, \"children\": [\n"
		 " { \"actor\": \"d1\", \"exec\": [\"%s\", \"--daemonize\", \"@DIR@/d1.pid\"] },\n"
		 " { \"supervisor\": \"s2\", \"intensity\": 100000, \"period\": 1, \"children\": [\n"
		 "  { \"actor\": \"d2\", \"exec\": [\"%s\", \"--daemonize\", \"@DIR@/d2.pid\"] },\n"
		 "  { \"supervisor\": \"s3\", \"intensity\": 100000, \"period\": 1, \"children\": [\n"
		 "   { \"actor\": \"d3\", \"exec\": [\"%s\", \"--daemonize\", \"@DIR@/d3.pid\"] } ] } ] } ] }\n",
		 esc, esc, esc);
	h_write(&h, "root.jsonc", text);
	force_level(_i);
	h_start(&h, root_only);
	for (int i = 0; i < 3; i++) {
		h_expect(&h, "start", names[i], &ev);
		main[i] = ev.pid;
	}
	h_expect(&h, "ready", "root", NULL);
	for (int i = 0; i < 3; i++)
		uid[i] = proc_uid(main[i]);
	if (_i == 0)
		subtree(tree, sizeof tree);
	t0 = h_now_ms();
	for (int k = 0; k < 1000; k++) {
		int i = k % 3;

		/* its escapee running, so each kill has one to catch */
		snprintf(path, sizeof path, "%s.pid", names[i]);
		escaped[i] = read_pid(path, escaped[i]);
		kill(main[i], SIGKILL);
		h_expect(&h, "exit", names[i], NULL);
		ck_assert_msg(!running(escaped[i]), "kill %d: %s's escapee %d lives on (uid %d, state %s)", k,
			      names[i], (int)escaped[i], (int)proc_uid(escaped[i]), proc_state_text(escaped[i]));
		h_expect(&h, "start", names[i], &ev);
		main[i] = ev.pid;
	}
	fprintf(stderr, "containment (%s): 1000 kills and restarts in %lld ms\n", levels[_i],
		h_now_ms() - t0);
	h_stop(&h);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(uid_procs(uid[i]), 0);
	ck_assert_int_eq(h_zombie_children(h.pid), 0);
	if (_i == 0) {
		count_cgroups(tree, &procs, &groups);
		ck_assert_int_eq(procs, 0);
		ck_assert_int_eq(groups, 0);
		ck_assert_msg(stat(tree, &st) < 0 && errno == ENOENT, "%s is left", tree);
	}
}
END_TEST

/* The old credentials are gone before the next daemon starts anything:
 * the first actor aborts if it can see them, and is ready (so payment
 * starts, and gets its credentials afresh) only once it has looked. */
START_TEST(no_secret_outlives_a_sigkilled_daemon)
{
	char text[2048], creds[512], marker[600];
	const char *const extra[] = { "--secrets-dir", "secrets", NULL };
	struct stat st;

	if (!is_root())
		return;
	ck_assert_int_eq(mkdir(h_path(&h, "secrets"), 0700), 0);
	h_write(&h, "secrets/PAYMENT_API_KEY", "sk_live_1234");
	ck_assert_int_eq(chmod(h_path(&h, "secrets/PAYMENT_API_KEY"), 0400), 0);
	snprintf(creds, sizeof creds, "%s/credentials/payment", h.rundir);
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 " { \"actor\": \"gate\", \"exec\": [\"@TA@\", \"--crash-if\", \"%s\", \"--notify-after\", \"0\"],\n"
		 "   \"ready\": \"notify\" },\n"
		 " { \"actor\": \"payment\", \"exec\": [\"@TA@\"], \"secrets\": [\"PAYMENT_API_KEY\"] } ] }\n",
		 creds);
	h_write(&h, "root.jsonc", text);
	h_start_with(&h, root_only, extra);
	h_expect(&h, "ready", "root", NULL);
	snprintf(marker, sizeof marker, "%s/PAYMENT_API_KEY", creds);
	ck_assert_int_eq(stat(marker, &st), 0);
	h_signal(&h, SIGKILL);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 128 + SIGKILL);
	ck_assert_int_eq(stat(marker, &st), 0);	/* what a SIGKILL leaves */
	h_start_with(&h, root_only, extra);
	/* gate starts first, and lives only if payment's directory was gone */
	h_expect_seq(&h, "sweep:root start:root start:gate ready:gate start:payment ready:payment ready:root");
	h_stop(&h);
	ck_assert_int_eq(stat(creds, &st), -1);
}
END_TEST

/* "a", alone under a supervisor of its own; its env is V. */
static void write_restartable(int v)
{
	char text[512];

	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 " { \"supervisor\": \"s\", \"children\": [\n"
		 "   { \"actor\": \"a\", \"exec\": [\"@TA@\"], \"env\": { \"V\": \"%d\" } } ] } ] }\n", v);
	h_write(&h, "root.jsonc", text);
}

/* An actor a reload restarts (its env changed) runs on once the reload
 * is applied. The old incarnation, freed at the end of the reload, was
 * killed again by its dynamic uid under the uid level, and the new one,
 * of the same name, has the same uid: it was killed as it started. */
START_TEST(a_reload_leaves_the_restarted_actor_running)
{
	const char *const extra[] = { "--containment", levels[_i], NULL };
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	struct h_event e;
	pid_t was;
	uid_t uid;

	if (!is_root())
		return;
	write_restartable(1);
	h_start_with(&h, root_only, extra);
	h_expect(&h, "start", "a", &e);
	was = e.pid;
	uid = proc_uid(was);
	h_expect(&h, "ready", "root", NULL);
	write_restartable(2);
	ck_assert_int_eq(h_run(&h, real), 0);
	h_expect(&h, "start", "a", &e);
	ck_assert_int_ne(e.pid, was);
	/* the command returns once the reload is applied, the old one freed */
	ck_assert_msg(running(e.pid), "%s: the new a (pid %d) is %s once the reload is applied", levels[_i],
		      (int)e.pid, proc_state_text(e.pid));
	ck_assert_int_eq(proc_uid(e.pid), uid);
	h_stop(&h);
	ck_assert_int_eq(uid_procs(uid), 0);
}
END_TEST

/* The same when the old incarnation's cgroup could not be removed (a
 * cgroup below it, made behind the daemon's back): the new one, of the
 * same name, makes its own there again, and it must not be killed. */
START_TEST(a_reload_leaves_the_restarted_actor_running_in_a_cgroup_left_behind)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	char tree[512], sub[600];
	struct h_event e;
	pid_t was;

	if (!is_root())
		return;
	write_restartable(1);
	h_start_with(&h, root_only, (const char *const[]){ "--containment", "cgroup", NULL });
	h_expect(&h, "start", "a", &e);
	was = e.pid;
	h_expect(&h, "ready", "root", NULL);
	subtree(tree, sizeof tree);
	snprintf(sub, sizeof sub, "%s/a.actor/below", tree);
	ck_assert_msg(mkdir(sub, 0755) == 0, "%s: %s", sub, strerror(errno));
	write_restartable(2);
	ck_assert_int_eq(h_run(&h, real), 0);
	h_expect(&h, "start", "a", &e);
	ck_assert_int_ne(e.pid, was);
	ck_assert_msg(running(e.pid), "the new a (pid %d) is %s once the reload is applied", (int)e.pid,
		      proc_state_text(e.pid));
	ck_assert_int_eq(rmdir(sub), 0);
	h_stop(&h);
}
END_TEST

/* Shared memory in its three forms counts against "memory": each filler
 * is killed at 256 MiB, and its exit and restart say why. */
START_TEST(a_memory_limit_counts_memfd_sysv_shm_and_dev_shm)
{
	static const char *const kinds[] = { "memfd", "shm", "devshm" };
	const char *esc = getenv("ESCAPER");
	char text[2048];
	struct h_event ev;
	unsigned seen = 0, restarted = 0;

	if (!is_root())
		return;
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"intensity\": 1000, \"period\": 1, \"children\": [\n"
		 " { \"actor\": \"memfd\", \"exec\": [\"%s\", \"--fill\", \"memfd\"], \"limits\": { \"memory\": 268435456 } },\n"
		 " { \"actor\": \"shm\", \"exec\": [\"%s\", \"--fill\", \"shm\"], \"limits\": { \"memory\": 268435456 } },\n"
		 " { \"actor\": \"devshm\", \"exec\": [\"%s\", \"--fill\", \"devshm\"], \"limits\": { \"memory\": 268435456 } } ] }\n",
		 esc, esc, esc);
	h_write(&h, "root.jsonc", text);
	h_start(&h, root_only);
	while (seen != 7 || restarted != 7) {
		ck_assert_msg(h_next(&h, &ev, H_TIMEOUT_MS), "timed out: exits %u, restarts %u", seen, restarted);
		for (unsigned i = 0; i < 3; i++) {
			if (strcmp(ev.name, kinds[i]) != 0)
				continue;
			if (strcmp(ev.event, "exit") == 0) {
				ck_assert_msg(ev.status != 42, "%s filled 1 GiB under a 256 MiB limit", kinds[i]);
				ck_assert_msg(strncmp(ev.reason, "out of memory", 13) == 0, "%s", ev.line);
				ck_assert_msg(strstr(ev.line, "\"oom_kills\": ") != NULL, "%s", ev.line);
				seen |= 1u << i;
			} else if (strcmp(ev.event, "restart") == 0) {
				ck_assert_msg(strncmp(ev.reason, "out of memory", 13) == 0, "%s", ev.line);
				restarted |= 1u << i;
			}
		}
	}
	h_stop(&h);
}
END_TEST

/* "cpu_usec" of an exit event, or -1. */
static long long exit_cpu_usec(const struct h_event *e)
{
	const char *p = strstr(e->line, "\"cpu_usec\": ");
	long long v;

	return p && sscanf(p + 11, "%lld", &v) == 1 ? v : -1;
}

/* A restart after an exit that left the cgroup empty runs in the same
 * cgroup, made again only after a kill: the exit event's CPU time is
 * still that run's alone. The first run burns CPU, the second does not. */
START_TEST(each_exit_counts_its_own_runs_cpu_time)
{
	char text[1024];
	struct h_event first, second;
	long long burnt, idle;

	if (!is_root())
		return;
	ck_assert(mkdir(h_path(&h, "marks"), 0777) == 0 && chmod(h_path(&h, "marks"), 0777) == 0);
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 " { \"actor\": \"burner\", \"exec\": [\"/bin/sh\", \"-c\", "
		 "\"if [ -e %s/once ]; then exec sleep 1000; fi; : > %s/once; i=0; "
		 "while [ $i -lt 300000 ]; do i=$((i+1)); done; exit 1\"] } ] }\n",
		 h_path(&h, "marks"), h_path(&h, "marks"));
	h_write(&h, "root.jsonc", text);
	h_start(&h, root_only);
	h_expect(&h, "exit", "burner", &first);
	h_expect(&h, "ready", "burner", NULL);
	h_signal(&h, SIGTERM);
	h_expect(&h, "exit", "burner", &second);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
	burnt = exit_cpu_usec(&first);
	idle = exit_cpu_usec(&second);
	if (burnt < 0)
		return;	/* no cgroup containment here: nothing counted */
	ck_assert_msg(burnt > 50000, "%s", first.line);
	ck_assert_msg(idle >= 0 && idle < burnt / 2, "second run %lld us after a first of %lld us: %s", idle,
		      burnt, second.line);
}
END_TEST

/* "tasks" of an exit event, or -1. */
static long long exit_tasks(const struct h_event *e)
{
	const char *p = strstr(e->line, "\"tasks\": ");
	long long v;

	return p && sscanf(p + 9, "%lld", &v) == 1 ? v : -1;
}

/* README: the exit event's "tasks" is "0 once empty". The pids
 * controller counts a dead process until it is reaped, and what the
 * actor left is reaped by the daemon (its subreaper) a moment after the
 * cgroup empties: the exit waits for that reap, or it would count the
 * zombies, and a kept cgroup would charge them to the next run. */
START_TEST(an_exit_counts_no_task_once_its_cgroup_is_empty)
{
	struct h_event e;

	if (!is_root())
		return;
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 100, \"period\": 1, \"children\": [\n"
		" { \"actor\": \"forker\", \"limits\": { \"tasks\": 8 }, \"exec\": [\"/bin/sh\", \"-c\",\n"
		"   \"sleep 1000 & sleep 1000 & sleep 1000 & sleep 1000 & sleep 0.05; exit 1\"] } ] }\n");
	h_start(&h, root_only);
	for (int i = 0; i < 5; i++) {
		h_expect(&h, "exit", "forker", &e);
		if (exit_tasks(&e) < 0)
			return;	/* no pids cgroup here: nothing counted */
		ck_assert_msg(exit_tasks(&e) == 0, "run %d: %s", i, e.line);
	}
	h_stop(&h);
}
END_TEST

/* The same after an operator's SIGKILL and after a stop, with the
 * orphans still running when the actor is killed. */
START_TEST(an_exits_tasks_count_no_orphan_after_a_kill_or_a_stop)
{
	const char *argv[] = { "kill", "--runtime-dir", h.rundir, "a", "-s", "SIGKILL", NULL };
	struct h_event e;

	if (!is_root())
		return;
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 100, \"children\": [\n"
		" { \"actor\": \"a\", \"exec\": [\"/bin/sh\", \"-c\", "
		"\"sleep 1000 & sleep 1000 & sleep 1000 & wait\"], \"limits\": { \"tasks\": 50 } } ] }\n");
	h_start(&h, root_only);
	/* a kill before a runs is refused ("a has no process") */
	h_expect(&h, "ready", "a", NULL);
	for (int i = 0; i < 5; i++) {
		char err[1024] = "";

		h_sleep_ms(100);	/* its sleeps forked */
		ck_assert_msg(h_run(&h, argv) == 0, "kill %d: %s", i,
			      h_read(&h, "run.err", err, sizeof err) > 0 ? err : "");
		h_expect(&h, "exit", "a", &e);
		if (exit_tasks(&e) < 0)
			return;	/* no pids cgroup here: nothing counted */
		ck_assert_msg(exit_tasks(&e) == 0, "kill %d: %s", i, e.line);
		h_expect(&h, "ready", "a", NULL);
	}
	h_sleep_ms(100);
	h_signal(&h, SIGTERM);
	h_expect(&h, "exit", "a", &e);
	ck_assert_msg(exit_tasks(&e) == 0, "stop: %s", e.line);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

/* The cgroup kept for a restart, removed from outside meanwhile: the
 * restart makes a new one instead of failing to clone into the old. */
START_TEST(a_kept_cgroup_removed_from_outside_is_made_anew)
{
	char tree[512], kept[600];
	struct h_event e;

	if (!is_root())
		return;
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"],\n"
		"  \"backoff\": { \"initial\": 1500, \"max\": 1500 } } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "a", &e);
	subtree(tree, sizeof tree);
	snprintf(kept, sizeof kept, "%s/a.actor", tree);
	ck_assert_int_eq(kill(e.pid, SIGKILL), 0);
	h_expect(&h, "exit", "a", NULL);
	ck_assert_msg(rmdir(kept) == 0, "%s: %s", kept, strerror(errno));
	h_expect(&h, "start", "a", &e);
	ck_assert_msg(e.pid > 0, "%s", e.line);
	h_expect(&h, "ready", "a", NULL);
	ck_assert_int_eq(access(kept, F_OK), 0);
	h_stop(&h);
}
END_TEST

/* The first pid PATH lists (a cgroup.procs), 0 when none. */
static pid_t first_pid(const char *path)
{
	FILE *f = fopen(path, "r");
	long pid = 0;

	ck_assert_msg(f, "%s: %s", path, strerror(errno));
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

/* A root with one actor "a", started; its ready event in *E. */
static void start_one(struct h_event *e)
{
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "a", e);
}

/* A cgroup killed and removed from outside while the daemon was not
 * looking (stopped here; another daemon's sweep on a reused runtime
 * directory does the same): its actor is restarted in a new one, not
 * given up for a cgroup it cannot remove. */
START_TEST(a_cgroup_killed_and_removed_behind_the_daemons_back_is_made_anew)
{
	char tree[512], kept[600], path[700];
	struct h_event e;
	pid_t first;

	if (!is_root())
		return;
	start_one(&e);
	first = e.pid;
	subtree(tree, sizeof tree);
	snprintf(kept, sizeof kept, "%s/a.actor", tree);
	ck_assert_int_eq(kill(h.pid, SIGSTOP), 0);
	snprintf(path, sizeof path, "%s/cgroup.procs", kept);
	for (pid_t pid; (pid = first_pid(path)) > 0; usleep(1000))	/* cgroup.kill is 5.14 on */
		ck_assert(kill(pid, SIGKILL) == 0 || errno == ESRCH);
	for (int waited = 0; rmdir(kept) < 0; waited += 10) {
		ck_assert_msg(errno == EBUSY && waited < H_TIMEOUT_MS, "%s: %s", kept, strerror(errno));
		usleep(10000);
	}
	ck_assert_int_eq(kill(h.pid, SIGCONT), 0);
	h_expect(&h, "exit", "a", NULL);
	h_expect(&h, "start", "a", &e);
	ck_assert_msg(e.pid > 0 && e.pid != first, "%s", e.line);
	h_expect(&h, "ready", "a", NULL);
	ck_assert_int_eq(access(kept, F_OK), 0);
	h_stop(&h);
}
END_TEST

/* How many of the daemon's fds hold an IPC namespace. */
static int ipc_ns_fds(pid_t pid)
{
	char dir[64], path[320], target[64];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((e = readdir(d))) {
		ssize_t len;

		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if ((len = readlink(path, target, sizeof target - 1)) > 0) {
			target[len] = '\0';
			n += strncmp(target, "ipc:[", 5) == 0;
		}
	}
	closedir(d);
	return n;
}

/* Line RUN of FILE (escaper --leave-ipc): whether it found anything of
 * an earlier run, and the id of the segment it made, 0 only where none
 * was made before it. */
static int ipc_run(const char *text, int run, bool *clean)
{
	char prefix[16];
	const char *p;
	int got, shm, msg, sem, devshm, mq, made = -1;

	snprintf(prefix, sizeof prefix, "%d shm=", run);
	for (p = text; p && strncmp(p, prefix, strlen(prefix)) != 0; p = strchr(p, '\n'), p = p ? p + 1 : p)
		;
	ck_assert_msg(p, "no run %d in:\n%s", run, text);
	got = sscanf(p, "%*d shm=%d msg=%d sem=%d devshm=%d mq=%d made=%d", &shm, &msg, &sem, &devshm, &mq, &made);
	ck_assert_int_eq(got, 6);
	*clean = !shm && !msg && !sem && !devshm && !mq;
	return made;
}

/* A restart enters the IPC and mount namespaces its last run left only
 * when nothing of that run is in them: the third run leaves a SysV
 * segment, queue and set, a /dev/shm file and a POSIX queue, and the
 * fourth must find none of them. A pair is handed to the daemon before
 * the exec, so a run that ends at once keeps it as well. A stopped
 * actor's pair is let go. */
START_TEST(a_restart_finds_nothing_its_last_run_left)
{
	char text[2048], runs[4096];
	struct h_event e;
	const char *esc = getenv("ESCAPER");
	bool clean;
	int made[5];

	if (!is_root())
		return;
	ck_assert_ptr_nonnull(esc);
	ck_assert(mkdir(h_path(&h, "marks"), 0777) == 0 && chmod(h_path(&h, "marks"), 0777) == 0);
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"intensity\": 100, \"period\": 1, \"children\": [\n"
		 " { \"actor\": \"litter\", \"exec\": [\"%s\", \"--leave-ipc\", \"%s/litter\"] },\n"
		 " { \"actor\": \"tidy\", \"exec\": [\"%s\", \"--tidy-ipc\", \"%s/tidy\"] } ] }\n",
		 esc, h_path(&h, "marks"), esc, h_path(&h, "marks"));
	h_write(&h, "root.jsonc", text);
	h_start(&h, root_only);
	/* ready comes at its exec, before it writes */
	for (int waited = 0; h_count_lines(&h, "marks/litter", "4 ") < 1; waited += 10) {
		ck_assert_msg(waited < H_TIMEOUT_MS, "litter never reached its fifth run");
		usleep(10000);
	}
	ck_assert(h_read(&h, "marks/litter", runs, sizeof runs) > 0);
	for (int run = 0; run < 5; run++) {
		made[run] = ipc_run(runs, run, &clean);
		ck_assert_msg(clean, "run %d found what an earlier one left:\n%s", run, runs);
	}
	/* the second run's pair was kept for the third; the third's was not
	 * the fourth's, nor the fourth's the fifth's */
	ck_assert_msg(made[0] == 0 && made[1] == 0, "a start or first restart entered a used pair:\n%s", runs);
	ck_assert_msg(made[2] > 0, "the third run did not enter the second's namespaces:\n%s", runs);
	ck_assert_msg(made[3] == 0 && made[4] == 0, "a littered pair was entered again:\n%s", runs);
	h_expect(&h, "ready", "tidy", &e);
	for (int waited = 0; h_count_lines(&h, "marks/tidy", "4 ") < 1; waited += 10) {
		ck_assert_msg(waited < H_TIMEOUT_MS, "tidy never reached its fifth run");
		usleep(10000);
	}
	/* the daemon's own, and tidy's kept for its next run; the spawn's
	 * staged copy of tidy's goes once clone3 has returned, which may be
	 * after the child has exec'ed and written its line */
	for (int waited = 0; ipc_ns_fds(h.pid) != 2; waited += 10) {
		ck_assert_msg(waited < H_TIMEOUT_MS, "the daemon holds %d IPC namespaces, not 2", ipc_ns_fds(h.pid));
		usleep(10000);
	}
	{
		const char *argv[] = { "stop", "--runtime-dir", h.rundir, "tidy", NULL };
		ck_assert_int_eq(h_run(&h, argv), 0);
	}
	/* the exits of its first four runs come before */
	h_expect(&h, "stop", "tidy", &e);
	ck_assert_msg(strstr(e.line, "\"reason\": \"operator\""), "%s", e.line);
	h_expect(&h, "exit", "tidy", NULL);
	/* let go after the event is written */
	for (int waited = 0; ipc_ns_fds(h.pid) != 1; waited += 10) {
		ck_assert_msg(waited < H_TIMEOUT_MS, "tidy's pair is still held: %d", ipc_ns_fds(h.pid));
		usleep(10000);
	}
	h_stop(&h);
}
END_TEST

/* README, Process hygiene: under process group containment "the rest of
 * the actor's process group is killed", and as at every level the exit
 * event is final only once nothing of it is left: a child that stayed in
 * the group is dead and reaped by then, run after run. */
START_TEST(a_process_group_is_gone_before_its_exit_is_told)
{
	const char *const extra[] = { "--containment", "pgroup", NULL };
	struct h_event e;
	pid_t child;

	ck_assert(chmod(h.dir, 01777) == 0);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 100, \"period\": 1, \"children\": [\n"
		" { \"actor\": \"leaver\", \"exec\": [\"/bin/sh\", \"-c\",\n"
		"   \"sleep 1000 & echo $! > @DIR@/child.tmp && mv @DIR@/child.tmp @DIR@/child.$$; exit 3\"] } ] }\n");
	h_start_with(&h, root_only, extra);
	for (int i = 0; i < 10; i++) {
		char name[64];

		h_expect(&h, "exit", "leaver", &e);
		/* named for the run: the next may have written its own by now */
		snprintf(name, sizeof name, "child.%d", e.pid);
		child = read_pid(name, 0);
		ck_assert_msg(gone(child), "run %d: its child %d is left (%s)", i, (int)child, proc_state_text(child));
	}
	h_stop(&h);
}
END_TEST

/* A limit this host cannot apply: check says so, and run refuses the
 * tree with the same error before it starts anything. */
START_TEST(a_limit_that_cannot_be_applied_fails_clearly)
{
	const char *const extra[] = { "--containment", "uid", NULL };
	char err[4096];

	if (!is_root())
		return;
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		" { \"actor\": \"first\", \"exec\": [\"@TA@\"] },\n"
		" { \"actor\": \"a\", \"exec\": [\"@TA@\"], \"limits\": { \"tasks\": 10 } } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "--containment", "uid", "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	/* at the limit's place, and said once */
	ck_assert_msg(strstr(err, "root.jsonc:3:") && strstr(err, ": error: actor \"a\": limit \"tasks\" cannot be applied on this host: "),
		      "%s", err);
	ck_assert_msg(strstr(strstr(err, "cannot be applied") + 1, "cannot be applied") == NULL, "%s", err);
	h_start_with(&h, root_only, extra);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);
	ck_assert_int_gt(h_read(&h, "err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "root.jsonc:3:") && strstr(err, ": error: actor \"a\": limit \"tasks\" cannot be applied on this host: "),
		      "%s", err);
	/* refused whole: nothing of the tree ran, not even the actor before it */
	ck_assert_int_eq(h_count_lines(&h, "err", "prospero: start first"), 0);
	ck_assert_int_eq(h_count_lines(&h, "err", "prospero: exit a: could not start"), 0);
}
END_TEST

/* README "Process hygiene": under the uid level an actor with "user"
 * shares its uid with others, "so for it this level is the process
 * group's": explain says so for it (the old one said "uid"). */
START_TEST(explain_says_a_user_actor_is_contained_by_its_process_group)
{
	char out[16384];

	if (!is_root())
		return;
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		" { \"actor\": \"a\", \"exec\": [\"@TA@\"], \"user\": \"nobody\" },\n"
		" { \"actor\": \"b\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "--containment", "uid", "-c", "root.jsonc",
							  "--explain", "a", NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "\n  containment: process group only (\"user\" nobody is not a uid of its own; "
			      "the daemon's: uid (every process of an instance's dynamic uid; "), "%s", out);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "--containment", "uid", "-c", "root.jsonc",
							  "--explain", "b", NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "\n  containment: uid (every process of an instance's dynamic uid; "), "%s", out);
}
END_TEST

/* One daemon per runtime directory; a directory others may write is refused. */
START_TEST(a_runtime_directory_holds_one_daemon_and_must_be_ours)
{
	char err[4096], pidtext[32];

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.rundir, "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	snprintf(pidtext, sizeof pidtext, "(pid %d)", (int)h.pid);
	ck_assert_msg(strstr(err, "is in use by another prospero daemon") && strstr(err, pidtext), "%s", err);
	/* the one refused touches nothing of the running one's: not its
	 * events file, whose last line may be the one being written (it
	 * cut it off as a crash's before it found the directory taken) */
	struct stat st;
	ck_assert_int_eq(stat(h_path(&h, "events"), &st), 0);
	int fd = open(h_path(&h, "events"), O_WRONLY | O_APPEND | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "{\"ts\"", 5), 5);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.rundir, "--events", "events",
							  "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "is in use by another prospero daemon") && !strstr(err, "cut short"), "%s", err);
	ck_assert_int_gt(h_read(&h, "events", err, sizeof err), 0);
	ck_assert_msg(strlen(err) >= 5 && strcmp(err + strlen(err) - 5, "{\"ts\"") == 0, "%s", err);
	ck_assert_int_eq(truncate(h_path(&h, "events"), st.st_size), 0);	/* as it was */
	h_stop(&h);
	/* writable by others: refused, and nothing in it touched */
	ck_assert_int_eq(chmod(h.rundir, 0777), 0);
	h_write(&h, "keep", "");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.rundir, "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "writable by no one else") != NULL, "%s", err);
	ck_assert_int_eq(chmod(h.rundir, 0755), 0);
	/* a directory that never held a daemon is not emptied */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.dir, "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "no prospero lock") || strstr(err, "writable by no one else"), "%s", err);
	ck_assert_int_eq(access(h_path(&h, "keep"), F_OK), 0);
	/* nor the next time: the old daemon left its lock file behind on
	 * refusing, and the next took it for a predecessor's and emptied it */
	ck_assert_int_eq(chmod(h.dir, 0755), 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.dir, "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_eq(access(h_path(&h, "lock"), F_OK), -1);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.dir, "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "no prospero lock"), "%s", err);
	ck_assert_int_eq(access(h_path(&h, "keep"), F_OK), 0);
}
END_TEST

/* The runtime directory's lock keeps a second daemon off it; removed
 * under a running daemon, it no longer does, and the second one took the
 * first's cgroup subtree for a dead predecessor's and swept its actors.
 * The subtree is held too: the second refuses, and nothing of the first
 * is touched. */
START_TEST(a_second_daemon_leaves_a_running_daemons_cgroups_alone)
{
	char err[8192], tree[512], cmd[600];
	struct h_event e;

	if (!is_root())
		return;
	start_one(&e);
	subtree(tree, sizeof tree);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", h.rundir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", h.rundir, "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "is held by another daemon") && !strstr(err, "sweep"), "%s", err);
	ck_assert_msg(running(e.pid), "the first daemon's actor was killed: %s", err);
	ck_assert_int_eq(access(tree, F_OK), 0);
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
	ck_assert(!running(e.pid));
}
END_TEST

/* After a SIGKILL of the daemon, another process holds PATH's lock for
 * 300 ms, as the killed daemon's child would (an flock when FLOCK, else a
 * process-owned write lock); a daemon started at once must wait it out
 * and start. */
static void a_lock_held_a_moment_is_waited_for(const char *path, bool flock_it)
{
	int ready[2];
	pid_t holder;
	char c;

	ck_assert_int_eq(pipe(ready), 0);
	holder = fork();
	ck_assert_int_ge(holder, 0);
	if (holder == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		int fd = open(path, (flock_it ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);

		if (fd < 0 || (flock_it ? flock(fd, LOCK_EX) : fcntl(fd, F_SETLK, &fl)) < 0)
			_exit(1);
		(void)!write(ready[1], "x", 1);
		h_sleep_ms(300);
		_exit(0);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	h_start(&h, root_only);
	h_expect(&h, "ready", "a", NULL);
	ck_assert_int_eq(waitpid(holder, NULL, 0), holder);
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}

/* A daemon SIGKILLed while a child of it had yet to exec: the child holds
 * the subtree's lock (it shares or copied the daemon's fds) until it
 * execs or dies, and a successor started at once refused the subtree as
 * held by another daemon (the queue chaos test met it). A holder that
 * lets go within moments is waited for. */
START_TEST(a_subtree_lock_a_killed_daemon_left_for_a_moment_is_waited_for)
{
	char tree[512];
	struct h_event e;

	if (!is_root())
		return;
	start_one(&e);
	subtree(tree, sizeof tree);
	h_signal(&h, SIGKILL);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 128 + SIGKILL);
	a_lock_held_a_moment_is_waited_for(tree, true);
}
END_TEST

/* The same of the runtime directory's lock, a process-owned one: a child
 * of a SIGKILLed daemon that shares its fd table (CLONE_FILES, until it
 * takes a table of its own) holds it a moment after the daemon is gone,
 * and a successor started at once refused the directory as in use by
 * another daemon (the queue chaos test met it in CI). */
START_TEST(a_runtime_directory_lock_a_killed_daemon_left_for_a_moment_is_waited_for)
{
	char lock[512];
	struct h_event e;

	start_one(&e);
	h_signal(&h, SIGKILL);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 128 + SIGKILL);
	snprintf(lock, sizeof lock, "%s/lock", h.rundir);
	a_lock_held_a_moment_is_waited_for(lock, false);
}
END_TEST

/* A symbolic link where the lock belongs is never followed; the refusal
 * said only "Too many levels of symbolic links". */
START_TEST(a_symbolic_link_at_the_runtime_directorys_lock_is_said_as_such)
{
	char lock[512], target[512], err[4096];
	struct stat st, before;

	h_write(&h, "elsewhere", "untouched\n");
	snprintf(lock, sizeof lock, "%s/lock", h.rundir);
	snprintf(target, sizeof target, "%s", h_path(&h, "elsewhere"));
	ck_assert_int_eq(symlink(target, lock), 0);
	ck_assert_int_eq(stat(target, &before), 0);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);
	ck_assert_int_gt(h_read(&h, "err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "/lock is a symbolic link, which no daemon makes: remove it, or give another "
				  "--runtime-dir"), "%s", err);
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 10);
	ck_assert_int_eq(st.st_mode, before.st_mode);
}
END_TEST

/* A dynamic uid comes from a hash of the actor's name, so two daemons'
 * actors of one name meet at one uid, kept apart by the host registry
 * while both run. A SIGKILLed daemon's claims go with it: another daemon
 * may then take the uid for its own actor, and a successor on the first
 * one's runtime directory killed that actor as its predecessor's leftover
 * (its ledger names the uid). A uid another daemon holds is that daemon's:
 * the sweep leaves it alone. */
START_TEST(a_sweep_leaves_alone_a_uid_another_daemon_holds_now)
{
	static const char cfg[] =
		"{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"sweepee\", \"exec\": [\"@TA@\"] } ] }\n";
	static struct h other;
	struct h_event e;
	uid_t first;

	if (!is_root())
		return;
	h_write(&h, "root.jsonc", cfg);
	h_start(&h, root_only);
	h_expect(&h, "ready", "sweepee", &e);
	first = proc_uid(e.pid);
	h_signal(&h, SIGKILL);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 128 + SIGKILL);
	ck_assert(h_wait_dead(e.pid, H_TIMEOUT_MS));	/* its death signal */
	h_init(&other);
	h_write(&other, "root.jsonc", cfg);
	h_start(&other, root_only);
	h_expect(&other, "ready", "sweepee", &e);
	h_expect(&other, "ready", "root", NULL);
	ck_assert_uint_eq(proc_uid(e.pid), first);	/* the uid the ledger names */
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_expect_quiet(&other, 300);
	ck_assert(h_alive(e.pid));
	h_stop(&h);
	h_signal(&other, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&other, H_TIMEOUT_MS), 0);
	h_fini(&other);
}
END_TEST

/* Write TEXT to the v1 freezer cgroup DIR's FILE. */
static void freezer_write(const char *dir, const char *file, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	ck_assert_msg((f = fopen(path, "w")) != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* Between the reap of an actor's main process and its exit, while its
 * cgroup empties, status showed it "ready" with no pid: it is stopping.
 * The window is held open by a descendant that a cgroup-v1 freezer keeps
 * from dying of cgroup.kill's SIGKILL until it is thawed (hybrid hosts). */
START_TEST(an_actor_whose_cgroup_is_emptying_is_stopping)
{
	char frz[256], buf[64], out[8192];
	const char *status[] = { "status", "--runtime-dir", h.rundir, "held", NULL, NULL };
	const char *kill_it[] = { "kill", "--runtime-dir", h.rundir, "held", NULL };
	char kerr[1024];
	struct h_event e;
	pid_t child;
	int rc, jrc, krc;

	if (!is_root() || access("/sys/fs/cgroup/freezer/cgroup.procs", W_OK) != 0)
		return;
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"held\", \"exec\": [\"/bin/bash\", \"-c\",\n"
		"    \"sleep 100000 & echo $! > @DIR@/held.tmp && mv @DIR@/held.tmp @DIR@/held.pid; wait\"] } ] }\n");
	force_level(0);
	h_start(&h, root_only);
	h_expect(&h, "start", "held", &e);
	h_expect(&h, "ready", "root", NULL);
	child = read_pid("held.pid", 0);
	snprintf(frz, sizeof frz, "/sys/fs/cgroup/freezer/check-containment-%d", (int)getpid());
	ck_assert_int_eq(mkdir(frz, 0755), 0);
	snprintf(buf, sizeof buf, "%d\n", (int)child);
	freezer_write(frz, "cgroup.procs", buf);
	freezer_write(frz, "freezer.state", "FROZEN\n");
	ck_assert_int_eq(kill(e.pid, SIGKILL), 0);
	/* reaped, and the descendant killed but frozen: no exit yet. The
	 * daemon notes the end in the call that reaps it, so once the pid is
	 * gone a status sees it */
	ck_assert_msg(h_wait_gone(e.pid, H_TIMEOUT_MS), "held's main process was never reaped");
	rc = h_run(&h, status);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out / 2), 0);
	status[4] = "--json";
	jrc = h_run(&h, status);
	ck_assert_int_gt(h_read(&h, "run.out", out + strlen(out), sizeof out / 2), 0);
	krc = h_run(&h, kill_it);
	if (h_read(&h, "run.err", kerr, sizeof kerr) < 0)
		kerr[0] = '\0';
	/* thawed before any assertion: a frozen process must not be left */
	freezer_write(frz, "freezer.state", "THAWED\n");
	for (long long end = h_now_ms() + H_TIMEOUT_MS; running(child) && h_now_ms() < end;)
		h_sleep_ms(5);
	ck_assert_int_eq(rmdir(frz), 0);
	h_expect_seq(&h, "exit:held restart:held start:held ready:held");
	ck_assert_msg(strstr(out, "held  stopping restarts 0") && !strstr(out, " pid ") && !strstr(out, " up "), "%s", out);
	ck_assert_msg(strstr(out, "\"state\":\"stopping\"") && !strstr(out, "\"pid\"") &&
		      !strstr(out, "\"uptime_ms\""), "%s", out);
	ck_assert_msg(strstr(out, "\"running\":0,\"not_running\":1"), "%s", out);
	ck_assert_int_eq(rc, 3);
	ck_assert_int_eq(jrc, 3);
	/* and has no process to signal: a kill is refused, as README says */
	ck_assert_msg(krc == 1 && strstr(kerr, "held has no process"), "kill: %d: %s", krc, kerr);
	h_stop(&h);
}
END_TEST

/* Set in the daemon's environment to the real prospero: this program,
 * run as prospero, execs it under a filter that fails its SIGTERMs,
 * SIGKILLs, SIGUSR1s and SIGSTOPs (the uid helper's kill(-1) aside) with
 * EPERM, as a security module refusing them would. */
#define DENY_KILL_ENV "CHECK_CONTAINMENT_DENY_KILL"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(__u64))
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(__u64) + sizeof(__u32))
#endif

static int before(int argc, char **argv)
{
	const char *real = getenv(DENY_KILL_ENV);
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_kill, 0, 7),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)-1, 5, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SIGKILL, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SIGTERM, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SIGUSR1, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SIGSTOP, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	};
	struct sock_fprog prog = { .len = sizeof f / sizeof *f, .filter = f };
	char path[PATH_MAX];

	if (!real)
		return -1;
	snprintf(path, sizeof path, "%s", real);
	unsetenv(DENY_KILL_ENV);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("check_containment: seccomp");
		return 120;
	}
	execv(path, argv);
	perror(path);
	return 121;
}

/* h_start_with EXTRA (NULL: none), the daemon under that filter. */
static void start_unable_to_signal_with(const char *const *extra)
{
	char self[PATH_MAX], real[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	ck_assert_ptr_nonnull(getenv("PROSPERO"));
	snprintf(real, sizeof real, "%s", getenv("PROSPERO"));
	ck_assert_int_eq(setenv(DENY_KILL_ENV, real, 1), 0);
	ck_assert_int_eq(setenv("PROSPERO", self, 1), 0);
	h_start_with(&h, root_only, extra ? extra : (const char *const[]){ NULL });
	ck_assert_int_eq(setenv("PROSPERO", real, 1), 0);
	ck_assert_int_eq(unsetenv(DENY_KILL_ENV), 0);
}

static void start_unable_to_signal(void)
{
	start_unable_to_signal_with(NULL);
}

/* `prospero VERB NAME [-s SIG]`: exits 0. */
static void verb(const char *v, const char *name, const char *sig)
{
	const char *argv[] = { v, "--runtime-dir", h.rundir, name, sig ? "-s" : NULL, sig, NULL };

	ck_assert_int_eq(h_run(&h, argv), 0);
}

/* Lines of the daemon's that say NAME could not be sent SIG and what
 * was done instead. */
static int forced(const char *name, const char *sig, int level)
{
	char prefix[128];

	snprintf(prefix, sizeof prefix, "prospero: %s: cannot send %s to pid ", name, sig);
	return h_lines_with(&h, "err", prefix, level == 0 ? "Operation not permitted; killing its cgroup"
							  : "Operation not permitted; killing every process of uid ");
}

/* kill(2) fails (EPERM): each stop, the operator's, a brutal_kill and
 * the daemon's own, still ends the actor and all it started, through
 * its cgroup or its uid, and says so once each time; it waited for ever. */
START_TEST(a_signal_that_cannot_be_sent_still_ends_the_actor)
{
	const char *esc = getenv("ESCAPER");
	char text[2048];
	struct h_event e;
	pid_t main, away;
	uid_t uid;

	if (!is_root())
		return;
	ck_assert_ptr_nonnull(esc);
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"intensity\": 100, \"period\": 1, \"children\": [\n"
		 "  { \"actor\": \"daemonizer\", \"exec\": [\"%s\", \"--daemonize\", \"@DIR@/daemonizer.pid\"] },\n"
		 "  { \"actor\": \"brutal\", \"exec\": [\"@TA@\"], \"shutdown\": \"brutal_kill\" },\n"
		 "  { \"actor\": \"plain\", \"exec\": [\"@TA@\"], \"shutdown\": 60000 } ] }\n", esc);
	h_write(&h, "root.jsonc", text);
	force_level(_i);
	start_unable_to_signal();
	h_expect(&h, "start", "daemonizer", &e);
	main = e.pid;
	h_expect(&h, "ready", "root", NULL);
	away = read_pid("daemonizer.pid", 0);
	uid = proc_uid(main);

	/* SIGTERM, not a shutdown's 60 s later SIGKILL: no use waiting */
	verb("stop", "plain", NULL);
	h_expect_seq(&h, "operator:plain stop:plain exit:plain");
	verb("stop", "daemonizer", NULL);
	h_expect_seq(&h, "operator:daemonizer stop:daemonizer exit:daemonizer");
	ck_assert_msg(!running(away), "pid %d outlived its actor", (int)away);
	ck_assert(!running(main));
	ck_assert_int_eq(uid_procs(uid), 0);
	verb("stop", "brutal", NULL);
	h_expect_seq(&h, "operator:brutal stop:brutal exit:brutal");
	ck_assert_int_eq(forced("plain", "SIGTERM", _i), 1);
	ck_assert_int_eq(forced("daemonizer", "SIGTERM", _i), 1);
	ck_assert_int_eq(forced("brutal", "SIGKILL", _i), 1);

	/* an operator's kill, and the restart after it */
	verb("start", "brutal", NULL);
	h_expect_seq(&h, "operator:brutal start:brutal ready:brutal");
	verb("kill", "brutal", "KILL");
	h_expect_seq(&h, "operator:brutal exit:brutal restart:brutal start:brutal ready:brutal");
	ck_assert_int_eq(forced("brutal", "SIGKILL", _i), 2);

	/* and the daemon's stop */
	verb("start", "daemonizer", NULL);
	h_expect(&h, "ready", "daemonizer", &e);
	main = e.pid;
	away = read_pid("daemonizer.pid", away);
	h_stop(&h);
	ck_assert(!running(away) && !running(main));
	ck_assert_int_eq(uid_procs(uid), 0);
	ck_assert_int_eq(forced("daemonizer", "SIGTERM", _i), 2);
	ck_assert_int_eq(forced("brutal", "SIGKILL", _i), 3);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: ", "cannot send"), 6);
}
END_TEST

/* An operator's kill whose signal no process got answered ok (exit 0),
 * the failure only in the daemon's log: it is refused with its errno. */
START_TEST(a_kill_that_cannot_be_sent_is_refused)
{
	const char *argv[] = { "kill", "--runtime-dir", h.rundir, "plain", "-s", "USR1", NULL };
	char err[4096], want[128];
	struct h_event e;

	if (!is_root())
		return;
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"plain\", \"exec\": [\"@TA@\"] } ] }\n");
	start_unable_to_signal();
	h_expect(&h, "start", "plain", &e);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(h_run(&h, argv), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	snprintf(want, sizeof want, "plain: cannot send SIGUSR1 to pid %d: Operation not permitted", e.pid);
	ck_assert_msg(strstr(err, want), "%s", err);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: plain: ", "cannot send SIGUSR1"), 1);
	h_expect_seq(&h, "operator:plain");
	ck_assert(running(e.pid));
	h_stop(&h);
}
END_TEST

/* A fault plan's kill and stall whose signal kill(2) refused were
 * counted as done, in the event and the summary: they are skipped, not
 * sent, and nothing follows from them. */
START_TEST(a_fault_whose_signal_cannot_be_sent_is_not_injected)
{
	const char *status[] = { "status", "--runtime-dir", h.rundir, NULL };
	char out[8192];
	struct h_event e;

	if (!is_root())
		return;
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"plain\", \"exec\": [\"@TA@\"] } ] }\n");
	h_write(&h, "faults.jsonc",
		"{ \"faults\": [ { \"kill\": \"plain\", \"signal\": \"SIGUSR1\", \"at\": [50] },\n"
		"                { \"stall\": \"plain\", \"for\": 100, \"at\": [100] } ] }\n");
	start_unable_to_signal_with((const char *const[]){ "--faults", "faults.jsonc", NULL });
	h_expect(&h, "start", "plain", &e);
	h_expect(&h, "ready", "root", NULL);
	for (int i = 0; i < 3; i++) {
		struct h_event f;

		h_expect(&h, "fault", NULL, &f);
		ck_assert_msg(strstr(f.line, "\"kind\": \"plan\"") ||
			      strstr(f.line, "\"skipped\": \"not sent: Operation not permitted\""), "%s", f.line);
	}
	ck_assert_int_eq(h_run(&h, status), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "plain: 0 killed, 0 stalled, 0 calls failed, 2 not sent (kill(2) failed); "
				  "0 restarts after a fault"), "%s", out);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: fault ", "skipped, not sent: Operation not permitted"), 2);
	ck_assert(running(e.pid));
	ck_assert_str_eq(proc_state_text(e.pid), "S (sleeping)");
	h_stop(&h);
}
END_TEST

/* Events up to NAME's ready; an exit of NAME before it only as a start
 * that failed for want of fds (the limit is back by its next try). */
static void ready_after_fd_failures(const char *name)
{
	struct h_event e;

	do {
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "no ready from %s", name);
		ck_assert_msg(strcmp(e.name, name) != 0 || strcmp(e.event, "exit") != 0 ||
			      (strstr(e.reason, "could not start: ") && strstr(e.reason, "Too many open files")),
			      "%s", e.line);
	} while (strcmp(e.name, name) != 0 || strcmp(e.event, "ready") != 0);
}

/* How many fds pid has open. */
static unsigned fds_of(pid_t pid)
{
	char path[64];
	unsigned n = 0;
	DIR *dir;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	ck_assert_ptr_nonnull(dir = opendir(path));
	for (struct dirent *e; (e = readdir(dir));)
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

/* The daemon out of fds as an actor ended (its soft limit lowered below
 * what it holds, as prlimit(1) does): its cgroup was not killed ("b:
 * cannot kill its cgroup: Too many open files"), its exit was told all
 * the same, without its cpu_usec, while its daemonized grandchild lived
 * on in it; once the limit was back every start failed "a leftover
 * still has processes", for good. The kill needs no fd the daemon does
 * not hold already, and the next start runs. */
START_TEST(an_actor_that_ends_while_the_daemon_is_out_of_fds_leaves_nothing)
{
	const char *esc = getenv("ESCAPER");
	char text[4096];
	size_t len = 0;
	struct rlimit low, was;
	struct h_event e;
	pid_t main, away;

	if (!is_root())
		return;
	ck_assert_ptr_nonnull(esc);
	/* others before it, so that its own fds are the highest: its end
	 * gives back none below the lowered limit */
	len += (size_t)snprintf(text + len, sizeof text - len,
				"{ \"supervisor\": \"root\", \"intensity\": 100, \"period\": 1, \"children\": [\n");
	for (int i = 0; i < 8; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "  { \"actor\": \"a%d\", \"exec\": [\"@TA@\"] },\n", i);
	snprintf(text + len, sizeof text - len,
		 "  { \"actor\": \"b\", \"exec\": [\"%s\", \"--daemonize\", \"@DIR@/b.pid\"],\n"
		 "    \"backoff\": { \"initial\": 1000, \"max\": 1000 } } ] }\n", esc);
	h_write(&h, "root.jsonc", text);
	h_start(&h, root_only);
	h_expect(&h, "start", "b", &e);
	main = e.pid;
	h_expect(&h, "ready", "root", NULL);
	away = read_pid("b.pid", 0);

	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, NULL, &was), 0);
	/* fewer than it holds even once b's own are closed */
	low = (struct rlimit){ fds_of(h.pid) - 12, was.rlim_max };
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &low, NULL), 0);
	ck_assert_int_eq(kill(main, SIGKILL), 0);
	h_expect(&h, "exit", "b", &e);
	ck_assert_msg(gone(away), "pid %d outlived its actor (%s)", (int)away, proc_state_text(away));
	ck_assert_msg(strstr(e.line, "\"cpu_usec\""), "%s", e.line);
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &was, NULL), 0);
	ready_after_fd_failures("b");
	away = read_pid("b.pid", away);
	h_stop(&h);
	ck_assert(!running(away));
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: ", "leftover"), 0);
}
END_TEST

/* Events up to NAME's exit: none of NAME's before it. */
static void next_of(const char *event, const char *name, struct h_event *e)
{
	do
		ck_assert_msg(h_next(&h, e, H_TIMEOUT_MS), "no %s from %s", event, name);
	while (strcmp(e->name, name) != 0);
	ck_assert_msg(strcmp(e->event, event) == 0, "%s", e->line);
}

/* Waits for a line of the daemon's log that starts with PREFIX and
 * holds WHAT; no event of NAME may come first. */
static void await_log_before(const char *prefix, const char *what, const char *name)
{
	struct h_event e;

	for (long long end = h_now_ms() + H_TIMEOUT_MS; h_lines_with(&h, "err", prefix, what) < 1;) {
		ck_assert_msg(h_now_ms() < end, "no \"%s...%s\" in the log", prefix, what);
		ck_assert_msg(!h_next(&h, &e, 5) || strcmp(e.name, name) != 0, "before the log line: %s", e.line);
	}
}

/* Out of fds even for the kill (the limit lowered below the lowest the
 * daemon holds, its reserve too): the exit was told at once, with the
 * actor's daemonized grandchild alive. It waits until the kill can be
 * done, tried again on a timer, and only then is it told, and the
 * restart follows. _i: the cgroup or the uid level. */
START_TEST(an_exit_waits_for_a_kill_that_cannot_be_done_yet)
{
	const char *esc = getenv("ESCAPER");
	char text[1024];
	struct rlimit low, was;
	struct h_event e;
	pid_t main, away;

	if (!is_root())
		return;
	ck_assert_ptr_nonnull(esc);
	snprintf(text, sizeof text, "{ \"supervisor\": \"root\", \"intensity\": 100, \"period\": 1, \"children\": [\n"
		 "  { \"actor\": \"b\", \"exec\": [\"%s\", \"--daemonize\", \"@DIR@/b.pid\"] } ] }\n", esc);
	h_write(&h, "root.jsonc", text);
	force_level(_i);
	h_start(&h, root_only);
	h_expect(&h, "start", "b", &e);
	main = e.pid;
	h_expect(&h, "ready", "root", NULL);
	away = read_pid("b.pid", 0);

	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, NULL, &was), 0);
	low = (struct rlimit){ 3, was.rlim_max };
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &low, NULL), 0);
	ck_assert_int_eq(kill(main, SIGKILL), 0);
	await_log_before("prospero: b: ", "its exit waits until nothing of it is left", "b");
	ck_assert_msg(running(away), "pid %d: %s", (int)away, proc_state_text(away));
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &was, NULL), 0);
	next_of("exit", "b", &e);
	ck_assert_msg(gone(away), "pid %d outlived its actor (%s)", (int)away, proc_state_text(away));
	h_expect(&h, "ready", "b", NULL);
	h_stop(&h);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: b: ", "Too many open files (the daemon's limit is 3 "
				      "open files: raise it, e.g. LimitNOFILE= under systemd); its exit waits"), 1);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: b: ", "nothing of it is left now: its exit is final"), 1);
}
END_TEST

/* A start that found a process in its own cgroup (made anew after a
 * kill, _i 0, or kept from a run that ended alone, _i 1) failed, "a
 * leftover still has processes" or "cannot remove the last run's:
 * Device or resource busy", at that start and every one after. What is
 * in an actor's cgroup is the actor's: it is killed, and the start goes on. */
START_TEST(a_start_kills_what_is_left_in_its_own_cgroup)
{
	const char *esc = getenv("ESCAPER");
	char text[2048], tree[512], path[600], pid[32];
	struct h_event e;
	int status, fd;
	pid_t stray;

	if (!is_root())
		return;
	ck_assert_ptr_nonnull(esc);
	if (_i == 0)
		snprintf(text, sizeof text, "{ \"supervisor\": \"root\", \"children\": [\n"
			 "  { \"actor\": \"b\", \"exec\": [\"%s\", \"--daemonize\", \"@DIR@/b.pid\"] } ] }\n", esc);
	else
		snprintf(text, sizeof text, "{ \"supervisor\": \"root\", \"children\": [\n"
			 "  { \"actor\": \"b\", \"exec\": [\"@TA@\"] } ] }\n");
	h_write(&h, "root.jsonc", text);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	subtree(tree, sizeof tree);
	verb("stop", "b", NULL);
	h_expect(&h, "exit", "b", NULL);

	/* a process in the cgroup b's next run has */
	snprintf(path, sizeof path, "%s/b.actor", tree);
	ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "%s: %s", path, strerror(errno));
	stray = fork();
	ck_assert_int_ge(stray, 0);
	if (stray == 0) {
		close_range(3, ~0u, 0);
		for (;;)
			pause();
	}
	snprintf(path, sizeof path, "%s/b.actor/cgroup.procs", tree);
	snprintf(pid, sizeof pid, "%d", (int)stray);
	ck_assert_int_ge(fd = open(path, O_WRONLY | O_CLOEXEC), 0);
	ck_assert_int_eq(write(fd, pid, strlen(pid)), (ssize_t)strlen(pid));
	close(fd);

	verb("start", "b", NULL);
	do {
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "no ready from b");
		ck_assert_msg(strcmp(e.name, "b") != 0 || strcmp(e.event, "exit") != 0, "%s", e.line);
	} while (strcmp(e.name, "b") != 0 || strcmp(e.event, "ready") != 0);
	ck_assert_int_eq(waitpid(stray, &status, 0), stray);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	h_stop(&h);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: b: ", "killed what an earlier run left in its cgroup"), 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("containment");
	TCase *tc = tcase_create("escapes");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, nothing_outlives_an_actors_crash, 0, 2);
	tcase_add_loop_test(tc, nothing_outlives_a_restart_of_its_supervisor, 0, 2);
	tcase_add_loop_test(tc, nothing_outlives_a_clean_stop, 0, 2);
	tcase_add_loop_test(tc, nothing_outlives_a_sigkilled_daemon_once_the_next_starts, 0, 2);
	tcase_add_loop_test(tc, a_thousand_kills_leave_nothing_behind, 0, 2);
	tcase_add_loop_test(tc, a_reload_leaves_the_restarted_actor_running, 0, 2);
	tcase_add_loop_test(tc, a_signal_that_cannot_be_sent_still_ends_the_actor, 0, 2);
	tcase_add_test(tc, a_reload_leaves_the_restarted_actor_running_in_a_cgroup_left_behind);
	tcase_add_test(tc, a_kill_that_cannot_be_sent_is_refused);
	tcase_add_test(tc, a_fault_whose_signal_cannot_be_sent_is_not_injected);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits and secrets");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, no_secret_outlives_a_sigkilled_daemon);
	tcase_add_test(tc, a_daemon_off_cgroups_sweeps_the_cgroups_a_predecessor_left);
	tcase_add_test(tc, a_reload_hands_out_no_uid_a_process_took_since_the_start);
	tcase_add_test(tc, reloads_add_nothing_to_the_uid_ledger);
	tcase_add_test(tc, the_sweep_reads_a_long_ledger_to_its_end);
	tcase_add_test(tc, a_ledger_in_a_directory_no_daemon_held_kills_nothing);
	tcase_add_test(tc, the_subtree_is_the_runtime_directorys_however_spelled);
	tcase_add_test(tc, explain_names_the_subtree_of_a_runtime_directory_not_made_yet);
	tcase_add_test(tc, a_memory_limit_counts_memfd_sysv_shm_and_dev_shm);
	tcase_add_test(tc, each_exit_counts_its_own_runs_cpu_time);
	tcase_add_test(tc, an_exit_counts_no_task_once_its_cgroup_is_empty);
	tcase_add_test(tc, an_exits_tasks_count_no_orphan_after_a_kill_or_a_stop);
	tcase_add_test(tc, a_process_group_is_gone_before_its_exit_is_told);
	tcase_add_test(tc, a_kept_cgroup_removed_from_outside_is_made_anew);
	tcase_add_test(tc, a_removed_cgroup_takes_its_watch_with_it);
	tcase_add_test(tc, a_cgroup_killed_and_removed_behind_the_daemons_back_is_made_anew);
	tcase_add_test(tc, a_restart_finds_nothing_its_last_run_left);
	tcase_add_test(tc, a_limit_that_cannot_be_applied_fails_clearly);
	tcase_add_test(tc, explain_says_a_user_actor_is_contained_by_its_process_group);
	tcase_add_test(tc, a_runtime_directory_holds_one_daemon_and_must_be_ours);
	tcase_add_test(tc, a_second_daemon_leaves_a_running_daemons_cgroups_alone);
	tcase_add_test(tc, a_subtree_lock_a_killed_daemon_left_for_a_moment_is_waited_for);
	tcase_add_test(tc, a_runtime_directory_lock_a_killed_daemon_left_for_a_moment_is_waited_for);
	tcase_add_test(tc, a_symbolic_link_at_the_runtime_directorys_lock_is_said_as_such);
	tcase_add_test(tc, a_sweep_leaves_alone_a_uid_another_daemon_holds_now);
	tcase_add_test(tc, an_actor_whose_cgroup_is_emptying_is_stopping);
	suite_add_tcase(s, tc);
	tc = tcase_create("out of resources");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, an_actor_that_ends_while_the_daemon_is_out_of_fds_leaves_nothing);
	tcase_add_loop_test(tc, a_start_kills_what_is_left_in_its_own_cgroup, 0, 2);
	tcase_add_loop_test(tc, an_exit_waits_for_a_kill_that_cannot_be_done_yet, 0, 2);
	suite_add_tcase(s, tc);

	/* what a long-running daemon must not accumulate */
	tc = tcase_create("churn");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_removed_cgroup_takes_its_watch_with_it);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite, .before = before };
