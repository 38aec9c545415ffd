/* Namespaces applied in a CLONE_VM|CLONE_VFORK child, as the spawner runs
 * them, then probed from inside with plain system calls and from outside
 * by the test. Needs root. Each test runs in its own Check fork, which
 * first takes a private mount namespace so fixtures never reach the host. */

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>	/* ST_* flag values, shared with statfs */
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/daemon/namespaces.h"
#include "tests/common/runner.h"
#include "tests/common/vfork.h"

struct probe {
	const struct sb_ns *ns;
	void (*fn)(struct probe *);	/* runs in the child after sb_ns_apply */
	const char *path[4];
	const char *fspath[4];		/* statfs these into sfs, when set */
	int npath;
	uint16_t port;
	/* written by the child */
	const char *step;
	int err;
	int res[4];			/* 0 or the errno of the probe's operation i */
	struct stat st[4];
	struct statfs sfs[4];
	char text[4096];
	char link[2][64];
	int ifflags;
};

CHILD_SIDE static int try_create(const char *path)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

CHILD_SIDE static int probe_main(void *arg)
{
	struct probe *pr = arg;

	if (sb_ns_apply(pr->ns, &pr->step) < 0) {
		pr->err = errno;
		_exit(1);
	}
	pr->fn(pr);
	_exit(0);
}

static int run_probe(struct probe *pr)
{
	pr->step = NULL;
	pr->err = 0;
	return vfork_run(probe_main, pr);
}

/* The test's own mount namespace: private towards the host, so nothing it
 * mounts leaks out; then shared inside, as systemd sets up a host, so a
 * child mount that propagated back would show here. */
static void isolate_test(void)
{
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL), 0);
}

/* A scratch directory outside /tmp and /var/tmp, with a tmpfs of its own
 * mounted at DIR/sub. It lives on a tmpfs over /run that only this test's
 * namespace sees, so a failed test leaves nothing behind. */
static void scratch(char *dir, size_t len)
{
	char sub[256];

	ck_assert_int_eq(mount("tmpfs", "/run", "tmpfs", 0, "mode=0755"), 0);
	snprintf(dir, len, "/run/check-ns-%d", (int)getpid());
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(mount("tmpfs", dir, "tmpfs", 0, "mode=0755"), 0);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	ck_assert_int_eq(mount("tmpfs", sub, "tmpfs", 0, "mode=0755"), 0);
}

static void unscratch(const char *dir)
{
	char sub[256];

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	umount2(sub, MNT_DETACH);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	umount2("/run", MNT_DETACH);
}

CHILD_SIDE static void probe_tmp(struct probe *pr)
{
	for (int i = 0; i < pr->npath; i++)
		pr->res[i] = try_create(pr->path[i]);
	if (stat("/tmp", &pr->st[0]) < 0 || statfs("/tmp", &pr->sfs[0]) < 0 ||
	    stat("/var/tmp", &pr->st[1]) < 0 || statfs("/var/tmp", &pr->sfs[1]) < 0)
		_exit(2);
}

