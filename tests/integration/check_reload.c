/* Live reload on the real daemon (README "Reload"): from a running
 * 20-actor tree, one reload adds an actor, removes one, changes one's
 * env, a supervisor's intensity and one binding. Exactly the expected
 * actors restart: every pid is read from the events, and at the end the
 * shutdown's exit events say which processes were still running. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/common/harness.h"
#include "tests/common/proc.h"
#include "tests/common/runner.h"

static struct h h;

static void setup(void) { h_init(&h); }
static void teardown(void) { h_fini(&h); }

static const char *const root_only[] = { "root.jsonc", NULL };

#define TA(name) "{ \"actor\": \"" name "\", \"exec\": [\"@TA@\"] }"

/* front: web api auth img mail search (+ newbie); back: db cache worker
 * index log metrics; at the root: client (DB -> db), user2 (CACHE ->
 * cache), x1..x6. CHANGED is the reload: newbie added, x6 removed, api's
 * env, back's intensity, client's binding DB renamed STORE. */
static void write_tree(bool changed)
{
	char text[4096];

	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"intensity\": 5, \"children\": [\n"
		 "  { \"supervisor\": \"front\", \"intensity\": 3, \"children\": [\n"
		 "    " TA("web") ",\n"
		 "    { \"actor\": \"api\", \"exec\": [\"@TA@\"], \"env\": { \"V\": \"%s\" } },\n"
		 "    " TA("auth") ", " TA("img") ", " TA("mail") ", " TA("search") "%s ] },\n"
		 "  { \"supervisor\": \"back\", \"intensity\": %d, \"children\": [\n"
		 "    " TA("db") ", " TA("cache") ", " TA("worker") ",\n"
		 "    " TA("index") ", " TA("log") ", " TA("metrics") " ] },\n"
		 "  { \"actor\": \"client\", \"exec\": [\"@TA@\"], \"bindings\": { \"%s\": \"db\" } },\n"
		 "  { \"actor\": \"user2\", \"exec\": [\"@TA@\"], \"bindings\": { \"CACHE\": \"cache\" } },\n"
		 "  " TA("x1") ", " TA("x2") ", " TA("x3") ", " TA("x4") ", " TA("x5") "%s ] }\n",
		 changed ? "2" : "1", changed ? ",\n    " TA("newbie") : "", changed ? 4 : 3,
		 changed ? "STORE" : "DB", changed ? "" : ", " TA("x6"));
	h_write(&h, "root.jsonc", text);
}

static const char *const all20[] = {
	"web", "api", "auth", "img", "mail", "search", "db", "cache", "worker", "index",
	"log", "metrics", "client", "user2", "x1", "x2", "x3", "x4", "x5", "x6",
};
#define NALL (sizeof all20 / sizeof *all20)

struct pids {
	char name[NALL + 1][32];
	int pid[NALL + 1];
	size_t n;
};

static int *pid_of(struct pids *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->name[i], name) == 0)
			return &p->pid[i];
	ck_assert_uint_lt(p->n, NALL + 1);
	snprintf(p->name[p->n], sizeof p->name[p->n], "%s", name);
	p->pid[p->n] = 0;
	return &p->pid[p->n++];
}

/* Boot: every actor's pid from its start event, until the root is ready. */
static void boot(struct pids *p)
{
	struct h_event e;

	write_tree(false);
	h_start(&h, root_only);
	memset(p, 0, sizeof *p);
	for (;;) {
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "the tree never became ready");
		if (strcmp(e.event, "start") == 0 && e.pid > 0)
			*pid_of(p, e.name) = e.pid;
		if (strcmp(e.event, "ready") == 0 && strcmp(e.name, "root") == 0)
			break;
	}
	ck_assert_uint_eq(p->n, NALL);
}

/* Stop the daemon; each running actor's pid from its exit event. */
static void shutdown_pids(struct pids *p)
{
	struct h_event e;

	memset(p, 0, sizeof *p);
	h_signal(&h, SIGTERM);
	while (h_next(&h, &e, H_TIMEOUT_MS))
		if (strcmp(e.event, "exit") == 0)
			*pid_of(p, e.name) = e.pid;
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}

static bool in(const char *name, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(*set, name) == 0)
			return true;
	return false;
}

/* What of the reload has been seen: its event, and a start of each of
 * the changed actors. They come in any order: an added or restarted
 * child may start before the reload is said (once every supervisor has
 * its new children) or after. */
static const char *const changed_starts[] = { "api", "db", "client", "newbie" };
#define NCHANGED (sizeof changed_starts / sizeof *changed_starts)

struct progress {
	bool reloaded, started[NCHANGED];
	struct h_event reload;
};

static void note(struct progress *p, const struct h_event *e)
{
	if (strcmp(e->event, "reload") == 0) {
		p->reload = *e;
		p->reloaded = true;
	}
	for (size_t i = 0; i < NCHANGED; i++)
		p->started[i] |= strcmp(e->event, "start") == 0 && strcmp(e->name, changed_starts[i]) == 0;
}

static void await_reload(struct progress *p)
{
	struct h_event e;

	for (;;) {
		bool all = p->reloaded;

		for (size_t i = 0; i < NCHANGED; i++)
			all &= p->started[i];
		if (all)
			return;
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "the reload or a start of what changed never came");
		note(p, &e);
	}
}

static void expect_reload_event(const struct h_event *e)
{
	ck_assert_msg(strstr(e->line, "\"added\": [\"newbie\"]"), "%s", e->line);
	ck_assert_msg(strstr(e->line, "\"removed\": [\"x6\"]"), "%s", e->line);
	ck_assert_msg(strstr(e->line, "\"restarted\": [\"api\", \"db\", \"client\"]"), "%s", e->line);
	ck_assert_msg(strstr(e->line, "\"changed\": [\"back\"]"), "%s", e->line);
}

/* Shut down: the actors that changed ran with new pids, x6 no longer,
 * newbie did; every other one with the pid it had before the reload. */
static void expect_exactly_the_changed_restarted(struct pids *before)
{
	static const char *const restarted[] = { "api", "client", "db", NULL };
	struct pids after;

	shutdown_pids(&after);
	for (size_t i = 0; i < NALL; i++) {
		const char *name = all20[i];
		int was = *pid_of(before, name), now = *pid_of(&after, name);

		if (strcmp(name, "x6") == 0)
			ck_assert_msg(now == 0, "x6 still ran at shutdown (pid %d)", now);
		else if (in(name, restarted))
			ck_assert_msg(now != was && now > 0, "%s: pid %d before, %d after", name, was, now);
		else
			ck_assert_msg(now == was, "%s restarted: pid %d before, %d after", name, was, now);
	}
	ck_assert_int_gt(*pid_of(&after, "newbie"), 0);
}

START_TEST(a_reload_restarts_exactly_what_changed)
{
	struct progress pr = { 0 };
	struct pids before;

	boot(&before);
	write_tree(true);
	h_signal(&h, SIGHUP);
	await_reload(&pr);
	expect_reload_event(&pr.reload);
	expect_exactly_the_changed_restarted(&before);
}
END_TEST

/* The plan, then the reload, from the command line: the dry run changes
 * nothing (no event at all), and `prospero reload` returns once the
 * reload is applied (its event is written before it returns). */
START_TEST(the_command_prints_the_plan_then_waits_for_the_reload)
{
	const char *const dry[] = { "reload", "--dry-run", "--runtime-dir", h.rundir, NULL };
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	struct progress pr = { 0 };
	struct pids before;
	struct h_event e;
	char out[4096];

	boot(&before);
	write_tree(true);
	ck_assert_int_eq(h_run(&h, dry), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_str_eq(out, "restart api (env)\nadd newbie\nchange back\nrestart db (fds)\n"
			      "restart client (bindings, fds)\nremove x6\n18 unchanged\n");
	ck_assert_msg(!h_next(&h, &e, 0), "the dry run did something: %s", e.line);
	ck_assert_int_eq(h_run(&h, real), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "added newbie; removed x6; restarted api (env), db (fds), client (bindings, fds); changed back\n"),
		      "%s", out);
	/* already written when the command returned */
	do {
		ck_assert_msg(h_next(&h, &e, 0), "prospero reload returned before the reload event");
		note(&pr, &e);
	} while (!pr.reloaded);
	expect_reload_event(&pr.reload);
	await_reload(&pr);
	expect_exactly_the_changed_restarted(&before);
}
END_TEST

/* The next reload event: a refusal that changed nothing. */
static void expect_refusal_event(void)
{
	struct h_event e;

	h_expect(&h, "reload", "root", &e);
	ck_assert_str_eq(e.reason, "refused: nothing changed");
}

/* ARGS (a reload) exit 1, saying WANT on stderr. */
static void refused_saying(const char *const *args, const char *want)
{
	char err[4096];

	ck_assert_int_eq(h_run(&h, args), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, want), "%s", err);
}

/* The daemon's reload state file (README "Reload"). */
static void read_state(char *buf, size_t cap)
{
	char path[300];
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/reload", h.rundir);
	ck_assert_msg((f = fopen(path, "r")) != NULL, "%s", path);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = 0;
	fclose(f);
}

START_TEST(a_broken_config_reloads_nothing_and_says_where)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	struct pids before, after;
	struct h_event e;
	char state[4096];

	boot(&before);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"restart\": \"sometimes\", \"actor\": \"web\", \"exec\": [\"@TA@\"] } ] }\n");
	h_signal(&h, SIGHUP);
	h_expect(&h, "reload", "root", &e);
	ck_assert_str_eq(e.reason, "refused: nothing changed");
	/* the fields the README lists for every reload event, empty */
	ck_assert_msg(strstr(e.line, "\"added\": [], \"removed\": [], \"restarted\": [], \"changed\": []"),
		      "%s", e.line);
	read_state(state, sizeof state);
	ck_assert_msg(strstr(state, "result error\n"), "%s", state);
	ck_assert_msg(strstr(state, "\nroot.jsonc:2:18: error: "), "%s", state);
	ck_assert_int_eq(h_run(&h, real), 1);
	ck_assert_int_gt(h_read(&h, "run.err", state, sizeof state), 0);
	ck_assert_msg(strstr(state, "root.jsonc:2:18: error: "), "%s", state);
	shutdown_pids(&after);
	for (size_t i = 0; i < NALL; i++)
		ck_assert_int_eq(*pid_of(&after, all20[i]), *pid_of(&before, all20[i]));
	/* gone with the daemon */
	snprintf(state, sizeof state, "%s/reload", h.rundir);
	ck_assert_msg(access(state, F_OK) < 0, "%s outlived the daemon", state);
}
END_TEST

/* A reload that remakes every binding of a tree near the daemon's open-file
 * limit: each new socketpair is made while the old one is held, so it
 * runs out of fds though the tree fits as check counts it. It is refused,
 * nothing changed, saying why and what to do, not a bare "Too many open
 * files" that reads as the command's own trouble. */
