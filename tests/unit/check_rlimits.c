/* The limits table, value parsing at its boundaries, and limits applied in a
 * CLONE_VM|CLONE_VFORK child as the spawner runs them. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/daemon/rlimits.h"
#include "tests/common/proc.h"
#include "tests/common/runner.h"
#include "tests/common/vfork.h"

START_TEST(names_resolve)
{
	static const struct { const char *name; int res; } want[] = {
		{ "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC },
		{ "as", RLIMIT_AS }, { "core", RLIMIT_CORE }, { "cpu", RLIMIT_CPU },
		{ "fsize", RLIMIT_FSIZE }, { "memlock", RLIMIT_MEMLOCK },
		{ "stack", RLIMIT_STACK }, { "data", RLIMIT_DATA },
		{ "sigpending", RLIMIT_SIGPENDING }, { "msgqueue", RLIMIT_MSGQUEUE },
		{ "nice", RLIMIT_NICE }, { "rtprio", RLIMIT_RTPRIO },
		{ "locks", RLIMIT_LOCKS }, { "rttime", RLIMIT_RTTIME },
	};
	const char *const *names = sb_rlimit_names();
	size_t n = 0;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_int_eq(sb_rlimit_resource(want[i].name), want[i].res);
		ck_assert_str_eq(sb_rlimit_name(want[i].res), want[i].name);
	}
	/* the hint list and the table agree, one for one */
	for (; names[n]; n++)
		ck_assert_int_ge(sb_rlimit_resource(names[n]), 0);
	ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]));
	ck_assert_ptr_null(sb_rlimit_name(RLIMIT_RSS));
}
END_TEST

