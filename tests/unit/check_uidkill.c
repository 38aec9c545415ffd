/* Containment by uid: every process of an actor's uid, daemons and
 * process-group jobs included, dies by sb_uid_kill, and no other uid's
 * process is touched. Needs root (to run as other uids). */

#include "sandbox/containment/uidkill.h"
#include "tests/common/proc.h"
#include "tests/unit/cgtest.h"

/* uids no account has: far above any range in use, and above
 * h_unused_id's (2000061184 on, which 2000000000 + 4 pid reached at pid
 * 15296), four per process */
static uid_t uid_of(unsigned pid, unsigned k)
{
	return (uid_t)(2100000000u + (pid % 100000u) * 4u + k);
}

static uid_t test_uid(unsigned k)
{
	return uid_of((unsigned)getpid(), k);
}

/* The escape actor as uid; its 4 pids. */
static pid_t start_escapes(uid_t uid, pid_t pids[4])
{
	int report;
	pid_t pid = cgtest_actor_start(-1, NULL, uid, "escape", NULL, &report);

	for (int i = 0; i < 4; i++)
		pids[i] = (pid_t)cgtest_read(report);
	close(report);
	ck_assert_int_eq(pids[0], pid);
	return pid;
}

START_TEST(kills_every_process_of_the_uid)
{
	uid_t uid = test_uid(0);
	pid_t pids[4];
	unsigned found = 0;

	cgtest_subreaper();
	ck_assert_int_eq(sb_uid_alive(uid), 0);
	start_escapes(uid, pids);
	ck_assert_int_eq(sb_uid_alive(uid), 1);
	ck_assert_int_eq(sb_uid_kill(uid, 30000, &found), 0);
	ck_assert_uint_eq(found, 4);
	/* zombies are left to their parent (this process, the subreaper) */
	ck_assert_int_eq(sb_uid_alive(uid), 0);
	cgtest_reap();
	for (int i = 0; i < 4; i++)
		ck_assert_msg(!cgtest_alive(pids[i]), "process %d of the uid survived", i);
}
END_TEST

START_TEST(other_uids_untouched)
{
	uid_t mine = test_uid(1), other = test_uid(2);
	pid_t a[4], b[4];

	cgtest_subreaper();
	start_escapes(mine, a);
	start_escapes(other, b);
	ck_assert_int_eq(sb_uid_kill(mine, 30000, NULL), 0);
	for (int i = 0; i < 4; i++)
		ck_assert(cgtest_alive(b[i]));
	ck_assert_int_eq(sb_uid_alive(other), 1);
	ck_assert_int_eq(sb_uid_kill(other, 30000, NULL), 0);
	cgtest_reap();
	for (int i = 0; i < 4; i++)
		ck_assert(!cgtest_alive(a[i]) && !cgtest_alive(b[i]));
}
END_TEST

/* The whole range in one pass: the uid with processes, and only it. */
START_TEST(alive_set_marks_the_uids_with_processes)
{
	uid_t first = test_uid(0), mine = test_uid(1);
	uint8_t live[1];
	pid_t a[4];

	cgtest_subreaper();
	ck_assert_int_eq(sb_uid_alive_set(first, first + 3, live), 0);
	ck_assert_uint_eq(live[0], 0);
	start_escapes(mine, a);
	ck_assert_int_eq(sb_uid_alive_set(first, first + 3, live), 0);
	ck_assert_uint_eq(live[0], 1u << (mine - first));
	ck_assert_int_eq(sb_uid_kill(mine, 30000, NULL), 0);
	/* zombies are not alive */
	ck_assert_int_eq(sb_uid_alive_set(first, first + 3, live), 0);
	ck_assert_uint_eq(live[0], 0);
	cgtest_reap();
}
END_TEST

START_TEST(nobody_to_kill)
{
	unsigned found = 7;
	unsigned long passes = sb_uid_proc_passes();

	ck_assert_int_eq(sb_uid_kill(test_uid(3), 30000, &found), 0);
	ck_assert_uint_eq(found, 0);
	ck_assert_int_eq(sb_uid_alive(test_uid(3)), 0);
	/* the common end of an instance: nothing to look for in /proc,
	 * whose every process a pass reads (each end among 2000 actors
	 * read every one of them three times) */
	ck_assert_uint_eq(sb_uid_proc_passes(), passes);
}
END_TEST

/* A zombie of the uid still counts for the kernel: /proc says it is no
 * live process. */
START_TEST(a_zombie_is_looked_for)
{
	uid_t uid = test_uid(3);
	unsigned long passes;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setresuid(uid, uid, uid) < 0)
			_exit(1);
		_exit(0);
	}
	while (waitid(P_PID, (id_t)pid, &(siginfo_t){ 0 }, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	passes = sb_uid_proc_passes();
	ck_assert_int_eq(sb_uid_alive(uid), 0);
	ck_assert_uint_gt(sb_uid_proc_passes(), passes);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
}
END_TEST

/* The uid a suite beside switches to (check_rlimits' and check_privs'
 * probes, h_unused_id) is none of this suite's, whatever its pid: killing
 * every process of its test uid would end theirs. */
START_TEST(no_pid_gives_the_id_other_suites_switch_to)
{
	/* every pid % 100000 */
	for (unsigned pid = 0; pid < 100000; pid++)
		for (unsigned k = 0; k < 4; k++) {
			uid_t id = uid_of(pid, k);

			if (id >= H_UNUSED_ID_FIRST && id < H_UNUSED_ID_END)
				ck_abort_msg("pid %u, k %u: uid %u", pid, k, (unsigned)id);
		}
}
END_TEST

START_TEST(root_refused)
{
	ck_assert_int_eq(sb_uid_kill(0, 30000, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sb_uid_alive(0), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

static int before(int argc, char **argv)
{
	int st = cgtest_before(argc, argv);

	if (st >= 0)
		return st;
	if (geteuid() != 0) {
		fprintf(stderr, "check_uidkill: not root: cannot run processes as other uids\n");
		return 77;
	}
	return -1;
}

static Suite *suite(void)
{
	Suite *s = suite_create("uidkill");
	TCase *tc = tcase_create("uid");

	tcase_add_test(tc, kills_every_process_of_the_uid);
	tcase_add_test(tc, other_uids_untouched);
	tcase_add_test(tc, alive_set_marks_the_uids_with_processes);
	tcase_add_test(tc, nobody_to_kill);
	tcase_add_test(tc, a_zombie_is_looked_for);
	tcase_add_test(tc, root_refused);
	tcase_add_test(tc, no_pid_gives_the_id_other_suites_switch_to);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite, .before = before };