START_TEST(a_reload_out_of_fds_for_new_bindings_says_why)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	struct rlimit r;
	char err[4096];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("svc") ",\n"
		"  { \"actor\": \"cli\", \"exec\": [\"@TA@\"], \"instances\": 20, \"bindings\": { \"S\": \"svc\" } } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	/* room for the reload's own files, not for 40 more sockets; the
	 * hard limit stays, so the tree still fits as check counts it */
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, NULL, &r), 0);
	r.rlim_cur = (rlim_t)h_fd_count(h.pid) + 12;
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &r, NULL), 0);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("svc") ",\n"
		"  { \"actor\": \"cli\", \"exec\": [\"@TA@\"], \"instances\": 20, \"bindings\": { \"T\": \"svc\" } } ] }\n");
	ck_assert_int_eq(h_run(&h, real), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "cannot make the new tree's bindings: Too many open files (the daemon's limit is ") &&
		      strstr(err, "raise the limit, or change fewer bindings at once"), "%s", err);
	expect_refusal_event();
}
END_TEST

/* The daemon's hard open-file limit lowered at run time (prlimit(1)): a
 * reload to a tree that no longer fits it was let through, as it was
 * counted against the limit the daemon started with, and its new
 * instances then failed to start, one by one, for want of fds. It is
 * refused as check would refuse it here, the running tree untouched. */
START_TEST(a_reload_is_counted_against_the_present_hard_limit)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	struct rlimit low;
	char want[128];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("web") " ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	low.rlim_cur = low.rlim_max = (rlim_t)h_fd_count(h.pid) + 40;
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &low, NULL), 0);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("web") ",\n"
		"  { \"actor\": \"many\", \"exec\": [\"@TA@\"], \"instances\": 20 } ] }\n");
	snprintf(want, sizeof want, "but the hard limit here is %llu: raise it", (unsigned long long)low.rlim_max);
	refused_saying(real, want);
	expect_refusal_event();
	ck_assert_int_eq(h_lines_with(&h, "events", "", "\"name\": \"many"), 0);
}
END_TEST

/* A FIFO put in the config's place: the reload is refused at once, saying
 * so, and the daemon goes on answering (it used to wait in open() for a
 * writer, its whole loop with it). */
START_TEST(a_fifo_in_the_configs_place_is_refused_at_once)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	const char *const status[] = { "status", "--runtime-dir", h.rundir, NULL };

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("web") " ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(unlink(h_path(&h, "root.jsonc")), 0);
	ck_assert_int_eq(mkfifo(h_path(&h, "root.jsonc"), 0600), 0);
	refused_saying(real, "root.jsonc: error: cannot read: a FIFO, not a regular file");
	expect_refusal_event();
	ck_assert_int_eq(h_run(&h, status), 0);
	h_stop(&h);
}
END_TEST

/* A config with thousands of errors: the state file, in the runtime
 * directory (a tmpfs), holds as many as the command reads and says how
 * many more there are; the daemon's log has them all. The old one held them all (432 MB for 3 million,
 * in /run), and the command cut them at 64 KiB, in the middle of a line. */
START_TEST(a_refusal_with_thousands_of_errors_keeps_the_state_file_small)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	size_t cap = 64 + 5000 * 12, n;
	char *text = malloc(cap), path[600], *err = malloc(1 << 20);
	struct stat st;

	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(err);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("web") " ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	n = (size_t)snprintf(text, cap, "{ \"supervisor\": \"root\", \"children\": [ \"a0\"");
	for (int i = 1; i < 5000; i++)
		n += (size_t)snprintf(text + n, cap - n, ", \"a%d\"", i);
	snprintf(text + n, cap - n, " ] }\n");
	h_write(&h, "root.jsonc", text);
	ck_assert_int_eq(h_run(&h, real), 1);
	snprintf(path, sizeof path, "%s/reload", h.rundir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_le(st.st_size, 65536 + 128);
	ck_assert_int_gt(h_read(&h, "run.err", err, 1 << 20), 0);
	ck_assert_msg(strstr(err, "root.jsonc:1:39: error: \"a0\" is not defined"), "%.200s", err);
	ck_assert_msg(strstr(err, " more (`prospero check` says them all)\n"), "%s", err + strlen(err) - 200);
	ck_assert_uint_le(strlen(err), 65536 + 65536 / 8);	/* with the "prospero: " prefixes */
	/* the daemon's log has them all, "a0" to "a4999" */
	ck_assert_int_eq(h_lines_with(&h, "err", "", "\" is not defined"), 5000);
	ck_assert_int_eq(h_lines_with(&h, "err", "", " more (`prospero check` says them all)"), 0);
	free(text);
	free(err);
	h_stop(&h);
}
END_TEST

/* logrotate moves the events file away, then has the daemon reload: the
 * daemon writes a new file at the path from then on. The old one wrote
 * into the moved file for ever, and at the path there was nothing. */
START_TEST(a_reload_reopens_an_events_file_moved_away)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	const char *const restart[] = { "restart", "web", "--runtime-dir", h.rundir, NULL };
	char moved[600], text[8192];
	int n = -1;

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("web") " ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	snprintf(moved, sizeof moved, "%s.1", h_path(&h, "events"));
	ck_assert_int_eq(rename(h_path(&h, "events"), moved), 0);
	ck_assert_int_eq(h_run(&h, real), 0);
	ck_assert_int_eq(h_run(&h, restart), 0);
	for (int i = 0; i < 100; i++) {
		n = h_read(&h, "events", text, sizeof text);
		if (n > 0 && strstr(text, "\"event\": \"ready\", \"name\": \"web\""))
			break;
		usleep(50 * 1000);
	}
	ck_assert_msg(n > 0 && strstr(text, "\"event\": \"operator\", \"name\": \"web\""), "%d: %s", n,
		      n > 0 ? text : "");
	ck_assert_msg(strstr(text, "\"event\": \"ready\", \"name\": \"web\""), "%s", text);
	ck_assert_int_eq(h_lines_with(&h, "err", "", "reopened, as its path names another file or none"), 1);
	h_stop(&h);
}
END_TEST

/* A runtime directory on a small tmpfs, for the test of a full one: an
 * unchecked fixture, in the test program itself, so the mount goes even
 * when the test fails. Root only: "" without. */
static char small_rt[64];

static void mount_small_rt(void)
{
	small_rt[0] = '\0';
	if (geteuid() != 0)
		return;
	strcpy(small_rt, "/tmp/prospero-fullrt.XXXXXX");
	ck_assert(mkdtemp(small_rt) != NULL);
	ck_assert_msg(mount("tmpfs", small_rt, "tmpfs", MS_NOSUID | MS_NODEV, "size=256k,mode=0755") == 0,
		      "mount: %s", strerror(errno));
}

static void unmount_small_rt(void)
{
	if (!small_rt[0])
		return;
	umount2(small_rt, MNT_DETACH);
	rmdir(small_rt);
	small_rt[0] = '\0';
}

/* The runtime directory full (a tmpfs /run that filled): the state file
 * cannot be written beside itself and renamed, so it is rewritten in
 * place, and `prospero reload` hears the result, applied or refused. The
 * old daemon only warned, and the command waited for ever. */
START_TEST(a_reload_on_a_full_runtime_directory_still_answers)
{
	const char *const real[] = { "reload", "--runtime-dir", small_rt, NULL };
	static char block[4096];
	char path[128], err[4096];
	int fd;

	if (!small_rt[0])
		return;
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("web") " ] }\n");
	h_start_with(&h, root_only, (const char *const[]){ "--runtime-dir", small_rt, NULL });
	h_expect(&h, "ready", "root", NULL);
	snprintf(path, sizeof path, "%s/ballast", small_rt);
	ck_assert((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0);
	while (write(fd, block, sizeof block) > 0)
		;
	ck_assert_int_eq(errno, ENOSPC);
	close(fd);
	ck_assert_int_eq(h_run(&h, real), 0);
	ck_assert_int_gt(h_read(&h, "run.out", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "added nothing; removed nothing"), "%s", err);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ \"nobody\" ] }\n");
	refused_saying(real, "root.jsonc:1:39: error: \"nobody\" is not defined");
	ck_assert_int_eq(h_lines_with(&h, "err", "", "No space left on device: the reload state file is "
				      "written in place until it has room"), 1);
	h_stop(&h);
	/* nothing of the temporary copy left behind */
	snprintf(path, sizeof path, "%s/.reload.tmp", small_rt);
	ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

/* A state file behind the daemon's count, as a write of it that failed
 * (out of fds, say) leaves it: the command waits for a reload asked after
 * its signal all the same. The old one waited for the file's count + 1,
 * which the daemon's count of its signal already carried as done, with
 * the result before: it printed the earlier refusal and exited 1, though
 * its own reload was applied. */
START_TEST(a_state_file_behind_the_count_answers_with_the_commands_own_reload)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	char path[512], tmp[512], text[128], out[4096];
	int fd;

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("web") " ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ \"nobody\" ] }\n");
	refused_saying(real, "\"nobody\" is not defined");
	expect_refusal_event();
	/* asked 1 done 1 in the daemon; the file as it was before */
	snprintf(path, sizeof path, "%s/reload", h.rundir);
	snprintf(tmp, sizeof tmp, "%s/.reload.test", h.rundir);
	snprintf(text, sizeof text, "pid %d\nasked 0\ndone 0\nresult ok\n", (int)h.pid);
	ck_assert((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(rename(tmp, path), 0);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("web") ", " TA("api") " ] }\n");
	ck_assert_int_eq(h_run(&h, real), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "added api"), "%s", out);
	h_stop(&h);
}
END_TEST

/* A dry run's request has no room in a full runtime directory: the
 * command says which file and what to do, and leaves nothing there. The
 * old one said "daemon pid N: No space left on device", and left an
 * empty .reload.request.tmp behind. */
START_TEST(a_dry_run_on_a_full_runtime_directory_says_where_and_leaves_nothing)
{
	const char *const dry[] = { "reload", "--dry-run", "--runtime-dir", small_rt, NULL };
	static char block[4096];
	char path[128], want[512];
	int fd;

	if (!small_rt[0])
		return;
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("web") " ] }\n");
	h_start_with(&h, root_only, (const char *const[]){ "--runtime-dir", small_rt, NULL });
	h_expect(&h, "ready", "root", NULL);
	snprintf(path, sizeof path, "%s/ballast", small_rt);
	ck_assert((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0);
	while (write(fd, block, sizeof block) > 0)
		;
	ck_assert_int_eq(errno, ENOSPC);
	close(fd);
	snprintf(want, sizeof want, "prospero: reload: %s/reload.request: No space left on device (the "
		 "runtime directory %s is full: make room there)", small_rt, small_rt);
	refused_saying(dry, want);
	snprintf(path, sizeof path, "%s/.reload.request.tmp", small_rt);
	ck_assert_msg(access(path, F_OK) != 0, "%s left behind", path);
	snprintf(path, sizeof path, "%s/ballast", small_rt);
	ck_assert_int_eq(unlink(path), 0);
	h_stop(&h);
}
END_TEST

