/* Privilege plans applied in a real child started the way the spawner
 * starts actors (clone CLONE_VM|CLONE_VFORK), read back from the kernel's own
 * /proc/self/status, before and after exec. Needs root. */

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/daemon/privs.h"
#include "tests/common/proc.h"
#include "tests/common/runner.h"
#include "tests/common/vfork.h"

#define BIT(c) (UINT64_C(1) << (c))

enum probe_mode {
	PROBE_EXEC_CAT,		/* exec cat (or pr->cat) /proc/self/status */
	PROBE_IN_CHILD,		/* copy /proc/self/status, then try a privileged bind */
};

struct probe {
	const struct sb_privs *plan;
	const struct sb_privs *plan2;	/* applied after plan, when set */
	enum probe_mode mode;
	int out;			/* write end of the report pipe */
	uint16_t port;			/* privileged port to try, PROBE_IN_CHILD */
	const char *cat;		/* the cat to exec, when not /bin/cat */
	/* written by the child */
	const char *step;
	int err;
	int bind_errno;
};

/* What the kernel says about a process. */
struct status {
	uint64_t inh, prm, eff, bnd, amb;
	unsigned nnp;
	unsigned uid[4], gid[4];
	char groups[128];
	int seen;
};

CHILD_SIDE static int probe_main(void *arg)
{
	struct probe *pr = arg;
	char buf[512];
	ssize_t r;
	int fd;

	if (dup2(pr->out, 1) < 0)
		_exit(120);
	if (sb_privs_apply(pr->plan, &pr->step) < 0 ||
	    (pr->plan2 && sb_privs_apply(pr->plan2, &pr->step) < 0)) {
		pr->err = errno;
		_exit(121);
	}
	if (pr->mode == PROBE_EXEC_CAT) {
		char *const argv[] = { "cat", "/proc/self/status", NULL };
		char *const envp[] = { NULL };
		execve(pr->cat ? pr->cat : "/bin/cat", argv, envp);
		pr->err = errno;
		pr->step = "execve";
		_exit(122);
	}
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(123);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)r) != r)
			_exit(124);
	close(fd);

	/* does the kernel let this process bind a privileged port? */
	struct sockaddr_in sin = { .sin_family = AF_INET };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pr->bind_errno = -1;
	for (uint16_t port = pr->port; port > pr->port - 100; port--) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			_exit(125);
		sin.sin_port = htons(port);
		pr->bind_errno = bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 ? errno : 0;
		close(s);
		if (pr->bind_errno != EADDRINUSE)
			break;
	}
	_exit(0);
}

static uint64_t hexfield(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	ck_assert_msg(p != NULL, "no %s in status", key);
	return strtoull(p + strlen(key), NULL, 16);
}

