#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/common/harness.h"

static const char *env_or_die(const char *name)
{
	const char *v = getenv(name);

	if (!v)
		ck_abort_msg("%s is not set: run through make check", name);
	return v;
}

void h_init(struct h *h)
{
	const char *tmp = getenv("TMPDIR");

	memset(h, 0, sizeof *h);
	h->exit_status = -1;
	snprintf(h->dir, sizeof h->dir, "%s/prospero-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_msg(mkdtemp(h->dir) != NULL, "mkdtemp: %s", strerror(errno));
	/* run as root, the daemon starts actors under dynamic uids: they must
	 * reach the test actor's files and write their records here; sticky,
	 * as /tmp, or no runtime directory below it would be accepted */
	ck_assert(chmod(h->dir, 01777) == 0);
	/* Not under /tmp: an actor with private_tmp could not reach the
	 * notify socket there. Made here, so a test that SIGKILLs the daemon
	 * leaves nothing behind in /run. */
	snprintf(h->rundir, sizeof h->rundir, "/run/prospero-test.XXXXXX");
	if (!mkdtemp(h->rundir)) {
		ck_assert((size_t)snprintf(h->rundir, sizeof h->rundir, "%s/run.d", h->dir) < sizeof h->rundir);
		ck_assert_msg(mkdir(h->rundir, 0755) == 0, "%s: %s", h->rundir, strerror(errno));
	}
	ck_assert(chmod(h->rundir, 0755) == 0);
}

static void rm_rf(const char *path)
{
	/* O_NOFOLLOW: a symlink to a directory is removed, never followed
	 * into (a test linking the source tree would lose it otherwise) */
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	char sub[1024];

	if (!d) {
		if (fd >= 0)
			close(fd);
		unlink(path);
		return;
	}
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
		rm_rf(sub);
	}
	closedir(d);
	rmdir(path);
}

/* An instance cgroup a SIGKILLed daemon left in SUBTREE: what is in it
 * killed, then it and the subtree removed once empty. A daemon that
 * stopped cleanly left none; the next daemon on the same runtime
 * directory would sweep them, but each test has a runtime directory of
 * its own. */
static void sweep_subtree(const char *subtree)
{
	char path[600];
	struct dirent *e;
	DIR *d = opendir(subtree);

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		FILE *f;

		if (n < 7 || strcmp(e->d_name + n - 6, ".actor") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s/cgroup.kill", subtree, e->d_name);
		if ((f = fopen(path, "w"))) {
			fputs("1", f);
			fclose(f);
		}
		snprintf(path, sizeof path, "%s/%s", subtree, e->d_name);
		for (int tries = 0; rmdir(path) < 0 && errno == EBUSY && tries < 200; tries++)
			h_sleep_ms(5);
	}
	closedir(d);
	rmdir(subtree);
}

/* The subtree the daemon said it used, from its "containment: cgroup"
 * line, if any. */
static void sweep_cgroups(struct h *h)
{
	static char err[1 << 16];
	int n = h_read(h, "err", err, sizeof err - 1);
	char *at;

	if (n <= 0)
		return;
	err[n] = '\0';
	if (!(at = strstr(err, "containment: cgroup ")))
		return;
	at += strlen("containment: cgroup ");
	at[strcspn(at, "\n")] = '\0';
	sweep_subtree(at);
}

void h_fini(struct h *h)
{
	bool killed = false;

	if (h->pid > 0 && h->exit_status < 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
		killed = true;
	}
	/* any signal that ends the daemon leaves its cgroups behind */
	if (killed || h->exit_status > 128)
		sweep_cgroups(h);
	if (h->events)
		fclose(h->events);
	h->events = NULL;
	if (!getenv("KEEP_TEST_DIR")) {
		rm_rf(h->rundir);
		rm_rf(h->dir);
	}
}

void h_link(struct h *h, const char *env, const char *name)
{
	const char *program = getenv(env);

	ck_assert_msg(program != NULL, "%s is not set: run through make check", env);
	ck_assert_msg(symlink(program, h_path(h, name)) == 0, "%s: %s", name, strerror(errno));
}

const char *h_path(struct h *h, const char *name)
{
	char *p = h->pathbuf[h->pathnext++ % 8];
	size_t n = strlen(h->dir);

	/* not snprintf: GCC cannot tell h->dir and h->pathbuf apart (-Wrestrict) */
	ck_assert(n + 1 + strlen(name) < sizeof h->pathbuf[0]);
	memcpy(p, h->dir, n);
	p[n] = '/';
	strcpy(p + n + 1, name);
	return p;
}