/* No state file in the runtime directory: no daemon to ask. */
START_TEST(the_command_without_a_daemon_says_so)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };

	refused_saying(real, "is a daemon running with this runtime directory?");
}
END_TEST

/* A daemon killed by SIGKILL leaves its state file, whose pid the kernel
 * may give another process: the command asks the runtime directory's lock
 * whether that pid is the daemon's. It used to send that process SIGHUP,
 * and wait for it to end. */
START_TEST(a_stale_state_file_signals_no_one)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	char path[512], text[128];
	pid_t other = fork();
	int fd, st;

	ck_assert(other >= 0);
	if (other == 0) {
		pause();	/* SIGHUP ends it */
		_exit(0);
	}
	snprintf(path, sizeof path, "%s/reload", h.rundir);
	snprintf(text, sizeof text, "pid %d\nasked 0\ndone 0\nresult ok\n", (int)other);
	ck_assert((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(close(fd), 0);
	refused_saying(real, "is a daemon running with this runtime directory?");
	ck_assert_msg(waitpid(other, &st, WNOHANG) == 0, "the command signalled pid %d, not a daemon", (int)other);
	ck_assert_int_eq(kill(other, SIGKILL), 0);
	ck_assert_int_eq(waitpid(other, &st, 0), other);
}
END_TEST

/* A state file whose pid no process has any more: no daemon, said as
 * for a pid that is another's, not as a bare "No such process". */
START_TEST(a_state_file_of_a_dead_pid_says_no_daemon)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	char path[512], text[128], err[1024];
	pid_t gone = fork();
	int fd, st;

	ck_assert(gone >= 0);
	if (gone == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(gone, &st, 0), gone);
	snprintf(path, sizeof path, "%s/reload", h.rundir);
	snprintf(text, sizeof text, "pid %d\nasked 0\ndone 0\nresult ok\n", (int)gone);
	ck_assert((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(h_run(&h, real), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "is a daemon running with this runtime directory?"), "%s", err);
	ck_assert_msg(!strstr(err, "No such process"), "%s", err);
}
END_TEST

/* A pool grows and shrinks by members: those that stay keep running. From
 * one instance to several the name changes ("w" to "w#1"), so the pool
 * is new. */
static void write_pool(unsigned n)
{
	char text[1024];

	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"w\", \"instances\": %u, \"exec\": [\"@TA@\"] },\n"
		 "  " TA("o") " ] }\n", n);
	h_write(&h, "root.jsonc", text);
}

/* Reload with N members: the event has LISTS, and STARTED starts (before
 * the event or after: an added child starts once its supervisor has its
 * new children, and the reload is said once every one has). */
static void reload_expect(unsigned n, const char *lists, const char *started)
{
	bool reloaded = false, start = false;
	struct h_event e;

	write_pool(n);
	h_signal(&h, SIGHUP);
	while (!reloaded || !start) {
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "no reload, or no start of %s", started);
		if (strcmp(e.event, "reload") == 0) {
			ck_assert_msg(strstr(e.line, lists), "expected %s in %s", lists, e.line);
			reloaded = true;
		}
		start |= strcmp(e.event, "start") == 0 && strcmp(e.name, started) == 0;
	}
}

/* Boot with N members; every pid from its start event. */
static void boot_pool(unsigned n, struct pids *p)
{
	struct h_event e;

	write_pool(n);
	h_start(&h, root_only);
	memset(p, 0, sizeof *p);
	do {
		ck_assert(h_next(&h, &e, H_TIMEOUT_MS));
		if (strcmp(e.event, "start") == 0 && e.pid > 0)
			*pid_of(p, e.name) = e.pid;
	} while (strcmp(e.event, "ready") != 0 || strcmp(e.name, "root") != 0);
}

/* Bytes PID has read so far (/proc/PID/io), or -1 once it is gone. */
static long long bytes_read(pid_t pid)
{
	char path[64], line[128];
	long long n = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/io", (int)pid);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "rchar: %lld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* A SIGHUP sent as the daemon starts, before its loop watches for it,
 * is held until it does, then reloads: it used to end the daemon (the
 * default action). The config is padded to 8 MB: the signal is sent once
 * the daemon has read it, while it parses it, long before its loop runs. */
START_TEST(a_hangup_at_start_is_a_reload_not_the_end)
{
	static const char pool[] = "{ \"supervisor\": \"root\", \"children\": [ " TA("o") " ] }\n";
	enum { PAD = 8 << 20 };
	char *text = malloc(PAD + sizeof pool);
	long long end = h_now_ms() + H_TIMEOUT_MS, n;
	struct h_event e;

	ck_assert(text != NULL);
	for (size_t i = 0; i < PAD; i += 64)
		memcpy(text + i, "// padding: the daemon takes a while to parse all of this .....\n", 64);
	memcpy(text + PAD, pool, sizeof pool);
	h_write(&h, "root.jsonc", text);
	free(text);
	h_start(&h, root_only);
	while ((n = bytes_read(h.pid)) >= 0 && n < PAD)
		ck_assert_msg(h_now_ms() < end, "the daemon never read its config");
	h_signal(&h, SIGHUP);
	h_expect(&h, "reload", "root", &e);
	ck_assert_msg(strstr(e.line, "\"added\": [], \"removed\": [], \"restarted\": [], \"changed\": []"),
		      "%s", e.line);
	h_stop(&h);
}
END_TEST

START_TEST(a_pool_changes_by_members)
{
	struct pids before, after;

	boot_pool(2, &before);
	reload_expect(3, "\"added\": [\"w#3\"], \"removed\": [], \"restarted\": [], \"changed\": []", "w#3");
	shutdown_pids(&after);
	ck_assert_int_eq(*pid_of(&after, "w#1"), *pid_of(&before, "w#1"));
	ck_assert_int_eq(*pid_of(&after, "w#2"), *pid_of(&before, "w#2"));
	ck_assert_int_eq(*pid_of(&after, "o"), *pid_of(&before, "o"));
	ck_assert_int_gt(*pid_of(&after, "w#3"), 0);
}
END_TEST

START_TEST(a_pool_of_one_is_renamed)
{
	struct pids before, after;

	boot_pool(3, &before);
	reload_expect(1, "\"added\": [\"w\"], \"removed\": [\"w#1\", \"w#2\", \"w#3\"]", "w");
	shutdown_pids(&after);
	ck_assert_int_eq(*pid_of(&after, "o"), *pid_of(&before, "o"));
	ck_assert_int_eq(*pid_of(&after, "w#1"), 0);
	ck_assert_int_gt(*pid_of(&after, "w"), 0);
}
END_TEST

/* A plan longer than 64 KiB is printed whole, to its count of what is
 * kept: the command read only the first 64 KiB of the state file, and cut
 * the plan off mid-line. 1200 lines of about 70 bytes. */
START_TEST(a_long_plan_is_printed_whole)
{
	const char *const dry[] = { "reload", "--dry-run", "--runtime-dir", h.rundir, NULL };
	static const char name[] = "a_pool_with_a_name_long_enough_to_make_the_plan_long_0123456";
	enum { N = 1200 };
	char text[512], *out = malloc(256 * 1024), line[128];
	int len;

	ck_assert(out != NULL);
	write_pool(1);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	snprintf(text, sizeof text, "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"w\", \"exec\": [\"@TA@\"] }, " TA("o") ",\n"
		 "  { \"actor\": \"%s\", \"instances\": %d, \"exec\": [\"@TA@\"] } ] }\n", name, N);
	h_write(&h, "root.jsonc", text);
	ck_assert_int_eq(h_run(&h, dry), 0);
	len = h_read(&h, "run.out", out, 256 * 1024);
	ck_assert_int_gt(len, 64 * 1024);
	snprintf(line, sizeof line, "add %s#1\n", name);
	ck_assert_msg(strncmp(out, line, strlen(line)) == 0, "%.200s", out);
	snprintf(line, sizeof line, "\nadd %s#%d\n3 unchanged\n", name, N);
	ck_assert_msg(len > (int)strlen(line) && strcmp(out + len - strlen(line), line) == 0, "...%s",
		      out + (len > 200 ? len - 200 : 0));
	free(out);
	h_stop(&h);
}
END_TEST

/* A name that was an actor and is a supervisor now restarts with the
 * reason README "Reload" gives for it, in the plan and in the summary. */
START_TEST(an_actor_become_a_supervisor_restarts_swapped)
{
	const char *const dry[] = { "reload", "--dry-run", "--runtime-dir", h.rundir, NULL };
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	char out[1024];

	write_pool(1);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  " TA("w") ",\n"
		     "  { \"supervisor\": \"o\", \"children\": [ " TA("o1") " ] } ] }\n");
	ck_assert_int_eq(h_run(&h, dry), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_str_eq(out, "restart o (actor and supervisor swapped)\n2 unchanged\n");
	ck_assert_int_eq(h_run(&h, real), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_str_eq(out, "added nothing; removed nothing; restarted o (actor and supervisor swapped); "
			      "changed nothing\n");
	h_expect(&h, "start", "o1", NULL);
	h_stop(&h);
}
END_TEST

/* svc records what cli casts to it; svc's env is V. */
static void write_casting(int v)
{
	const char *ea = getenv("ECHOACTOR");
	char text[2048];

	ck_assert_msg(ea != NULL, "ECHOACTOR is not set");
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"svc\", \"env\": { \"V\": \"%d\" },\n"
		 "    \"exec\": [\"%s\", \"--serve\", \"@DIR@/recv\", \"--delay-us\", \"100\"] },\n"
		 "  { \"actor\": \"cli\", \"exec\": [\"%s\", \"--cast\", \"SVC\", \"5000\", \"@DIR@/sent\"],\n"
		 "    \"bindings\": { \"SVC\": \"svc\" } } ] }\n", v, ea, ea);
	h_write(&h, "root.jsonc", text);
}

static void wait_for_line(const char *file, const char *prefix, int n)
{
	for (int waited = 0; h_count_lines(&h, file, prefix) < n; waited += 5) {
		ck_assert_msg(waited < 4 * H_TIMEOUT_MS, "%s: fewer than %d lines \"%s\"", file, n, prefix);
		h_sleep_ms(5);
	}
}

/* A binding that did not change keeps its socketpair: what the client
 * casts while its service restarts (its env changed) waits in it for the
 * new incarnation, and the client runs on. The record is increasing; it
 * misses at most the one datagram the old incarnation had taken when it
 * was stopped. */
START_TEST(what_waits_in_a_kept_binding_survives)
{
	int seq, who, prev = -1, pids[2] = { 0, 0 }, npids = 0, missing = 0, cli;
	char recv[1 << 16], *line, *save = NULL;
	struct h_event e;
	struct pids after;
	bool reloaded = false, restarted = false;

	write_casting(1);
	h_start(&h, root_only);
	h_expect(&h, "start", "cli", &e);
	cli = e.pid;
	h_expect(&h, "ready", "root", NULL);
	wait_for_line("recv", "", 100);
	write_casting(2);
	h_signal(&h, SIGHUP);
	while (!reloaded || !restarted) {
		ck_assert(h_next(&h, &e, H_TIMEOUT_MS));
		reloaded |= strcmp(e.event, "reload") == 0;
		restarted |= strcmp(e.event, "start") == 0 && strcmp(e.name, "svc") == 0;
	}
	ck_assert_msg(h_count_lines(&h, "sent", "sent ") == 0, "the client finished before the reload");
	wait_for_line("sent", "sent 5000", 1);
	wait_for_line("recv", "4999 ", 1);
	ck_assert_int_gt(h_read(&h, "recv", recv, sizeof recv), 0);
	for (line = strtok_r(recv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ck_assert_int_eq(sscanf(line, "%d %d", &seq, &who), 2);
		if (!npids || who != pids[npids - 1]) {
			ck_assert_int_lt(npids, 2);	/* the old incarnation, then the new */
			pids[npids++] = who;
		}
		ck_assert_msg(seq > prev && seq - prev <= (npids == 2 ? 2 : 1), "%d after %d", seq, prev);
		missing += seq - prev - 1;
		prev = seq;
	}
	ck_assert_int_eq(npids, 2);
	ck_assert_int_eq(prev, 4999);
	ck_assert_int_le(missing, 1);
	shutdown_pids(&after);
	ck_assert_int_eq(*pid_of(&after, "cli"), cli);	/* the client never restarted */
}
END_TEST

/* STUCK (ignores SIGTERM, waits for ever) if wanted, o, and LATE if wanted. */
static void write_stuck(bool stuck, bool late)
{
	char text[1024];

	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n%s  " TA("o") "%s ] }\n",
		 /* ready once it ignores SIGTERM: exec readiness would race it */
		 stuck ? "  { \"actor\": \"stuck\", \"exec\": [\"@TA@\", \"--ignore-term\", \"--notify-after\", \"0\"],\n"
			 "    \"ready\": \"notify\", \"shutdown\": \"infinity\" },\n" : "",
		 late ? ", " TA("late") : "");
	h_write(&h, "root.jsonc", text);
}