/* Run one probe; returns the child's exit status, fills *st from its report. */
static int run_probe(struct probe *pr, struct status *st)
{
	char text[8192];
	size_t len = 0;
	ssize_t r;
	int pfd[2], ws;
	pid_t pid;
	const char *p;

	memset(st, 0, sizeof(*st));
	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	pr->out = pfd[1];
	pr->step = NULL;
	pr->err = 0;
	pid = vfork_start(probe_main, pr);
	close(pfd[1]);
	while ((r = read(pfd[0], text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)r;
	close(pfd[0]);
	text[len] = '\0';
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	ck_assert(WIFEXITED(ws));
	if (WEXITSTATUS(ws) != 0)
		return WEXITSTATUS(ws);

	st->inh = hexfield(text, "CapInh:");
	st->prm = hexfield(text, "CapPrm:");
	st->eff = hexfield(text, "CapEff:");
	st->bnd = hexfield(text, "CapBnd:");
	st->amb = hexfield(text, "CapAmb:");
	st->nnp = (unsigned)hexfield(text, "NoNewPrivs:");
	p = strstr(text, "Uid:");
	ck_assert_int_eq(sscanf(p, "Uid: %u %u %u %u", &st->uid[0], &st->uid[1],
				&st->uid[2], &st->uid[3]), 4);
	p = strstr(text, "Gid:");
	ck_assert_int_eq(sscanf(p, "Gid: %u %u %u %u", &st->gid[0], &st->gid[1],
				&st->gid[2], &st->gid[3]), 4);
	p = strstr(text, "Groups:");
	ck_assert_ptr_nonnull(p);
	p += strlen("Groups:");
	size_t g = strcspn(p, "\n");
	ck_assert_uint_lt(g, sizeof(st->groups));
	memcpy(st->groups, p, g);
	st->groups[g] = '\0';
	st->seen = 1;
	return 0;
}

static struct sb_privs plan(bool change_ids, uid_t id, uint64_t keep)
{
	struct sb_privs p = {
		.change_ids = change_ids, .uid = id, .gid = id, .keep_caps = keep,
		.last_cap = sb_privs_last_cap(),
	};
	ck_assert_int_ge(p.last_cap, 0);
	return p;
}

static void assert_ids(const struct status *st, unsigned uid, unsigned gid)
{
	for (int i = 0; i < 4; i++) {
		ck_assert_uint_eq(st->uid[i], uid);
		ck_assert_uint_eq(st->gid[i], gid);
	}
}

static bool only_blanks(const char *s)
{
	return s[strspn(s, " \t")] == '\0';
}

static uint16_t privileged_port(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "r");
	int start = 1024;

	if (f) {
		if (fscanf(f, "%d", &start) != 1)
			start = 1024;
		fclose(f);
	}
	/* below 101 there is no room for the probe's retries */
	return start > 101 ? (uint16_t)(start - 1) : 0;
}

START_TEST(parse_names)
{
	const char *names[] = { "CAP_NET_BIND_SERVICE", "net_raw", "Cap_Chown", "SYS_ptrace" };
	char err[128] = "";
	uint64_t bits = 0xdead;

	ck_assert_int_eq(sb_caps_parse(names, 4, &bits, err, sizeof(err)), 0);
	ck_assert_uint_eq(bits, BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_RAW) |
				BIT(CAP_CHOWN) | BIT(CAP_SYS_PTRACE));
	ck_assert_int_eq(sb_caps_parse(names, 0, &bits, err, sizeof(err)), 0);
	ck_assert_uint_eq(bits, 0);
	/* a repeated name is the same bit */
	const char *twice[] = { "chown", "CAP_CHOWN" };
	ck_assert_int_eq(sb_caps_parse(twice, 2, &bits, err, sizeof(err)), 0);
	ck_assert_uint_eq(bits, BIT(CAP_CHOWN));
}
END_TEST

START_TEST(parse_rejects)
{
	/* libcap alone would take several of these */
	static const char *const bad[] = {
		"CAP_NET_BIND", "net_bind_servicex", "cap_chown,cap_kill", "12",
		"cap_41", " cap_chown", "", "cap_", "all",
		"cap_chown_and_a_very_long_tail_that_goes_on_for_more_than_sixty_chars",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[160] = "", want[160];
		uint64_t bits = 7;
		const char *one[] = { bad[i] };

		errno = 0;
		ck_assert_int_eq(sb_caps_parse(one, 1, &bits, err, sizeof(err)), -1);
		ck_assert_int_eq(errno, EINVAL);
		snprintf(want, sizeof(want), "unknown capability \"%s\"", bad[i]);
		ck_assert_str_eq(err, want);
		ck_assert_uint_eq(bits, 7);	/* untouched on failure */
	}
}
END_TEST

