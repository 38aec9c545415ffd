/* The dynamic uid pool against a fake system (a probe over a bitmap), and
 * the real probe against this machine's passwd and group. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/daemon/uidpool.h"
#include "tests/common/runner.h"

/* A fake system: ids marked here are "in /etc/passwd". */
struct fake {
	uid_t base;
	bool used[64];
	int calls;
	int fail_errno;		/* the probe fails with this when set */
};

static int fake_probe(uid_t id, void *ctx)
{
	struct fake *f = ctx;

	f->calls++;
	if (f->fail_errno) {
		errno = f->fail_errno;
		return -1;
	}
	return id >= f->base && id - f->base < 64 && f->used[id - f->base];
}

static void pool(struct sb_uidpool *p, struct fake *f, uid_t first, uid_t last)
{
	ck_assert_int_eq(sb_uidpool_init(p, first, last), 0);
	f->base = first;
	sb_uidpool_set_probe(p, fake_probe, f);
}

START_TEST(init_bounds)
{
	struct sb_uidpool p;

	errno = 0;
	ck_assert_int_eq(sb_uidpool_init(&p, 0, 10), -1);	/* root in range */
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sb_uidpool_init(&p, 11, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sb_uidpool_init(&p, 1, SB_UIDPOOL_MAX_IDS + 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sb_uidpool_init(&p, 1, SB_UIDPOOL_MAX_IDS), 0);
	sb_uidpool_fini(&p);
	ck_assert_int_eq(sb_uidpool_init(&p, 10, 10), 0);	/* one id */
	sb_uidpool_fini(&p);
	ck_assert_int_eq(sb_uidpool_init(&p, SB_UIDPOOL_FIRST, SB_UIDPOOL_LAST), 0);
	ck_assert_ptr_eq(p.probe, sb_uid_probe_system);
	sb_uidpool_fini(&p);
	sb_uidpool_fini(&p);	/* twice is harmless */
}
END_TEST

START_TEST(stable_per_owner)
{
	struct sb_uidpool p;
	struct fake f = { 0 };
	uid_t a, b, again;
	char name[32];

	pool(&p, &f, 1000, 1063);
	ck_assert_int_eq(sb_uidpool_take(&p, "web#0", &a), 0);
	ck_assert_int_eq(sb_uidpool_take(&p, "web#1", &b), 0);
	ck_assert_uint_ne(a, b);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "other#%d", i);
		ck_assert_int_eq(sb_uidpool_take(&p, name, &again), 0);
	}
	/* a restart asks again and gets the same, without asking the system */
	f.calls = 0;
	ck_assert_int_eq(sb_uidpool_take(&p, "web#0", &again), 0);
	ck_assert_uint_eq(again, a);
	ck_assert_int_eq(sb_uidpool_take(&p, "web#1", &again), 0);
	ck_assert_uint_eq(again, b);
	ck_assert_int_eq(f.calls, 0);
	sb_uidpool_fini(&p);
}
END_TEST

/* The next daemon run, with the same system, gives the same ids even when
 * owners arrive in another order (no collisions in a roomy range). */
START_TEST(stable_across_runs)
{
	struct sb_uidpool p1, p2;
	uid_t x1, y1, x2, y2;

	ck_assert_int_eq(sb_uidpool_init(&p1, SB_UIDPOOL_FIRST, SB_UIDPOOL_LAST), 0);
	ck_assert_int_eq(sb_uidpool_init(&p2, SB_UIDPOOL_FIRST, SB_UIDPOOL_LAST), 0);
	ck_assert_int_eq(sb_uidpool_take(&p1, "payments#0", &x1), 0);
	ck_assert_int_eq(sb_uidpool_take(&p1, "inventory#0", &y1), 0);
	ck_assert_int_eq(sb_uidpool_take(&p2, "inventory#0", &y2), 0);
	ck_assert_int_eq(sb_uidpool_take(&p2, "payments#0", &x2), 0);
	ck_assert_uint_eq(x1, x2);
	ck_assert_uint_eq(y1, y2);
	sb_uidpool_fini(&p1);
	sb_uidpool_fini(&p2);
}
END_TEST

START_TEST(distinct_and_in_range_until_exhausted)
{
	struct sb_uidpool p;
	struct fake f = { 0 };
	bool seen[64] = { false };
	char name[32];
	uid_t id;

	pool(&p, &f, 5000, 5063);
	for (int i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "pool#%d", i);
		ck_assert_int_eq(sb_uidpool_take(&p, name, &id), 0);
		ck_assert_uint_ge(id, 5000);
		ck_assert_uint_le(id, 5063);
		ck_assert_msg(!seen[id - 5000], "id %u given twice", (unsigned)id);
		seen[id - 5000] = true;
	}
	/* range full: a new owner gets ENOSPC, existing owners still get theirs */
	errno = 0;
	ck_assert_int_eq(sb_uidpool_take(&p, "one-too-many", &id), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(sb_uidpool_take(&p, "pool#7", &id), 0);
	sb_uidpool_fini(&p);
}
END_TEST

