/* Durable state on the real daemon (README "Durable state"): a writer
 * killed mid-transaction again and again sees every committed write and
 * nothing of the others, across a daemon restart too; each instance's
 * directory is its own (mode 0700, its uid's, another actor is refused),
 * writable under read_only, re-owned without following a link when the
 * dynamic uid changed; a symbolic link in its place is refused. The
 * writer (tests/actors/stateactor.c) runs under "minimal": what SQLite
 * needs comes with "state": true. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/common/runner.h"
#include "tests/common/harness.h"

static struct h h;
static char statedir[512];

static void setup(void)
{
	h_init(&h);
	snprintf(statedir, sizeof statedir, "%s", h_path(&h, "state"));
	h_link(&h, "STATEACTOR", "sa");
}

static void teardown(void) { h_fini(&h); }

static const char *const root_only[] = { "root.jsonc", NULL };

/* An empty FILE any uid may append to: the next run's actor has another */
static void shared_file(const char *name)
{
	h_write(&h, name, "");
	ck_assert(chmod(h_path(&h, name), 0666) == 0);
}

static void start(const char *uid_range)
{
	const char *extra[] = { "--state-dir", statedir, uid_range ? "--uid-range" : NULL, uid_range, NULL };

	h_start_with(&h, root_only, extra);
}

static char file_buf[1 << 16];

/* Wait until FILE has a line containing NEEDLE; that line, in LINE. */
static void wait_line(const char *file, const char *needle, char *line, size_t cap)
{
	for (int waited = 0;; waited += 10) {
		int n = h_read(&h, file, file_buf, sizeof file_buf - 1);
		char *hit, *end;

		if (n > 0) {
			file_buf[n] = '\0';
			if ((hit = strstr(file_buf, needle))) {
				while (hit > file_buf && hit[-1] != '\n')
					hit--;
				if ((end = strchr(hit, '\n')))
					*end = '\0';
				ck_assert(strlen(hit) < cap);
				memcpy(line, hit, strlen(hit) + 1);
				return;
			}
		}
		ck_assert_msg(waited < 12 * H_TIMEOUT_MS, "%s: no line with \"%s\"; it ends: %s", file, needle,
			      n > 0 ? file_buf + (n > 200 ? n - 200 : 0) : "(nothing)");
		h_sleep_ms(10);
	}
}

/* Every line of FILE that starts with "start " says "ok"; how many. */
static int starts_all_ok(const char *file)
{
	int n = h_read(&h, file, file_buf, sizeof file_buf - 1), starts = 0;

	ck_assert_int_gt(n, 0);
	file_buf[n] = '\0';
	for (char *save = NULL, *l = strtok_r(file_buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "start ", 6) != 0)
			continue;
		ck_assert_msg(strstr(l, " ok"), "%s", l);
		starts++;
	}
	return starts;
}

#define COMMITS 300

/* A process under UID until release_uid: to a starting daemon, that
 * uid is taken. */
static pid_t hold_uid(uid_t uid)
{
	pid_t child = fork();

	ck_assert_int_ge(child, 0);
	if (child == 0) {
		/* after the change of uid, which clears the death signal */
		if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0 ||
		    prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1)
			_exit(1);
		for (;;)
			pause();
	}
	return child;
}

static void release_uid(pid_t holder)
{
	int status;

	ck_assert_int_eq(kill(holder, SIGKILL), 0);
	ck_assert_int_eq(waitpid(holder, &status, 0), holder);
	ck_assert(WIFSIGNALED(status));
}