/* A SIGHUP while a reload is being applied is not lost: the next reload
 * follows once this one is applied. The first reload cannot finish while
 * "stuck" ignores its SIGTERM; the test kills it once the daemon has said
 * it took the second SIGHUP. */
/* Booted with "stuck", and a reload that removes it being applied (it
 * cannot finish while stuck ignores its SIGTERM); the config then adds
 * "late". Stuck's pid. */
static pid_t a_reload_held_by_stuck(void)
{
	struct h_event e;

	write_stuck(true, false);
	h_start(&h, root_only);
	h_expect(&h, "start", "stuck", &e);
	h_expect(&h, "ready", "root", NULL);
	write_stuck(false, false);
	h_signal(&h, SIGHUP);
	h_expect(&h, "stop", "stuck", NULL);	/* the first reload is being applied */
	write_stuck(false, true);
	return e.pid;
}

/* Until the daemon says it took a SIGHUP while the reload was applied. */
static void await_a_hangup_taken(void)
{
	char err[16384] = "";

	for (int waited = 0; !strstr(err, "SIGHUP while a reload is being applied"); waited += 10) {
		ck_assert_msg(waited < H_TIMEOUT_MS, "the daemon never took the second SIGHUP");
		h_sleep_ms(10);
		if (h_read(&h, "err", err, sizeof err) < 0)
			err[0] = 0;
	}
}

START_TEST(a_hangup_during_a_reload_reloads_after_it)
{
	struct h_event e;
	char state[512];
	pid_t stuck = a_reload_held_by_stuck();

	h_signal(&h, SIGHUP);
	await_a_hangup_taken();
	ck_assert_int_eq(kill(stuck, SIGKILL), 0);
	h_expect(&h, "reload", "root", &e);
	ck_assert_msg(strstr(e.line, "\"added\": [], \"removed\": [\"stuck\"]"), "%s", e.line);
	h_expect(&h, "reload", "root", &e);
	ck_assert_msg(strstr(e.line, "\"added\": [\"late\"], \"removed\": []"), "%s", e.line);
	/* two SIGHUPs asked for two reloads, both done: the one that
	 * follows is not asked for again (it counted itself a third) */
	read_state(state, sizeof state);
	ck_assert_msg(strstr(state, "\nasked 2\ndone 2\n"), "%s", state);
	h_stop(&h);
}
END_TEST

/* `prospero reload` (with --dry-run if DRY) started in the background,
 * its stdout and stderr in OUT and OUT.err; its pid. */
static pid_t reload_cmd_in_background(const char *out, bool dry)
{
	char err[512];
	pid_t pid;

	snprintf(err, sizeof err, "%s.err", h_path(&h, out));
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int o = open(h_path(&h, out), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(120);
		if (dry)
			execl(getenv("PROSPERO"), "prospero", "reload", "--dry-run", "--runtime-dir", h.rundir,
			      (char *)NULL);
		else
			execl(getenv("PROSPERO"), "prospero", "reload", "--runtime-dir", h.rundir, (char *)NULL);
		_exit(121);
	}
	return pid;
}

static pid_t reload_in_background(const char *out)
{
	return reload_cmd_in_background(out, false);
}

static int exit_status(pid_t pid)
{
	int st;

	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* A command that asks while another reload is being applied waits for
 * its own: the daemon counts a SIGHUP in the state file as it takes it.
 * The old daemon wrote the count only when a reload was done, so this
 * command returned with the first reload's summary, exit 0, before its
 * own change was applied. */
START_TEST(a_command_during_a_reload_waits_for_its_own)
{
	char out[4096] = "";
	struct h_event e;
	pid_t stuck = a_reload_held_by_stuck(), cmd;

	cmd = reload_in_background("cmd.out");
	await_a_hangup_taken();
	ck_assert_int_eq(kill(stuck, SIGKILL), 0);
	ck_assert_int_eq(exit_status(cmd), 0);
	ck_assert_int_gt(h_read(&h, "cmd.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "added late;"), "the command printed another reload's summary: %s", out);
	h_expect(&h, "reload", "root", &e);
	ck_assert_msg(strstr(e.line, "\"removed\": [\"stuck\"]"), "%s", e.line);
	h_expect(&h, "reload", "root", &e);
	ck_assert_msg(strstr(e.line, "\"added\": [\"late\"]"), "%s", e.line);
	h_stop(&h);
}
END_TEST

/* The daemon begins to stop while a reload is being applied: the reload
 * is not all applied, and the command says so and exits 1. The old one
 * printed the summary of what it never finished, exit 0. */
START_TEST(a_reload_cut_short_by_a_stop_is_not_called_applied)
{
	char out[4096] = "";
	struct h_event e;
	pid_t cmd;

	write_stuck(true, false);
	h_start(&h, root_only);
	h_expect(&h, "start", "stuck", &e);
	h_expect(&h, "ready", "root", NULL);
	write_stuck(false, true);
	cmd = reload_in_background("cmd.out");
	h_expect(&h, "stop", "stuck", &e);	/* the reload is being applied */
	h_signal(&h, SIGTERM);
	h_expect(&h, "stop", "o", NULL);
	/* said while the daemon still stops (stuck holds it): once it has
	 * exited, its state file is gone, and a command that had not read
	 * it yet can only say the daemon exited first */
	ck_assert_int_eq(exit_status(cmd), 1);
	ck_assert_int_gt(h_read(&h, "cmd.out.err", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "interrupted: the daemon began to stop"), "%s", out);
	ck_assert_int_eq(kill(e.pid, SIGKILL), 0);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

/* A reload asked once the daemon is stopping says so even when the stop
 * cut another reload short: the old daemon took its SIGHUP as one to
 * follow the interrupted reload, which never came, and the command waited
 * for the daemon to exit ("the daemon exited first"; here, for ever). */
START_TEST(a_reload_asked_after_an_interrupted_one_says_the_daemon_is_stopping)
{
	char out[4096] = "";
	struct h_event e;
	pid_t first, second, got = 0;
	int st = 0;

	write_stuck(true, false);
	h_start(&h, root_only);
	h_expect(&h, "start", "stuck", &e);
	h_expect(&h, "ready", "root", NULL);
	write_stuck(false, true);
	first = reload_in_background("first.out");
	h_expect(&h, "stop", "stuck", NULL);	/* the reload is being applied */
	h_signal(&h, SIGTERM);
	h_expect(&h, "stop", "o", NULL);	/* the daemon is stopping; stuck holds it */
	ck_assert_int_eq(exit_status(first), 1);
	second = reload_in_background("second.out");
	for (int waited = 0; waited < H_TIMEOUT_MS && got == 0; waited += 50) {
		got = waitpid(second, &st, WNOHANG);
		if (got == 0)
			usleep(50000);
	}
	ck_assert_int_eq(kill(e.pid, SIGKILL), 0);	/* let the daemon end */
	if (got == 0)
		ck_assert_int_eq(waitpid(second, &st, 0), second);
	ck_assert_int_gt(h_read(&h, "second.out.err", out, sizeof out), 0);
	ck_assert_msg(got == second, "still waiting after %d ms, then: %s", H_TIMEOUT_MS, out);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 1);
	ck_assert_msg(strstr(out, "prospero: the daemon is stopping: it reloads nothing more"), "%s", out);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

/* `prospero VERB NAME` is refused with exit 1 and a reason holding WHY. */
static void refused(const char *verb, const char *name, const char *why)
{
	const char *const argv[] = { verb, name, "--runtime-dir", h.rundir, NULL };
	char err[4096];

	ck_assert_int_eq(h_run(&h, argv), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, why), "%s %s: %s", verb, name, err);
}

/* An operator's restart, stop or start of a node a reload is removing or
 * restarting is refused until the reload is applied, saying so; a kill
 * still reaches it. The old daemon said "is not under a running
 * supervisor", of a node whose supervisor ran. */
START_TEST(an_action_on_a_node_a_reload_replaces_says_so)
{
	const char *const kill_it[] = { "kill", "stuck", "-s", "KILL", "--runtime-dir", h.rundir, NULL };
	struct h_event e;

	a_reload_held_by_stuck();	/* removing stuck */
	refused("stop", "stuck", "prospero: stop: stuck is being removed by a reload\n");
	refused("restart", "stuck", "stuck is being removed by a reload");
	refused("start", "stuck", "stuck is being removed by a reload");
	ck_assert_int_eq(h_run(&h, kill_it), 0);
	h_expect(&h, "exit", "stuck", NULL);
	h_expect(&h, "reload", "root", &e);
	ck_assert_msg(strstr(e.line, "\"removed\": [\"stuck\"]"), "%s", e.line);

	/* restarting it: its exec changes, so the next one does not hold */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"stuck\", \"exec\": [\"@TA@\", \"--ignore-term\", \"--notify-after\", \"0\"],\n"
		     "    \"ready\": \"notify\", \"shutdown\": \"infinity\" }, " TA("o") " ] }\n");
	h_signal(&h, SIGHUP);
	h_expect(&h, "start", "stuck", NULL);
	h_expect(&h, "reload", "root", NULL);
	h_expect(&h, "ready", "stuck", NULL);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  " TA("stuck") ", " TA("o") " ] }\n");
	h_signal(&h, SIGHUP);
	h_expect(&h, "stop", "stuck", NULL);
	refused("stop", "stuck", "stuck is being restarted by a reload: act on it once the reload is applied");
	refused("start", "stuck", "stuck is being restarted by a reload");
	ck_assert_int_eq(h_run(&h, kill_it), 0);
	h_expect_seq(&h, "operator:stuck exit:stuck start:stuck reload:root ready:stuck");
	h_stop(&h);
}
END_TEST

