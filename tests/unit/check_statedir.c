/* State directories (sandbox/daemon/statedir.h, src/daemon/state.h):
 * where the root is, how it and an instance's directory are made, and a
 * re-owning walk that never follows a link or leaves the directory. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/daemon/statedir.h"
#include "src/daemon/state.h"
#include "tests/common/runner.h"

static char base[64];

static void setup(void)
{
	snprintf(base, sizeof base, "/tmp/check_statedir.XXXXXX");
	ck_assert(mkdtemp(base) != NULL);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *at(const char *name)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof path[0], "%s/%s", base, name);
	return p;
}

static unsigned mode_of(const char *path)
{
	struct stat st;

	ck_assert_msg(lstat(path, &st) == 0, "%s: %s", path, strerror(errno));
	return st.st_mode & 07777;
}

static uid_t owner_of(const char *path)
{
	struct stat st;

	ck_assert_msg(lstat(path, &st) == 0, "%s: %s", path, strerror(errno));
	return st.st_uid;
}

START_TEST(the_root_is_found_as_documented)
{
	char buf[256];

	setenv("STATE_DIRECTORY", "/var/lib/x:/var/lib/y", 1);
	ck_assert_int_eq(state_root_path("/given", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/given");
	ck_assert(chdir("/tmp") == 0);
	ck_assert_int_eq(state_root_path("rel/dir", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/tmp/rel/dir");
	ck_assert_int_eq(state_root_path(NULL, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/var/lib/x");	/* systemd's: the first of the list */
	/* a relative one is taken from the current directory, as the option */
	setenv("STATE_DIRECTORY", "rel/./st//:/var/lib/y", 1);
	ck_assert_int_eq(state_root_path(NULL, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/tmp/rel/st");
	unsetenv("STATE_DIRECTORY");
	setenv("XDG_STATE_HOME", "/home/u/.st", 1);
	setenv("HOME", "/home/u", 1);
	ck_assert_int_eq(state_root_path(NULL, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, geteuid() == 0 ? "/var/lib/prospero" : "/home/u/.st/prospero");
	/* an empty first path is none, as $RUNTIME_DIRECTORY's: it was "",
	 * and each instance's directory "/NAME" */
	setenv("STATE_DIRECTORY", ":/var/lib/y", 1);
	ck_assert_int_eq(state_root_path(NULL, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, geteuid() == 0 ? "/var/lib/prospero" : "/home/u/.st/prospero");
	unsetenv("STATE_DIRECTORY");
	if (geteuid() != 0) {
		setenv("XDG_STATE_HOME", "relative", 1);	/* ignored, as the spec says */
		ck_assert_int_eq(state_root_path(NULL, buf, sizeof buf), 0);
		ck_assert_str_eq(buf, "/home/u/.local/state/prospero");
	}
	ck_assert_int_eq(state_root_path("/a/long/one", buf, 5), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

START_TEST(the_root_is_made_with_its_parents_and_mode_0711)
{
	int fd = sb_statedir_root(at("x/y/root"));

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(mode_of(at("x/y/root")), 0711);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	close(fd);
	/* one that exists already is made 0711 too */
	ck_assert(chmod(at("x/y/root"), 0755) == 0);
	ck_assert_int_ge(fd = sb_statedir_root(at("x/y/root")), 0);
	ck_assert_uint_eq(mode_of(at("x/y/root")), 0711);
	close(fd);
	ck_assert_int_eq(sb_statedir_root("/proc/self/status/x"), -1);
	if (geteuid() == 0) {
		/* another user's: it could move names in it under the daemon */
		ck_assert(chown(at("x/y/root"), 12345, 12345) == 0);
		ck_assert_int_eq(sb_statedir_root(at("x/y/root")), -1);
		ck_assert_int_eq(errno, EPERM);
	}
}
END_TEST

/* A root reached through a symbolic link, anywhere in its path, is
 * refused with ELOOP: an actor opens its state following no link (SQLite's
 * NOFOLLOW), so the old code took such a root and every actor then failed
 * with ELOOP. */
START_TEST(a_root_through_a_symbolic_link_is_refused)
{
	int fd;

	ck_assert_int_ge(fd = sb_statedir_root(at("real/root")), 0);
	close(fd);
	ck_assert(symlink("real", at("link")) == 0);
	ck_assert_int_eq(sb_statedir_root(at("link/root")), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert(symlink("real/root", at("rootlink")) == 0);
	ck_assert_int_eq(sb_statedir_root(at("rootlink")), -1);
	ck_assert_int_eq(errno, ELOOP);
	/* and a new root below a link: not made usable either */
	ck_assert_int_eq(sb_statedir_root(at("link/new")), -1);
	ck_assert_int_eq(errno, ELOOP);
}
END_TEST

/* The parents it makes are 0755 whatever the umask, so an actor's own
 * uid can pass through them to its directory; those that were there keep
 * their mode. The old code made them with the umask's mode (0700 under
 * umask 077), and the actor could not reach its state. */
START_TEST(the_parents_it_makes_are_0755_under_any_umask)
{
	mode_t old;
	int fd;

	ck_assert_int_eq(mkdir(at("kept"), 0750), 0);
	ck_assert_int_eq(chmod(at("kept"), 0750), 0);
	old = umask(077);
	fd = sb_statedir_root(at("kept/p/q/root"));
	umask(old);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_uint_eq(mode_of(at("kept")), 0750);
	ck_assert_uint_eq(mode_of(at("kept/p")), 0755);
	ck_assert_uint_eq(mode_of(at("kept/p/q")), 0755);
	ck_assert_uint_eq(mode_of(at("kept/p/q/root")), 0711);
	/* a parent that is a file is said as such */
	ck_assert_int_eq(close(open(at("file"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)), 0);
	ck_assert_int_eq(sb_statedir_root(at("file/a/root")), -1);
	ck_assert_int_eq(errno, ENOTDIR);
}
END_TEST

START_TEST(an_instance_directory_is_made_0700_and_kept)
{
	int root = sb_statedir_root(at("root"));
	int fd;

	ck_assert_int_ge(root, 0);
	ck_assert_int_eq(sb_statedir_prepare(root, "a#1", geteuid(), getegid(), false), 0);
	ck_assert_uint_eq(mode_of(at("root/a#1")), 0700);
	fd = open(at("root/a#1/kept"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert(chmod(at("root/a#1"), 0755) == 0);
	ck_assert_int_eq(sb_statedir_prepare(root, "a#1", geteuid(), getegid(), false), 0);
	ck_assert_uint_eq(mode_of(at("root/a#1")), 0700);
	ck_assert(access(at("root/a#1/kept"), F_OK) == 0);
	close(root);
}
END_TEST

START_TEST(a_link_or_a_file_in_its_place_is_refused)
{
	int root = sb_statedir_root(at("root"));

	ck_assert_int_ge(root, 0);
	ck_assert(mkdir(at("elsewhere"), 0755) == 0);
	ck_assert(symlink(at("elsewhere"), at("root/a")) == 0);
	ck_assert_int_eq(sb_statedir_prepare(root, "a", geteuid(), getegid(), geteuid() == 0), -1);
	ck_assert(errno == ELOOP || errno == ENOTDIR);
	ck_assert_uint_eq(mode_of(at("elsewhere")), 0755);
	ck_assert_uint_eq(owner_of(at("elsewhere")), geteuid());
	close(open(at("root/f"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	ck_assert_int_eq(sb_statedir_prepare(root, "f", geteuid(), getegid(), false), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	close(root);
}
END_TEST

START_TEST(a_new_owner_gets_everything_inside_but_what_links_point_at)
{
	int root = sb_statedir_root(at("root"));
	char deep[512] = "";
	int fd;

	if (geteuid() != 0)
		return;	/* chown needs root */
	ck_assert_int_ge(root, 0);
	ck_assert_int_eq(sb_statedir_prepare(root, "a", 61000, 61000, true), 0);
	ck_assert_uint_eq(owner_of(at("root/a")), 61000);
	ck_assert(mkdir(at("root/a/d"), 0700) == 0);
	ck_assert((fd = open(at("root/a/d/db"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0);
	close(fd);
	ck_assert((fd = open(at("victim"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0);
	close(fd);
	ck_assert(symlink(at("victim"), at("root/a/d/link")) == 0);
	ck_assert(symlink(base, at("root/a/up")) == 0);
	snprintf(deep, sizeof deep, "%s", at("root/a/d"));
	for (int i = 0; i < 5; i++) {
		strcat(deep, "/n");
		ck_assert(mkdir(deep, 0700) == 0);
	}
	ck_assert_int_eq(sb_statedir_prepare(root, "a", 61001, 61002, true), 0);
	ck_assert_uint_eq(owner_of(at("root/a")), 61001);
	ck_assert_uint_eq(owner_of(at("root/a/d/db")), 61001);
	ck_assert_uint_eq(owner_of(at("root/a/d/link")), 61001);
	ck_assert_uint_eq(owner_of(deep), 61001);
	/* what the links point at stays as it was */
	ck_assert_uint_eq(owner_of(at("victim")), 0);
	ck_assert_uint_eq(owner_of(base), 0);
	ck_assert_uint_eq(owner_of(at("root")), 0);
	close(root);
}
END_TEST

/* A hard link is the file itself: one to a file of another owner (an
 * actor may link any file it can read and write) stays that owner's,
 * while the old uid's own files, linked twice, go to the new one. */
START_TEST(a_hard_link_to_another_owners_file_is_not_re_owned)
{
	int root = sb_statedir_root(at("root"));
	int fd;

	if (geteuid() != 0)
		return;	/* chown needs root */
	ck_assert_int_ge(root, 0);
	ck_assert_int_eq(sb_statedir_prepare(root, "a", 61000, 61000, true), 0);
	ck_assert((fd = open(at("shared"), O_WRONLY | O_CREAT | O_CLOEXEC, 0666)) >= 0);
	close(fd);
	ck_assert(link(at("shared"), at("root/a/linked")) == 0);
	ck_assert((fd = open(at("root/a/own"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0);
	ck_assert(fchown(fd, 61000, 61000) == 0);
	close(fd);
	ck_assert(link(at("root/a/own"), at("root/a/own2")) == 0);
	ck_assert_int_eq(sb_statedir_prepare(root, "a", 61001, 61001, true), 0);
	ck_assert_uint_eq(owner_of(at("root/a")), 61001);
	ck_assert_uint_eq(owner_of(at("shared")), 0);
	ck_assert_uint_eq(owner_of(at("root/a/own")), 61001);
	close(root);
}
END_TEST

/* The walk is for a new uid only. An actor may give its own directory to
 * another of its groups (one with "user" has that user's supplementary
 * groups): had that made the next start walk the whole tree again, an
 * actor could make the daemon walk a million files at each of its
 * restarts, its loop stopped meanwhile. Only the top gets its gid back. */
START_TEST(a_group_the_actor_chose_does_not_walk_its_tree)
{
	int root = sb_statedir_root(at("root"));
	struct stat st;
	int fd;

	if (geteuid() != 0)
		return;	/* chown needs root */
	ck_assert_int_ge(root, 0);
	ck_assert_int_eq(sb_statedir_prepare(root, "a", 61000, 61000, true), 0);
	ck_assert((fd = open(at("root/a/f"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0);
	ck_assert(fchown(fd, 61000, 61005) == 0);
	close(fd);
	ck_assert(chown(at("root/a"), 61000, 61005) == 0);
	ck_assert_int_eq(sb_statedir_prepare(root, "a", 61000, 61000, true), 0);
	ck_assert(lstat(at("root/a"), &st) == 0);
	ck_assert_uint_eq(st.st_uid, 61000);
	ck_assert_uint_eq(st.st_gid, 61000);
	ck_assert(lstat(at("root/a/f"), &st) == 0);
	ck_assert_uint_eq(st.st_gid, 61005);	/* not walked */
	close(root);
}
END_TEST

/* Deeper than the walk goes is said as such: the old walk said ELOOP,
 * which the daemon put as "never a symbolic link" where there was none. */
START_TEST(a_tree_too_deep_to_re_own_is_said_as_such)
{
	int root = sb_statedir_root(at("root"));
	char deep[4096] = "";

	if (geteuid() != 0)
		return;	/* chown needs root */
	ck_assert_int_ge(root, 0);
	ck_assert_int_eq(sb_statedir_prepare(root, "a", 61000, 61000, true), 0);
	snprintf(deep, sizeof deep, "%s", at("root/a"));
	for (int i = 0; i < SB_STATEDIR_DEPTH_MAX + 2; i++) {
		strcat(deep, "/n");
		ck_assert(mkdir(deep, 0700) == 0);
	}
	ck_assert_int_eq(sb_statedir_prepare(root, "a", 61001, 61001, true), -1);
	ck_assert_int_eq(errno, EMLINK);
	ck_assert_uint_eq(owner_of(at("root/a/n")), 61001);	/* the rest is re-owned */
	close(root);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("statedir");
	TCase *tc = tcase_create("statedir");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, the_root_is_found_as_documented);
	tcase_add_test(tc, the_root_is_made_with_its_parents_and_mode_0711);
	tcase_add_test(tc, the_parents_it_makes_are_0755_under_any_umask);
	tcase_add_test(tc, a_root_through_a_symbolic_link_is_refused);
	tcase_add_test(tc, an_instance_directory_is_made_0700_and_kept);
	tcase_add_test(tc, a_link_or_a_file_in_its_place_is_refused);
	tcase_add_test(tc, a_new_owner_gets_everything_inside_but_what_links_point_at);
	tcase_add_test(tc, a_hard_link_to_another_owners_file_is_not_re_owned);
	tcase_add_test(tc, a_group_the_actor_chose_does_not_walk_its_tree);
	tcase_add_test(tc, a_tree_too_deep_to_re_own_is_said_as_such);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
