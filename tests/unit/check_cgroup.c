/* Instance cgroups on this machine's real cgroupfs: the subtree, joining
 * before the first instruction, killing whatever escaped the process
 * group, emptiness seen through the notify fd, removal, a predecessor's
 * leftovers, delegation, and the reasons given when there can be none.
 * Needs root and a cgroup2 mount; every test leaves no cgroup behind. */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "sandbox/containment/cgroup.h"
#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_sweep.h"
#include "tests/unit/cgtest.h"

static struct sb_cgroup_hier hier;
static int tree_try_open(struct sb_cgroup_tree *t)
{
	return cgtest_tree_try_open(t, "check_cgroup");
}

static void tree_open(struct sb_cgroup_tree *t)
{
	ck_assert_msg(tree_try_open(t) == 0, "no subtree: %s", t->why);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Close t and check nothing of it is left on the host. */
static void tree_close_clean(struct sb_cgroup_tree *t)
{
	char path[SB_CGROUP_PATH_MAX];
	enum sb_cgroup_mode mode = t->mode;

	ck_assert_uint_lt((size_t)snprintf(path, sizeof(path), "%s", t->path), sizeof(path));
	sb_cgroup_tree_close(t);
	if (mode == SB_CGROUP_SUBTREE)
		ck_assert_msg(!exists(path), "%s left behind", path);
}

static void inst_path(const struct sb_cgroup_tree *t, const struct sb_cgroup_inst *ci, char *out, size_t len)
{
	ck_assert_uint_lt((size_t)snprintf(out, len, "%s/%s", t->path, ci->name), len);
}

/* The "0::" line of /proc/self/cgroup text, as a path under the mount. */
static void v2_line_path(const char *text, char *out, size_t len)
{
	const char *l = strstr(text, "0::");

	ck_assert_ptr_nonnull(l);
	ck_assert_uint_lt((size_t)snprintf(out, len, "%s%.*s", hier.v2.mnt, (int)strcspn(l + 3, "\n"), l + 3), len);
}

START_TEST(subtree_made_and_removed)
{
	struct sb_cgroup_tree t;

	tree_open(&t);
	ck_assert_int_eq(t.mode, SB_CGROUP_SUBTREE);
	ck_assert_str_eq(t.why, "");
	ck_assert(strncmp(t.path, hier.v2.mnt, strlen(hier.v2.mnt)) == 0);
	ck_assert(exists(t.path));
	/* cgroup.kill exists from 5.14; the tree saw what is there */
	ck_assert_int_eq(t.has_kill, faccessat(t.fd, "cgroup.kill", F_OK, 0) == 0);
	tree_close_clean(&t);
}
END_TEST

START_TEST(clone_into_joins_before_the_first_instruction)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_inst ci;
	struct sb_cgroup_limits none = { 0 };
	struct cgtest_child c = { 0 };
	char want[SB_CGROUP_PATH_MAX], seen[SB_CGROUP_PATH_MAX];
	int status;
	pid_t pid;

	tree_open(&t);
	ck_assert_int_eq(sb_cgroup_inst_create(&t, &ci, "research#2", &none), 0);
	ck_assert_str_eq(ci.name, "research#2.actor");
	pid = cgtest_clone(cgtest_peek, &c, ci.fd);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	inst_path(&t, &ci, want, sizeof(want));
	v2_line_path(c.self_cgroup, seen, sizeof(seen));
	ck_assert_str_eq(seen, want);
	ck_assert_int_eq(sb_cgroup_inst_remove(&t, &ci), 0);
	ck_assert(!exists(want));
	tree_close_clean(&t);
}
END_TEST

/* A kernel without CLONE_INTO_CGROUP: clone(2), and the child writes
 * itself into cgroup.procs first. */