static void journal_is(const char *file)
{
	h_journal_is(&h, file);
}

/* Lines of FILE starting with PREFIX and holding WHAT; FILE must be there. */
static int lines_with(const char *file, const char *prefix, const char *what)
{
	ck_assert_msg(access(h_path(&h, file), F_OK) == 0, "no %s", file);
	return h_lines_with(&h, file, prefix, what);
}

/* Every line of the daemon's stderr, the journal, has a priority: none
 * is empty, none continues the one before. */
static void every_line_has_a_priority(void)
{
	char err[20000];

	ck_assert_int_eq(lines_with("err", "", ""), lines_with("err", "<", ""));
	ck_assert_int_ge(h_read(&h, "err", err, sizeof err), 0);
	ck_assert_msg(!strstr(err, "\n\n"), "an empty line:\n%s", err);
}

#define BROKEN_ROOT "{ \"supervisor\": \"root\", \"children\": [\n" \
		    "  { \"actor\": \"w\", \"exec\": [\"@TA@\"], \"bogus\": 1 } ] }\n"

/* `prospero reload` says a refusal as `check` says the errors: behind
 * "prospero: " off a terminal, at <3> in the journal. The daemon says it
 * a line each, each its own and with its priority. The old command
 * printed the bare lines, the old daemon them and an empty line bare. */
START_TEST(a_refusal_is_said_as_check_says_it)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	const char *const check[] = { "check", "-c", "root.jsonc", NULL };
	char said[4096], checked[4096];

	write_pool(1);
	journal_is("err");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_write(&h, "root.jsonc", BROKEN_ROOT);
	ck_assert(unsetenv("JOURNAL_STREAM") == 0);
	for (int journal = 0; journal < 2; journal++) {
		if (journal)
			journal_is("run.err");
		ck_assert_int_eq(h_run(&h, real), 1);
		ck_assert_int_gt(h_read(&h, "run.err", said, sizeof said), 0);
		ck_assert_int_eq(h_run(&h, check), 1);
		ck_assert_int_gt(h_read(&h, "run.err", checked, sizeof checked), 0);
		ck_assert_str_eq(said, checked);
		ck_assert_msg(strncmp(said, journal ? "<3>prospero: root.jsonc:2:" : "prospero: root.jsonc:2:",
				      journal ? 26 : 23) == 0 && strstr(said, ": error: unknown key"),
			      "%s", said);
	}
	ck_assert_int_eq(lines_with("err", "<3>prospero: reload refused, nothing changed", ""), 2);
	ck_assert_int_eq(lines_with("err", "<3>prospero: root.jsonc:2:", ": error: unknown key"), 2);
	/* the event's own line too: it was said at <6> */
	ck_assert_int_eq(lines_with("err", "<3>prospero: reload root: refused: nothing changed", ""), 2);
	/* and an applied reload's is information */
	write_pool(1);
	ck_assert_int_eq(h_run(&h, real), 0);
	/* the answer may reach the command before the daemon's line is out */
	for (int i = 0; i < H_TIMEOUT_MS / 10 && lines_with("err", "<6>prospero: reload root: ", "") == 0; i++)
		h_sleep_ms(10);
	ck_assert_int_eq(lines_with("err", "<6>prospero: reload root: ", ""), 1);
	ck_assert_int_eq(lines_with("err", "<3>prospero: reload root: ", ""), 2);
	every_line_has_a_priority();
	h_stop(&h);
}
END_TEST

/* Root's dry run of a daemon run by another user: the request file root
 * wrote was root's, mode 0600; the daemon could not read it, took the
 * SIGHUP for a reload, applied it ten times and left the file. */
START_TEST(roots_dry_run_of_another_users_daemon_applies_nothing)
{
	const char *const dry[] = { "reload", "--dry-run", "--runtime-dir", h.rundir, NULL };
	struct h_event e;
	char out[256], path[512];

	if (geteuid() != 0)
		return;	/* needs a daemon of another uid */
	ck_assert_int_eq(chown(h.rundir, 65534, 65534), 0);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("a") " ] }\n");
	h.daemon_uid = 65534;
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("a") ", " TA("b") " ] }\n");
	ck_assert_int_eq(h_run(&h, dry), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_str_eq(out, "add b\n2 unchanged\n");
	ck_assert_msg(!h_next(&h, &e, 300), "the dry run did something: %s", e.line);
	snprintf(path, sizeof path, "%s/reload.request", h.rundir);
	ck_assert_msg(access(path, F_OK) < 0 && errno == ENOENT, "%s is left", path);
	h_stop(&h);
}
END_TEST

/* A dry run changes nothing, with a broken config too: the command says
 * the errors and exits 1, and no reload event follows. The old daemon
 * wrote the refusal's event for it. */
START_TEST(a_dry_run_of_a_broken_config_tells_no_one_else)
{
	const char *const dry[] = { "reload", "--dry-run", "--runtime-dir", h.rundir, NULL };
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	struct h_event e;
	char err[4096], out[64];

	write_pool(1);
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	h_write(&h, "root.jsonc", BROKEN_ROOT);
	ck_assert_int_eq(h_run(&h, dry), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "root.jsonc:2:") && strstr(err, ": error: unknown key"), "%s", err);
	ck_assert_int_eq(h_read(&h, "run.out", out, sizeof out), 0);
	/* the next reload event is the next reload's */
	write_pool(2);
	ck_assert_int_eq(h_run(&h, real), 0);
	h_expect(&h, "reload", "root", &e);
	ck_assert_msg(strstr(e.line, "\"added\": [\"w#1\", \"w#2\"], \"removed\": [\"w\"]"), "%s", e.line);
	h_stop(&h);
}
END_TEST

/* What run refuses of a tree, a reload refuses, dry or not, in check's
 * words: a reload took a "private_tmp" that hides the runtime directory
 * (and an rlimit above the hard one), its dry run said all was well, and
 * the real one failed the start (or gave the tree up: exit 3). */
START_TEST(a_reload_refuses_what_run_refuses)
{
	char rt[512], err[4096];

	if (geteuid() != 0 || strncmp(h.dir, "/tmp/", 5) != 0)
		return;	/* private_tmp is root's, and hides only /tmp */
	snprintf(rt, sizeof rt, "%s", h_path(&h, "rt"));
	const char *const dry[] = { "reload", "--dry-run", "--runtime-dir", rt, NULL };
	const char *const real[] = { "reload", "--runtime-dir", rt, NULL };
	write_pool(1);
	h_start_with(&h, root_only, (const char *const[]){ "--runtime-dir", rt, NULL });
	h_expect(&h, "ready", "root", NULL);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"w\", \"exec\": [\"@TA@\"], \"private_tmp\": true, \"cwd\": \"/\" },\n"
		     "  " TA("o") " ] }\n");
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(h_run(&h, i ? real : dry), 1);
		ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
		ck_assert_msg(strstr(err, "root.jsonc:2:") && strstr(err, ": error: actor \"w\": \"private_tmp\" would hide "
									"the runtime directory"), "%s", err);
	}
	expect_refusal_event();
	h_stop(&h);
}
END_TEST

/* Several refusals of what the host cannot give: said in the order of
 * the text, as check says them (the reload said them in the order of
 * its checks, a limit on line 3 before a private_tmp on line 2). */
START_TEST(a_reloads_refusals_come_in_checks_order)
{
	char rt[512], said[4096], checked[4096];

	if (geteuid() != 0 || strncmp(h.dir, "/tmp/", 5) != 0)
		return;	/* private_tmp is root's, and hides only /tmp */
	snprintf(rt, sizeof rt, "%s", h_path(&h, "rt"));
	const char *const real[] = { "reload", "--runtime-dir", rt, NULL };
	const char *const check[] = { "check", "-c", "root.jsonc", "--runtime-dir", rt, "--containment", "pgroup", NULL };
	write_pool(1);
	h_start_with(&h, root_only, (const char *const[]){ "--runtime-dir", rt, "--containment", "pgroup", NULL });
	h_expect(&h, "ready", "root", NULL);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"w\", \"exec\": [\"@TA@\"], \"private_tmp\": true, \"cwd\": \"/\" },\n"
		     "  { \"actor\": \"o\", \"exec\": [\"@TA@\"], \"limits\": { \"tasks\": 10 } } ] }\n");
	ck_assert_int_eq(h_run(&h, real), 1);
	ck_assert_int_gt(h_read(&h, "run.err", said, sizeof said), 0);
	ck_assert_int_eq(h_run(&h, check), 1);
	ck_assert_int_gt(h_read(&h, "run.err", checked, sizeof checked), 0);
	ck_assert_msg(strstr(said, "root.jsonc:2:") && strstr(said, "root.jsonc:3:") &&
		      strstr(said, "root.jsonc:2:") < strstr(said, "root.jsonc:3:"), "%s", said);
	/* check also says its containment line: the diagnostics are the same */
	ck_assert_msg(strstr(checked, strstr(said, "prospero: root.jsonc:2:")), "reload:\n%s\ncheck:\n%s", said, checked);
	expect_refusal_event();
	h_stop(&h);
}
END_TEST

/* A cgroup limit the daemon's containment cannot apply is an error in
 * check; a reload took it, and the actor it restarted could only fail
 * to start, again and again, until its supervisor gave up. */
START_TEST(a_reload_refuses_a_limit_the_host_cannot_apply)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	char err[4096];

	write_pool(1);
	h_start_with(&h, root_only, (const char *const[]){ "--containment", "pgroup", NULL });
	h_expect(&h, "ready", "root", NULL);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"w\", \"exec\": [\"@TA@\"],\n"
		     "    \"limits\": { \"tasks\": 10 } }, " TA("o") " ] }\n");
	ck_assert_int_eq(h_run(&h, real), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "root.jsonc:3:") &&
		      strstr(err, ": error: actor \"w\": limit \"tasks\" cannot be applied on this host: "),
		      "%s", err);
	expect_refusal_event();
	h_stop(&h);
}
END_TEST

/* The state root is made by the reload that adds the first actor with
 * "state": true, and a root run would refuse (a symbolic link in its
 * path) refuses that reload: its dry run says so too, exit 1, and the
 * state directory is not made. The dry run printed "add s" and exited
 * 0, and only the real reload was refused. */