START_TEST(user_lookup)
{
	char err[128] = "";
	gid_t *groups = NULL;
	size_t n = 0;
	uid_t uid = 1;
	gid_t gid = 1;
	bool has_primary = false;

	ck_assert_int_eq(sb_user_lookup("root", &uid, &gid, &groups, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(uid, 0);
	ck_assert_uint_eq(gid, 0);
	ck_assert_uint_ge(n, 1);
	for (size_t i = 0; i < n; i++)
		has_primary |= groups[i] == 0;
	ck_assert(has_primary);
	free(groups);

	groups = NULL;
	errno = 0;
	ck_assert_int_eq(sb_user_lookup("no-such-user-check-privs", &uid, &gid, &groups, &n,
					err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(err, "no such user \"no-such-user-check-privs\"");
	ck_assert_ptr_null(groups);
	ck_assert_uint_eq(uid, 0);	/* untouched on failure */
}
END_TEST

START_TEST(last_cap_matches_kernel)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int want;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &want), 1);
	fclose(f);
	ck_assert_int_eq(sb_privs_last_cap(), want);
	ck_assert_int_eq(sb_privs_last_cap(), (int)cap_max_bits() - 1);
}
END_TEST

/* A root actor with no caps: root in name only, before and after exec. */
START_TEST(root_without_caps)
{
	struct sb_privs p = plan(false, 0, 0);
	struct probe pr = { .plan = &p, .mode = PROBE_EXEC_CAT };
	struct status st;

	ck_assert_int_eq(run_probe(&pr, &st), 0);
	assert_ids(&st, 0, 0);
	ck_assert_uint_eq(st.prm, 0);
	ck_assert_uint_eq(st.eff, 0);
	ck_assert_uint_eq(st.inh, 0);
	ck_assert_uint_eq(st.bnd, 0);
	ck_assert_uint_eq(st.amb, 0);
	ck_assert_uint_eq(st.nnp, 1);
}
END_TEST

/* Give this (Check-forked) test process an inheritable and ambient cap,
 * as a daemon started with AmbientCapabilities= would have. */
static void daemon_has_ambient(cap_value_t c)
{
	cap_t caps = cap_get_proc();

	ck_assert_ptr_nonnull(caps);
	ck_assert_int_eq(cap_set_flag(caps, CAP_INHERITABLE, 1, &c, CAP_SET), 0);
	ck_assert_int_eq(cap_set_proc(caps), 0);
	cap_free(caps);
	ck_assert_int_eq(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0), 0);
}

START_TEST(root_keeps_one_cap)
{
	struct sb_privs p = plan(false, 0, BIT(CAP_NET_BIND_SERVICE));
	struct probe pr = { .plan = &p, .mode = PROBE_EXEC_CAT };
	struct status st;

	daemon_has_ambient(CAP_KILL);
	ck_assert_int_eq(run_probe(&pr, &st), 0);
	assert_ids(&st, 0, 0);
	ck_assert_uint_eq(st.prm, BIT(CAP_NET_BIND_SERVICE));
	ck_assert_uint_eq(st.eff, BIT(CAP_NET_BIND_SERVICE));
	ck_assert_uint_eq(st.bnd, BIT(CAP_NET_BIND_SERVICE));
	ck_assert_uint_eq(st.amb, BIT(CAP_NET_BIND_SERVICE));	/* not CAP_KILL */
	ck_assert_uint_eq(st.inh, BIT(CAP_NET_BIND_SERVICE));
}
END_TEST

START_TEST(new_ids_without_caps)
{
	uid_t id = h_unused_id();
	struct sb_privs p = plan(true, id, 0);
	struct probe pr = { .plan = &p, .mode = PROBE_EXEC_CAT };
	struct status st;
	gid_t extra[] = { 4, 27 };

	/* the daemon's supplementary groups (this test process's, forked by
	 * Check) must not reach the actor */
	ck_assert_int_eq(setgroups(2, extra), 0);
	ck_assert_int_eq(run_probe(&pr, &st), 0);
	assert_ids(&st, id, id);
	ck_assert_msg(only_blanks(st.groups), "groups left: %s", st.groups);
	ck_assert_uint_eq(st.prm | st.eff | st.inh | st.bnd | st.amb, 0);
	ck_assert_uint_eq(st.nnp, 1);

	/* before exec too: exec resets the saved ids, so only this shows
	 * that none of them kept root */
	pr.mode = PROBE_IN_CHILD;
	pr.port = 1023;
	ck_assert_int_eq(run_probe(&pr, &st), 0);
	assert_ids(&st, id, id);
	ck_assert_uint_eq(st.prm | st.eff | st.inh | st.bnd | st.amb, 0);
}
END_TEST

/* The point of ambient: a non-root actor keeps exactly its cap across exec. */
START_TEST(new_ids_keep_cap_across_exec)
{
	uid_t id = h_unused_id();
	struct sb_privs p = plan(true, id, BIT(CAP_NET_BIND_SERVICE));
	struct probe pr = { .plan = &p, .mode = PROBE_EXEC_CAT };
	struct status st;

	ck_assert_int_eq(run_probe(&pr, &st), 0);
	assert_ids(&st, id, id);
	ck_assert_uint_eq(st.amb, BIT(CAP_NET_BIND_SERVICE));
	ck_assert_uint_eq(st.prm, BIT(CAP_NET_BIND_SERVICE));
	ck_assert_uint_eq(st.eff, BIT(CAP_NET_BIND_SERVICE));
	ck_assert_uint_eq(st.inh, BIT(CAP_NET_BIND_SERVICE));
	ck_assert_uint_eq(st.bnd, BIT(CAP_NET_BIND_SERVICE));
	ck_assert_uint_eq(st.nnp, 1);	/* ambient passes exec under it */
}
END_TEST

