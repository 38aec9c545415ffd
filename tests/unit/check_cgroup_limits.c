/* Limits and accounting. The mapping is pure; the rest runs on this
 * machine's cgroups, unified where the controller is enabled there, the
 * v1 mirrors of a hybrid host otherwise: memory the kernel charges though
 * no malloc asked for it (memfd, SysV shm) meets the memory limit, forks
 * meet the tasks limit, and the figures read back are the work done. */

#include "sandbox/containment/cgroup.h"
#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_usage.h"
#include "tests/unit/cgtest.h"

static int tree_try_open(struct sb_cgroup_tree *t)
{
	return cgtest_tree_try_open(t, "check_cgroup_limits");
}

/* The tree, if it can carry controller c: else say why and return false
 * (this host lacks it; the test has nothing to try). */
static bool tree_with(struct sb_cgroup_tree *t, enum sb_cgroup_ctl c)
{
	char why[512];

	ck_assert_msg(tree_try_open(t) == 0, "no subtree: %s", t->why);
	if (sb_cgroup_limit_where(t, c, why, sizeof(why)))
		return true;
	fprintf(stderr, "check_cgroup_limits: nothing to test for %s: %s\n", sb_cgroup_limit_name(c), why);
	sb_cgroup_tree_close(t);
	return false;
}

START_TEST(weight_maps_to_shares)
{
	ck_assert_uint_eq(sb_cgroup_weight_to_shares(100), 1024);
	ck_assert_uint_eq(sb_cgroup_weight_to_shares(200), 2048);
	ck_assert_uint_eq(sb_cgroup_weight_to_shares(SB_CGROUP_WEIGHT_MIN), 10);
	ck_assert_uint_eq(sb_cgroup_weight_to_shares(SB_CGROUP_WEIGHT_MAX), 102400);
	/* the kernel's bounds hold for what config should have refused */
	ck_assert_uint_eq(sb_cgroup_weight_to_shares(0), 2);
	ck_assert_uint_eq(sb_cgroup_weight_to_shares(1000000), 262144);
}
END_TEST

START_TEST(need_and_names)
{
	struct sb_cgroup_limits l = { 0 };

	ck_assert_uint_eq(sb_cgroup_limits_need(&l), 0);
	l.tasks = 1;
	ck_assert_uint_eq(sb_cgroup_limits_need(&l), SB_CGROUP_CTL_BIT(SB_CGROUP_PIDS));
	l.memory = 1;
	l.cpu_weight = 1;
	ck_assert_uint_eq(sb_cgroup_limits_need(&l), SB_CGROUP_CTL_ALL);
	ck_assert_str_eq(sb_cgroup_limit_name(SB_CGROUP_MEMORY), "memory");
	ck_assert_str_eq(sb_cgroup_limit_name(SB_CGROUP_PIDS), "tasks");
	ck_assert_str_eq(sb_cgroup_limit_name(SB_CGROUP_CPU), "cpu_weight");
}
END_TEST

/* FILE in DIR, its first line. */
static void file_is(int dir, const char *file, const char *want)
{
	char buf[64];

	ck_assert_int_eq(sb_cgfs_read(dir, file, buf, sizeof(buf)), 0);
	buf[strcspn(buf, "\n")] = '\0';
	ck_assert_msg(strcmp(buf, want) == 0, "%s: \"%s\", not \"%s\"", file, buf, want);
}

/* README "Process hygiene": a reload that drops a limit restarts the
 * actor without it. A leftover of the instance's name taken over (its
 * last run's removal failed) kept the values it held: the writer set
 * only the limits asked for. Plain files stand in for the cgroup's. */
static const char *const limit_files[] = { "memory.max", "memory.swap.max", "pids.max", "cpu.weight" };
#define NLIMIT_FILES (sizeof(limit_files) / sizeof(*limit_files))