START_TEST(private_tmp_is_private)
{
	struct sb_ns ns = { .private_tmp = true };
	struct probe pr = { .ns = &ns, .fn = probe_tmp, .npath = 2 };
	char a[64], b[64];
	struct stat host_tmp, host_vartmp, after;

	isolate_test();
	snprintf(a, sizeof(a), "/tmp/check-ns-%d", (int)getpid());
	snprintf(b, sizeof(b), "/var/tmp/check-ns-%d", (int)getpid());
	pr.path[0] = a;
	pr.path[1] = b;
	ck_assert_int_eq(stat("/tmp", &host_tmp), 0);
	ck_assert_int_eq(stat("/var/tmp", &host_vartmp), 0);

	ck_assert_int_eq(run_probe(&pr), 0);
	ck_assert_int_eq(pr.res[0], 0);
	ck_assert_int_eq(pr.res[1], 0);
	for (int i = 0; i < 2; i++) {
		ck_assert_uint_ne(pr.st[i].st_dev, host_tmp.st_dev);
		ck_assert_uint_eq(pr.st[i].st_mode & 07777, 01777);
		ck_assert_int_eq(pr.sfs[i].f_type, TMPFS_MAGIC);
		ck_assert(pr.sfs[i].f_flags & ST_NOSUID);
		ck_assert(pr.sfs[i].f_flags & ST_NODEV);
	}
	ck_assert_uint_ne(pr.st[0].st_dev, pr.st[1].st_dev);	/* two tmpfs, not one */

	/* the files went to the child's tmpfs, gone with it; its mounts did
	 * not come back here */
	ck_assert_int_eq(stat("/tmp", &after), 0);
	ck_assert_uint_eq(after.st_dev, host_tmp.st_dev);
	ck_assert_int_eq(stat("/var/tmp", &after), 0);
	ck_assert_uint_eq(after.st_dev, host_vartmp.st_dev);
	errno = 0;
	ck_assert_int_eq(access(a, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(access(b, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* The same probe without the namespace: the file lands in the host's /tmp.
 * Shows the probe above can tell the difference. */
START_TEST(shared_tmp_without_it)
{
	struct sb_ns ns = { 0 };
	struct probe pr = { .ns = &ns, .fn = probe_tmp, .npath = 1 };
	char a[64];

	snprintf(a, sizeof(a), "/tmp/check-ns-%d", (int)getpid());
	pr.path[0] = a;
	ck_assert_int_eq(run_probe(&pr), 0);
	ck_assert_int_eq(pr.res[0], 0);
	ck_assert_int_eq(access(a, F_OK), 0);
	unlink(a);
}
END_TEST

CHILD_SIDE static void probe_write(struct probe *pr)
{
	for (int i = 0; i < pr->npath; i++) {
		pr->res[i] = try_create(pr->path[i]);
		if (pr->fspath[i] && (statfs(pr->fspath[i], &pr->sfs[i]) < 0 ||
				      stat(pr->fspath[i], &pr->st[i]) < 0))
			_exit(2);
	}
}

START_TEST(read_only_reaches_submounts)
{
	char dir[128], sub[160], f[160], subf[160], parent_f[160];
	const char *ro[1] = { dir };
	struct sb_ns ns = { .read_only = ro, .nread_only = 1 };
	struct probe pr = { .ns = &ns, .fn = probe_write, .npath = 2 };
	struct statfs host;
	struct stat host_sub;

	isolate_test();
	scratch(dir, sizeof(dir));
	snprintf(f, sizeof(f), "%s/x", dir);
	snprintf(subf, sizeof(subf), "%s/sub/x", dir);
	pr.path[0] = f;
	pr.path[1] = subf;
	pr.fspath[0] = dir;
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	pr.fspath[1] = sub;
	ck_assert_int_eq(stat(sub, &host_sub), 0);

	ck_assert_int_eq(run_probe(&pr), 0);
	ck_assert_int_eq(pr.res[0], EROFS);
	ck_assert_int_eq(pr.res[1], EROFS);
	for (int i = 0; i < 2; i++) {
		ck_assert(pr.sfs[i].f_flags & ST_RDONLY);
		ck_assert(pr.sfs[i].f_flags & ST_NOSUID);
	}
	/* the submount is still there, not hidden by the bind */
	ck_assert_uint_eq(pr.st[1].st_dev, host_sub.st_dev);
	ck_assert_uint_ne(pr.st[1].st_dev, pr.st[0].st_dev);

	/* still writable out here: nothing propagated back */
	ck_assert_int_eq(statfs(dir, &host), 0);
	ck_assert(!(host.f_flags & ST_RDONLY));
	snprintf(parent_f, sizeof(parent_f), "%s/sub/y", dir);
	ck_assert_int_eq(try_create(parent_f), 0);
	unscratch(dir);
}
END_TEST

/* read_only "/" with a private /tmp: the system is read-only, /tmp is not,
 * and /dev still works (no nodev reached it). */
START_TEST(read_only_root_keeps_private_tmp_writable)
{
	static const char *const ro[] = { "/" };
	struct sb_ns ns = { .private_tmp = true, .read_only = ro, .nread_only = 1 };
	struct probe pr = { .ns = &ns, .fn = probe_write, .npath = 3 };
	char top[64];

	isolate_test();
	snprintf(top, sizeof(top), "/check-ns-%d", (int)getpid());
	pr.path[0] = top;
	pr.path[1] = "/tmp/x";
	pr.path[2] = "/var/tmp/x";
	pr.fspath[1] = "/tmp";
	ck_assert_int_eq(run_probe(&pr), 0);
	ck_assert_int_eq(pr.res[0], EROFS);
	ck_assert_int_eq(pr.res[1], 0);
	ck_assert_int_eq(pr.res[2], 0);
	ck_assert(!(pr.sfs[1].f_flags & ST_RDONLY));
	ck_assert_int_eq(access(top, F_OK), -1);
}
END_TEST

CHILD_SIDE static void probe_dev_null(struct probe *pr)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	pr->res[0] = fd < 0 ? errno : 0;
	if (fd >= 0) {
		pr->res[1] = write(fd, "x", 1) == 1 ? 0 : errno;
		close(fd);
	}
}

START_TEST(read_only_root_keeps_dev_usable)
{
	static const char *const ro[] = { "/" };
	struct sb_ns ns = { .read_only = ro, .nread_only = 1 };
	struct probe pr = { .ns = &ns, .fn = probe_dev_null };

	isolate_test();
	ck_assert_int_eq(run_probe(&pr), 0);
	ck_assert_int_eq(pr.res[0], 0);
	ck_assert_int_eq(pr.res[1], 0);
}
END_TEST

CHILD_SIDE static void probe_net(struct probe *pr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(pr->port) };
	struct ifreq ifr;
	ssize_t r, len = 0;
	int fd, s;

	fd = open("/proc/self/net/dev", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(2);
	while ((r = read(fd, pr->text + len, sizeof(pr->text) - 1 - (size_t)len)) > 0)
		len += r;
	pr->text[len] = '\0';
	close(fd);

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		_exit(3);
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	pr->ifflags = ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ? -1 : ifr.ifr_flags;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pr->res[0] = connect(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 ? errno : 0;
	close(s);
}

/* Interface names from /proc/net/dev, space-separated. */
static void interfaces(const char *text, char *out, size_t len)
{
	const char *line = strchr(text, '\n');

	out[0] = '\0';
	if (line)
		line = strchr(line + 1, '\n');	/* two header lines */
	while (line && *++line) {
		const char *colon = strchr(line, ':');
		const char *start = line + strspn(line, " ");

		ck_assert_ptr_nonnull(colon);
		if (out[0])
			strncat(out, " ", len - strlen(out) - 1);
		strncat(out, start, (size_t)(colon - start) < len - strlen(out) - 1 ?
			(size_t)(colon - start) : len - strlen(out) - 1);
		line = strchr(line, '\n');
	}
}

static uint16_t listen_on_loopback(int *fd)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(*fd, 0);
	ck_assert_int_eq(bind(*fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(*fd, 4), 0);
	ck_assert_int_eq(getsockname(*fd, (struct sockaddr *)&sin, &sl), 0);
	return ntohs(sin.sin_port);
}

START_TEST(private_network_has_only_lo_down)
{
	struct sb_ns ns = { .private_network = true };
	struct probe pr = { .ns = &ns, .fn = probe_net };
	char names[256];
	int lfd;

	pr.port = listen_on_loopback(&lfd);
	ck_assert_int_eq(run_probe(&pr), 0);
	interfaces(pr.text, names, sizeof(names));
	ck_assert_str_eq(names, "lo");
	ck_assert_int_ne(pr.ifflags, -1);
	ck_assert(!(pr.ifflags & IFF_UP));
	ck_assert_int_eq(pr.res[0], ENETUNREACH);	/* the host's loopback is not there */
	close(lfd);
}
END_TEST

/* Without it the same probe reaches the host's listener. */
START_TEST(shared_network_without_it)
{
	struct sb_ns ns = { 0 };
	struct probe pr = { .ns = &ns, .fn = probe_net };
	int lfd;

	pr.port = listen_on_loopback(&lfd);
	ck_assert_int_eq(run_probe(&pr), 0);
	ck_assert_int_eq(pr.res[0], 0);
	ck_assert(pr.ifflags & IFF_UP);
	close(lfd);
}
END_TEST

CHILD_SIDE static void probe_links(struct probe *pr)
{
	ssize_t n;

	n = readlink("/proc/self/ns/mnt", pr->link[0], sizeof(pr->link[0]) - 1);
	pr->link[0][n > 0 ? n : 0] = '\0';
	n = readlink("/proc/self/ns/net", pr->link[1], sizeof(pr->link[1]) - 1);
	pr->link[1][n > 0 ? n : 0] = '\0';
}

static void own_link(const char *which, char *out, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", which);
	n = readlink(path, out, len - 1);
	ck_assert_int_gt(n, 0);
	out[n] = '\0';
}

/* Nothing asked, nothing unshared. */
START_TEST(empty_plan_changes_nothing)
{
	struct sb_ns ns = { 0 };
	struct sb_ns net = { .private_network = true };
	struct probe pr = { .ns = &ns, .fn = probe_links };
	char mnt[64], netl[64];

	own_link("mnt", mnt, sizeof(mnt));
	own_link("net", netl, sizeof(netl));
	ck_assert_int_eq(run_probe(&pr), 0);
	ck_assert_str_eq(pr.link[0], mnt);
	ck_assert_str_eq(pr.link[1], netl);

	/* network alone leaves the mount namespace shared */
	pr.ns = &net;
	ck_assert_int_eq(run_probe(&pr), 0);
	ck_assert_str_eq(pr.link[0], mnt);
	ck_assert_str_ne(pr.link[1], netl);
}
END_TEST

START_TEST(failure_names_the_step)
{
	static const char *const ro[] = { "/nonexistent/check-ns" };
	struct sb_ns ns = { .read_only = ro, .nread_only = 1 };
	struct probe pr = { .ns = &ns, .fn = probe_links };

	isolate_test();
	ck_assert_int_eq(run_probe(&pr), 1);
	ck_assert_str_eq(pr.step, "bind-mount read_only path");
	ck_assert_int_eq(pr.err, ENOENT);
}
END_TEST

START_TEST(check_paths)
{
	char err[200];
	const char *ok[] = { "/", "/etc", "/usr/share/", "/var/tmpfoo" };
	struct sb_ns ns = { .private_tmp = true, .read_only = ok, .nread_only = 3 };
	static const struct { const char *path; bool tmp; const char *msg; } bad[] = {
		{ "etc", false, "read_only \"etc\": expected an absolute path without \".\" or \"..\"" },
		{ "", false, "read_only \"\": expected an absolute path without \".\" or \"..\"" },
		{ "/etc/../root", false, "read_only \"/etc/../root\": expected an absolute path without \".\" or \"..\"" },
		{ "/etc/.", false, "read_only \"/etc/.\": expected an absolute path without \".\" or \"..\"" },
		{ "/nonexistent/check-ns", false, "read_only \"/nonexistent/check-ns\": No such file or directory" },
		{ "/tmp", true, "read_only \"/tmp\" is inside /tmp, which private_tmp replaces" },
		{ "/var/tmp", true, "read_only \"/var/tmp\" is inside /var/tmp, which private_tmp replaces" },
	};

	ck_assert_int_eq(sb_ns_check(&ns, err, sizeof(err)), 0);
	/* "/var/tmpfoo" is not inside /var/tmp; it only has to exist */
	ns.nread_only = 4;
	ck_assert_int_eq(sb_ns_check(&ns, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "read_only \"/var/tmpfoo\": No such file or directory");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *one[] = { bad[i].path };
		struct sb_ns b = { .private_tmp = bad[i].tmp, .read_only = one, .nread_only = 1 };

		err[0] = '\0';
		ck_assert_int_eq(sb_ns_check(&b, err, sizeof(err)), -1);
		ck_assert_str_eq(err, bad[i].msg);
		b.private_tmp = false;
		if (bad[i].tmp)	/* fine without private_tmp */
			ck_assert_int_eq(sb_ns_check(&b, err, sizeof(err)), 0);
	}
	/* "/.hidden" and "/a..b" are ordinary names; one of this run's own:
	 * a fixed name, taken if it was there, was removed under a run of
	 * this suite beside (another build's make check) */
	char dotted[] = "/run/.check-ns..XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dotted));
	const char *dots[] = { dotted };
	struct sb_ns d = { .read_only = dots, .nread_only = 1 };
	ck_assert_int_eq(sb_ns_check(&d, err, sizeof(err)), 0);
	ck_assert_int_eq(rmdir(dotted), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("namespaces");
	TCase *check = tcase_create("check");
	TCase *apply = tcase_create("apply");

	tcase_add_test(check, check_paths);
	suite_add_tcase(s, check);
	if (geteuid() == 0) {
		tcase_add_test(apply, private_tmp_is_private);
		tcase_add_test(apply, shared_tmp_without_it);
		tcase_add_test(apply, read_only_reaches_submounts);
		tcase_add_test(apply, read_only_root_keeps_private_tmp_writable);
		tcase_add_test(apply, read_only_root_keeps_dev_usable);
		tcase_add_test(apply, private_network_has_only_lo_down);
		tcase_add_test(apply, shared_network_without_it);
		tcase_add_test(apply, empty_plan_changes_nothing);
		tcase_add_test(apply, failure_names_the_step);
		suite_add_tcase(s, apply);
	} else {
		fprintf(stderr, "check_namespaces: not root, skipping the apply tests\n");
	}
	return s;
}

const struct test_suite test_suite = { .suite = suite };