START_TEST(a_dry_run_refuses_the_state_root_the_reload_refuses)
{
	const char *const dry[] = { "reload", "--dry-run", "--runtime-dir", h.rundir, NULL };
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	char real_dir[512], link[512], st[600], out[64];
	struct stat sb;

	snprintf(real_dir, sizeof real_dir, "%s", h_path(&h, "real"));
	snprintf(link, sizeof link, "%s", h_path(&h, "link"));
	ck_assert_int_eq(mkdir(real_dir, 0755), 0);
	ck_assert_int_eq(symlink("real", link), 0);
	snprintf(st, sizeof st, "%s/st", link);
	write_pool(1);
	h_start_with(&h, root_only, (const char *const[]){ "--state-dir", st, NULL });
	h_expect(&h, "ready", "root", NULL);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  " TA("w") ", " TA("o") ",\n"
		     "  { \"actor\": \"s\", \"exec\": [\"@TA@\"], \"state\": true } ] }\n");
	for (int i = 0; i < 2; i++) {
		refused_saying(i ? real : dry, ": a symbolic link is in its path, and an actor opens its state following "
			       "none: pass --state-dir ");
		ck_assert_int_eq(h_read(&h, "run.out", out, sizeof out), 0);
	}
	ck_assert_int_lt(stat(st, &sb), 0);
	expect_refusal_event();
	h_stop(&h);
}
END_TEST

/* A reload that adds the first actor with "state": true under a state
 * root a dynamic uid cannot reach (a directory above it mode 0700) warns
 * in the daemon's log as check and run warn: the actor's state would
 * fail with EACCES, and the reload said nothing. */
START_TEST(a_reload_warns_of_a_state_root_a_dynamic_uid_cannot_reach)
{
	char st[600], want[1024 + PATH_MAX];

	if (geteuid() != 0)
		return;	/* no dynamic uids without root */
	ck_assert_int_eq(mkdir(h_path(&h, "priv"), 0700), 0);
	snprintf(st, sizeof st, "%s", h_path(&h, "priv/st"));
	write_pool(1);
	h_start_with(&h, root_only, (const char *const[]){ "--state-dir", st, NULL });
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(h_lines_with(&h, "err", "", "warning: "), 0);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  " TA("w") ", " TA("o") ",\n"
		     "  { \"actor\": \"s\", \"exec\": [\"@TA@\"], \"state\": true } ] }\n");
	h_signal(&h, SIGHUP);
	h_expect(&h, "reload", "root", NULL);
	snprintf(want, sizeof want,
		 "root.jsonc:3:5: warning: actor \"s\" runs under a dynamic uid, which cannot reach its state "
		 "directory in %s: %s (mode 0700) is not searchable by others; chmod o+x it, or pass another "
		 "--state-dir", st, h_path(&h, "priv"));
	ck_assert_int_eq(h_lines_with(&h, "err", "", want), 1);
	h_stop(&h);
}
END_TEST

/* A removed instance's uid stays reserved, so a reload can run out of
 * uids that check finds enough: the refusal says why and what to do, not
 * "No space left on device". Its dry run says so too, exit 1, and takes
 * no uid (a take probes, and the probe claims ids in the host registry):
 * it printed "add c" and exited 0, and only the real reload was refused. */
START_TEST(a_reload_or_its_dry_run_out_of_uids_says_how_to_widen_them)
{
	const char *const dry[] = { "reload", "--dry-run", "--runtime-dir", h.rundir, NULL };
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	char out[64];

	if (geteuid() != 0)
		return;	/* dynamic uids are root's */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("a") " ] }\n");
	h_start_with(&h, root_only, (const char *const[]){ "--uid-range", "3900001-3900002", NULL });
	h_expect(&h, "ready", "root", NULL);
	/* b would take the last uid: its dry run takes none, so it goes on */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("b") " ] }\n");
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(h_run(&h, i ? real : dry), 0);
	h_expect(&h, "ready", "b", NULL);
	/* a's uid is kept, b holds the other: c finds none, and a finds its own */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("c") ", " TA("a") " ] }\n");
	for (int i = 0; i < 2; i++) {
		refused_saying(i ? real : dry, "c: no dynamic uid left in 3900001-3900002 (each instance's, removed or "
			       "not, is kept until the daemon exits): restart it with a wider --uid-range");
		ck_assert_int_eq(h_read(&h, "run.out", out, sizeof out), 0);
	}
	/* the next reload event is the real reload's */
	expect_refusal_event();
	/* a alone fits: its uid was kept for it */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("a") " ] }\n");
	ck_assert_int_eq(h_run(&h, dry), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "add a"), "%s", out);
	h_stop(&h);
}
END_TEST

/* A reload asked once the daemon is stopping says so: it said "Cannot
 * send after transport endpoint shutdown". */
START_TEST(a_reload_asked_while_stopping_says_so)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"slow\", \"exec\": [\"@TA@\", \"--ignore-term\", \"--notify-after\", \"0\"],"
		     " \"ready\": \"notify\", \"shutdown\": 3000 } ] }\n");	/* ready: it ignores SIGTERM */
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(kill(h.pid, SIGTERM), 0);
	h_expect(&h, "stop", "slow", NULL);
	refused_saying(real, "prospero: the daemon is stopping: it reloads nothing more");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

/* A fault plan holds the tree as it was checked: no reload under it. */
START_TEST(a_fault_plan_refuses_reload)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };

	write_pool(1);
	h_write(&h, "faults.jsonc", "{ \"faults\": [ { \"kill\": \"o\", \"at\": [86400000] } ] }\n");
	journal_is("err");
	h_start_with(&h, root_only, (const char *const[]){ "--faults", "faults.jsonc", NULL });
	h_expect(&h, "ready", "root", NULL);
	write_pool(2);
	refused_saying(real, "reload refused: a fault plan is running (--faults)");
	expect_refusal_event();
	h_stop(&h);
	/* the daemon's own line for it, as every other: the old one was bare */
	ck_assert_int_eq(lines_with("err", "<3>prospero: reload refused: a fault plan is running", ""), 1);
	every_line_has_a_priority();
}
END_TEST

/* The next datagram on FD but the tree's STATUS= summaries (sent at any
 * time, at most once a second) starts with PREFIX. */
static void expect_notify(int fd, const char *prefix)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[512];
	ssize_t n;

	do {
		ck_assert_msg(poll(&p, 1, H_TIMEOUT_MS) == 1, "no %s from the daemon", prefix);
		n = recv(fd, buf, sizeof buf - 1, 0);
		ck_assert_int_gt(n, 0);
		buf[n] = 0;
	} while (strncmp(buf, "STATUS=", 7) == 0);
	ck_assert_msg(strncmp(buf, prefix, strlen(prefix)) == 0, "expected %s, got %s", prefix, buf);
}

/* systemd (here a socket in its place) hears RELOADING=1 when a reload
 * starts being applied and READY=1 once it is (sd_notify(3)). */
START_TEST(systemd_hears_reloading_then_ready)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct pids before;
	struct h_event e;

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", h_path(&h, "sd.sock"));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	boot(&before);
	unsetenv("NOTIFY_SOCKET");
	expect_notify(fd, "READY=1");
	write_tree(true);
	h_signal(&h, SIGHUP);
	expect_notify(fd, "RELOADING=1\nMONOTONIC_USEC=");
	expect_notify(fd, "READY=1");
	h_expect(&h, "reload", "root", &e);
	expect_reload_event(&e);
	h_stop(&h);
	close(fd);
}
END_TEST

/* sec and the pool svc#1..#3 each have secret KEY1 (.dev.vars beside
 * the config holds VALUE); their env is V. Each is the first child of a
 * supervisor of its own: a reload that restarts them starts it in the
 * same pass as it retires the old incarnations. */
static void write_secrets(int v, const char *value)
{
	char text[1024];

	snprintf(text, sizeof text, "KEY1=%s\n", value);
	h_write(&h, ".dev.vars", text);
	ck_assert_int_eq(chmod(h_path(&h, ".dev.vars"), 0600), 0);
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"supervisor\": \"one\", \"children\": [\n"
		 "    { \"actor\": \"sec\", \"exec\": [\"@TA@\"], \"secrets\": [\"KEY1\"], \"env\": { \"V\": \"%d\" } } ] },\n"
		 "  { \"supervisor\": \"pool\", \"children\": [\n"
		 "    { \"actor\": \"svc\", \"instances\": 3, \"exec\": [\"@TA@\"], \"secrets\": [\"KEY1\"],\n"
		 "      \"env\": { \"V\": \"%d\" } } ] } ] }\n", v, v);
	h_write(&h, "root.jsonc", text);
}

static const char *const with_secrets[] = { "sec", "svc#1", "svc#2", "svc#3" };
#define NSECRETS (sizeof with_secrets / sizeof *with_secrets)

/* Each of them has its credentials file, and it holds VALUE; every one
 * that has not is named. */
static void expect_credentials(const char *value)
{
	char path[512], got[256], wrong[1024] = "";
	FILE *f;
	size_t n;

	for (size_t i = 0; i < NSECRETS; i++) {
		snprintf(path, sizeof path, "%s/credentials/%s/KEY1", h.rundir, with_secrets[i]);
		got[0] = 0;
		if ((f = fopen(path, "r"))) {
			n = fread(got, 1, sizeof got - 1, f);
			got[n] = 0;
			fclose(f);
		}
		if (!f || strcmp(got, value) != 0)
			snprintf(wrong + strlen(wrong), sizeof wrong - strlen(wrong), " %s (%s)", with_secrets[i],
				 f ? got : "no file");
	}
	ck_assert_msg(!wrong[0], "KEY1 is not \"%s\" for:%s", value, wrong);
}

/* A reload that restarts an actor with secrets (its env changed) leaves
 * the new incarnation its credentials, delivered afresh (README
 * "Secrets": read at every start). The old incarnation, freed at the end
 * of the reload, removed its directory by name: the new sec, and svc#1,
 * which starts in the same pass, ran without theirs. */
START_TEST(a_restarted_actor_keeps_its_credentials)
{
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	bool started[NSECRETS] = { false };
	size_t nstarted = 0;
	struct h_event e;

	write_secrets(1, "first");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	expect_credentials("first");
	write_secrets(2, "second");
	ck_assert_int_eq(h_run(&h, real), 0);
	/* the command returned once the reload was applied; the starts of
	 * the new incarnations come before its event or after */
	while (nstarted < NSECRETS) {
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "only %zu of the restarted actors started", nstarted);
		for (size_t i = 0; i < NSECRETS; i++) {
			if (started[i] || strcmp(e.event, "start") != 0 || strcmp(e.name, with_secrets[i]) != 0)
				continue;
			started[i] = true;
			nstarted++;
		}
	}
	expect_credentials("second");
	h_stop(&h);
}
END_TEST

/* sec's credential KEY1, as delivered: "" when there is none. */
static void read_key1(char *buf, size_t len)
{
	char path[512];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof path, "%s/credentials/sec/KEY1", h.rundir);
	if ((f = fopen(path, "r"))) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* The root supervisor in ROOT (a/top.jsonc or b/top.jsonc), sec in the other. */