START_TEST(a_writer_killed_mid_transaction_keeps_what_it_committed)
{
	char line[256];
	struct stat st;
	uid_t first_uid;
	pid_t holder = -1;
	int starts;

	/* an intensity no crash loop spends: the kills are the point */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"intensity\": 100000, \"period\": 1, \"children\": [\n"
		     "  { \"actor\": \"w\", \"exec\": [\"@DIR@/sa\", \"crash\", \"@DIR@/w.out\", \"300\", \"42\"],\n"
		     "    \"state\": true, \"sandbox\": { \"profile\": \"minimal\" } } ] }\n");
	/* whichever uid w runs under appends to it */
	shared_file("w.out");
	start(NULL);
	wait_line("w.out", "done ", line, sizeof line);
	ck_assert_str_eq(line, "done 300");
	starts = starts_all_ok("w.out");
	/* a kill every 1 to 5 commits: some 100 incarnations */
	ck_assert_msg(starts >= COMMITS / 5, "only %d starts", starts);
	h_stop(&h);

	/* the directory outlives the daemon: the next one finds all 300,
	 * even under a new uid, as when another daemon's actor holds the
	 * old one by then */
	ck_assert(lstat(h_path(&h, "state/w"), &st) == 0);
	first_uid = st.st_uid;
	if (geteuid() == 0)
		holder = hold_uid(first_uid);
	start(NULL);
	wait_line("w.out", "start 300 ok", line, sizeof line);
	h_stop(&h);
	if (holder < 0)
		return;
	release_uid(holder);
	ck_assert(lstat(h_path(&h, "state/w"), &st) == 0);
	ck_assert_msg(st.st_uid != first_uid, "w kept uid %u", (unsigned)first_uid);
}
END_TEST

/* The same from outside: the test SIGKILLs the writer at seeded moments,
 * a few ms into each incarnation, 200 times. Each start finds every
 * transaction whole and none of them torn ("start N ok"), and N is at
 * least the last one whose commit had returned ("committed N" before
 * it): state_put and commit are durable when they return. CHAOS_SEED. */
START_TEST(a_writer_killed_from_outside_keeps_what_it_committed)
{
	const char *s = getenv("CHAOS_SEED");
	unsigned long long r = s ? strtoull(s, NULL, 10) : 20261207;
	struct h_event e;
	int kills = 0, starts = 0;
	long committed = 0, n;
	char *save = NULL;
	static char text[1 << 21];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"intensity\": 100000, \"period\": 1, \"children\": [\n"
		     "  { \"actor\": \"w\", \"exec\": [\"@DIR@/sa\", \"crash\", \"@DIR@/w.out\", \"1000000\", \"0\"],\n"
		     "    \"state\": true, \"sandbox\": { \"profile\": \"minimal\" } } ] }\n");
	shared_file("w.out");
	start(NULL);
	while (kills < 200) {
		h_expect(&h, "start", "w", &e);
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		h_sleep_ms(2 + (int)((r >> 33) % 25));
		if (kill(e.pid, SIGKILL) == 0)
			kills++;
	}
	h_stop(&h);
	ck_assert_int_ge(h_read(&h, "w.out", text, sizeof text - 1), 0);
	text[sizeof text - 2] = '\0';
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (sscanf(l, "committed %ld", &n) == 1) {
			committed = n;
		} else if (sscanf(l, "start %ld", &n) == 1) {
			ck_assert_msg(strstr(l, " ok"), "%s", l);
			ck_assert_msg(n >= committed, "%s, after committed %ld", l, committed);
			committed = n;
			starts++;
		}
	}
	fprintf(stderr, "state writer killed from outside, seed %s: %d kills, %d starts, %ld committed\n",
		s ? s : "20261207", kills, starts, committed);
	/* a kill may come before its start line, most of them on a loaded
	 * machine (97 of 200 said theirs beside five other suites): enough
	 * must say theirs for the check above to mean something */
	ck_assert_int_ge(starts, kills / 10);
}
END_TEST

static void expect_dir(const char *path, uid_t uid)
{
	struct stat st;

	ck_assert_msg(lstat(path, &st) == 0, "%s", path);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	ck_assert_uint_eq(st.st_uid, uid);
}