void h_write(struct h *h, const char *name, const char *text)
{
	const char *ta = env_or_die("TESTACTOR");
	FILE *f = fopen(h_path(h, name), "w");

	ck_assert_msg(f != NULL, "cannot write %s", name);
	for (const char *p = text; *p;) {
		if (strncmp(p, "@TA@", 4) == 0) {
			fputs(ta, f);
			p += 4;
		} else if (strncmp(p, "@DIR@", 5) == 0) {
			fputs(h->dir, f);
			p += 5;
		} else if (strncmp(p, "@EA@", 4) == 0) {
			fputs(env_or_die("ECHOACTOR"), f);
			p += 4;
		} else {
			fputc(*p++, f);
		}
	}
	ck_assert(fclose(f) == 0);
}

static pid_t spawn_prospero(struct h *h, const char *const *args, const char *out, const char *err, uid_t uid,
			    void (*before_exec)(void))
{
	const char *bin = env_or_die("PROSPERO");
	const char *argv[64];
	int n = 0;
	pid_t pid;

	argv[n++] = "prospero";
	for (; *args && n < 62; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		struct rlimit r = { h->nofile, h->nofile };
		struct rlimit f = { h->fsize, h->fsize };

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0 || chdir(h->dir) < 0)
			_exit(120);
		if (h->nofile && setrlimit(RLIMIT_NOFILE, &r) < 0)
			_exit(122);
		if (h->fsize && setrlimit(RLIMIT_FSIZE, &f) < 0)
			_exit(122);
		if (uid && (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0))
			_exit(123);
		if (before_exec)
			before_exec();
		execv(bin, (char *const *)argv);
		_exit(121);
	}
	return pid;
}

void h_start(struct h *h, const char *const *configs)
{
	h_start_with(h, configs, NULL);
}

void h_start_with(struct h *h, const char *const *configs, const char *const *extra)
{
	const char *args[60];
	char ev[512];
	int n = 0;

	snprintf(ev, sizeof ev, "%s", h_path(h, "events"));
	args[n++] = "run";
	args[n++] = "--events";
	args[n++] = ev;
	bool own_rundir = false;

	for (const char *const *x = extra; x && *x; x++)
		own_rundir |= strcmp(*x, "--runtime-dir") == 0;
	if (!own_rundir) {
		args[n++] = "--runtime-dir";
		args[n++] = h->rundir;
	}
	for (; extra && *extra && n < 40; extra++)
		args[n++] = *extra;
	for (; *configs && n < 58; configs++)
		args[n++] = *configs;	/* relative to the test dir, the daemon's cwd */
	args[n] = NULL;
	h->pid = spawn_prospero(h, args, h_path(h, "out"), h_path(h, "err"), h->daemon_uid, h->before_exec);
	h->exit_status = -1;
}

int h_run(struct h *h, const char *const *args)
{
	char out[512], err[512];
	int st;
	pid_t pid;

	snprintf(out, sizeof out, "%s", h_path(h, "run.out"));
	snprintf(err, sizeof err, "%s", h_path(h, "run.err"));
	pid = spawn_prospero(h, args, out, err, 0, NULL);
	ck_assert(waitpid(pid, &st, 0) == pid);
	ck_assert_msg(WIFEXITED(st), "prospero died by signal %d", WTERMSIG(st));
	return WEXITSTATUS(st);
}

int h_wait_exit(struct h *h, int timeout_ms)
{
	long long end = h_now_ms() + timeout_ms;
	int st;

	if (h->exit_status >= 0)
		return h->exit_status;
	for (;;) {
		pid_t r = waitpid(h->pid, &st, WNOHANG);
		if (r == h->pid) {
			h->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			return h->exit_status;
		}
		if (h_now_ms() > end)
			return -1;
		h_sleep_ms(5);
	}
}

void h_signal(struct h *h, int sig)
{
	ck_assert(kill(h->pid, sig) == 0);
}

void h_stop(struct h *h)
{
	h_signal(h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(h, H_TIMEOUT_MS), 0);
}

static void str_field(json_t *o, const char *key, char *dst, size_t cap)
{
	json_t *v = json_object_get(o, key);

	dst[0] = 0;
	if (json_is_string(v))
		snprintf(dst, cap, "%s", json_string_value(v));
}