static void write_moved(const char *root, int v)
{
	const char *other = strcmp(root, "a/top.jsonc") == 0 ? "b/top.jsonc" : "a/top.jsonc";
	char text[512];

	h_write(&h, root, "{ \"supervisor\": \"root\", \"children\": [\"sec\"] }\n");
	snprintf(text, sizeof text, "{ \"actor\": \"sec\", \"exec\": [\"@TA@\"], \"secrets\": [\"KEY1\"], "
		 "\"env\": { \"V\": \"%d\" } }\n", v);
	h_write(&h, other, text);
}

/* README "Secrets": .dev.vars is looked for beside the root config, at
 * each start. A reload that moves the root supervisor to a file in
 * another directory moves it too: the daemon kept the path it found at
 * start, and the restarted sec had a/'s value. */
START_TEST(a_reload_follows_the_root_config_to_its_dev_vars)
{
	const char *const configs[] = { "a/top.jsonc", "b/top.jsonc", NULL };
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	char got[64];

	ck_assert_int_eq(mkdir(h_path(&h, "a"), 0755), 0);
	ck_assert_int_eq(mkdir(h_path(&h, "b"), 0755), 0);
	h_write(&h, "a/.dev.vars", "KEY1=from-a\n");
	h_write(&h, "b/.dev.vars", "KEY1=from-b\n");
	ck_assert_int_eq(chmod(h_path(&h, "a/.dev.vars"), 0600), 0);
	ck_assert_int_eq(chmod(h_path(&h, "b/.dev.vars"), 0600), 0);
	write_moved("a/top.jsonc", 1);
	h_start(&h, configs);
	h_expect(&h, "start", "sec", NULL);
	h_expect(&h, "ready", "root", NULL);
	read_key1(got, sizeof got);
	ck_assert_str_eq(got, "from-a");
	write_moved("b/top.jsonc", 2);
	ck_assert_int_eq(h_run(&h, real), 0);
	h_expect(&h, "start", "sec", NULL);
	read_key1(got, sizeof got);
	ck_assert_str_eq(got, "from-b");
	h_stop(&h);
}
END_TEST

/* y with the keys MORE, and o beside it. */
static void write_y(const char *more)
{
	char text[1024];

	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"y\", \"exec\": [\"@TA@\"]%s },\n"
		 "  " TA("o") " ] }\n", more);
	h_write(&h, "root.jsonc", text);
}

/* Booted with y (MORE) and o: their pids. */
static void boot_y(const char *more, pid_t *y, pid_t *o)
{
	struct h_event e;

	write_y(more);
	h_start(&h, root_only);
	h_expect(&h, "start", "y", &e);
	*y = e.pid;
	h_expect(&h, "start", "o", &e);
	*o = e.pid;
	h_expect(&h, "ready", "root", NULL);
}

/* y's keys become MORE: the plan restarts y alone, for WHY, and so does
 * the reload. The new y's pid. */
static pid_t reload_y(const char *more, const char *why, pid_t y)
{
	const char *const dry[] = { "reload", "--dry-run", "--runtime-dir", h.rundir, NULL };
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	char out[4096], want[128];
	struct h_event e;

	write_y(more);
	ck_assert_int_eq(h_run(&h, dry), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	snprintf(want, sizeof want, "restart y (%s)\n2 unchanged\n", why);
	ck_assert_str_eq(out, want);
	ck_assert_int_eq(h_run(&h, real), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	snprintf(want, sizeof want, "restarted y (%s)", why);
	ck_assert_msg(strstr(out, want), "%s", out);
	h_expect(&h, "start", "y", &e);
	ck_assert_int_ne(e.pid, y);
	return e.pid;
}

/* o ran through it all with the same pid. */
static void o_kept(pid_t o)
{
	struct pids after;

	shutdown_pids(&after);
	ck_assert_int_eq(*pid_of(&after, "o"), o);
}

/* A dry run prints exactly PLAN; the reload then says SAID among the rest. */
static void reload_says(const char *plan, const char *said)
{
	const char *const dry[] = { "reload", "--dry-run", "--runtime-dir", h.rundir, NULL };
	const char *const real[] = { "reload", "--runtime-dir", h.rundir, NULL };
	char out[4096];

	ck_assert_int_eq(h_run(&h, dry), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_str_eq(out, plan);
	ck_assert_int_eq(h_run(&h, real), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, said), "%s", out);
}

/* The plan and the reload of a config in which nothing changed: the
 * dry run keeps all three nodes, the reload restarts nothing. */
static void reload_nothing(void)
{
	reload_says("3 unchanged\n", "restarted nothing");
}

/* README: a relative cwd resolves against the file, whose directory is
 * the default, and a reload keeps what did not change. "." was kept as
 * "DIR/.", and the reload said "restarted y (cwd)". */
START_TEST(a_cwd_of_dot_is_the_default_and_keeps_the_actor)
{
	struct pids after;
	pid_t y, o;

	boot_y("", &y, &o);
	write_y(", \"cwd\": \".\"");
	reload_nothing();
	write_y(", \"cwd\": \".//\"");
	reload_nothing();
	shutdown_pids(&after);
	ck_assert_int_eq(*pid_of(&after, "y"), y);
	ck_assert_int_eq(*pid_of(&after, "o"), o);
}
END_TEST

/* README "Reload": env is an object, so its keys in another order are the
 * same env. The diff compared the "KEY=VALUE" vector in order: the plan
 * said "restart y (env)" and the reload restarted y. A value changed
 * still restarts it. */
START_TEST(env_keys_in_another_order_keep_the_actor)
{
	pid_t y, o;

	boot_y(", \"env\": { \"A\": \"1\", \"B\": \"2\", \"C\": \"3\" }", &y, &o);
	write_y(", \"env\": { \"C\": \"3\", \"A\": \"1\", \"B\": \"2\" }");
	reload_nothing();
	y = reload_y(", \"env\": { \"C\": \"3\", \"A\": \"1\", \"B\": \"4\" }", "env", y);
	o_kept(o);
}
END_TEST

/* q, a queue for c, with its settings MORE. */
static void write_q(const char *more)
{
	char text[1024];

	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  " TA("c") ",\n"
		 "  { \"queue\": \"q\", \"consumer\": \"c\"%s } ] }\n", more);
	h_write(&h, "root.jsonc", text);
}

/* README: the reasons are the keys' groups, a queue's settings "queue".
 * Its options are made from them: it said "restarted q (exec, queue)". */
START_TEST(a_queue_setting_reloads_as_queue)
{
	char state[512];
	struct h_event e;
	struct pids after;
	pid_t q = 0, c = 0;

	snprintf(state, sizeof state, "%s", h_path(&h, "state"));
	write_q(", \"max_batch_size\": 10");
	h_start_with(&h, root_only, (const char *const[]){ "--state-dir", state, NULL });
	do {
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "the tree never became ready");
		if (strcmp(e.event, "start") == 0 && strcmp(e.name, "q") == 0)
			q = e.pid;
		if (strcmp(e.event, "start") == 0 && strcmp(e.name, "c") == 0)
			c = e.pid;
	} while (strcmp(e.event, "ready") != 0 || strcmp(e.name, "root") != 0);
	ck_assert(q > 0 && c > 0);
	write_q(", \"max_batch_size\": 20");
	reload_says("restart q (queue)\n2 unchanged\n", "restarted q (queue);");
	h_expect(&h, "start", "q", &e);
	ck_assert_int_ne(e.pid, q);
	shutdown_pids(&after);
	ck_assert_int_eq(*pid_of(&after, "c"), c);
}
END_TEST

/* Where the cgroup hierarchy of TYPE ("cgroup" with option OPT, or
 * "cgroup2") is mounted, from /proc/self/mounts; "" if it is not. */
static void mount_of(const char *type, const char *opt, char *buf, size_t len)
{
	char dev[256], dir[256], fstype[64], opts[512];
	FILE *f = fopen("/proc/self/mounts", "r");

	buf[0] = '\0';
	ck_assert_ptr_nonnull(f);
	while (fscanf(f, "%255s %255s %63s %511s %*d %*d", dev, dir, fstype, opts) == 4) {
		char *o, *save = NULL;
		bool has = !opt;

		for (o = strtok_r(opts, ",", &save); o && !has; o = strtok_r(NULL, ",", &save))
			has = strcmp(o, opt) == 0;
		if (strcmp(fstype, type) == 0 && has) {
			snprintf(buf, len, "%s", dir);
			break;
		}
	}
	fclose(f);
}

/* The pids.max that holds PID: its v1 pids mirror's on a hybrid host,
 * else its unified cgroup's ("max" for none). */