START_TEST(each_instance_has_a_directory_of_its_own)
{
	char line[256], want[600];
	unsigned uid;
	struct stat st;

	/* read_only names it: it must be there before the config is read */
	ck_assert(mkdir(statedir, 0700) == 0);
	shared_file("p.out");	/* the pool's two uids */
	/* read_only: b's state root read-only, c's whole file system; their
	 * own directories not */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@DIR@/sa\", \"put\", \"@DIR@/a.out\"], \"state\": true,\n"
		     "    \"sandbox\": { \"profile\": \"minimal\" } },\n"
		     "  { \"actor\": \"p\", \"exec\": [\"@DIR@/sa\", \"put\", \"@DIR@/p.out\"], \"state\": true,\n"
		     "    \"instances\": 2, \"sandbox\": { \"profile\": \"minimal\" } },\n"
		     "  { \"actor\": \"b\", \"exec\": [\"@DIR@/sa\", \"open\", \"@DIR@/b.out\", \"@DIR@/state/a/state.db\"],\n"
		     "    \"state\": true, \"read_only\": [\"@DIR@/state\"], \"sandbox\": { \"profile\": \"minimal\" } },\n"
		     "  { \"actor\": \"c\", \"exec\": [\"@DIR@/sa\", \"put\", \"@DIR@/state/c/out\"], \"state\": true,\n"
		     "    \"read_only\": [\"/\"], \"sandbox\": { \"profile\": \"minimal\" } } ] }\n");
	start(NULL);
	wait_line("a.out", "put ", line, sizeof line);
	ck_assert_int_eq(sscanf(line, "put 1 uid %u", &uid), 1);
	wait_line("state/c/out", "put 1 uid", line, sizeof line);
	wait_line("p.out", "put 1 uid", line, sizeof line);
	for (int waited = 0; h_count_lines(&h, "p.out", "put 1 uid") < 2; waited += 10) {
		ck_assert(waited < H_TIMEOUT_MS);
		h_sleep_ms(10);
	}
	snprintf(want, sizeof want, "open %s/state/a/state.db: %s", h.dir, geteuid() == 0 ? "EACCES" : "ok");
	wait_line("b.out", "open ", line, sizeof line);
	/* as root each instance has its own uid, and no one else gets in */
	ck_assert_str_eq(line, want);
	expect_dir(h_path(&h, "state/a"), geteuid() == 0 ? uid : geteuid());
	ck_assert(lstat(h_path(&h, "state/a/state.db"), &st) == 0);
	ck_assert_uint_eq(st.st_uid, uid);
	ck_assert(stat(h_path(&h, "state"), &st) == 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0711);
	ck_assert(access(h_path(&h, "state/p#1/state.db"), F_OK) == 0);
	ck_assert(access(h_path(&h, "state/p#2/state.db"), F_OK) == 0);
	h_stop(&h);
}
END_TEST

/* The uid a run gave actor "a", from its line "put N uid U". */
static unsigned put_uid(int n)
{
	char line[256], needle[32];
	unsigned uid;

	snprintf(needle, sizeof needle, "put %d uid", n);
	wait_line("a.out", needle, line, sizeof line);
	ck_assert_int_eq(sscanf(line + strlen(needle), "%u", &uid), 1);
	return uid;
}

/* A first run of "a" (one put) under RANGE, stopped: the uid it had. */
static unsigned first_run(const char *range)
{
	unsigned uid;

	shared_file("a.out");
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@DIR@/sa\", \"put\", \"@DIR@/a.out\"], \"state\": true,\n"
		     "    \"sandbox\": { \"profile\": \"minimal\" } } ] }\n");
	start(range);
	uid = put_uid(1);
	h_stop(&h);
	return uid;
}

