/* Secrets: each source, their order, the exact messages, what lands on
 * disk with which owner and mode, and who can read it. Every test works
 * under its own scratch directory. Needs root for ownership. */

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/secrets/deliver.h"
#include "tests/common/runner.h"

/* a value that must never appear in a message */
#define VALUE "s3cr3t-VALUE"

static char base[96];
static char creds[160], sdir[160], devvars[160], runtime[160], actor_dir[192];
static char err[1024];
static int runtime_fd = -1;	/* runtime, where actor_dir is ACTOR */
#define ACTOR "web#0"

static void put(const char *path, const char *content, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void put_in(const char *dir, const char *name, const char *content, mode_t mode)
{
	char path[512];

	ck_assert((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) < sizeof(path));
	put(path, content, strlen(content), mode);
}

/* One directory per run, made before the tests fork, removed after them
 * all: a failed test (which skips its teardown) leaves nothing behind. */
static char run_dir[64];

static void rm_rf(const char *path)
{
	pid_t pid = fork();
	int ws;

	if (pid < 0)
		return;
	if (pid == 0) {
		execl("/bin/rm", "rm", "-rf", "--", path, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &ws, 0);
}

static void run_setup(void)
{
	snprintf(run_dir, sizeof(run_dir), "/tmp/check-secrets-XXXXXX");
	if (!mkdtemp(run_dir) || chmod(run_dir, 0711) < 0)
		abort();
}

static void run_teardown(void)
{
	rm_rf(run_dir);
}

static void setup(void)
{
	snprintf(base, sizeof(base), "%s/t-XXXXXX", run_dir);
	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(creds, sizeof(creds), "%s/creds", base);
	snprintf(sdir, sizeof(sdir), "%s/secrets", base);
	snprintf(devvars, sizeof(devvars), "%s/.dev.vars", base);
	snprintf(runtime, sizeof(runtime), "%s/run", base);
	snprintf(actor_dir, sizeof(actor_dir), "%s/run/web#0", base);
	ck_assert_int_eq(mkdir(creds, 0700), 0);
	ck_assert_int_eq(mkdir(sdir, 0700), 0);
	ck_assert_int_eq(mkdir(runtime, 0711), 0);
	ck_assert_int_eq(chmod(base, 0711), 0);
	runtime_fd = open(runtime, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(runtime_fd, 0);
	err[0] = '\0';
}

static void teardown(void)
{
	close(runtime_fd);
	runtime_fd = -1;
	rm_rf(base);
}

static char *slurp(const char *path, size_t *len)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	r = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_ge(r, 0);
	close(fd);
	buf[r] = '\0';
	if (len)
		*len = (size_t)r;
	return buf;
}

static char *delivered(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", actor_dir, name);
	return slurp(path, NULL);
}

static void assert_no_value(void)
{
	ck_assert_msg(strstr(err, VALUE) == NULL, "value in message: %s", err);
	ck_assert_msg(strstr(err, "s3cr3t") == NULL, "value in message: %s", err);
}

static int deliver1(const struct sb_secret_sources *src, const char *name)
{
	const char *names[] = { name };

	return sb_secrets_deliver(src, names, 1, runtime_fd, ACTOR, 0, 0, err, sizeof(err));
}

START_TEST(name_syntax)
{
	static const char *const good[] = { "A", "_", "api_key", "DB.password", "x-1", "Z9" };
	static const char *const bad[] = { "", "1abc", ".hidden", "-x", "a/b", "a b",
					   "a=b", "é", "..", "a\nb" };
	char longest[SB_SECRET_NAME_MAX + 2];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(sb_secret_name_valid(good[i]), "%s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!sb_secret_name_valid(bad[i]), "%s", bad[i]);
	memset(longest, 'a', sizeof(longest));
	longest[SB_SECRET_NAME_MAX] = '\0';
	ck_assert(sb_secret_name_valid(longest));
	longest[SB_SECRET_NAME_MAX] = 'a';
	longest[SB_SECRET_NAME_MAX + 1] = '\0';
	ck_assert(!sb_secret_name_valid(longest));
}
END_TEST

START_TEST(each_source)
{
	struct sb_secret_sources c = { .credentials_dir = creds };
	struct sb_secret_sources s = { .secrets_dir = sdir };
	struct sb_secret_sources d = { .dev_vars = devvars };

	put_in(creds, "FROM_CREDS", "c-value", 0400);
	put_in(sdir, "FROM_SECRETS", "s-value\n", 0400);
	put(devvars, "FROM_DEV=d-value\n", 17, 0600);

	ck_assert_int_eq(deliver1(&c, "FROM_CREDS"), 0);
	ck_assert_str_eq(delivered("FROM_CREDS"), "c-value");
	ck_assert_int_eq(deliver1(&s, "FROM_SECRETS"), 0);
	ck_assert_str_eq(delivered("FROM_SECRETS"), "s-value\n");	/* bytes as they are */
	ck_assert_int_eq(deliver1(&d, "FROM_DEV"), 0);
	ck_assert_str_eq(delivered("FROM_DEV"), "d-value");
}
END_TEST

START_TEST(precedence)
{
	struct sb_secret_sources all = { creds, sdir, devvars };
	char path[256];

	put_in(creds, "K", "from-creds", 0400);
	put_in(sdir, "K", "from-secrets", 0400);
	put(devvars, "K=from-dev\n", 11, 0600);

	ck_assert_int_eq(deliver1(&all, "K"), 0);
	ck_assert_str_eq(delivered("K"), "from-creds");
	snprintf(path, sizeof(path), "%s/K", creds);
	unlink(path);
	ck_assert_int_eq(deliver1(&all, "K"), 0);
	ck_assert_str_eq(delivered("K"), "from-secrets");
	snprintf(path, sizeof(path), "%s/K", sdir);
	unlink(path);
	ck_assert_int_eq(deliver1(&all, "K"), 0);
	ck_assert_str_eq(delivered("K"), "from-dev");
}
END_TEST

START_TEST(missing_message)
{
	struct sb_secret_sources all = { creds, sdir, devvars };
	struct sb_secret_sources two = { .credentials_dir = creds, .dev_vars = devvars };
	struct sb_secret_sources one = { .secrets_dir = sdir };
	struct sb_secret_sources none = { 0 };
	char want[1024];

	put(devvars, "OTHER=" VALUE "\n", strlen("OTHER=" VALUE "\n"), 0600);
	errno = 0;
	ck_assert_int_eq(deliver1(&all, "NOPE"), -1);
	ck_assert_int_eq(errno, ENOENT);
	snprintf(want, sizeof(want), "secret \"NOPE\" not found in $CREDENTIALS_DIRECTORY (%s), "
		 "--secrets-dir (%s) or .dev.vars (%s)", creds, sdir, devvars);
	ck_assert_str_eq(err, want);

	ck_assert_int_eq(deliver1(&two, "NOPE"), -1);
	snprintf(want, sizeof(want), "secret \"NOPE\" not found in $CREDENTIALS_DIRECTORY (%s) "
		 "or .dev.vars (%s)", creds, devvars);
	ck_assert_str_eq(err, want);

	ck_assert_int_eq(deliver1(&one, "NOPE"), -1);
	snprintf(want, sizeof(want), "secret \"NOPE\" not found in --secrets-dir (%s)", sdir);
	ck_assert_str_eq(err, want);

	ck_assert_int_eq(deliver1(&none, "NOPE"), -1);
	ck_assert_str_eq(err, "secret \"NOPE\" not found: no secret source is configured: give the daemon "
			      "$CREDENTIALS_DIRECTORY (LoadCredential= under systemd), --secrets-dir DIR or a .dev.vars "
			      "beside the root config");

	/* a failed delivery leaves no directory */
	ck_assert_int_eq(access(actor_dir, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* One found, the next missing: nothing of the first is left on disk. */
START_TEST(partial_failure_leaves_nothing)
{
	struct sb_secret_sources s = { .secrets_dir = sdir };
	const char *names[] = { "A", "B" };

	put_in(sdir, "A", VALUE, 0400);
	ck_assert_int_eq(sb_secrets_deliver(&s, names, 2, runtime_fd, ACTOR, 0, 0, err, sizeof(err)), -1);
	ck_assert_int_eq(access(actor_dir, F_OK), -1);
	assert_no_value();
}
END_TEST

START_TEST(modes_and_ownership)
{
	struct sb_secret_sources s = { .secrets_dir = sdir };
	const char *names[] = { "A", "B" };
	const uid_t uid = 61990;
	const gid_t gid = 61991;
	struct stat st;
	char path[256];
	int entries = 0;

	put_in(sdir, "A", "a", 0400);
	put_in(sdir, "B", "b", 0600);
	umask(0);	/* the modes must not depend on the daemon's umask */
	ck_assert_int_eq(sb_secrets_deliver(&s, names, 2, runtime_fd, ACTOR, uid, gid, err, sizeof(err)), 0);

	ck_assert_int_eq(lstat(actor_dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0500);
	ck_assert_uint_eq(st.st_uid, uid);
	ck_assert_uint_eq(st.st_gid, gid);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", actor_dir, names[i]);
		ck_assert_int_eq(lstat(path, &st), 0);
		ck_assert(S_ISREG(st.st_mode));
		ck_assert_uint_eq(st.st_mode & 07777, 0400);
		ck_assert_uint_eq(st.st_uid, uid);
		ck_assert_uint_eq(st.st_gid, gid);
	}
	/* exactly the named files: no temporary left over */
	DIR *d = opendir(actor_dir);
	struct dirent *e;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			entries++;
	closedir(d);
	ck_assert_int_eq(entries, 2);
}
END_TEST

/* Try to read path as uid:gid in a child; 0 or the errno. */
static int read_as(const char *path, uid_t uid, gid_t gid)
{
	int pfd[2], ws, res = -1;
	pid_t pid;

	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd, e = 0;
		close(pfd[0]);
		if (syscall(SYS_setgroups, 0, NULL) < 0 ||
		    syscall(SYS_setresgid, gid, gid, gid) < 0 ||
		    syscall(SYS_setresuid, uid, uid, uid) < 0)
			_exit(2);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		e = fd < 0 ? errno : 0;
		if (write(pfd[1], &e, sizeof(e)) != sizeof(e))
			_exit(3);
		_exit(0);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], &res, sizeof(res)), sizeof(res));
	close(pfd[0]);
	waitpid(pid, &ws, 0);
	ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	return res;
}

START_TEST(only_the_actor_reads_it)
{
	struct sb_secret_sources s = { .secrets_dir = sdir };
	const char *names[] = { "TOKEN" };
	char path[256];

	put_in(sdir, "TOKEN", VALUE, 0400);
	ck_assert_int_eq(sb_secrets_deliver(&s, names, 1, runtime_fd, ACTOR, 61990, 61990,
					    err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/TOKEN", actor_dir);
	ck_assert_int_eq(read_as(path, 61990, 61990), 0);
	ck_assert_int_eq(read_as(path, 61992, 61992), EACCES);
	ck_assert_int_eq(read_as(path, 61992, 61990), EACCES);	/* same group, other user */
	ck_assert_int_eq(read_as(path, 65534, 65534), EACCES);
	/* nor can another uid list or enter the directory */
	ck_assert_int_eq(read_as(actor_dir, 61990, 61990), 0);
	ck_assert_int_eq(read_as(actor_dir, 61992, 61990), EACCES);
}
END_TEST

START_TEST(secrets_dir_refusals)
{
	struct sb_secret_sources s = { .secrets_dir = sdir };
	struct sb_secret_sources both = { .secrets_dir = sdir, .dev_vars = devvars };
	char want[1024], path[256], target[256];

	put(devvars, "OPEN=fallback\n", 14, 0600);

	put_in(sdir, "OPEN", VALUE, 0444);
	ck_assert_int_eq(deliver1(&s, "OPEN"), -1);
	ck_assert_int_eq(errno, EPERM);
	snprintf(want, sizeof(want), "secret \"OPEN\" in --secrets-dir (%s/OPEN) is open to "
		 "group or others (mode 0444): refusing it; its value may already be exposed: "
		 "rotate it, then chmod 0400", sdir);
	ck_assert_str_eq(err, want);
	assert_no_value();
	/* refused, not skipped: .dev.vars does not stand in for it */
	ck_assert_int_eq(deliver1(&both, "OPEN"), -1);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(access(actor_dir, F_OK), -1);

	put_in(sdir, "OPEN", VALUE, 0440);
	ck_assert_int_eq(deliver1(&s, "OPEN"), -1);
	ck_assert_ptr_nonnull(strstr(err, "(mode 0440)"));
	put_in(sdir, "OPEN", VALUE, 0402);	/* world-writable: anyone could swap it */
	ck_assert_int_eq(deliver1(&s, "OPEN"), -1);
	ck_assert_ptr_nonnull(strstr(err, "(mode 0402)"));
	put_in(sdir, "OPEN", VALUE, 0600);
	ck_assert_int_eq(deliver1(&s, "OPEN"), 0);

	snprintf(path, sizeof(path), "%s/FOREIGN", sdir);
	put(path, VALUE, strlen(VALUE), 0400);
	ck_assert_int_eq(chown(path, 1000, 1000), 0);
	ck_assert_int_eq(deliver1(&s, "FOREIGN"), -1);
	snprintf(want, sizeof(want), "secret \"FOREIGN\" in --secrets-dir (%s/FOREIGN) is owned "
		 "by uid 1000, not root: refusing it", sdir);
	ck_assert_str_eq(err, want);

	snprintf(target, sizeof(target), "%s/target", base);
	put(target, VALUE, strlen(VALUE), 0400);
	snprintf(path, sizeof(path), "%s/LINK", sdir);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(deliver1(&s, "LINK"), -1);
	snprintf(want, sizeof(want), "secret \"LINK\" in --secrets-dir (%s/LINK) is a symlink: "
		 "refusing it", sdir);
	ck_assert_str_eq(err, want);

	/* a FIFO would block a plain open: refused without blocking */
	snprintf(path, sizeof(path), "%s/FIFO", sdir);
	ck_assert_int_eq(mkfifo(path, 0400), 0);
	ck_assert_int_eq(deliver1(&s, "FIFO"), -1);
	snprintf(want, sizeof(want), "secret \"FIFO\" in --secrets-dir (%s/FIFO) is not a "
		 "regular file: refusing it", sdir);
	ck_assert_str_eq(err, want);

	/* the directory itself */
	ck_assert_int_eq(chmod(sdir, 0777), 0);
	ck_assert_int_eq(deliver1(&s, "OPEN"), -1);
	snprintf(want, sizeof(want), "--secrets-dir (%s) is writable by group or others "
		 "(mode 0777): refusing it", sdir);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(chmod(sdir, 0755), 0);
	ck_assert_int_eq(deliver1(&s, "OPEN"), 0);	/* readable is fine for the dir */
	ck_assert_int_eq(chown(sdir, 1000, 0), 0);
	ck_assert_int_eq(deliver1(&s, "OPEN"), -1);
	snprintf(want, sizeof(want), "--secrets-dir (%s) is owned by uid 1000, not root: "
		 "refusing it", sdir);
	ck_assert_str_eq(err, want);
}
END_TEST

/* Credentials come from systemd, which owns them: only symlinks and
 * non-files are refused. */
START_TEST(credentials_dir_rules)
{
	struct sb_secret_sources c = { .credentials_dir = creds };
	char path[320], want[1024];

	put_in(creds, "ANY_MODE", "v", 0644);
	ck_assert_int_eq(deliver1(&c, "ANY_MODE"), 0);
	snprintf(path, sizeof(path), "%s/DIR", creds);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(deliver1(&c, "DIR"), -1);
	snprintf(want, sizeof(want), "secret \"DIR\" in $CREDENTIALS_DIRECTORY (%s/DIR) is not "
		 "a regular file: refusing it", creds);
	ck_assert_str_eq(err, want);

	struct sb_secret_sources gone = { .credentials_dir = "/nonexistent/creds" };
	ck_assert_int_eq(deliver1(&gone, "X"), -1);
	ck_assert_str_eq(err, "$CREDENTIALS_DIRECTORY (/nonexistent/creds): No such file or directory");
}
END_TEST

/* The parser is tested on its own (check_devvars); here, that its
 * verdict reaches the delivery as it is, and that a missing file is the
 * lookup's to name. */
START_TEST(dev_vars_errors)
{
	static const char text[] = "OK=1\n" VALUE "\n";
	struct sb_secret_sources d = { .dev_vars = devvars };
	char want[1024];

	put(devvars, text, strlen(text), 0600);
	errno = 0;
	ck_assert_int_eq(deliver1(&d, "OK"), -1);
	ck_assert_int_eq(errno, EINVAL);
	snprintf(want, sizeof(want), "%s:2: expected NAME=value", devvars);
	ck_assert_str_eq(err, want);
	assert_no_value();
	ck_assert_int_eq(access(actor_dir, F_OK), -1);

	struct sb_secret_sources gone = { .dev_vars = "/nonexistent/.dev.vars" };
	ck_assert_int_eq(deliver1(&gone, "OK"), -1);
	ck_assert_str_eq(err, ".dev.vars (/nonexistent/.dev.vars): No such file or directory");

	/* a FIFO would read as empty (every secret "not found") or fail
	 * with EAGAIN, a device as whatever it gives: said as what it is */
	ck_assert_int_eq(unlink(devvars), 0);
	ck_assert_int_eq(mkfifo(devvars, 0600), 0);
	errno = 0;
	ck_assert_int_eq(deliver1(&d, "OK"), -1);
	ck_assert_int_eq(errno, EINVAL);
	snprintf(want, sizeof(want), ".dev.vars (%s): a FIFO, not a regular file", devvars);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(unlink(devvars), 0);
	ck_assert_int_eq(mkdir(devvars, 0700), 0);
	ck_assert_int_eq(deliver1(&d, "OK"), -1);
	snprintf(want, sizeof(want), ".dev.vars (%s): a directory, not a regular file", devvars);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(rmdir(devvars), 0);
	struct sb_secret_sources dev = { .dev_vars = "/dev/zero" };
	ck_assert_int_eq(deliver1(&dev, "OK"), -1);
	ck_assert_str_eq(err, ".dev.vars (/dev/zero): a device, not a regular file");
}
END_TEST

START_TEST(name_list_errors)
{
	struct sb_secret_sources s = { .secrets_dir = sdir };
	const char *dup[] = { "A", "B", "A" };
	const char *bad[] = { "A", "../etc/shadow" };

	ck_assert_int_eq(sb_secrets_deliver(&s, dup, 3, runtime_fd, ACTOR, 0, 0, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "secret \"A\" is listed twice");
	ck_assert_int_eq(sb_secrets_deliver(&s, bad, 2, runtime_fd, ACTOR, 0, 0, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(err, "invalid secret name \"../etc/shadow\" (expected "
			 "[A-Za-z_][A-Za-z0-9_.-]*, at most 128 characters)");
	ck_assert_int_eq(access(actor_dir, F_OK), -1);
}
END_TEST

START_TEST(size_limit)
{
	struct sb_secret_sources s = { .secrets_dir = sdir };
	char path[320], want[1024];
	char *big = malloc(SB_SECRET_MAX + 1);
	struct stat st;

	ck_assert_ptr_nonnull(big);
	memset(big, 'x', SB_SECRET_MAX + 1);
	snprintf(path, sizeof(path), "%s/MAX", sdir);
	put(path, big, SB_SECRET_MAX, 0400);
	snprintf(path, sizeof(path), "%s/OVER", sdir);
	put(path, big, SB_SECRET_MAX + 1, 0400);
	free(big);

	ck_assert_int_eq(deliver1(&s, "MAX"), 0);
	snprintf(path, sizeof(path), "%s/MAX", actor_dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, SB_SECRET_MAX);
	ck_assert_int_eq(deliver1(&s, "OVER"), -1);
	snprintf(want, sizeof(want), "secret \"OVER\" in --secrets-dir (%s/OVER): larger than 1 MiB",
		 sdir);
	ck_assert_str_eq(err, want);
}
END_TEST

/* A directory left by a daemon that died is replaced, whatever the actor
 * put in it; removal never follows the actor's symlinks. */
START_TEST(stale_dir_and_removal)
{
	struct sb_secret_sources s = { .secrets_dir = sdir };
	char path[256], target[256];
	struct stat st;

	put_in(sdir, "A", "a", 0400);
	ck_assert_int_eq(deliver1(&s, "A"), 0);

	/* what an actor owning the directory could do to it */
	ck_assert_int_eq(chmod(actor_dir, 0700), 0);
	put_in(actor_dir, "junk", "j", 0600);
	snprintf(path, sizeof(path), "%s/sub", actor_dir);
	ck_assert_int_eq(mkdir(path, 0000), 0);
	snprintf(path, sizeof(path), "%s/sub/deeper", actor_dir);
	ck_assert_int_eq(mkdir(path, 0000), 0);
	snprintf(target, sizeof(target), "%s/outside", base);
	ck_assert_int_eq(mkdir(target, 0700), 0);
	put_in(target, "keep", "k", 0600);
	snprintf(path, sizeof(path), "%s/link", actor_dir);
	ck_assert_int_eq(symlink(target, path), 0);

	ck_assert_int_eq(deliver1(&s, "A"), 0);
	snprintf(path, sizeof(path), "%s/junk", actor_dir);
	ck_assert_int_eq(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/outside/keep", base);
	ck_assert_int_eq(access(path, F_OK), 0);

	ck_assert_int_eq(sb_secrets_remove(runtime_fd, ACTOR), 0);
	ck_assert_int_eq(access(actor_dir, F_OK), -1);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(sb_secrets_remove(runtime_fd, ACTOR), 0);	/* already gone */

	/* a symlink in place of the directory is removed, not followed */
	snprintf(path, sizeof(path), "%s/outside", base);
	ck_assert_int_eq(symlink(path, actor_dir), 0);
	ck_assert_int_eq(sb_secrets_remove(runtime_fd, ACTOR), 0);
	ck_assert_int_eq(lstat(actor_dir, &st), -1);
	snprintf(path, sizeof(path), "%s/outside/keep", base);
	ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

START_TEST(environment)
{
	struct sb_secret_sources all = { creds, sdir, devvars };
	const char *names[] = { "B_FROM_DEV", "A_FROM_CREDS", "EMPTY" };
	const char *one[] = { "BINARY" };
	char path[256];
	char **env = NULL;

	put_in(creds, "A_FROM_CREDS", "line1\nline2", 0400);
	put(devvars, "B_FROM_DEV=\"b v\"\nEMPTY=\n", 24, 0600);
	ck_assert_int_eq(sb_secrets_env(&all, names, 3, &env, err, sizeof(err)), 0);
	ck_assert_str_eq(env[0], "B_FROM_DEV=b v");
	ck_assert_str_eq(env[1], "A_FROM_CREDS=line1\nline2");
	ck_assert_str_eq(env[2], "EMPTY=");
	ck_assert_ptr_null(env[3]);
	sb_secrets_env_free(env);
	sb_secrets_env_free(NULL);

	env = NULL;
	ck_assert_int_eq(sb_secrets_env(&all, names, 0, &env, err, sizeof(err)), 0);
	ck_assert_ptr_null(env[0]);
	sb_secrets_env_free(env);

	snprintf(path, sizeof(path), "%s/BINARY", sdir);
	put(path, "ab\0cd", 5, 0400);
	env = NULL;
	ck_assert_int_eq(sb_secrets_env(&all, one, 1, &env, err, sizeof(err)), -1);
	ck_assert_ptr_null(env);
	ck_assert_str_eq(err, "secret \"BINARY\" holds a NUL byte and cannot be passed "
			 "in the environment");
	/* as a file it is fine, byte for byte */
	ck_assert_int_eq(deliver1(&all, "BINARY"), 0);
	size_t len;
	snprintf(path, sizeof(path), "%s/BINARY", actor_dir);
	ck_assert_int_eq(memcmp(slurp(path, &len), "ab\0cd", 5), 0);
	ck_assert_uint_eq(len, 5);

	ck_assert_int_eq(sb_secrets_env(&all, (const char *[]){ "MISSING" }, 1, &env,
					err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "secret \"MISSING\" not found in"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("secrets");
	TCase *tc = tcase_create("secrets");

	tcase_add_unchecked_fixture(tc, run_setup, run_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, name_syntax);
	tcase_add_test(tc, each_source);
	tcase_add_test(tc, precedence);
	tcase_add_test(tc, missing_message);
	tcase_add_test(tc, partial_failure_leaves_nothing);
	tcase_add_test(tc, secrets_dir_refusals);
	tcase_add_test(tc, credentials_dir_rules);
	tcase_add_test(tc, dev_vars_errors);
	tcase_add_test(tc, name_list_errors);
	tcase_add_test(tc, size_limit);
	tcase_add_test(tc, stale_dir_and_removal);
	tcase_add_test(tc, environment);
	if (geteuid() == 0) {
		tcase_add_test(tc, modes_and_ownership);
		tcase_add_test(tc, only_the_actor_reads_it);
	} else {
		fprintf(stderr, "check_secrets: not root, skipping the ownership tests\n");
	}
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