static void pids_max(pid_t pid, char *buf, size_t len)
{
	char path[512], line[512], v1[512] = "", v2[512] = "", root[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f)) {
		char *ctl = strchr(line, ':'), *rel = ctl ? strchr(ctl + 1, ':') : NULL;

		if (!rel)
			continue;
		line[strcspn(line, "\n")] = '\0';
		*rel++ = '\0';
		if (strcmp(ctl + 1, "pids") == 0)
			snprintf(v1, sizeof v1, "%s", rel);
		else if (ctl[1] == '\0')
			snprintf(v2, sizeof v2, "%s", rel);
	}
	fclose(f);
	if (v1[0] && strcmp(v1, "/") != 0)
		mount_of("cgroup", "pids", root, sizeof root);
	else
		mount_of("cgroup2", NULL, root, sizeof root);
	ck_assert_msg(root[0], "no cgroup hierarchy with pids for pid %d", (int)pid);
	snprintf(path, sizeof path, "%s%s/pids.max", root, v1[0] && strcmp(v1, "/") != 0 ? v1 : v2);
	ck_assert_msg((f = fopen(path, "r")) != NULL, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* A reload that changes "tasks" restarts the actor, in a cgroup that
 * holds the new limit. The old diff compared only rlimits: the plan was
 * empty ("changed nothing"), and 77 stayed in force for the daemon's
 * life, even across `prospero restart`. */
START_TEST(a_reload_of_a_cgroup_limit_restarts_with_the_new_one)
{
	char max[64];
	pid_t y, o;

	boot_y(", \"limits\": { \"tasks\": 77 }", &y, &o);
	pids_max(y, max, sizeof max);
	ck_assert_str_eq(max, "77");
	y = reload_y(", \"limits\": { \"tasks\": 55 }", "limits", y);
	pids_max(y, max, sizeof max);
	ck_assert_str_eq(max, "55");
	o_kept(o);
}
END_TEST

/* PID's IPC namespace, as /proc shows it ("ipc:[4026531839]"). */
/* "private_ipc": false, reloaded: y restarts in the daemon's IPC
 * namespace. The old diff did not look at it: y kept a namespace of its
 * own for the daemon's life. */
START_TEST(a_reload_of_private_ipc_restarts_with_it)
{
	char daemon[64], mine[64];
	pid_t y, o;

	boot_y("", &y, &o);
	h_ns_id(h.pid, "ipc", daemon, sizeof daemon);
	h_ns_id(y, "ipc", mine, sizeof mine);
	if (strcmp(mine, daemon) == 0) {
		/* not root, or no CAP_SYS_ADMIN: no actor has one of its own */
		fprintf(stderr, "check_reload: no private IPC namespace here, nothing to test\n");
		h_stop(&h);
		return;
	}
	y = reload_y(", \"private_ipc\": false", "namespaces", y);
	h_ns_id(y, "ipc", mine, sizeof mine);
	ck_assert_str_eq(mine, daemon);
	o_kept(o);
}
END_TEST

/* The line of /proc/PID/status that begins with KEY, after it, into BUF. */
static const char *proc_status(pid_t pid, const char *key, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	buf[0] = '\0';
	while (fgets(buf, (int)len, f) && strncmp(buf, key, strlen(key)) != 0)
		buf[0] = '\0';
	fclose(f);
	return buf[0] ? buf + strlen(key) : "";
}

static bool stopped(pid_t pid)
{
	char buf[256];

	return strchr(proc_status(pid, "State:", buf, sizeof buf), 'T') != NULL;
}

static bool hangup_pending(pid_t pid)
{
	char buf[256];

	return strtoull(proc_status(pid, "ShdPnd:", buf, sizeof buf), NULL, 16) & (1ull << (SIGHUP - 1));
}

/* Is PID blocked in poll(2), as a reload command is once its signal is
 * sent and it waits for the answer? /proc/PID/syscall begins with the
 * number of the call it is blocked in ("running" when it is not). */
static bool in_poll(pid_t pid)
{
	char path[64], buf[256] = "";
	long nr;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	if (!fgets(buf, sizeof buf, f))
		buf[0] = '\0';
	fclose(f);
	if (sscanf(buf, "%ld ", &nr) != 1)
		return false;
#ifdef SYS_poll
	if (nr == SYS_poll)
		return true;
#endif
	return nr == SYS_ppoll;
}

/* Until WHAT holds, or the test fails saying WHY. */
#define AWAIT(what, why) \
	for (int waited_ = 0; !(what); waited_ += 10) { \
		ck_assert_msg(waited_ < H_TIMEOUT_MS, why); \
		h_sleep_ms(10); \
	}

/* README: a dry run changes nothing, and the command returns once the
 * reload asked after its signal is done. A reload and a dry run asked
 * while the daemon cannot take signals (stopped here) are one SIGHUP to
 * it, which found the dry run's request: the reload command printed the
 * plan, exit 0, and nothing was applied. Now each hears an answer of its
 * own kind: the reload command asks again. */
START_TEST(a_dry_run_at_the_moment_of_a_reload_answers_truly)
{
	char out[4096] = "", request[512];
	struct h_event e;
	pid_t y, o, real, dry;

	boot_y("", &y, &o);
	write_y(", \"env\": { \"V\": \"1\" }");
	ck_assert_int_eq(kill(h.pid, SIGSTOP), 0);
	AWAIT(stopped(h.pid), "the daemon never stopped");
	real = reload_cmd_in_background("real.out", false);
	AWAIT(hangup_pending(h.pid), "the reload command never signalled");
	dry = reload_cmd_in_background("dry.out", true);
	snprintf(request, sizeof request, "%s/reload.request", h.rundir);
	AWAIT(access(request, F_OK) == 0, "the dry run left no request");
	/* its signal follows the request; it then waits for the answer */
	AWAIT(in_poll(dry), "the dry run never waited for its answer");
	ck_assert_int_eq(kill(h.pid, SIGCONT), 0);
	ck_assert_int_eq(exit_status(dry), 0);
	ck_assert_int_gt(h_read(&h, "dry.out", out, sizeof out), 0);
	ck_assert_str_eq(out, "restart y (env)\n2 unchanged\n");
	ck_assert_int_eq(exit_status(real), 0);
	ck_assert_int_gt(h_read(&h, "real.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "restarted y (env)"), "the reload command said: %s", out);
	h_expect(&h, "start", "y", &e);
	ck_assert_int_ne(e.pid, y);
	o_kept(o);
}
END_TEST

/* Dry runs asked at once, as two operators or scripts may: each prints
 * the plan. They wrote their request under one temporary name, so one's
 * rename took the file from under another's, which then failed with
 * "daemon pid N: No such file or directory". */
START_TEST(dry_runs_at_once_each_print_the_plan)
{
	enum { N = 8, ROUNDS = 3 };
	char name[32], out[4096];
	pid_t y, o, cmd[N];

	boot_y("", &y, &o);
	write_y(", \"env\": { \"V\": \"1\" }");
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < N; i++) {
			snprintf(name, sizeof name, "dry%d.out", i);
			cmd[i] = reload_cmd_in_background(name, true);
		}
		for (int i = 0; i < N; i++) {
			int st = exit_status(cmd[i]);

			snprintf(name, sizeof name, "dry%d.out.err", i);
			out[0] = '\0';
			h_read(&h, name, out, sizeof out);
			ck_assert_msg(st == 0, "dry run %d exited %d: %s", i, st, out);
			snprintf(name, sizeof name, "dry%d.out", i);
			ck_assert_int_gt(h_read(&h, name, out, sizeof out), 0);
			ck_assert_str_eq(out, "restart y (env)\n2 unchanged\n");
		}
	}
	o_kept(o);
}
END_TEST

/* Out of fds altogether (its soft limit lowered, as prlimit(1) would, to
 * leave none free): the config cannot be read, and the reload is refused
 * saying the daemon's limit and the fix, which `prospero reload` hears.
 * The old daemon said a bare "cannot open: Too many open files", and
 * could not write its state file either, so the command waited until the
 * daemon exited, even once the limit was back. */
START_TEST(a_reload_out_of_fds_is_answered_with_the_limit)
{
	struct rlimit low, was;
	char want[256], err[4096];
	pid_t cmd;

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [ " TA("web") " ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, NULL, &was), 0);
	low = (struct rlimit){ h_lowest_free_fd(h.pid), was.rlim_max };
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &low, NULL), 0);
	cmd = reload_in_background("r1");
	if (!h_wait_dead(cmd, H_TIMEOUT_MS)) {
		kill(cmd, SIGKILL);
		waitpid(cmd, NULL, 0);
		ck_abort_msg("`prospero reload` got no answer from a daemon out of fds");
	}
	ck_assert_int_eq(exit_status(cmd), 1);
	ck_assert_int_gt(h_read(&h, "r1.err", err, sizeof err), 0);
	snprintf(want, sizeof want, "root.jsonc: error: cannot open: Too many open files (the daemon's limit "
		 "is %llu open files: raise it, e.g. LimitNOFILE= under systemd)", (unsigned long long)low.rlim_cur);
	ck_assert_msg(strstr(err, want), "%s", err);
	expect_refusal_event();
	ck_assert_int_eq(prlimit(h.pid, RLIMIT_NOFILE, &was, NULL), 0);
	h_stop(&h);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("reload");
	TCase *tc = tcase_create("reload");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_reload_restarts_exactly_what_changed);
	tcase_add_test(tc, a_broken_config_reloads_nothing_and_says_where);
	tcase_add_test(tc, a_fifo_in_the_configs_place_is_refused_at_once);
	tcase_add_test(tc, a_refusal_with_thousands_of_errors_keeps_the_state_file_small);
	tcase_add_test(tc, a_reload_reopens_an_events_file_moved_away);
	tcase_add_test(tc, the_command_prints_the_plan_then_waits_for_the_reload);
	tcase_add_test(tc, a_pool_changes_by_members);
	tcase_add_test(tc, a_pool_of_one_is_renamed);
	tcase_add_test(tc, an_actor_become_a_supervisor_restarts_swapped);
	tcase_add_test(tc, a_long_plan_is_printed_whole);
	tcase_add_test(tc, a_restarted_actor_keeps_its_credentials);
	tcase_add_test(tc, systemd_hears_reloading_then_ready);
	tcase_add_test(tc, what_waits_in_a_kept_binding_survives);
	tcase_add_test(tc, a_fault_plan_refuses_reload);
	tcase_add_test(tc, a_reload_refuses_what_run_refuses);
	tcase_add_test(tc, a_reloads_refusals_come_in_checks_order);
	tcase_add_test(tc, a_dry_run_refuses_the_state_root_the_reload_refuses);
	tcase_add_test(tc, a_reload_warns_of_a_state_root_a_dynamic_uid_cannot_reach);
	tcase_add_test(tc, a_reload_refuses_a_limit_the_host_cannot_apply);
	tcase_add_test(tc, a_reload_or_its_dry_run_out_of_uids_says_how_to_widen_them);
	tcase_add_test(tc, a_reload_asked_while_stopping_says_so);
	tcase_add_test(tc, a_refusal_is_said_as_check_says_it);
	tcase_add_test(tc, a_dry_run_of_a_broken_config_tells_no_one_else);
	tcase_add_test(tc, roots_dry_run_of_another_users_daemon_applies_nothing);
	tcase_add_test(tc, a_hangup_during_a_reload_reloads_after_it);
	tcase_add_test(tc, a_hangup_at_start_is_a_reload_not_the_end);
	tcase_add_test(tc, a_command_during_a_reload_waits_for_its_own);
	tcase_add_test(tc, a_reload_cut_short_by_a_stop_is_not_called_applied);
	tcase_add_test(tc, a_reload_asked_after_an_interrupted_one_says_the_daemon_is_stopping);
	tcase_add_test(tc, an_action_on_a_node_a_reload_replaces_says_so);
	tcase_add_test(tc, the_command_without_a_daemon_says_so);
	tcase_add_test(tc, a_stale_state_file_signals_no_one);
	tcase_add_test(tc, a_state_file_of_a_dead_pid_says_no_daemon);
	tcase_add_test(tc, a_reload_of_a_cgroup_limit_restarts_with_the_new_one);
	tcase_add_test(tc, a_reload_of_private_ipc_restarts_with_it);
	tcase_add_test(tc, a_cwd_of_dot_is_the_default_and_keeps_the_actor);
	tcase_add_test(tc, a_queue_setting_reloads_as_queue);
	tcase_add_test(tc, env_keys_in_another_order_keep_the_actor);
	tcase_add_test(tc, a_reload_follows_the_root_config_to_its_dev_vars);
	tcase_add_test(tc, a_dry_run_at_the_moment_of_a_reload_answers_truly);
	tcase_add_test(tc, dry_runs_at_once_each_print_the_plan);
	tcase_add_test(tc, a_state_file_behind_the_count_answers_with_the_commands_own_reload);
	suite_add_tcase(s, tc);
	/* the daemon's open-file limit lowered under it */
	tc = tcase_create("nofile");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_reload_out_of_fds_for_new_bindings_says_why);
	tcase_add_test(tc, a_reload_is_counted_against_the_present_hard_limit);
	tcase_add_test(tc, a_reload_out_of_fds_is_answered_with_the_limit);
	suite_add_tcase(s, tc);
	tc = tcase_create("full");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, mount_small_rt, unmount_small_rt);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_reload_on_a_full_runtime_directory_still_answers);
	tcase_add_test(tc, a_dry_run_on_a_full_runtime_directory_says_where_and_leaves_nothing);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