START_TEST(a_new_dynamic_uid_takes_the_directory_over_without_following_links)
{
	unsigned first, second;
	struct stat st;

	if (geteuid() != 0)
		return;	/* no dynamic uids */
	first = first_run("62000-62099");
	/* what the instance may have left: a directory, and a link to a file
	 * that is not its own */
	ck_assert(mkdir(h_path(&h, "state/a/sub"), 0700) == 0);
	ck_assert(chown(h_path(&h, "state/a/sub"), first, first) == 0);
	h_write(&h, "victim", "root's\n");
	ck_assert(symlink(h_path(&h, "victim"), h_path(&h, "state/a/sub/link")) == 0);
	start("63000-63099");
	second = put_uid(2);
	ck_assert_uint_ne(first, second);
	expect_dir(h_path(&h, "state/a"), second);
	ck_assert(lstat(h_path(&h, "state/a/sub"), &st) == 0 && st.st_uid == second);
	ck_assert(lstat(h_path(&h, "state/a/sub/link"), &st) == 0 && S_ISLNK(st.st_mode));
	ck_assert_uint_eq(st.st_uid, second);
	ck_assert(stat(h_path(&h, "victim"), &st) == 0);
	ck_assert_uint_eq(st.st_uid, 0);
	h_stop(&h);
}
END_TEST

/* A directory left by an earlier run keeps its uid from every other
 * instance: renamed to "b", the uid that owns it would otherwise go to
 * the new "a" by the same hash, and "a" could read what "b" keeps. */
START_TEST(a_uid_that_owns_another_directory_is_not_handed_out)
{
	unsigned first, second;
	struct stat st;

	if (geteuid() != 0)
		return;	/* no dynamic uids */
	first = first_run("62000-62099");
	ck_assert(rename(h_path(&h, "state/a"), h_path(&h, "state/b")) == 0);
	shared_file("a.out");
	start("62000-62099");
	second = put_uid(1);
	ck_assert_uint_ne(first, second);
	ck_assert(lstat(h_path(&h, "state/b"), &st) == 0);
	ck_assert_uint_eq(st.st_uid, first);
	expect_dir(h_path(&h, "state/a"), second);
	h_stop(&h);
}
END_TEST

/* The parents of the state root it makes are 0755 whatever the umask
 * (README "Durable state"): under umask 077 the old daemon made them
 * 0700, and an actor's dynamic uid could not reach its own directory
 * ("cannot open the state: Permission denied"). */
START_TEST(the_state_roots_parents_are_0755_under_a_restrictive_umask)
{
	char deep[600], line[256];
	struct stat st;
	mode_t old;

	if (geteuid() != 0)
		return;	/* without dynamic uids the actor is the daemon's uid */
	snprintf(deep, sizeof deep, "%s", h_path(&h, "deep/a/b/state"));
	shared_file("a.out");
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@DIR@/sa\", \"put\", \"@DIR@/a.out\"], \"state\": true,\n"
		     "    \"sandbox\": { \"profile\": \"minimal\" } } ] }\n");
	old = umask(077);
	h_start_with(&h, root_only, (const char *const[]){ "--state-dir", deep, NULL });
	umask(old);
	wait_line("a.out", "\n", line, sizeof line);	/* its first word */
	ck_assert_msg(strncmp(line, "put 1 uid ", 10) == 0, "%s", line);
	ck_assert(stat(h_path(&h, "deep/a"), &st) == 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	ck_assert(stat(h_path(&h, "deep/a/b"), &st) == 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	ck_assert(stat(deep, &st) == 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0711);
	h_stop(&h);
}
END_TEST

START_TEST(a_link_in_place_of_the_directory_is_refused)
{
	struct h_event e;

	ck_assert(mkdir(statedir, 0711) == 0);
	ck_assert(mkdir(h_path(&h, "elsewhere"), 0700) == 0);
	ck_assert(symlink(h_path(&h, "elsewhere"), h_path(&h, "state/a")) == 0);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@DIR@/sa\", \"put\", \"@DIR@/a.out\"], \"state\": true } ] }\n");
	start(NULL);
	h_expect(&h, "exit", "a", &e);
	ck_assert_msg(strstr(e.reason, "state directory") && strstr(e.reason, "never a symbolic link"),
		      "%s", e.reason);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);
	ck_assert(access(h_path(&h, "elsewhere/state.db"), F_OK) != 0);
}
END_TEST