START_TEST(child_joins_itself_without_clone_into)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_inst ci;
	struct sb_cgroup_limits none = { 0 };
	struct sb_cgroup_join j;
	struct cgtest_child c = { .join = &j };
	char want[SB_CGROUP_PATH_MAX], seen[SB_CGROUP_PATH_MAX];
	int status;
	pid_t pid;

	tree_open(&t);
	ck_assert_int_eq(sb_cgroup_inst_create(&t, &ci, "payment", &none), 0);
	ck_assert_int_eq(sb_cgroup_join_open(&t, &ci, true, &j), 0);
	ck_assert_uint_ge(j.n, 1);
	pid = cgtest_clone(cgtest_peek, &c, -1);
	sb_cgroup_join_close(&j);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	inst_path(&t, &ci, want, sizeof(want));
	v2_line_path(c.self_cgroup, seen, sizeof(seen));
	ck_assert_str_eq(seen, want);
	ck_assert_int_eq(sb_cgroup_inst_remove(&t, &ci), 0);
	tree_close_clean(&t);
}
END_TEST

/* Start the escape actor in ci; fill pids with its 4 pids. */
static pid_t start_escapes(struct sb_cgroup_inst *ci, pid_t pids[4])
{
	int report;
	pid_t pid = cgtest_actor_start(ci->fd, NULL, 0, "escape", NULL, &report);

	for (int i = 0; i < 4; i++)
		pids[i] = (pid_t)cgtest_read(report);
	close(report);
	ck_assert_int_eq(pids[0], pid);
	return pid;
}

/* Block on the notify fd until ci's watch fires with ci empty. */
static void wait_empty_on_notify(int nfd, const struct sb_cgroup_inst *ci)
{
	struct pollfd p = { .fd = nfd, .events = POLLIN };
	int wds[SB_CGROUP_NOTIFY_BATCH], n;

	while (sb_cgroup_inst_populated(ci) != 0) {
		ck_assert_msg(poll(&p, 1, 30000) == 1, "no notification in 30 s");
		ck_assert_int_ge(n = sb_cgroup_notify_read(nfd, wds, SB_CGROUP_NOTIFY_BATCH), 0);
		for (int i = 0; i < n; i++)
			ck_assert(wds[i] == ci->wd || wds[i] == -1);
	}
}

/* The actor's main process dies as in a crash; what it started lives on
 * (which is the escape) until the cgroup is killed. */
static void kill_escapes(bool has_kill)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_inst ci;
	struct sb_cgroup_limits none = { 0 };
	unsigned n;
	pid_t pids[4], main_pid;
	int nfd;

	cgtest_subreaper();
	tree_open(&t);
	t.has_kill = has_kill;
	ck_assert_int_ge(nfd = sb_cgroup_notify_open(), 0);
	ck_assert_int_eq(sb_cgroup_inst_create(&t, &ci, "payment", &none), 0);
	ck_assert_int_eq(sb_cgroup_inst_watch(&ci, nfd), 0);
	main_pid = start_escapes(&ci, pids);
	ck_assert_int_eq(sb_cgfs_count_procs(ci.fd, &n), 0);
	ck_assert_uint_eq(n, 4);

	ck_assert_int_eq(kill(main_pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(main_pid, NULL, 0), main_pid);
	for (int i = 1; i < 4; i++)
		ck_assert_msg(cgtest_alive(pids[i]), "escape %d already dead", i);
	ck_assert_int_eq(sb_cgroup_inst_populated(&ci), 1);
	ck_assert_int_eq(sb_cgroup_inst_remove(&t, &ci), -1);
	ck_assert_int_eq(errno, EBUSY);

	ck_assert_int_eq(sb_cgroup_inst_kill(&t, &ci), 0);
	wait_empty_on_notify(nfd, &ci);
	cgtest_reap();
	for (int i = 1; i < 4; i++)
		ck_assert_msg(!cgtest_alive(pids[i]), "escape %d survived", i);
	ck_assert_int_eq(sb_cgroup_inst_remove(&t, &ci), 0);
	ck_assert_int_eq(ci.fd, -1);
	close(nfd);
	tree_close_clean(&t);
}

START_TEST(kill_ends_every_escape)
{
	kill_escapes(true);
}
END_TEST

/* Before 5.14: freeze, SIGKILL each member, thaw. */
START_TEST(kill_without_cgroup_kill_ends_every_escape)
{
	kill_escapes(false);
}
END_TEST

