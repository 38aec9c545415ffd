/* The confinement sequence, applied in a CLONE_VM|CLONE_VFORK child as
 * the spawner runs it, then read back from inside that child: what a
 * whole sequence leaves, and for plans that fail at a known step, that
 * the step and errno are reported, the steps before it ran and the steps
 * after it did not. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/child/confine.h"
#include "sandbox/daemon/privs.h"
#include "sandbox/daemon/rlimits.h"
#include "tests/common/runner.h"
#include "tests/common/vfork.h"

/* a non-CLOEXEC fd beyond the plan: the fd step marks it CLOEXEC */
#define MARKER_FD 40

static int lifted[3];	/* the plan's scratch: outlives the probe's copies */

struct probe {
	struct sb_confine_plan plan;
	/* written by the child */
	int rc, err;
	enum sb_confine_step step;
	const char *detail;
	pid_t pid, sid;
	int pdeathsig, nnp, seccomp;
	bool marker_cloexec;
	int fd_flags[3];
	char cwd[256];
	struct rlimit nofile;
	uint32_t cap_eff;
	void (*term)(int);		/* SIGTERM's disposition */
};

CHILD_SIDE static int probe_main(void *arg)
{
	struct probe *p = arg;
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[2] = { { 0 } };
	struct sigaction term;

	p->rc = sb_confine_apply(&p->plan, &p->step, &p->detail);
	p->err = p->rc < 0 ? errno : 0;
	p->pid = getpid();
	p->sid = getsid(0);
	prctl(PR_GET_PDEATHSIG, &p->pdeathsig);
	p->nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	p->seccomp = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
	p->marker_cloexec = fcntl(MARKER_FD, F_GETFD) == FD_CLOEXEC;
	for (int i = 0; i < 3; i++)
		p->fd_flags[i] = fcntl(i, F_GETFD);
	if (!getcwd(p->cwd, sizeof p->cwd))
		p->cwd[0] = '\0';
	getrlimit(RLIMIT_NOFILE, &p->nofile);
	if (syscall(SYS_capget, &hdr, caps) == 0)
		p->cap_eff = caps[0].effective;
	sigaction(SIGTERM, NULL, &term);
	p->term = term.sa_handler;
	_exit(0);
}

static int stdio_fds[3];
static const int reset[] = { SIGTERM };

/* A plan that succeeds: stdio mapped from fds above the target range, "/"
 * as cwd, SIGTERM reset, nofile one below the current soft limit, no
 * namespaces, privileges or filter. Each test breaks one thing. */
static struct probe plan(void)
{
	struct probe p = { 0 };

	for (int i = 0; i < 3; i++) {
		stdio_fds[i] = fcntl(i, F_DUPFD_CLOEXEC, 20);
		ck_assert_int_ge(stdio_fds[i], 0);
	}
	ck_assert_int_eq(dup2(stdio_fds[0], MARKER_FD), MARKER_FD);
	p.plan = (struct sb_confine_plan){
		.fds = stdio_fds, .nfds = 3, .lifted = lifted, .cwd = "/", .daemon_pid = getpid(),
		.reset_signals = reset, .nreset_signals = 1, .handoff_fd = -1,
	};
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &p.plan.nofile), 0);
	p.plan.nofile.rlim_cur--;
	signal(SIGTERM, SIG_IGN);
	return p;
}

static void run(struct probe *p)
{
	ck_assert_int_eq(vfork_run(probe_main, p), 0);
}

static void expect_failed_at(const struct probe *p, enum sb_confine_step step, int err)
{
	ck_assert_int_eq(p->rc, -1);
	ck_assert_msg(p->step == step, "failed at step %d, not %d", (int)p->step, (int)step);
	ck_assert_int_eq(p->err, err);
}

START_TEST(the_whole_sequence)
{
	struct probe p = plan();
	char here[256];

	ck_assert_ptr_nonnull(getcwd(here, sizeof here));
	ck_assert_str_ne(here, "/");
	run(&p);
	ck_assert_int_eq(p.rc, 0);
	ck_assert_int_eq(p.step, SB_CONFINE_EXEC);
	ck_assert_ptr_null(p.detail);
	ck_assert(p.term == SIG_DFL);			/* signals */
	ck_assert_int_eq(p.sid, p.pid);			/* session */
	ck_assert_int_eq(p.pdeathsig, SIGKILL);		/* parent-death signal */
	for (int i = 0; i < 3; i++)			/* fds: dup2 cleared CLOEXEC */
		ck_assert_int_eq(p.fd_flags[i], 0);
	ck_assert(p.marker_cloexec);			/* the rest closes at exec */
	ck_assert_str_eq(p.cwd, "/");			/* cwd */
	ck_assert_uint_eq(p.nofile.rlim_cur, p.plan.nofile.rlim_cur);	/* rlimits */
	ck_assert_uint_eq(p.cap_eff, 0);		/* capabilities */
	ck_assert_int_eq(p.nnp, 1);			/* no_new_privs */
	ck_assert_int_eq(p.seccomp, 0);			/* no filter in this plan */
}
END_TEST

/* Not the daemon's child any more: the parent-death signal would never
 * come. Session before it ran, fds after it did not. */
START_TEST(an_orphan_stops_at_pdeathsig)
{
	struct probe p = plan();

	p.plan.daemon_pid = 1;
	run(&p);
	expect_failed_at(&p, SB_CONFINE_PDEATHSIG, ESRCH);
	ck_assert_int_eq(p.sid, p.pid);
	ck_assert(!p.marker_cloexec);
}
END_TEST