START_TEST(skips_ids_in_use)
{
	struct sb_uidpool p;
	struct fake f = { 0 };
	char name[32];
	uid_t id;

	pool(&p, &f, 7000, 7007);
	/* everything but 7005 is in passwd */
	for (int i = 0; i < 8; i++)
		f.used[i] = i != 5;
	ck_assert_int_eq(sb_uidpool_take(&p, "a", &id), 0);
	ck_assert_uint_eq(id, 7005);
	ck_assert_int_eq(sb_uidpool_take(&p, "b", &id), -1);
	ck_assert_int_eq(errno, ENOSPC);

	/* with half in use, none of them is ever handed out */
	sb_uidpool_fini(&p);
	pool(&p, &f, 7000, 7007);
	for (int i = 0; i < 8; i++)
		f.used[i] = i % 2;
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "w#%d", i);
		ck_assert_int_eq(sb_uidpool_take(&p, name, &id), 0);
		ck_assert_uint_eq((id - 7000) % 2, 0);
	}
	ck_assert_int_eq(sb_uidpool_take(&p, "w#4", &id), -1);
	ck_assert_int_eq(errno, ENOSPC);
	sb_uidpool_fini(&p);
}
END_TEST

START_TEST(probe_failure_is_reported)
{
	struct sb_uidpool p;
	struct fake f = { .fail_errno = EIO };
	uid_t id;

	pool(&p, &f, 100, 110);
	errno = 0;
	ck_assert_int_eq(sb_uidpool_take(&p, "a", &id), -1);
	ck_assert_int_eq(errno, EIO);
	/* nothing was recorded: once the system answers, a is served */
	f.fail_errno = 0;
	ck_assert_int_eq(sb_uidpool_take(&p, "a", &id), 0);
	ck_assert_uint_ge(id, 100);
	ck_assert_uint_le(id, 110);
	sb_uidpool_fini(&p);
}
END_TEST

START_TEST(never_valid_ids_skipped)
{
	struct sb_uidpool p;
	struct fake f = { 0 };
	uid_t id;

	pool(&p, &f, 65534, 65535);
	ck_assert_int_eq(sb_uidpool_take(&p, "a", &id), 0);
	ck_assert_uint_eq(id, 65534);
	ck_assert_int_eq(sb_uidpool_take(&p, "b", &id), -1);
	ck_assert_int_eq(errno, ENOSPC);
	sb_uidpool_fini(&p);

	pool(&p, &f, (uid_t)-3, (uid_t)-1);
	ck_assert_int_eq(sb_uidpool_take(&p, "a", &id), 0);
	ck_assert_int_eq(sb_uidpool_take(&p, "b", &id), 0);
	ck_assert_int_eq(sb_uidpool_take(&p, "c", &id), -1);
	ck_assert_int_eq(errno, ENOSPC);
	sb_uidpool_fini(&p);
}
END_TEST

/* Many owners: the owner table grows past its first allocation. */
START_TEST(many_owners)
{
	struct sb_uidpool p;
	struct fake f = { 0 };
	char name[32];
	uid_t ids[4000], id;

	pool(&p, &f, 20000, 29999);
	for (int i = 0; i < 4000; i++) {
		snprintf(name, sizeof(name), "n#%d", i);
		ck_assert_int_eq(sb_uidpool_take(&p, name, &ids[i]), 0);
	}
	for (int i = 0; i < 4000; i++) {
		snprintf(name, sizeof(name), "n#%d", i);
		ck_assert_int_eq(sb_uidpool_take(&p, name, &id), 0);
		ck_assert_uint_eq(id, ids[i]);
	}
	sb_uidpool_fini(&p);
}
END_TEST

START_TEST(system_probe)
{
	struct passwd *pw = getpwnam("root");
	struct group *gr;
	uid_t free_id = 0;

	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(sb_uid_probe_system(pw->pw_uid, NULL), 1);
	for (uid_t id = SB_UIDPOOL_FIRST; id <= SB_UIDPOOL_LAST && !free_id; id++)
		if (!getpwuid(id) && !getgrgid(id))
			free_id = id;
	ck_assert_uint_ne(free_id, 0);
	ck_assert_int_eq(sb_uid_probe_system(free_id, NULL), 0);

	/* a group alone is enough: the actor's gid is its uid */
	setgrent();
	while ((gr = getgrent()) && getpwuid(gr->gr_gid))
		;
	endgrent();
	if (gr)
		ck_assert_int_eq(sb_uid_probe_system(gr->gr_gid, NULL), 1);
}
END_TEST