/* Before 5.14, members the caller may not signal (EPERM, from a security
 * module, say) are said, not passed over: a wait for the cgroup to empty
 * would never end. The kill is made in a child whose every SIGKILL fails. */
START_TEST(kill_without_cgroup_kill_says_what_it_could_not_kill)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_kill, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(*f), .filter = f };
	struct sb_cgroup_tree t;
	struct sb_cgroup_inst ci;
	struct sb_cgroup_limits none = { 0 };
	pid_t pids[4], child;
	int st, alive = 0;

	cgtest_subreaper();
	tree_open(&t);
	ck_assert_int_eq(sb_cgroup_inst_create(&t, &ci, "payment", &none), 0);
	start_escapes(&ci, pids);
	ck_assert_int_ge(child = fork(), 0);
	if (child == 0) {
		int r;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			_exit(3);
		r = sb_cgfs_kill(ci.fd, false);
		_exit(r == -1 && errno == EPERM ? 0 : r == 0 ? 1 : 2);
	}
	ck_assert_int_eq(waitpid(child, &st, 0), child);
	for (int i = 0; i < 4; i++)
		alive += cgtest_alive(pids[i]);
	/* cleaned up before any verdict: the next tests use the subtree */
	ck_assert_int_eq(sb_cgfs_kill(ci.fd, false), 0);	/* and thawed: a plain kill works */
	ck_assert_int_eq(sb_cgfs_wait_empty(ci.fd, 30000), 0);
	cgtest_reap();
	ck_assert_int_eq(sb_cgroup_inst_remove(&t, &ci), 0);
	tree_close_clean(&t);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sb_cgfs_kill: wait status %d (256: said 0)", st);
	ck_assert_int_eq(alive, 4);
}
END_TEST

START_TEST(notify_is_quiet_until_a_change)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_inst ci;
	struct sb_cgroup_limits none = { 0 };
	int wds[4], nfd, report, status;
	pid_t pid;

	tree_open(&t);
	ck_assert_int_ge(nfd = sb_cgroup_notify_open(), 0);
	ck_assert_int_eq(sb_cgroup_inst_create(&t, &ci, "quiet", &none), 0);
	ck_assert_int_eq(sb_cgroup_inst_watch(&ci, nfd), 0);
	ck_assert_int_eq(sb_cgroup_notify_read(nfd, wds, 4), 0);
	ck_assert_int_eq(sb_cgroup_inst_populated(&ci), 0);
	pid = cgtest_actor_start(ci.fd, NULL, 0, "forks", "0", &report);
	ck_assert_int_eq(cgtest_read(report), 0);
	close(report);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	wait_empty_on_notify(nfd, &ci);
	ck_assert_int_eq(sb_cgroup_inst_remove(&t, &ci), 0);
	close(nfd);
	tree_close_clean(&t);
}
END_TEST

START_TEST(leftover_taken_over_only_when_empty)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_inst ci, again;
	struct sb_cgroup_limits none = { 0 };
	pid_t pids[4];

	cgtest_subreaper();
	tree_open(&t);
	ck_assert_int_eq(mkdirat(t.fd, "web.actor", 0755), 0);
	ck_assert_int_eq(sb_cgroup_inst_create(&t, &ci, "web", &none), 0);
	start_escapes(&ci, pids);
	ck_assert_int_eq(sb_cgroup_inst_create(&t, &again, "web", &none), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(again.fd, -1);
	ck_assert_int_eq(sb_cgroup_inst_kill(&t, &ci), 0);
	ck_assert_int_eq(sb_cgfs_wait_empty(ci.fd, 30000), 0);
	cgtest_reap();
	ck_assert_int_eq(sb_cgroup_inst_remove(&t, &ci), 0);
	tree_close_clean(&t);
}
END_TEST

/* A cgroup is fit for the instance's next run only if it was never
 * killed, has the same limits, and counts no memory peak that would mix
 * two runs. Real cgroups: kill marks the one it kills. */