START_TEST(unknown_and_rss)
{
	errno = 0;
	ck_assert_int_eq(sb_rlimit_resource("nofiles"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(sb_rlimit_resource("NOFILE"), -1);	/* names are exact */
	ck_assert_int_eq(sb_rlimit_resource(""), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(sb_rlimit_resource("rss"), -1);
	ck_assert_int_eq(errno, ENOTSUP);
}
END_TEST

/* Values on a limit without bounds of its own: only the value rules. */
START_TEST(values)
{
	static const char *const bad_text[] = { "unlimited", "Infinity", "", "1024" };
	static const long long bad_num[] = { -1, LLONG_MIN };
	struct sb_rlimit r, keep;
	char err[128];

	ck_assert_int_eq(sb_rlimit_parse("core", "infinity", 0, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.lim.rlim_cur, RLIM_INFINITY);
	ck_assert_int_eq(sb_rlimit_parse("core", NULL, 0, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.lim.rlim_cur, 0);
	ck_assert_int_eq(sb_rlimit_parse("core", NULL, 1, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.lim.rlim_cur, 1);
	ck_assert_int_eq(sb_rlimit_parse("core", NULL, LLONG_MAX, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.lim.rlim_cur, (rlim_t)LLONG_MAX);
	ck_assert_str_eq(r.call, "setrlimit(RLIMIT_CORE)");

	keep = r;
	for (size_t i = 0; i < sizeof(bad_text) / sizeof(bad_text[0]) + 2; i++) {
		const char *text = i < 4 ? bad_text[i] : NULL;
		long long num = i < 4 ? 0 : bad_num[i - 4];

		errno = 0;
		ck_assert_int_eq(sb_rlimit_parse("core", text, num, &r, err, sizeof(err)), -1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_str_eq(err, "limit \"core\": expected a number >= 0 or \"infinity\"");
		ck_assert_mem_eq(&r, &keep, sizeof(r));	/* untouched on failure */
	}
}
END_TEST

static long long nr_open(void)
{
	FILE *f = fopen("/proc/sys/fs/nr_open", "r");
	long long v;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%lld", &v), 1);
	fclose(f);
	return v;
}

START_TEST(parse_bounds)
{
	struct sb_rlimit r;
	char err[160], want[160];
	long long max = nr_open();

	ck_assert_int_eq(sb_rlimit_parse("nofile", NULL, 1024, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.resource, RLIMIT_NOFILE);
	ck_assert_uint_eq(r.lim.rlim_cur, 1024);
	ck_assert_uint_eq(r.lim.rlim_max, 1024);
	ck_assert_int_eq(sb_rlimit_parse("as", "infinity", 0, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.lim.rlim_cur, RLIM_INFINITY);
	ck_assert_uint_eq(r.lim.rlim_max, RLIM_INFINITY);
	ck_assert_int_eq(sb_rlimit_parse("core", NULL, 0, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.lim.rlim_max, 0);

	ck_assert_int_eq(sb_rlimit_parse("nice", NULL, 40, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(sb_rlimit_parse("nice", NULL, 41, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "limit \"nice\" is at most 40");
	ck_assert_int_eq(sb_rlimit_parse("nice", "infinity", 0, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "limit \"nice\" cannot be infinity; the most is 40");
	ck_assert_int_eq(sb_rlimit_parse("rtprio", NULL, 99, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(sb_rlimit_parse("rtprio", NULL, 100, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "limit \"rtprio\" is at most 99");

	ck_assert_int_eq(sb_rlimit_parse("nofile", NULL, max, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(sb_rlimit_parse("nofile", NULL, max + 1, &r, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(sb_rlimit_parse("nofile", "infinity", 0, &r, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "\"nofile\" cannot be infinity"));

	/* a limit that cannot be infinity does not offer it in its error */
	ck_assert_int_eq(sb_rlimit_parse("nofile", NULL, -1, &r, err, sizeof(err)), -1);
	snprintf(want, sizeof want, "limit \"nofile\": expected a number from 0 to %lld (fs.nr_open)", max);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(sb_rlimit_parse("nice", NULL, -1, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "limit \"nice\": expected a number from 0 to 40");
	ck_assert_int_eq(sb_rlimit_parse("rtprio", "lots", 0, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "limit \"rtprio\": expected a number from 0 to 99");
	ck_assert_int_eq(sb_rlimit_parse("core", NULL, -1, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "limit \"core\": expected a number >= 0 or \"infinity\"");
	ck_assert_int_eq(sb_rlimit_parse("rss", NULL, 1, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "limit \"rss\" is not enforced by Linux; use \"as\" or \"data\"");
	ck_assert_int_eq(sb_rlimit_parse("nofle", NULL, 1, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown limit \"nofle\"");
}
END_TEST

struct probe {
	const struct sb_rlimit *v;
	size_t n;
	/* written by the child */
	const char *step;
	int err;
	struct rlimit got[3];
	int open_errno;		/* errno of the open just past the nofile limit */
	int mmap_errno;		/* errno of a 64 MiB mapping */
	uid_t uid;		/* with try_fork: switch to it, then fork */
	bool try_fork;
	int fork_errno;
};

CHILD_SIDE static int probe_main(void *arg)
{
	struct probe *pr = arg;
	int fd;

	if (sb_rlimits_apply(pr->v, pr->n, &pr->step) < 0) {
		pr->err = errno;
		_exit(1);
	}
	getrlimit(RLIMIT_NOFILE, &pr->got[0]);
	getrlimit(RLIMIT_CORE, &pr->got[1]);
	getrlimit(RLIMIT_AS, &pr->got[2]);
	if (pr->try_fork) {
		long child;

		/* raw calls, as privs.c makes them: glibc's would signal the
		 * threads of the process whose memory this child shares */
		if (syscall(SYS_setgroups, 0, NULL) < 0 ||
		    syscall(SYS_setresgid, pr->uid, pr->uid, pr->uid) < 0 ||
		    syscall(SYS_setresuid, pr->uid, pr->uid, pr->uid) < 0)
			_exit(3);
		/* a plain fork (own copy of memory) that exits at once */
		child = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
		if (child == 0)
			syscall(SYS_exit_group, 0);
		pr->fork_errno = child < 0 ? errno : 0;
		if (child > 0 && syscall(SYS_wait4, child, NULL, 0, NULL) != child)
			_exit(4);
		_exit(0);
	}
	/* raw mmap: no sanitizer interceptor in this child */
	pr->mmap_errno = syscall(SYS_mmap, NULL, 64UL << 20, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == -1 ? errno : 0;
	/* fill the table up to the limit; the next open must fail */
	pr->open_errno = 0;
	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		if (fd > 100000)
			_exit(2);
	pr->open_errno = errno;
	_exit(0);
}

static int run_probe(struct probe *pr)
{
	pr->step = NULL;
	pr->err = 0;
	return vfork_run(probe_main, pr);
}

/* Bytes of address space this process maps now: a limit just above it
 * leaves no room for 64 MiB more, with or without the sanitizers' shadow. */
static unsigned long long vm_size(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long long kib = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmSize: %llu kB", &kib) == 1)
			break;
	fclose(f);
	ck_assert_uint_gt(kib, 0);
	return kib << 10;
}

START_TEST(applied_in_child)
{
	struct sb_rlimit v[3];
	struct probe pr = { .v = v, .n = 3 };
	struct rlimit mine;
	char err[128];
	unsigned long long as = vm_size() + (16ULL << 20);

	ck_assert_int_eq(sb_rlimit_parse("nofile", NULL, 16, &v[0], err, sizeof(err)), 0);
	ck_assert_int_eq(sb_rlimit_parse("core", NULL, 0, &v[1], err, sizeof(err)), 0);
	ck_assert_int_eq(sb_rlimit_parse("as", NULL, (long long)as, &v[2], err, sizeof(err)), 0);
	ck_assert_int_eq(run_probe(&pr), 0);
	ck_assert_uint_eq(pr.got[0].rlim_cur, 16);
	ck_assert_uint_eq(pr.got[0].rlim_max, 16);
	ck_assert_uint_eq(pr.got[1].rlim_cur, 0);
	ck_assert_uint_eq(pr.got[1].rlim_max, 0);
	ck_assert_uint_eq(pr.got[2].rlim_max, as);
	ck_assert_int_eq(pr.open_errno, EMFILE);
	ck_assert_int_eq(pr.mmap_errno, ENOMEM);

	/* the daemon's own limits are untouched */
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &mine), 0);
	ck_assert_uint_ne(mine.rlim_max, 16);
}
END_TEST

/* Without limits the same mapping succeeds: the probe can tell. */
START_TEST(mmap_fits_without_as)
{
	struct probe pr = { .v = NULL, .n = 0 };

	ck_assert_int_eq(run_probe(&pr), 0);
	ck_assert_int_eq(pr.mmap_errno, 0);
}
END_TEST

/* nproc binds the uid the actor switches to: set before the switch (as
 * the confinement order has it), it counts that uid's processes. */
START_TEST(nproc_binds_after_uid_switch)
{
	struct sb_rlimit v[1];
	struct probe pr = { .v = v, .n = 1, .try_fork = true, .uid = h_unused_id() };
	char err[128];

	/* the actor itself is the one process allowed */
	ck_assert_int_eq(sb_rlimit_parse("nproc", NULL, 1, &v[0], err, sizeof(err)), 0);
	ck_assert_int_eq(run_probe(&pr), 0);
	ck_assert_int_eq(pr.fork_errno, EAGAIN);

	/* room for one more: the fork goes through */
	ck_assert_int_eq(sb_rlimit_parse("nproc", NULL, 2, &v[0], err, sizeof(err)), 0);
	pr.fork_errno = -1;
	ck_assert_int_eq(run_probe(&pr), 0);
	ck_assert_int_eq(pr.fork_errno, 0);
}
END_TEST

/* The uid the nproc probe switches to is this process's alone: check_privs,
 * run beside by make -j2 check, switches to h_unused_id too, and one of
 * its processes under the same id took the one fork nproc 2 leaves. */
START_TEST(another_process_gets_another_unused_id)
{
	uid_t mine = h_unused_id();
	int pfd[2], ws;
	uid_t theirs = 0;
	pid_t pid;

	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		theirs = h_unused_id();
		_exit(write(pfd[1], &theirs, sizeof theirs) == sizeof theirs ? 0 : 1);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], &theirs, sizeof theirs), (ssize_t)sizeof theirs);
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	ck_assert_uint_ne(mine, theirs);
}
END_TEST

START_TEST(empty_list)
{
	struct probe pr = { .v = NULL, .n = 0 };
	struct rlimit mine;

	ck_assert_int_eq(run_probe(&pr), 0);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &mine), 0);
	ck_assert_uint_eq(pr.got[0].rlim_max, mine.rlim_max);
}
END_TEST

/* The kernel refuses nofile beyond fs.nr_open even for root: the failing
 * step is named, and the limits before it were applied. */
START_TEST(failure_names_the_step)
{
	struct sb_rlimit v[2];
	struct probe pr = { .v = v, .n = 2 };
	char err[128];

	ck_assert_int_eq(sb_rlimit_parse("core", NULL, 0, &v[0], err, sizeof(err)), 0);
	ck_assert_int_eq(sb_rlimit_parse("nofile", NULL, nr_open(), &v[1], err, sizeof(err)), 0);
	/* one past what the parser lets through */
	v[1].lim.rlim_cur = v[1].lim.rlim_max = (rlim_t)nr_open() + 1;
	ck_assert_int_eq(run_probe(&pr), 1);
	ck_assert_str_eq(pr.step, "setrlimit(RLIMIT_NOFILE)");
	ck_assert_int_eq(pr.err, EPERM);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("rlimits");
	TCase *tc = tcase_create("rlimits");

	tcase_add_test(tc, names_resolve);
	tcase_add_test(tc, unknown_and_rss);
	tcase_add_test(tc, values);
	tcase_add_test(tc, parse_bounds);
	tcase_add_test(tc, applied_in_child);
	tcase_add_test(tc, mmap_fits_without_as);
	tcase_add_test(tc, empty_list);
	tcase_add_test(tc, failure_names_the_step);
	tcase_add_test(tc, another_process_gets_another_unused_id);
	if (geteuid() == 0)
		tcase_add_test(tc, nproc_binds_after_uid_switch);
	else
		fprintf(stderr, "check_rlimits: not root, skipping the nproc test\n");
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