/* systemd's lock files mark ids too. Done over a tmpfs on /run in a mount
 * namespace of this test's own, so the host's /run is not touched. */
START_TEST(system_probe_sees_systemd_dynamic_users)
{
	uid_t free_id = 0;
	char path[64];
	int fd;

	for (uid_t id = SB_UIDPOOL_FIRST; id <= SB_UIDPOOL_LAST && !free_id; id++)
		if (!getpwuid(id) && !getgrgid(id))
			free_id = id;
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount("tmpfs", "/run", "tmpfs", 0, "mode=0755"), 0);
	ck_assert_int_eq(mkdir("/run/systemd", 0755), 0);
	ck_assert_int_eq(mkdir("/run/systemd/dynamic-uid", 0755), 0);
	ck_assert_int_eq(sb_uid_probe_system(free_id, NULL), 0);
	snprintf(path, sizeof(path), "/run/systemd/dynamic-uid/%u", (unsigned)free_id);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(sb_uid_probe_system(free_id, NULL), 1);
}
END_TEST

/* The snapshot agrees with the per-id probe over a range that holds
 * real entries (daemon, bin, sys... are uids 1-3 on Debian). */
START_TEST(snapshot_agrees_with_system_probe)
{
	struct sb_uid_snapshot snap;
	int used = 0;

	ck_assert_int_eq(sb_uid_snapshot_init(&snap, 1, 2000), 0);
	for (uid_t id = 1; id <= 2000; id++) {
		int want = sb_uid_probe_system(id, NULL);

		ck_assert_int_ge(want, 0);
		ck_assert_msg(sb_uid_probe_snapshot(id, &snap) == want, "id %u", (unsigned)id);
		used += want;
	}
	ck_assert_int_gt(used, 0);	/* the range did hold entries */
	ck_assert_int_lt(used, 2000);
	sb_uid_snapshot_fini(&snap);
	ck_assert_int_eq(sb_uid_snapshot_init(&snap, 0, 10), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* Two daemons are two open file descriptions of the registry: what one
 * claims the other sees in use, until the first closes it (or dies). */
START_TEST(the_registry_keeps_two_daemons_apart)
{
	char dir[] = "/tmp/uidreg.XXXXXX", path[64];
	struct sb_uidpool a, b;
	struct sb_uid_snapshot sa, sb;
	uid_t ida, idb;
	int fa, fb;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/uids", dir);
	fa = sb_uid_registry_open(path);
	fb = sb_uid_registry_open(path);
	ck_assert_int_ge(fa, 0);
	ck_assert_int_ge(fb, 0);
	ck_assert_int_eq(sb_uid_snapshot_init(&sa, 70100, 70199), 0);
	ck_assert_int_eq(sb_uid_snapshot_init(&sb, 70100, 70199), 0);
	sa.registry = fa;
	sb.registry = fb;
	ck_assert_int_eq(sb_uid_probe_snapshot(70150, &sa), 0);	/* claimed */
	ck_assert_int_eq(sb_uid_probe_snapshot(70150, &sa), 0);	/* ours already */
	ck_assert_int_eq(sb_uid_probe_snapshot(70150, &sb), 1);
	ck_assert_int_eq(sb_uid_probe_snapshot(70151, &sb), 0);

	/* the same owner name in two pools: the second gets another id */
	ck_assert_int_eq(sb_uidpool_init(&a, 70100, 70199), 0);
	ck_assert_int_eq(sb_uidpool_init(&b, 70100, 70199), 0);
	sb_uidpool_set_probe(&a, sb_uid_probe_snapshot, &sa);
	sb_uidpool_set_probe(&b, sb_uid_probe_snapshot, &sb);
	ck_assert_int_eq(sb_uidpool_take(&a, "api", &ida), 0);
	ck_assert_int_eq(sb_uidpool_take(&b, "api", &idb), 0);
	ck_assert_uint_ne(ida, idb);
	ck_assert_int_eq(sb_uid_probe_snapshot(ida, &sb), 1);
	/* the first daemon goes: its claims go with it */
	close(fa);
	sa.registry = -1;
	ck_assert_int_eq(sb_uid_probe_snapshot(ida, &sb), 0);
	ck_assert_int_eq(sb_uid_probe_snapshot(70150, &sb), 0);
	sb_uidpool_fini(&a);
	sb_uidpool_fini(&b);
	sb_uid_snapshot_fini(&sa);
	sb_uid_snapshot_fini(&sb);
	close(fb);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* fds of this process open on PATH, and all its fds */
static int fds_on(const char *path, int *all)
{
	char link[64], target[256];
	int on = 0;

	*all = 0;
	for (int fd = 0; fd < 1024; fd++) {
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, target, sizeof target - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		++*all;
		on += strcmp(target, path) == 0;
	}
	return on;
}

static bool lockable(const char *path, uid_t id)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t)id, .l_len = 1 };
	int fd = open(path, O_RDWR | O_CLOEXEC);
	bool ok;

	ck_assert_int_ge(fd, 0);
	ok = fcntl(fd, F_OFD_SETLK, &fl) == 0;
	close(fd);
	return ok;
}