START_TEST(reusable_only_unkilled_with_the_same_limits_and_no_peak)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_inst ci;
	struct sb_cgroup_limits none = { 0 }, tasks = { .tasks = 16 };

	tree_open(&t);
	sb_cgroup_inst_init(&ci);
	ck_assert(!sb_cgroup_inst_reusable(&t, &ci, &none));	/* none made yet */
	ck_assert_int_eq(sb_cgroup_inst_create(&t, &ci, "web", &none), 0);
	ck_assert_int_eq(t.v2_ctl & SB_CGROUP_CTL_BIT(SB_CGROUP_MEMORY) ? 1 : 0,
			 !sb_cgroup_inst_reusable(&t, &ci, &none));
	ck_assert(!sb_cgroup_inst_reusable(&t, &ci, &tasks));
	t.v2_ctl |= SB_CGROUP_CTL_BIT(SB_CGROUP_MEMORY);
	ck_assert(!sb_cgroup_inst_reusable(&t, &ci, &none));
	t.v2_ctl &= ~SB_CGROUP_CTL_BIT(SB_CGROUP_MEMORY);
	ck_assert_int_eq(sb_cgroup_inst_kill(&t, &ci), 0);
	ck_assert(ci.killed);
	ck_assert(!sb_cgroup_inst_reusable(&t, &ci, &none));
	ck_assert_int_eq(sb_cgroup_inst_remove(&t, &ci), 0);
	ck_assert(!ci.killed);
	tree_close_clean(&t);
}
END_TEST

/* A daemon SIGKILLed with two instances running; the next one on the
 * same subtree finds them, kills them, removes them, and leaves alone a
 * cgroup that is not an instance's. */
START_TEST(sweep_ends_a_dead_predecessors_instances)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_sweep sw;
	pid_t pred, pids[2][4];
	int p[2], status;

	cgtest_subreaper();
	ck_assert_int_eq(pipe(p), 0);
	pred = fork();
	ck_assert_int_ge(pred, 0);
	if (pred == 0) {
		struct sb_cgroup_tree pt;
		struct sb_cgroup_inst a, b;
		struct sb_cgroup_limits none = { 0 };
		tree_open(&pt);
		ck_assert_int_eq(sb_cgroup_inst_create(&pt, &a, "a", &none), 0);
		ck_assert_int_eq(sb_cgroup_inst_create(&pt, &b, "b", &none), 0);
		start_escapes(&a, pids[0]);
		start_escapes(&b, pids[1]);
		ck_assert_int_eq(mkdirat(pt.fd, "daemon", 0755), 0);
		ck_assert_int_eq(write(p[1], pids, sizeof(pids)), (ssize_t)sizeof(pids));
		pause_forever();
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], pids, sizeof(pids)), (ssize_t)sizeof(pids));
	close(p[0]);
	kill(pred, SIGKILL);
	ck_assert_int_eq(waitpid(pred, &status, 0), pred);

	tree_open(&t);
	ck_assert_int_eq(sb_cgroup_tree_sweep(&t, 30000, &sw), 0);
	ck_assert_uint_eq(sw.procs, 8);
	ck_assert_uint_eq(sw.cgroups, 2);
	cgtest_reap();
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 4; k++)
			ck_assert_msg(!cgtest_alive(pids[i][k]), "a predecessor's process survived");
	ck_assert_int_eq(faccessat(t.fd, "a.actor", F_OK, 0), -1);
	ck_assert_int_eq(faccessat(t.fd, "daemon", F_OK, 0), 0);
	ck_assert_int_eq(unlinkat(t.fd, "daemon", AT_REMOVEDIR), 0);
	/* nothing left: a second sweep finds nothing */
	ck_assert_int_eq(sb_cgroup_tree_sweep(&t, 30000, &sw), 0);
	ck_assert_uint_eq(sw.procs + sw.cgroups + sw.mirrors, 0);
	tree_close_clean(&t);
}
END_TEST

/* Under systemd with Delegate=yes: a cgroup marked delegated, the daemon
 * started in it. It moves into the leaf and makes instances beside it. */