/* A named user's supplementary groups replace the daemon's. */
START_TEST(new_ids_with_groups)
{
	uid_t id = h_unused_id();
	gid_t groups[] = { 4, 27 };
	gid_t daemon_groups[] = { 1, 2 };
	struct sb_privs p = plan(true, id, 0);
	struct probe pr = { .plan = &p, .mode = PROBE_EXEC_CAT };
	struct status st;

	p.groups = groups;
	p.ngroups = 2;
	ck_assert_int_eq(setgroups(2, daemon_groups), 0);
	ck_assert_int_eq(run_probe(&pr, &st), 0);
	assert_ids(&st, id, id);
	ck_assert_str_eq(st.groups + strspn(st.groups, " \t"), "4 27 ");
}
END_TEST

/* Copy /bin/cat to path as a setuid-root binary. */
static void setuid_cat(const char *path)
{
	char buf[65536];
	ssize_t r;
	int in = open("/bin/cat", O_RDONLY | O_CLOEXEC);
	int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);

	ck_assert_int_ge(in, 0);
	ck_assert_int_ge(out, 0);
	while ((r = read(in, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(out, buf, (size_t)r), r);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(fchown(out, 0, 0), 0);
	ck_assert_int_eq(fchmod(out, 04755), 0);
	close(in);
	close(out);
}

/* The effective uid a setuid-root cat reports when run as id with no
 * confinement at all: shows the binary works here. */
static unsigned euid_without_plan(const char *cat, uid_t id)
{
	char text[8192];
	unsigned uid[2] = { 0, 0 };
	size_t len = 0;
	ssize_t r;
	int pfd[2], ws;
	pid_t pid;
	const char *p;

	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *const argv[] = { "cat", "/proc/self/status", NULL };
		char *const envp[] = { NULL };

		if (dup2(pfd[1], 1) < 0 || syscall(SYS_setgroups, 0, NULL) < 0 ||
		    syscall(SYS_setresgid, id, id, id) < 0 ||
		    syscall(SYS_setresuid, id, id, id) < 0)
			_exit(2);
		execve(cat, argv, envp);
		_exit(3);
	}
	close(pfd[1]);
	while (len < sizeof(text) - 1 &&
	       (r = read(pfd[0], text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)r;
	text[len] = '\0';
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	p = strstr(text, "Uid:");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p, "Uid: %u %u", &uid[0], &uid[1]), 2);
	return uid[1];
}

/* A setuid binary gives the actor nothing: no_new_privs keeps the euid. The
 * binary sits on a tmpfs without nosuid, in a mount namespace of this test
 * alone. */
START_TEST(setuid_binary_gives_nothing)
{
	const char *cat = "/run/check-privs-suid-cat";
	uid_t id = h_unused_id();
	struct sb_privs p = plan(true, id, 0);
	struct probe pr = { .plan = &p, .mode = PROBE_EXEC_CAT, .cat = cat };
	struct status st;

	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount("tmpfs", "/run", "tmpfs", 0, "mode=0755"), 0);
	setuid_cat(cat);
	ck_assert_uint_eq(euid_without_plan(cat, id), 0);

	ck_assert_int_eq(run_probe(&pr, &st), 0);
	assert_ids(&st, id, id);
	ck_assert_uint_eq(st.prm | st.eff | st.inh | st.bnd | st.amb, 0);
	ck_assert_uint_eq(st.nnp, 1);
}
END_TEST

/* The kernel, not just /proc, agrees: the kept cap works, a dropped one
 * does not. */