/* The registry's claims are held with no fd on it in the daemon's table:
 * each child the daemon spawns closes its copy of that table, and the
 * kernel walks every lock on a file for each close of an fd on it. */
START_TEST(the_registry_is_held_outside_the_fd_table)
{
	char dir[] = "/tmp/uidreg.XXXXXX", path[64];
	struct sb_uid_snapshot s;
	int holder, before, after;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/uids", dir);
	holder = sb_uid_registry_open(path);
	ck_assert_int_ge(holder, 0);
	ck_assert(fcntl(holder, F_GETFD) & FD_CLOEXEC);
	ck_assert_int_eq(sb_uid_snapshot_init(&s, 70100, 70199), 0);
	s.registry = holder;
	fds_on(path, &before);
	ck_assert_int_eq(sb_uid_probe_snapshot(70120, &s), 0);
	ck_assert_int_eq(sb_uid_probe_snapshot(70121, &s), 0);
	ck_assert_int_eq(fds_on(path, &after), 0);
	ck_assert_int_eq(after, before);
	ck_assert(!lockable(path, 70120));
	ck_assert(!lockable(path, 70121));
	ck_assert(lockable(path, 70122));
	/* closing the one fd drops every claim */
	close(holder);
	s.registry = -1;
	ck_assert(lockable(path, 70120));
	sb_uid_snapshot_fini(&s);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* A uid that owns a state directory from an earlier run goes back to
 * the instance the directory is named for, and to no one else. */
START_TEST(claims_keep_state_directories_apart)
{
	struct sb_uidpool p;
	struct fake f = { 0 };
	uid_t id;

	pool(&p, &f, 7000, 7002);
	ck_assert_int_eq(sb_uidpool_claim(&p, 7000, "b"), 0);
	ck_assert_int_eq(sb_uidpool_claim(&p, 7001, "b"), 0);	/* its gid: b keeps its first */
	ck_assert_int_eq(sb_uidpool_claim(&p, 9000, "z"), 0);	/* out of range: ignored */
	ck_assert_int_eq(sb_uidpool_take(&p, "a", &id), 0);
	ck_assert_uint_eq(id, 7002);
	/* 7000 is b's and 7001 no one's: nothing left for c */
	ck_assert_int_eq(sb_uidpool_take(&p, "c", &id), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(sb_uidpool_take(&p, "b", &id), 0);
	ck_assert_uint_eq(id, 7000);
	sb_uidpool_fini(&p);

	/* one id owning two names' directories goes to neither; an id
	 * claimed for no name goes to no one */
	pool(&p, &f, 7000, 7003);
	ck_assert_int_eq(sb_uidpool_claim(&p, 7001, "x"), 0);
	ck_assert_int_eq(sb_uidpool_claim(&p, 7001, "y"), 0);
	ck_assert_int_eq(sb_uidpool_claim(&p, 7003, NULL), 0);
	ck_assert_int_eq(sb_uidpool_take(&p, "x", &id), 0);
	ck_assert(id == 7000 || id == 7002);
	ck_assert_int_eq(sb_uidpool_take(&p, "y", &id), 0);
	ck_assert(id == 7000 || id == 7002);
	ck_assert_int_eq(sb_uidpool_take(&p, "w", &id), -1);
	sb_uidpool_fini(&p);

	/* a directory's uid and gid are most often one id: the same name
	 * claiming it twice does not contest it */
	pool(&p, &f, 7000, 7003);
	ck_assert_int_eq(sb_uidpool_claim(&p, 7002, "s"), 0);
	ck_assert_int_eq(sb_uidpool_claim(&p, 7002, "s"), 0);
	ck_assert(sb_uidpool_kept_for(&p, "s"));
	ck_assert_int_eq(sb_uidpool_take(&p, "s", &id), 0);
	ck_assert_uint_eq(id, 7002);
	sb_uidpool_fini(&p);

	/* a claimed id some process or user now holds: the owner searches on */
	pool(&p, &f, 7000, 7003);
	f.used[1] = true;
	ck_assert_int_eq(sb_uidpool_claim(&p, 7001, "x"), 0);
	ck_assert_int_eq(sb_uidpool_take(&p, "x", &id), 0);
	ck_assert_uint_ne(id, 7001);
	sb_uidpool_fini(&p);
}
END_TEST

/* What a dry run counts: the ids take could still give, without a probe
 * (a probe may claim ids in the host registry). Taken, claimed and never
 * valid ids are not among them; a claimant gets its own back. */
START_TEST(left_counts_what_take_could_give)
{
	struct sb_uidpool p;
	struct fake f = { 0 };
	uid_t id;

	pool(&p, &f, 7000, 7003);
	ck_assert_uint_eq(sb_uidpool_left(&p), 4);
	ck_assert_int_eq(f.calls, 0);
	ck_assert_int_eq(sb_uidpool_take(&p, "a", &id), 0);
	ck_assert_uint_eq(sb_uidpool_left(&p), 3);
	ck_assert_int_eq(sb_uidpool_take(&p, "a", &id), 0);	/* a has one */
	ck_assert_uint_eq(sb_uidpool_left(&p), 3);
	for (int i = 0; i < 3; i++) {
		char name[8];

		snprintf(name, sizeof name, "n%d", i);
		ck_assert_int_eq(sb_uidpool_take(&p, name, &id), 0);
	}
	ck_assert_uint_eq(sb_uidpool_left(&p), 0);
	ck_assert_int_eq(sb_uidpool_take(&p, "z", &id), -1);	/* 0 left: take agrees */
	sb_uidpool_fini(&p);

	/* 7000 kept for b, 7001 for no one, 7002 contested: 7003 is left */
	pool(&p, &f, 7000, 7003);
	f.calls = 0;
	ck_assert_int_eq(sb_uidpool_claim(&p, 7000, "b"), 0);
	ck_assert_int_eq(sb_uidpool_claim(&p, 7001, NULL), 0);
	ck_assert_int_eq(sb_uidpool_claim(&p, 7002, "x"), 0);
	ck_assert_int_eq(sb_uidpool_claim(&p, 7002, "y"), 0);
	ck_assert_uint_eq(sb_uidpool_left(&p), 1);
	ck_assert(sb_uidpool_kept_for(&p, "b"));
	ck_assert(!sb_uidpool_kept_for(&p, "x"));	/* contested: x takes from the rest */
	ck_assert(!sb_uidpool_kept_for(&p, "c"));
	ck_assert_int_eq(sb_uidpool_take(&p, "b", &id), 0);
	ck_assert_uint_eq(id, 7000);
	ck_assert(!sb_uidpool_kept_for(&p, "b"));	/* it has it now */
	ck_assert_uint_eq(sb_uidpool_left(&p), 1);
	ck_assert_int_eq(f.calls, 1);			/* only take probed */
	sb_uidpool_fini(&p);

	/* 65535 and (uid_t)-1 are never given, so never left */
	pool(&p, &f, 65534, 65535);
	ck_assert_uint_eq(sb_uidpool_left(&p), 1);
	sb_uidpool_fini(&p);
	pool(&p, &f, (uid_t)-3, (uid_t)-1);
	ck_assert_uint_eq(sb_uidpool_left(&p), 2);
	sb_uidpool_fini(&p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("uidpool");
	TCase *tc = tcase_create("uidpool");

	tcase_add_test(tc, init_bounds);
	tcase_add_test(tc, stable_per_owner);
	tcase_add_test(tc, stable_across_runs);
	tcase_add_test(tc, distinct_and_in_range_until_exhausted);
	tcase_add_test(tc, skips_ids_in_use);
	tcase_add_test(tc, claims_keep_state_directories_apart);
	tcase_add_test(tc, left_counts_what_take_could_give);
	tcase_add_test(tc, probe_failure_is_reported);
	tcase_add_test(tc, never_valid_ids_skipped);
	tcase_add_test(tc, the_registry_keeps_two_daemons_apart);
	tcase_add_test(tc, the_registry_is_held_outside_the_fd_table);
	tcase_add_test(tc, many_owners);
	tcase_add_test(tc, system_probe);
	tcase_add_test(tc, snapshot_agrees_with_system_probe);
	if (geteuid() == 0)
		tcase_add_test(tc, system_probe_sees_systemd_dynamic_users);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