static bool parse_event(const char *line, struct h_event *e)
{
	json_error_t err;
	json_t *o = json_loads(line, 0, &err), *v;

	ck_assert_msg(o != NULL, "events line is not JSON: %s (%s)", line, err.text);
	memset(e, 0, sizeof *e);
	snprintf(e->line, sizeof e->line, "%s", line);
	ck_assert_msg(json_is_number(json_object_get(o, "ts")), "no ts in %s", line);
	str_field(o, "event", e->event, sizeof e->event);
	str_field(o, "name", e->name, sizeof e->name);
	str_field(o, "supervisor", e->supervisor, sizeof e->supervisor);
	str_field(o, "signal", e->signal, sizeof e->signal);
	str_field(o, "reason", e->reason, sizeof e->reason);
	v = json_object_get(o, "pid");
	e->pid = json_is_integer(v) ? (int)json_integer_value(v) : 0;
	v = json_object_get(o, "status");
	e->status = json_is_integer(v) ? (int)json_integer_value(v) : -1;
	json_decref(o);
	return true;
}

bool h_next(struct h *h, struct h_event *e, int timeout_ms)
{
	long long end = h_now_ms() + timeout_ms;
	char line[4096];
	size_t have = 0;

	for (;;) {
		if (!h->events)
			h->events = fopen(h_path(h, "events"), "r");
		if (h->events) {
			/* a line may arrive in parts only in theory: the daemon writes each whole */
			if (fgets(line + have, (int)(sizeof line - have), h->events)) {
				have = strlen(line);
				if (have > 0 && line[have - 1] == '\n') {
					line[have - 1] = 0;
					return parse_event(line, e);
				}
			}
			clearerr(h->events);
		}
		if (h_now_ms() > end)
			return false;
		h_sleep_ms(2);
	}
}

void h_expect(struct h *h, const char *event, const char *name, struct h_event *out)
{
	struct h_event e;

	for (;;) {
		ck_assert_msg(h_next(h, &e, H_TIMEOUT_MS), "timed out waiting for %s %s",
			      event, name ? name : "(any)");
		if (strcmp(e.event, event) == 0 && (!name || strcmp(e.name, name) == 0)) {
			if (out)
				*out = e;
			return;
		}
	}
}

void h_expect_seq(struct h *h, const char *spec)
{
	char buf[2048], *save = NULL, *tok;
	struct h_event e;

	snprintf(buf, sizeof buf, "%s", spec);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(tok, ':');
		ck_assert_msg(colon, "bad spec item %s", tok);
		*colon = 0;
		ck_assert_msg(h_next(h, &e, H_TIMEOUT_MS), "timed out waiting for %s:%s (in \"%s\")",
			      tok, colon + 1, spec);
		ck_assert_msg(strcmp(e.event, tok) == 0 && strcmp(e.name, colon + 1) == 0,
			      "expected %s:%s, got %s:%s (in \"%s\"): %s", tok, colon + 1,
			      e.event, e.name, spec, e.line);
	}
}

void h_expect_quiet(struct h *h, int settle_ms)
{
	struct h_event e;

	ck_assert_msg(!h_next(h, &e, settle_ms), "unexpected event: %s", e.line);
}

int h_read(struct h *h, const char *name, char *buf, int cap)
{
	int fd = open(h_path(h, name), O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = (int)read(fd, buf, (size_t)cap - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

int h_lines_with(struct h *h, const char *name, const char *prefix, const char *what)
{
	FILE *f = fopen(h_path(h, name), "r");
	char line[20000];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		n += strncmp(line, prefix, strlen(prefix)) == 0 && strstr(line, what) != NULL;
	fclose(f);
	return n;
}

void h_journal_is(struct h *h, const char *name)
{
	char v[64];
	struct stat st;

	if (stat(h_path(h, name), &st) < 0)
		h_write(h, name, "");
	ck_assert(stat(h_path(h, name), &st) == 0);
	snprintf(v, sizeof v, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	ck_assert(setenv("JOURNAL_STREAM", v, 1) == 0);
}

int h_count_lines(struct h *h, const char *name, const char *prefix)
{
	FILE *f = fopen(h_path(h, name), "r");
	char line[4096];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, prefix, strlen(prefix)) == 0)
			n++;
	fclose(f);
	return n;
}