/* Each of them empty in DIR: a cgroup file takes a write whole. */
static void blank(int dir)
{
	for (size_t i = 0; i < NLIMIT_FILES; i++) {
		int fd = openat(dir, limit_files[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		ck_assert_int_ge(fd, 0);
		close(fd);
	}
}

START_TEST(a_limit_not_asked_for_goes_back_to_none)
{
	struct sb_cgroup_limits none = { 0 }, some = { .memory = 4096, .tasks = 9, .cpu_weight = 7 };
	char tmpl[] = "/tmp/check_cgroup_limits.XXXXXX";
	int dir;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	ck_assert_int_ge(dir = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0);
	blank(dir);
	ck_assert_int_eq(sb_cgroup_limits_write_v2(dir, &some, SB_CGROUP_CTL_ALL), 0);
	file_is(dir, "memory.max", "4096");
	file_is(dir, "memory.swap.max", "0");
	file_is(dir, "pids.max", "9");
	file_is(dir, "cpu.weight", "7");
	blank(dir);
	ck_assert_int_eq(sb_cgroup_limits_write_v2(dir, &none, SB_CGROUP_CTL_ALL), 0);
	file_is(dir, "memory.max", "max");
	file_is(dir, "memory.swap.max", "max");
	file_is(dir, "pids.max", "max");
	file_is(dir, "cpu.weight", "100");
	/* a controller outside the mask is not touched */
	blank(dir);
	ck_assert_int_eq(sb_cgroup_limits_write_v2(dir, &some, SB_CGROUP_CTL_BIT(SB_CGROUP_PIDS)), 0);
	file_is(dir, "pids.max", "9");
	file_is(dir, "cpu.weight", "");
	for (size_t i = 0; i < NLIMIT_FILES; i++)
		ck_assert_int_eq(unlinkat(dir, limit_files[i], 0), 0);
	close(dir);
	ck_assert_int_eq(rmdir(tmpl), 0);
}
END_TEST

/* A made-up tree for sb_cgroup_limit_where. */
static void fake_tree(struct sb_cgroup_tree *t)
{
	memset(t, 0, sizeof(*t));
	t->mode = SB_CGROUP_SUBTREE;
	t->fd = -1;
	snprintf(t->path, sizeof(t->path), "/sys/fs/cgroup/prospero-x");
	for (int c = 0; c < SB_CGROUP_NCTL; c++) {
		t->v1.fd[c] = -1;
		t->v1.err[c] = ENOENT;
	}
}

START_TEST(where_each_limit_goes_and_why_not)
{
	struct sb_cgroup_tree t;
	char why[512];

	fake_tree(&t);
	t.v2_ctl = SB_CGROUP_CTL_BIT(SB_CGROUP_MEMORY);
	t.v1.fd[SB_CGROUP_PIDS] = 99;
	t.v1.err[SB_CGROUP_PIDS] = 0;
	t.v1.err[SB_CGROUP_CPU] = EROFS;
	ck_assert_int_eq(sb_cgroup_limit_where(&t, SB_CGROUP_MEMORY, why, sizeof(why)), 2);
	ck_assert_int_eq(sb_cgroup_limit_where(&t, SB_CGROUP_PIDS, why, sizeof(why)), 1);
	ck_assert_int_eq(sb_cgroup_limit_where(&t, SB_CGROUP_CPU, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "the cpu controller is not enabled for /sys/fs/cgroup/prospero-x, and its v1"
			      " hierarchy cannot be used: Read-only file system");
	t.v1.err[SB_CGROUP_CPU] = ENOENT;
	ck_assert_int_eq(sb_cgroup_limit_where(&t, SB_CGROUP_CPU, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "the cpu controller is neither enabled for /sys/fs/cgroup/prospero-x nor mounted"
			      " as a v1 hierarchy");
	sb_cgroup_tree_disable(&t, "forced");
	ck_assert_int_eq(sb_cgroup_limit_where(&t, SB_CGROUP_MEMORY, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "no cgroups in use (forced)");
}
END_TEST

/* Start the actor in ci, joined to its v1 mirrors too. */
static pid_t start_in(const struct sb_cgroup_tree *t, const struct sb_cgroup_inst *ci, const char *mode,
		      const char *arg, int *report)
{
	struct sb_cgroup_join j;
	pid_t pid;

	ck_assert_int_eq(sb_cgroup_join_open(t, ci, false, &j), 0);
	pid = cgtest_actor_start(ci->fd, &j, 0, mode, arg, report);
	sb_cgroup_join_close(&j);
	return pid;
}

static void kill_and_remove(struct sb_cgroup_tree *t, struct sb_cgroup_inst *ci)
{
	ck_assert_int_eq(sb_cgroup_inst_kill(t, ci), 0);
	ck_assert_int_eq(sb_cgfs_wait_empty(ci->fd, 30000), 0);
	cgtest_reap();
	ck_assert_int_eq(sb_cgroup_inst_remove(t, ci), 0);
}

/* The instance's mirror of c, opened; -1 if it has none. */
static int mirror_of(const struct sb_cgroup_tree *t, const struct sb_cgroup_inst *ci, enum sb_cgroup_ctl c)
{
	return (ci->v1 & SB_CGROUP_CTL_BIT(c)) ? sb_cgroup_v1_open_inst(&t->v1, c, ci->name) : -1;
}

/* 64 MiB, and an actor filling a memfd or a SysV shm segment up to 1 GiB:
 * the kernel kills it near the limit, and says so in the OOM count. */
static void memory_limit_stops(const char *how)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_inst ci;
	struct sb_cgroup_limits lim = { .memory = 64 * MIB };
	struct sb_cgroup_usage u;
	long mib, last = 0;
	int report, status;
	pid_t pid;

	cgtest_subreaper();
	if (!tree_with(&t, SB_CGROUP_MEMORY))
		return;
	ck_assert_int_eq(sb_cgroup_inst_create(&t, &ci, "filler", &lim), 0);
	pid = start_in(&t, &ci, "fill", how, &report);
	while ((mib = cgtest_read(report)) > 0)
		last = mib;
	close(report);
	ck_assert_int_eq(mib, -2);	/* EOF: it never got to say it survived */
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ck_assert_int_lt(last, 64);
	ck_assert_int_eq(sb_cgroup_usage_read(&t, &ci, &u), 0);
	ck_assert(u.have & SB_CGROUP_HAVE_OOM);
	ck_assert_uint_ge(u.oom_kills, 1);
	ck_assert(u.have & SB_CGROUP_HAVE_MEMORY_PEAK);
	ck_assert_uint_le(u.memory_peak, 64 * MIB);
	kill_and_remove(&t, &ci);
	sb_cgroup_tree_close(&t);
}

START_TEST(memory_limit_stops_memfd)
{
	memory_limit_stops("memfd");
}
END_TEST

START_TEST(memory_limit_stops_sysv_shm)
{
	memory_limit_stops("shm");
}
END_TEST

START_TEST(tasks_limit_stops_forks)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_inst ci;
	struct sb_cgroup_limits lim = { .tasks = 5 };
	struct sb_cgroup_usage u;
	uint64_t max = 0;
	int report, dir;
	long forked;

	cgtest_subreaper();
	if (!tree_with(&t, SB_CGROUP_PIDS))
		return;
	ck_assert_int_eq(sb_cgroup_inst_create(&t, &ci, "forker", &lim), 0);
	start_in(&t, &ci, "forks", "20", &report);
	forked = cgtest_read(report);
	close(report);
	/* the actor itself is one of the 5 */
	ck_assert_int_eq(forked, 4);
	ck_assert_int_eq(sb_cgroup_usage_read(&t, &ci, &u), 0);
	ck_assert(u.have & SB_CGROUP_HAVE_TASKS);
	ck_assert_uint_eq(u.tasks, 5);
	dir = mirror_of(&t, &ci, SB_CGROUP_PIDS);
	ck_assert_int_eq(sb_cgfs_read_u64(dir >= 0 ? dir : ci.fd, "pids.max", &max), 0);
	ck_assert_uint_eq(max, 5);
	if (dir >= 0)
		close(dir);
	kill_and_remove(&t, &ci);
	sb_cgroup_tree_close(&t);
}
END_TEST

START_TEST(cpu_weight_reaches_the_hierarchy)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_inst ci;
	struct sb_cgroup_limits lim = { .cpu_weight = 200 };
	uint64_t v = 0;
	int dir;

	if (!tree_with(&t, SB_CGROUP_CPU))
		return;
	ck_assert_int_eq(sb_cgroup_inst_create(&t, &ci, "weighty", &lim), 0);
	if ((dir = mirror_of(&t, &ci, SB_CGROUP_CPU)) >= 0) {
		ck_assert_int_eq(sb_cgfs_read_u64(dir, "cpu.shares", &v), 0);
		ck_assert_uint_eq(v, 2048);
		close(dir);
	} else {
		ck_assert_int_eq(sb_cgfs_read_u64(ci.fd, "cpu.weight", &v), 0);
		ck_assert_uint_eq(v, 200);
	}
	ck_assert_int_eq(sb_cgroup_inst_remove(&t, &ci), 0);
	sb_cgroup_tree_close(&t);
}
END_TEST

/* CPU time, memory and tasks of an actor that did some of each; after
 * the kill the CPU time stays, the tasks are gone; its mirrors go with
 * its removal. */
START_TEST(usage_after_work)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_inst ci;
	struct sb_cgroup_limits none = { 0 };
	struct sb_cgroup_usage u, after;
	char name[SB_CGROUP_NAME_MAX];
	int report;

	cgtest_subreaper();
	ck_assert_msg(tree_try_open(&t) == 0, "no subtree: %s", t.why);
	t.v1_account = SB_CGROUP_CTL_ALL;
	ck_assert_int_eq(sb_cgroup_inst_create(&t, &ci, "worker", &none), 0);
	start_in(&t, &ci, "work", NULL, &report);
	ck_assert_int_eq(cgtest_read(report), 1);
	close(report);
	ck_assert_int_eq(sb_cgroup_usage_read(&t, &ci, &u), 0);
	ck_assert(u.have & SB_CGROUP_HAVE_CPU);
	ck_assert_uint_gt(u.cpu_usec, 0);
	if (u.have & SB_CGROUP_HAVE_MEMORY) {
		ck_assert_uint_ge(u.memory, 16 * MIB);
		ck_assert_uint_ge(u.memory_peak, u.memory);
	} else {
		fprintf(stderr, "check_cgroup_limits: no memory accounting on this host\n");
	}
	if (u.have & SB_CGROUP_HAVE_TASKS)
		ck_assert_uint_eq(u.tasks, 1);

	ck_assert_int_eq(sb_cgroup_inst_kill(&t, &ci), 0);
	ck_assert_int_eq(sb_cgfs_wait_empty(ci.fd, 30000), 0);
	cgtest_reap();
	ck_assert_int_eq(sb_cgroup_usage_read(&t, &ci, &after), 0);
	ck_assert_uint_ge(after.cpu_usec, u.cpu_usec);
	if (after.have & SB_CGROUP_HAVE_TASKS)
		ck_assert_uint_eq(after.tasks, 0);
	if (after.have & SB_CGROUP_HAVE_MEMORY_PEAK)
		ck_assert_uint_ge(after.memory_peak, 16 * MIB);

	snprintf(name, sizeof(name), "%s", ci.name);
	ck_assert_int_eq(sb_cgroup_inst_remove(&t, &ci), 0);
	for (int c = 0; c < SB_CGROUP_NCTL; c++)
		if (t.v1.fd[c] >= 0)
			ck_assert_int_eq(faccessat(t.v1.fd[c], name, F_OK, 0), -1);
	ck_assert_int_eq(faccessat(t.fd, name, F_OK, 0), -1);
	sb_cgroup_tree_close(&t);
}
END_TEST

/* A limit the host cannot apply stops the start: nothing is made. */
START_TEST(unavailable_limit_refused)
{
	struct sb_cgroup_tree t, lacking;
	struct sb_cgroup_inst ci;
	struct sb_cgroup_limits lim = { .memory = 64 * MIB };

	ck_assert_msg(tree_try_open(&t) == 0, "no subtree: %s", t.why);
	lacking = t;
	lacking.v2_ctl &= ~SB_CGROUP_CTL_BIT(SB_CGROUP_MEMORY);
	lacking.v1.fd[SB_CGROUP_MEMORY] = -1;
	ck_assert_int_eq(sb_cgroup_inst_create(&lacking, &ci, "greedy", &lim), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	ck_assert_int_eq(ci.fd, -1);
	ck_assert_int_eq(faccessat(t.fd, "greedy.actor", F_OK, 0), -1);
	sb_cgroup_tree_close(&t);
}
END_TEST

static void after_failure(void)
{
	cgtest_cleanup("check_cgroup_limits");
}

static Suite *suite(void)
{
	Suite *s = suite_create("cgroup_limits");
	TCase *pure = tcase_create("pure"), *real;
	struct sb_cgroup_hier h;

	tcase_add_test(pure, weight_maps_to_shares);
	tcase_add_test(pure, need_and_names);
	tcase_add_test(pure, where_each_limit_goes_and_why_not);
	tcase_add_test(pure, a_limit_not_asked_for_goes_back_to_none);
	suite_add_tcase(s, pure);
	if (geteuid() != 0)
		fprintf(stderr, "check_cgroup_limits: not root: no cgroups to limit, pure tests only\n");
	else if (sb_cgroup_hier_read(&h) < 0 || !h.v2.mnt[0])
		fprintf(stderr, "check_cgroup_limits: no cgroup2 hierarchy is mounted, pure tests only\n");
	else {
		real = tcase_create("real");
		tcase_add_test(real, memory_limit_stops_memfd);
		tcase_add_test(real, memory_limit_stops_sysv_shm);
		tcase_add_test(real, tasks_limit_stops_forks);
		tcase_add_test(real, cpu_weight_reaches_the_hierarchy);
		tcase_add_test(real, usage_after_work);
		tcase_add_test(real, unavailable_limit_refused);
		suite_add_tcase(s, real);
	}
	return s;
}

const struct test_suite test_suite = { .suite = suite, .before = cgtest_before, .after_failure = after_failure };
