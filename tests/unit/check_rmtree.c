/* Removal below a directory the daemon manages: whatever an actor planted
 * there (symlinks out, unreadable directories, a deep tree), nothing
 * outside the directory given is touched, and the rest goes. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/daemon/rmtree.h"
#include "tests/common/runner.h"

static char base[128], in[192], out[192];
static int dir = -1;

static void put(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void setup(void)
{
	snprintf(base, sizeof base, "/tmp/check_rmtree.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(in, sizeof in, "%s/in", base);
	snprintf(out, sizeof out, "%s/out", base);
	ck_assert_int_eq(mkdir(in, 0755), 0);
	ck_assert_int_eq(mkdir(out, 0755), 0);
	dir = open(in, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dir, 0);
}

static void teardown(void)
{
	char cmd[300];

	close(dir);
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx %s; rm -rf %s", base, base);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *at(const char *root, const char *name)
{
	static char buf[4][512];
	static unsigned k;
	char *b = buf[k++ % 4];

	snprintf(b, sizeof buf[0], "%s/%s", root, name);
	return b;
}

START_TEST(symlinks_are_removed_not_followed)
{
	struct stat st;

	put(at(out, "keep"));
	ck_assert_int_eq(mkdir(at(in, "x"), 0700), 0);
	ck_assert_int_eq(symlink(out, at(in, "x/link")), 0);
	ck_assert_int_eq(symlink(out, at(in, "top")), 0);
	ck_assert_int_eq(sb_rmtree_at(dir, "x"), 0);
	ck_assert_int_eq(sb_rmtree_at(dir, "top"), 0);
	ck_assert_int_eq(lstat(at(in, "x"), &st), -1);
	ck_assert_int_eq(lstat(at(in, "top"), &st), -1);
	ck_assert_int_eq(stat(at(out, "keep"), &st), 0);
}
END_TEST

START_TEST(closed_directories_are_opened_to_be_emptied)
{
	struct stat st;

	ck_assert_int_eq(mkdir(at(in, "c"), 0700), 0);
	ck_assert_int_eq(mkdir(at(in, "c/d"), 0700), 0);
	put(at(in, "c/d/f"));
	ck_assert_int_eq(chmod(at(in, "c/d"), 0), 0);
	ck_assert_int_eq(chmod(at(in, "c"), 0500), 0);
	ck_assert_int_eq(sb_rmtree_at(dir, "c"), 0);
	ck_assert_int_eq(lstat(at(in, "c"), &st), -1);
	ck_assert_int_eq(sb_rmtree_at(dir, "c"), 0);	/* gone already: fine */
}
END_TEST

START_TEST(contents_go_but_what_is_kept)
{
	struct stat st;

	put(at(in, "lock"));
	put(at(in, "a"));
	ck_assert_int_eq(mkdir(at(in, "b"), 0700), 0);
	put(at(in, "b/c"));
	ck_assert_int_eq(symlink(out, at(in, "d")), 0);
	put(at(out, "keep"));
	ck_assert_int_eq(sb_rmtree_contents(dir, "lock"), 0);
	ck_assert_int_eq(stat(at(in, "lock"), &st), 0);
	ck_assert_int_eq(lstat(at(in, "a"), &st), -1);
	ck_assert_int_eq(lstat(at(in, "b"), &st), -1);
	ck_assert_int_eq(lstat(at(in, "d"), &st), -1);
	ck_assert_int_eq(stat(at(out, "keep"), &st), 0);
}
END_TEST

/* deeper than the daemon ever makes: refused, not walked */
START_TEST(a_tree_too_deep_is_refused)
{
	char path[4096];

	snprintf(path, sizeof path, "%s", in);
	for (int i = 0; i <= SB_RMTREE_DEPTH_MAX + 1; i++) {
		strcat(path, "/d");
		ck_assert_int_eq(mkdir(path, 0700), 0);
	}
	errno = 0;
	ck_assert_int_eq(sb_rmtree_at(dir, "d"), -1);
	ck_assert_int_eq(errno, ELOOP);
}
END_TEST