START_TEST(a_closed_fd_stops_at_fds)
{
	struct probe p = plan();

	close(stdio_fds[2]);
	run(&p);
	expect_failed_at(&p, SB_CONFINE_FDS, EBADF);
	ck_assert_int_eq(p.pdeathsig, SIGKILL);
	ck_assert_str_ne(p.cwd, "/");
}
END_TEST

START_TEST(a_missing_cwd_stops_at_cwd)
{
	struct probe p = plan();
	struct rlimit mine;

	p.plan.cwd = "/nonexistent/check-confine";
	run(&p);
	expect_failed_at(&p, SB_CONFINE_CWD, ENOENT);
	ck_assert(p.marker_cloexec);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &mine), 0);
	ck_assert_uint_eq(p.nofile.rlim_cur, mine.rlim_cur);
}
END_TEST

/* The kernel refuses nofile beyond fs.nr_open, root or not. */
START_TEST(a_refused_limit_stops_at_rlimits)
{
	struct probe p = plan();
	struct sb_rlimit lim;
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");
	long long nr_open;
	char err[128];

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%lld", &nr_open), 1);
	fclose(f);
	ck_assert_int_eq(sb_rlimit_parse("nofile", NULL, nr_open, &lim, err, sizeof err), 0);
	lim.lim.rlim_cur = lim.lim.rlim_max = (rlim_t)nr_open + 1;
	p.plan.limits = &lim;
	p.plan.nlimits = 1;
	run(&p);
	expect_failed_at(&p, SB_CONFINE_RLIMITS, EPERM);
	ck_assert_str_eq(p.detail, "setrlimit(RLIMIT_NOFILE)");
	ck_assert_str_eq(p.cwd, "/");
	ck_assert_int_eq(p.nnp, 0);
}
END_TEST

START_TEST(a_missing_path_stops_at_namespaces)
{
	static const char *const ro[] = { "/nonexistent/check-confine" };
	struct sb_ns ns = { .read_only = ro, .nread_only = 1 };
	struct probe p = plan();

	p.plan.ns = &ns;
	run(&p);
	expect_failed_at(&p, SB_CONFINE_NAMESPACES, ENOENT);
	ck_assert_str_eq(p.detail, "bind-mount read_only path");
	ck_assert_uint_eq(p.nofile.rlim_cur, p.plan.nofile.rlim_cur);
	ck_assert_uint_ne(p.cap_eff, 0);
}
END_TEST

/* Without CAP_SETGID the supplementary groups cannot change: the ids
 * step, after the bounding set went (capabilities) and before
 * no_new_privs. */
START_TEST(no_setgid_stops_at_ids)
{
	struct probe p = plan();
	struct sb_privs privs = { .change_ids = true, .uid = 61999, .gid = 61999,
				  .last_cap = sb_privs_last_cap() };
	cap_value_t setgid = CAP_SETGID;
	cap_t caps = cap_get_proc();

	ck_assert_ptr_nonnull(caps);
	ck_assert_int_eq(cap_set_flag(caps, CAP_EFFECTIVE, 1, &setgid, CAP_CLEAR), 0);
	ck_assert_int_eq(cap_set_proc(caps), 0);
	cap_free(caps);
	p.plan.privs = &privs;
	run(&p);
	expect_failed_at(&p, SB_CONFINE_IDS, EPERM);
	ck_assert_str_eq(p.detail, "setgroups");
	ck_assert_int_eq(p.nnp, 0);
}
END_TEST

START_TEST(an_invalid_privilege_plan_stops_at_caps)
{
	struct probe p = plan();
	struct sb_privs privs = { .last_cap = 64 };

	p.plan.privs = &privs;
	run(&p);
	expect_failed_at(&p, SB_CONFINE_CAPS, EINVAL);
	ck_assert_str_eq(p.detail, "check privilege plan");
}
END_TEST

/* A program the kernel refuses: no_new_privs was set before it, and no
 * filter is in place after it. */
START_TEST(a_refused_program_stops_at_seccomp)
{
	struct probe p = plan();
	struct sock_filter bad = { .code = 0xffff };
	struct sb_filter f = { .insns = &bad, .prog = { .len = 1, .filter = &bad } };
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	p.plan.filter = &f;
	p.plan.handoff_fd = sv[1];
	run(&p);
	expect_failed_at(&p, SB_CONFINE_SECCOMP, EINVAL);
	ck_assert_str_eq(p.detail, "seccomp(SECCOMP_SET_MODE_FILTER)");
	ck_assert_int_eq(p.nnp, 1);
	ck_assert_int_eq(p.seccomp, 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("confine");
	TCase *tc = tcase_create("confine");
	TCase *root = tcase_create("root");

	tcase_add_test(tc, the_whole_sequence);
	tcase_add_test(tc, an_orphan_stops_at_pdeathsig);
	tcase_add_test(tc, a_closed_fd_stops_at_fds);
	tcase_add_test(tc, a_missing_cwd_stops_at_cwd);
	tcase_add_test(tc, a_refused_limit_stops_at_rlimits);
	tcase_add_test(tc, an_invalid_privilege_plan_stops_at_caps);
	tcase_add_test(tc, a_refused_program_stops_at_seccomp);
	suite_add_tcase(s, tc);
	if (geteuid() == 0) {
		tcase_add_test(root, a_missing_path_stops_at_namespaces);
		tcase_add_test(root, no_setgid_stops_at_ids);
		suite_add_tcase(s, root);
	} else {
		fprintf(stderr, "check_confine: not root, skipping the namespace and id steps\n");
	}
	return s;
}

const struct test_suite test_suite = { .suite = suite };