/* A root reached through a symbolic link: run refuses it at start and
 * names the real path. The old daemon took it, and every actor then
 * failed to open its state (ELOOP) until its supervisor gave up. */
START_TEST(a_root_through_a_link_is_refused_at_start)
{
	char real[600], want[800];

	ck_assert(mkdir(h_path(&h, "real"), 0755) == 0);
	ck_assert(symlink(h_path(&h, "real"), h_path(&h, "link")) == 0);
	snprintf(real, sizeof real, "%s", h_path(&h, "real/state"));
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@DIR@/sa\", \"put\", \"@DIR@/a.out\"], \"state\": true } ] }\n");
	h_start_with(&h, root_only, (const char *const[]){ "--state-dir", h_path(&h, "link/state"), NULL });
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);
	snprintf(want, sizeof want, "a symbolic link is in its path, and an actor opens its state following none: "
		 "pass --state-dir %s", real);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: state directory ", want), 1);
}
END_TEST

/* A root that is a file: said so, and what to pass (it said only "Not
 * a directory", unlike a root through a link). */
START_TEST(a_root_that_is_a_file_is_refused_saying_what_to_pass)
{
	char want[800];

	h_write(&h, "file", "not a directory\n");
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@DIR@/sa\", \"put\", \"@DIR@/a.out\"], \"state\": true } ] }\n");
	h_start_with(&h, root_only, (const char *const[]){ "--state-dir", h_path(&h, "file"), NULL });
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 1);
	snprintf(want, sizeof want, "state directory %s: Not a directory: pass --state-dir a directory, or a path "
		 "that does not exist yet", h_path(&h, "file"));
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: ", want), 1);
}
END_TEST

/* The first actor with state, added by a reload while the root is
 * reached through a link: that reload is refused saying why, and once the
 * link is gone the next one makes the root and starts the actor. The old
 * daemon answered "Invalid argument", then kept the refused root's path
 * without a directory fd: every start failed (EBADF) until the tree gave
 * up. */
START_TEST(a_reload_refused_for_the_state_root_can_be_retried)
{
	const char *const reload[] = { "reload", "--runtime-dir", h.rundir, NULL };
	char out[4096], want[800], line[256];
	struct h_event e;

	ck_assert(mkdir(h_path(&h, "real"), 0755) == 0);
	ck_assert(symlink(h_path(&h, "real"), h_path(&h, "link")) == 0);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"/bin/sleep\", \"1000\"] } ] }\n");
	h_start_with(&h, root_only, (const char *const[]){ "--state-dir", h_path(&h, "link/state"), NULL });
	h_expect(&h, "ready", "root", NULL);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"/bin/sleep\", \"1000\"] },\n"
		     "  { \"actor\": \"b\", \"exec\": [\"@DIR@/sa\", \"put\", \"@DIR@/b.out\"], \"state\": true } ] }\n");
	ck_assert_int_eq(h_run(&h, reload), 1);
	ck_assert_int_gt(h_read(&h, "run.err", out, sizeof out - 1), 0);
	snprintf(want, sizeof want, "state directory %s: a symbolic link is in its path", h_path(&h, "link/state"));
	ck_assert_msg(strstr(out, want), "%s", out);
	h_expect(&h, "reload", "root", &e);
	ck_assert_str_eq(e.reason, "refused: nothing changed");

	ck_assert(unlink(h_path(&h, "link")) == 0);
	ck_assert(mkdir(h_path(&h, "link"), 0755) == 0);
	ck_assert_int_eq(h_run(&h, reload), 0);
	h_expect(&h, "ready", "b", NULL);
	wait_line("b.out", "put ", line, sizeof line);
	ck_assert_msg(strncmp(line, "put 1 ", 6) == 0, "%s", line);
	h_stop(&h);
}
END_TEST

/* check --explain ACTOR with the test's state directory: must pass; its
 * output into OUT. */