/* Entries below PATH, however deep. */
static int count_below(const char *path)
{
	char cmd[300];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof cmd, "find %s -mindepth 1 | wc -l", path);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &n), 1);
	pclose(f);
	return n;
}

/* a tree an actor filled goes a few entries at a time: each call removes
 * as many as its budget, directories once emptied, and says whether more
 * is left */
START_TEST(a_budget_removes_that_many_and_the_rest_later)
{
	int calls = 0, r;

	for (int i = 0; i < 10; i++)
		put(at(in, (char[]){ 'f', (char)('0' + i), 0 }));
	ck_assert_int_eq(mkdir(at(in, "d"), 0500), 0);
	ck_assert_int_eq(chmod(at(in, "d"), 0700), 0);
	for (int i = 0; i < 5; i++)
		put(at(in, (char[]){ 'd', '/', 'g', (char)('0' + i), 0 }));
	ck_assert_int_eq(chmod(at(in, "d"), 0500), 0);
	ck_assert_int_eq(count_below(in), 16);
	do {
		unsigned budget = 4;
		int before = count_below(in);

		r = sb_rmtree_contents_some(dir, &budget);
		ck_assert_int_ge(r, 0);
		ck_assert_int_eq(before - count_below(in), 4 - (int)budget);
		if (r == 1)
			ck_assert_uint_eq(budget, 0);
		calls++;
	} while (r == 1);
	ck_assert_int_eq(count_below(in), 0);
	ck_assert_int_eq(calls, 4);	/* 16 entries, 4 a call */
	/* an empty directory: nothing to do, nothing taken */
	{
		unsigned budget = 4;

		ck_assert_int_eq(sb_rmtree_contents_some(dir, &budget), 0);
		ck_assert_uint_eq(budget, 4);
	}
}
END_TEST

/* a tree too deep among the rest: the rest still goes, a budget at a
 * time, and the error is said once nothing else is left. On a tmpfs,
 * which lists the newest entry first, the chain made last is met first,
 * in a pass whose budget then runs out (the old walk gave up there). */
START_TEST(a_budget_goes_past_what_cannot_be_removed)
{
	char shm[] = "/dev/shm/check_rmtree.XXXXXX", path[4096], cmd[300];
	int r, calls = 0, top;

	ck_assert_ptr_nonnull(mkdtemp(shm));
	for (int i = 0; i < 20; i++)
		put(at(shm, (char[]){ 'f', (char)('a' + i), 0 }));
	snprintf(path, sizeof path, "%s", shm);
	for (int i = 0; i <= SB_RMTREE_DEPTH_MAX + 1; i++) {
		strcat(path, "/d");
		ck_assert_int_eq(mkdir(path, 0700), 0);
	}
	top = open(shm, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(top, 0);
	do {
		unsigned budget = 3;

		errno = 0;
		r = sb_rmtree_contents_some(top, &budget);
		ck_assert_int_lt(++calls, 100);
	} while (r == 1);
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(errno, ELOOP);
	/* the files are gone; what is left is the chain too deep to walk */
	for (int i = 0; i < 20; i++) {
		struct stat st;

		ck_assert_int_eq(lstat(at(shm, (char[]){ 'f', (char)('a' + i), 0 }), &st), -1);
	}
	close(top);
	snprintf(cmd, sizeof cmd, "rm -rf %s", shm);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("rmtree");
	TCase *tc = tcase_create("rmtree");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, symlinks_are_removed_not_followed);
	tcase_add_test(tc, closed_directories_are_opened_to_be_emptied);
	tcase_add_test(tc, contents_go_but_what_is_kept);
	tcase_add_test(tc, a_tree_too_deep_is_refused);
	tcase_add_test(tc, a_budget_removes_that_many_and_the_rest_later);
	tcase_add_test(tc, a_budget_goes_past_what_cannot_be_removed);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