START_TEST(privileged_bind_follows_plan)
{
	uint16_t port = privileged_port();
	uid_t id = h_unused_id();
	struct sb_privs keep = plan(true, id, BIT(CAP_NET_BIND_SERVICE));
	struct sb_privs none = plan(true, id, 0);
	struct probe pr = { .mode = PROBE_IN_CHILD, .port = port };
	struct status st;

	if (!port)
		return;	/* every port is unprivileged here: nothing to probe */
	pr.plan = &keep;
	ck_assert_int_eq(run_probe(&pr, &st), 0);
	ck_assert_int_eq(pr.bind_errno, 0);
	ck_assert_uint_eq(st.eff, BIT(CAP_NET_BIND_SERVICE));

	pr.plan = &none;
	ck_assert_int_eq(run_probe(&pr, &st), 0);
	ck_assert_int_eq(pr.bind_errno, EACCES);
	ck_assert_uint_eq(st.eff, 0);
}
END_TEST

/* Once dropped, nothing comes back: a second plan asking for root fails at
 * the first call that needs a capability, and says which. */
START_TEST(failure_names_the_step)
{
	uid_t id = h_unused_id();
	struct sb_privs first = plan(true, id, 0);
	struct sb_privs back = plan(true, 0, 0);
	struct sb_privs regain = plan(false, 0, BIT(CAP_CHOWN));
	struct probe pr = { .plan = &first, .plan2 = &back, .mode = PROBE_EXEC_CAT };
	struct status st;

	ck_assert_int_eq(run_probe(&pr, &st), 121);
	ck_assert_str_eq(pr.step, "setgroups");
	ck_assert_int_eq(pr.err, EPERM);

	/* a cap given up cannot be kept by a later plan */
	pr.plan2 = &regain;
	ck_assert_int_eq(run_probe(&pr, &st), 121);
	ck_assert_str_eq(pr.step, "capset");
	ck_assert_int_eq(pr.err, EPERM);
}
END_TEST

START_TEST(invalid_plan_refused)
{
	struct sb_privs p = plan(false, 0, 0);
	struct probe pr = { .plan = &p, .mode = PROBE_EXEC_CAT };
	struct status st;

	p.last_cap = 64;
	ck_assert_int_eq(run_probe(&pr, &st), 121);
	ck_assert_str_eq(pr.step, "check privilege plan");
	ck_assert_int_eq(pr.err, EINVAL);

	p.last_cap = -1;
	ck_assert_int_eq(run_probe(&pr, &st), 121);
	ck_assert_int_eq(pr.err, EINVAL);

	/* a kept bit the kernel does not have */
	p = plan(false, 0, 0);
	p.keep_caps = BIT(p.last_cap + 1);
	ck_assert_int_eq(run_probe(&pr, &st), 121);
	ck_assert_str_eq(pr.step, "check privilege plan");

	/* (uid_t)-1 is "unchanged" to setresuid: it would stay root */
	p = plan(true, (uid_t)-1, 0);
	ck_assert_int_eq(run_probe(&pr, &st), 121);
	ck_assert_str_eq(pr.step, "check privilege plan");
	p = plan(true, 61184, 0);
	p.gid = (gid_t)-1;
	ck_assert_int_eq(run_probe(&pr, &st), 121);
	ck_assert_str_eq(pr.step, "check privilege plan");
	p = plan(true, 61184, 0);
	p.ngroups = 1;		/* and no array */
	ck_assert_int_eq(run_probe(&pr, &st), 121);
	ck_assert_str_eq(pr.step, "check privilege plan");
	ck_assert_int_eq(pr.err, EINVAL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("privs");
	TCase *parse = tcase_create("parse");
	TCase *apply = tcase_create("apply");

	tcase_add_test(parse, parse_names);
	tcase_add_test(parse, parse_rejects);
	tcase_add_test(parse, last_cap_matches_kernel);
	tcase_add_test(parse, user_lookup);
	suite_add_tcase(s, parse);

	if (geteuid() == 0) {
		tcase_add_test(apply, root_without_caps);
		tcase_add_test(apply, root_keeps_one_cap);
		tcase_add_test(apply, new_ids_without_caps);
		tcase_add_test(apply, new_ids_keep_cap_across_exec);
		tcase_add_test(apply, new_ids_with_groups);
		tcase_add_test(apply, setuid_binary_gives_nothing);
		tcase_add_test(apply, privileged_bind_follows_plan);
		tcase_add_test(apply, failure_names_the_step);
		tcase_add_test(apply, invalid_plan_refused);
		suite_add_tcase(s, apply);
	} else {
		fprintf(stderr, "check_privs: not root, skipping the apply tests\n");
	}
	return s;
}

const struct test_suite test_suite = { .suite = suite };