static void explain(const char *actor, char *out, int cap)
{
	int n;

	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", actor,
							  "--state-dir", statedir, NULL }), 0);
	n = h_read(&h, "run.out", out, cap - 1);
	ck_assert_int_gt(n, 0);
	out[n] = '\0';
}

START_TEST(check_explain_shows_the_directory)
{
	char out[8192], want[700];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@DIR@/sa\"], \"state\": true,\n"
		     "    \"sandbox\": { \"profile\": \"minimal\" } } ] }\n");
	explain("a", out, sizeof out);
	snprintf(want, sizeof want, "  state directory: %s/a ($STATE_DIRECTORY): mode 0700", statedir);
	ck_assert_msg(strstr(out, want), "%s", out);
	/* and what SQLite needs under "minimal" */
	ck_assert_msg(strstr(out, "    fdatasync\n") && strstr(out, "    ftruncate\n"), "%s", out);
}
END_TEST

/* Whose the directory is: a dynamic uid's alone; a "user" is any actor's
 * that names it too (it said "its uid's alone" of both). */
START_TEST(check_explain_says_whose_the_directory_is)
{
	char out[8192];

	if (geteuid() != 0)
		return;	/* dynamic uids and "user" are root's */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@DIR@/sa\"], \"state\": true },\n"
		     "  { \"actor\": \"u\", \"exec\": [\"@DIR@/sa\"], \"state\": true, \"user\": \"nobody\" } ] }\n");
	explain("a", out, sizeof out);
	ck_assert_msg(strstr(out, "($STATE_DIRECTORY): mode 0700, its uid's alone, writable"), "%s", out);
	explain("u", out, sizeof out);
	ck_assert_msg(strstr(out, "($STATE_DIRECTORY): mode 0700, user nobody's (and any actor's that runs as it), writable"),
		      "%s", out);
}
END_TEST

/* "deny" takes calls from @state as from any group: explain says which
 * are gone, not "@state allowed" (the old one did, over a list without
 * them). */
START_TEST(check_explain_says_what_deny_takes_from_state)
{
	char out[8192];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@DIR@/sa\"], \"state\": true,\n"
		     "    \"sandbox\": { \"profile\": \"minimal\", \"deny\": [\"fsync\", \"unlink\"] } },\n"
		     "  { \"actor\": \"b\", \"exec\": [\"@DIR@/sa\"], \"state\": true,\n"
		     "    \"sandbox\": { \"profile\": \"minimal\", \"deny\": [\"@state\"] } } ] }\n");
	explain("a", out, sizeof out);
	ck_assert_msg(strstr(out, "writable; @state allowed, but not fsync, unlink (taken by \"deny\")\n"), "%s", out);
	ck_assert_msg(!strstr(out, "    fsync\n") && strstr(out, "    fdatasync\n"), "%s", out);
	explain("b", out, sizeof out);
	ck_assert_msg(strstr(out, "writable; @state taken by \"deny\": it cannot write there\n"), "%s", out);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("state");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, a_writer_killed_mid_transaction_keeps_what_it_committed);
	tcase_add_test(tc, a_writer_killed_from_outside_keeps_what_it_committed);
	tcase_add_test(tc, each_instance_has_a_directory_of_its_own);
	tcase_add_test(tc, a_new_dynamic_uid_takes_the_directory_over_without_following_links);
	tcase_add_test(tc, a_uid_that_owns_another_directory_is_not_handed_out);
	tcase_add_test(tc, the_state_roots_parents_are_0755_under_a_restrictive_umask);
	tcase_add_test(tc, a_link_in_place_of_the_directory_is_refused);
	tcase_add_test(tc, a_root_through_a_link_is_refused_at_start);
	tcase_add_test(tc, a_root_that_is_a_file_is_refused_saying_what_to_pass);
	tcase_add_test(tc, a_reload_refused_for_the_state_root_can_be_retried);
	tcase_add_test(tc, check_explain_shows_the_directory);
	tcase_add_test(tc, check_explain_says_whose_the_directory_is);
	tcase_add_test(tc, check_explain_says_what_deny_takes_from_state);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