START_TEST(delegated_cgroup_used_in_place)
{
	char unit[SB_CGROUP_PATH_MAX], leaf[SB_CGROUP_PATH_MAX + 16];
	int status, fd;
	pid_t pid;

	ck_assert_uint_lt((size_t)snprintf(unit, sizeof(unit), "%s/check-cgroup-unit-%d", hier.v2.mnt,
					   (int)getpid()), sizeof(unit));
	ck_assert_int_eq(mkdir(unit, 0755), 0);
	ck_assert_int_eq(setxattr(unit, "trusted.delegate", "1", 1, 0), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sb_cgroup_tree t;
		struct sb_cgroup_inst ci;
		struct sb_cgroup_limits none = { 0 };
		char self[512], seen[SB_CGROUP_PATH_MAX];
		fd = open(unit, O_RDONLY | O_DIRECTORY);
		if (fd < 0 || sb_cgfs_write(fd, "cgroup.procs", "0") < 0)
			_exit(10);
		if (sb_cgroup_tree_open(&t, "unused") < 0 || t.mode != SB_CGROUP_DELEGATED || strcmp(t.path, unit))
			_exit(11);
		if (sb_cgfs_read(AT_FDCWD, "/proc/self/cgroup", self, sizeof(self)) < 0)
			_exit(12);
		v2_line_path(self, seen, sizeof(seen));
		if (strcmp(seen + strlen(unit), "/" SB_CGROUP_DAEMON_LEAF) != 0)
			_exit(13);
		if (sb_cgroup_inst_create(&t, &ci, "payment", &none) < 0 || faccessat(t.fd, "payment.actor", F_OK, 0))
			_exit(14);
		if (sb_cgroup_inst_remove(&t, &ci) < 0)
			_exit(15);
		sb_cgroup_tree_close(&t);
		/* opened again from the leaf (run's open after check's probe):
		 * still the unit's, not a subtree of its own outside it */
		if (sb_cgroup_tree_open(&t, "unused") < 0 || t.mode != SB_CGROUP_DELEGATED || strcmp(t.path, unit))
			_exit(17);
		sb_cgroup_tree_close(&t);
		/* delegated: the unit's cgroup and the leaf stay (the service
		 * manager's to remove) */
		_exit(faccessat(AT_FDCWD, unit, F_OK, 0) ? 16 : 0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_uint_lt((size_t)snprintf(leaf, sizeof(leaf), "%s/" SB_CGROUP_DAEMON_LEAF, unit), sizeof(leaf));
	ck_assert_int_eq(rmdir(leaf), 0);
	ck_assert_int_eq(rmdir(unit), 0);
}
END_TEST

/* The same cgroup without the mark is the service manager's: as root the
 * daemon makes its own subtree instead, and not root it has none. */
START_TEST(undelegated_not_root_says_why)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sb_cgroup_tree t;
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(10);
		if (sb_cgroup_tree_open(&t, "unused") != -1 || errno != EPERM || t.mode != SB_CGROUP_OFF)
			_exit(11);
		_exit(strstr(t.why, "not root") && strstr(t.why, "Delegate=yes") ? 0 : 12);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(no_unified_hierarchy_says_why)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_hier h = hier;

	h.v2.mnt[0] = h.v2.own[0] = '\0';
	ck_assert_int_eq(sb_cgroup_tree_open_hier(&t, &h, "unused"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(t.mode, SB_CGROUP_OFF);
	ck_assert_str_eq(t.why, "no cgroup2 (unified) hierarchy is mounted");
	ck_assert_int_eq(t.fd, -1);
}
END_TEST

START_TEST(unwritable_unified_hierarchy_says_why)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_hier h = hier;

	/* a directory where cgroups cannot be made stands for a read-only mount */
	snprintf(h.v2.mnt, sizeof(h.v2.mnt), "/proc/self");
	h.v2.own[0] = '\0';
	ck_assert_int_eq(sb_cgroup_tree_open_hier(&t, &h, "prospero-x"), -1);
	ck_assert_int_eq(t.mode, SB_CGROUP_OFF);
	ck_assert_msg(strstr(t.why, "cannot make /proc/self/prospero-x: "), "%s", t.why);
}
END_TEST

/* Delegated, the v1 mirrors go below the daemon's own v1 cgroups; where
 * those are on a read-only mount (systemd in a container on a hybrid
 * host) a limit cannot be applied, and says so, rather than passing
 * check and failing each start on mkdir. */
START_TEST(read_only_v1_hierarchy_says_why)
{
	char dir[] = "/tmp/check_cgroup-ro.XXXXXX";
	int status;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sb_cgroup_hier h;
		struct sb_cgroup_tree t;
		char why[SB_CGROUP_WHY_MAX];

		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", dir, "tmpfs", MS_RDONLY, NULL) < 0)
			_exit(10);
		memset(&h, 0, sizeof(h));
		snprintf(h.v1[SB_CGROUP_MEMORY].mnt, sizeof(h.v1[0].mnt), "%s", dir);
		snprintf(h.v1[SB_CGROUP_MEMORY].own, sizeof(h.v1[0].own), "%s", dir);
		memset(&t, 0, sizeof(t));
		t.mode = SB_CGROUP_DELEGATED;
		snprintf(t.path, sizeof(t.path), "/sys/fs/cgroup/unified/x.service");
		sb_cgroup_v1_open(&t.v1, &h, NULL, SB_CGROUP_CTL_BIT(SB_CGROUP_MEMORY));
		if (sb_cgroup_limit_where(&t, SB_CGROUP_MEMORY, why, sizeof(why)) != 0)
			_exit(11);
		fprintf(stderr, "%s\n", why);
		_exit(strstr(why, "its v1 hierarchy cannot be used: Read-only file system") ? 0 : 12);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(rmdir(dir), 0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
}
END_TEST

START_TEST(disabled_by_choice)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_inst ci;
	struct sb_cgroup_limits none = { 0 };

	sb_cgroup_tree_disable(&t, "--containment=uid");
	ck_assert_int_eq(t.mode, SB_CGROUP_OFF);
	ck_assert_str_eq(t.why, "--containment=uid");
	ck_assert_int_eq(sb_cgroup_inst_create(&t, &ci, "x", &none), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	sb_cgroup_tree_close(&t);
}
END_TEST

static int before(int argc, char **argv)
{
	int st = cgtest_before(argc, argv);

	if (st >= 0)
		return st;
	if (geteuid() != 0) {
		fprintf(stderr, "check_cgroup: not root: cgroups cannot be made here\n");
		return 77;
	}
	if (sb_cgroup_hier_read(&hier) < 0 || !hier.v2.mnt[0]) {
		fprintf(stderr, "check_cgroup: no cgroup2 hierarchy is mounted\n");
		return 77;
	}
	return -1;
}

static void after_failure(void)
{
	cgtest_cleanup("check_cgroup");
}

static Suite *suite(void)
{
	Suite *s = suite_create("cgroup");
	TCase *real = tcase_create("real");

	tcase_add_test(real, subtree_made_and_removed);
	tcase_add_test(real, clone_into_joins_before_the_first_instruction);
	tcase_add_test(real, child_joins_itself_without_clone_into);
	tcase_add_test(real, kill_ends_every_escape);
	tcase_add_test(real, kill_without_cgroup_kill_ends_every_escape);
	tcase_add_test(real, kill_without_cgroup_kill_says_what_it_could_not_kill);
	tcase_add_test(real, notify_is_quiet_until_a_change);
	tcase_add_test(real, leftover_taken_over_only_when_empty);
	tcase_add_test(real, reusable_only_unkilled_with_the_same_limits_and_no_peak);
	tcase_add_test(real, sweep_ends_a_dead_predecessors_instances);
	tcase_add_test(real, delegated_cgroup_used_in_place);
	tcase_add_test(real, undelegated_not_root_says_why);
	tcase_add_test(real, no_unified_hierarchy_says_why);
	tcase_add_test(real, unwritable_unified_hierarchy_says_why);
	tcase_add_test(real, read_only_v1_hierarchy_says_why);
	tcase_add_test(real, disabled_by_choice);
	suite_add_tcase(s, real);
	return s;
}

const struct test_suite test_suite = { .suite = suite, .before = before, .after_failure = after_failure };
