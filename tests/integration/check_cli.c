/* The command line: exit statuses and what check prints. */
#include <check.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/common/runner.h"
#include "tests/common/harness.h"

static struct h h;

static void setup(void) { h_init(&h); }
static void teardown(void) { h_fini(&h); }

START_TEST(no_command_is_a_usage_error)
{
	char err[4096];

	ck_assert_int_eq(h_run(&h, (const char *const[]){ NULL }), 2);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert(strstr(err, "usage: prospero run") != NULL);
}
END_TEST

START_TEST(an_unknown_command_is_a_usage_error)
{
	char err[4096];

	ck_assert_int_eq(h_run(&h, (const char *const[]){ "frobnicate", NULL }), 2);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert(strstr(err, "prospero: unknown command \"frobnicate\"\n") != NULL);
}
END_TEST

START_TEST(run_without_config_is_a_usage_error)
{
	char err[4096];

	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", NULL }), 2);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert(strstr(err, "prospero: run needs at least one config file (-c FILE)\n") != NULL);
}
END_TEST

START_TEST(an_unknown_option_is_a_usage_error)
{
	char err[1024] = "";

	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "--frob", NULL }), 2);
	/* an option without its value: said once, as getopt says it */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "kill", "a", "-s", NULL }), 2);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err - 1), 0);
	ck_assert_msg(strstr(err, "requires an argument") && !strstr(err, "unknown option"), "%s", err);
}
END_TEST

/* ARGS is a usage error (2) that says WANT, and nothing else, on stderr. */
static void usage_error_says(const char *const *args, const char *want)
{
	char err[1024] = "";

	ck_assert_int_eq(h_run(&h, args), 2);
	ck_assert_int_ge(h_read(&h, "run.err", err, sizeof err - 1), 0);
	ck_assert_str_eq(err, want);
}

/* Every usage error of every command is said as every other message is,
 * "prospero: " (not getopt's argv[0]), with what was wrong and where the
 * usage is. */
START_TEST(a_usage_error_says_what_is_wrong_and_where_to_look)
{
	usage_error_says((const char *const[]){ "check", "-c", "x", "--xyz", NULL },
			 "prospero: --xyz: unknown option\n(see prospero --help)\n");
	usage_error_says((const char *const[]){ "run", "-c", "x", "-z", NULL },
			 "prospero: -z: unknown option\n(see prospero --help)\n");
	usage_error_says((const char *const[]){ "status", "--json=1", NULL },
			 "prospero: --json: option takes no argument\n(see prospero --help)\n");
	usage_error_says((const char *const[]){ "logs", "a", "--lines", NULL },
			 "prospero: --lines: option requires an argument\n(see prospero --help)\n");
	usage_error_says((const char *const[]){ "kill", "a", "-s", NULL },
			 "prospero: -s: option requires an argument\n(see prospero --help)\n");
	usage_error_says((const char *const[]){ "status", "--fo", NULL },
			 "prospero: --fo: ambiguous option (--follow, --for)\n(see prospero --help)\n");
	usage_error_says((const char *const[]){ "reload", "--xyz", NULL },
			 "prospero: --xyz: unknown option\n(see prospero --help)\n");
	usage_error_says((const char *const[]){ "reload", "a", NULL },
			 "prospero: a: reload takes no argument, only --dry-run and --runtime-dir DIR\n"
			 "(see prospero --help)\n");
	/* an empty NAME names nothing: not the whole tree, nor a request the
	 * daemon has to refuse */
	usage_error_says((const char *const[]){ "status", "", NULL },
			 "prospero: status: NAME is empty\n(see prospero --help)\n");
	usage_error_says((const char *const[]){ "restart", "", NULL },
			 "prospero: restart: NAME is empty\n(see prospero --help)\n");
	usage_error_says((const char *const[]){ "events", "--name=", NULL },
			 "prospero: events: NAME is empty\n(see prospero --help)\n");
	/* the synopsis offers one view or the other, not both */
	usage_error_says((const char *const[]){ "status", "--json", "--dot", NULL },
			 "prospero: status: --json and --dot: give one\n(see prospero --help)\n");
	usage_error_says((const char *const[]){ "check", NULL },
			 "prospero: check needs at least one config file (-c FILE)\n(see prospero --help)\n");
	usage_error_says((const char *const[]){ "check", "-c", "x", "--uid-range", "9", NULL },
			 "prospero: --uid-range \"9\": expected FIRST-LAST, with 0 < FIRST <= LAST < 4294967295\n"
			 "(see prospero --help)\n");
}
END_TEST

START_TEST(check_accepts_a_valid_tree_and_merges_files)
{
	char out[4096];

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"shop\", \"strategy\": \"one_for_one\", /* comment */\n"
		"  \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"], \"instances\": 2 }, \"b\", ] }\n");
	h_write(&h, "b.jsonc", "{ \"actor\": \"b\", \"exec\": [\"@TA@\"] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "b.jsonc", NULL }), 0);
	ck_assert(h_read(&h, "run.out", out, sizeof out) > 0);
	ck_assert_str_eq(out, "configuration ok: root \"shop\", 1 supervisor, 2 actors, 3 processes\n");
}
END_TEST

/* A diagnostic longer than the daemon's 2 KiB line (a config deep in the
 * file system, naming it twice) is said whole, its reason last: it was
 * cut at 2047 bytes, mid-name and without the reason. */
START_TEST(a_long_diagnostic_is_said_whole)
{
	char path[2800], seg[201], err[8192], want[2900];
	size_t off = (size_t)snprintf(path, sizeof path, "%s", h.dir);
	FILE *f;
	int n;

	memset(seg, 'd', 200);
	seg[200] = '\0';
	for (int i = 0; i < 10; i++) {	/* h_path holds 512 bytes: built here */
		off += (size_t)snprintf(path + off, sizeof path - off, "/%s", seg);
		ck_assert_int_eq(mkdir(path, 0755), 0);
	}
	snprintf(path + off, sizeof path - off, "/r.jsonc");
	ck_assert_ptr_nonnull(f = fopen(path, "we"));
	fputs("{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"./nope\"] } ] }\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", path, NULL }), 1);
	n = h_read(&h, "run.err", err, sizeof err);
	ck_assert_int_gt(n, 4100);
	path[off] = '\0';
	snprintf(want, sizeof want, "%s/nope: No such file or directory\n", path);
	ck_assert_msg((size_t)n > strlen(want) && strcmp(err + n - strlen(want), want) == 0, "ends: %s",
		      err + (n > 200 ? n - 200 : 0));
	ck_assert_msg(strncmp(err, "prospero: ", 10) == 0 && !strchr(err, '\n')[1], "%.100s", err);
}
END_TEST

/* A runtime directory that is a symlink, or no directory, is refused
 * saying which: ENOTDIR's "Not a directory" was said of a symlink to a
 * directory. */
START_TEST(a_runtime_directory_that_is_a_symlink_or_a_file_is_refused_saying_which)
{
	char link[600], file[600], err[2048], want[1400];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	snprintf(link, sizeof link, "%s", h_path(&h, "link"));
	snprintf(file, sizeof file, "%s", h_path(&h, "file"));
	ck_assert_int_eq(symlink(h.dir, link), 0);
	h_write(&h, "file", "");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "-c", "root.jsonc", "--runtime-dir", link, NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	snprintf(want, sizeof want, "prospero: %s is a symbolic link: a runtime directory must be a directory, not a "
		 "symlink; give the directory's own path\n", link);
	ck_assert_msg(strstr(err, want), "%s", err);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "-c", "root.jsonc", "--runtime-dir", file, NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	snprintf(want, sizeof want, "prospero: %s is not a directory: a runtime directory must be a directory\n", file);
	ck_assert_msg(strstr(err, want), "%s", err);
}
END_TEST

/* A runtime directory inside one another user may write (its owner, or
 * anyone in a non-sticky 0777 one) is refused: that user could move it
 * away and put one of theirs in its place, and the operator's commands,
 * the actors' $NOTIFY_SOCKET and $CREDENTIALS_DIRECTORY would reach
 * theirs. A sticky one of root's (/tmp, the harness's) is fine. */
START_TEST(a_runtime_directory_inside_another_users_directory_is_refused)
{
	char parent[600], rt[700], err[2048], want[1600];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	snprintf(parent, sizeof parent, "%s", h_path(&h, "open"));
	snprintf(rt, sizeof rt, "%s/run", parent);
	ck_assert_int_eq(mkdir(parent, 0755), 0);
	ck_assert_int_eq(chmod(parent, 0777), 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "-c", "root.jsonc", "--runtime-dir", rt, NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	snprintf(want, sizeof want, "prospero: runtime directory %s is inside %s, owned by uid %u with mode 0777: "
		 "another user could move it away and put their own in its place; each directory above a "
		 "runtime directory must be root's or the daemon's uid's, and writable by no one else unless "
		 "sticky (as /tmp)\n", rt, parent, (unsigned)geteuid());
	ck_assert_msg(strstr(err, want), "%s", err);
	ck_assert_int_eq(access(rt, F_OK), -1);	/* nothing made there */
	if (geteuid() != 0)
		return;	/* needs another uid to give it to */
	ck_assert_int_eq(chmod(parent, 0755), 0);
	ck_assert_int_eq(chown(parent, 65534, 65534), 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "-c", "root.jsonc", "--runtime-dir", rt, NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	snprintf(want, sizeof want, "prospero: runtime directory %s is inside %s, owned by uid 65534 with mode 0755: ",
		 rt, parent);
	ck_assert_msg(strstr(err, want), "%s", err);
}
END_TEST

/* The same for the state root: the actors open $STATE_DIRECTORY by name,
 * so another user who owned a directory above it could, once the daemon
 * had made it, move it away and put their own in its place, and an
 * actor's next start wrote its state there. check and run refuse it. */
START_TEST(a_state_directory_inside_another_users_directory_is_refused)
{
	char parent[600], st[700], err[2048], want[1600];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"],"
				  " \"state\": true } ] }\n");
	snprintf(parent, sizeof parent, "%s", h_path(&h, "open"));
	snprintf(st, sizeof st, "%s/state", parent);
	ck_assert_int_eq(mkdir(parent, 0755), 0);
	ck_assert_int_eq(chmod(parent, 0777), 0);
	snprintf(want, sizeof want, "prospero: state directory %s is inside %s, owned by uid %u with mode 0777: "
		 "another user could move it away and put their own in its place, which the actors would open; "
		 "each directory above a state directory must be root's or the daemon's uid's, and writable by "
		 "no one else unless sticky (as /tmp)\n", st, parent, (unsigned)geteuid());
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--state-dir", st, NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, want), "%s", err);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "-c", "root.jsonc", "--state-dir", st,
							  "--runtime-dir", h.rundir, NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, want), "%s", err);
	ck_assert_int_eq(access(st, F_OK), -1);	/* nothing made there */
	if (geteuid() != 0)
		return;	/* needs another uid to give it to */
	ck_assert_int_eq(chmod(parent, 0755), 0);
	ck_assert_int_eq(chown(parent, 65534, 65534), 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--state-dir", st, NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	snprintf(want, sizeof want, "prospero: state directory %s is inside %s, owned by uid 65534 with mode 0755: ",
		 st, parent);
	ck_assert_msg(strstr(err, want), "%s", err);
	/* a sticky one, as /tmp, is no way in */
	ck_assert_int_eq(chown(parent, 0, 0), 0);
	ck_assert_int_eq(chmod(parent, 01777), 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--state-dir", st, NULL }), 0);
}
END_TEST

/* The summary counts the tree: an actor no supervisor names never runs,
 * and is a warning, not one of the actors. */
START_TEST(check_counts_only_the_actors_in_the_tree)
{
	char out[4096], err[4096];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"shop\", \"children\": [ \"b\" ] }\n");
	h_write(&h, "b.jsonc", "{ \"actor\": \"b\", \"exec\": [\"@TA@\"], \"instances\": 2 }\n");
	h_write(&h, "loose.jsonc", "{ \"actor\": \"loose\", \"exec\": [\"@TA@\"] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "b.jsonc", "loose.jsonc",
							  NULL }), 0);
	ck_assert(h_read(&h, "run.out", out, sizeof out) > 0);
	ck_assert_str_eq(out, "configuration ok: root \"shop\", 1 supervisor, 1 actor, 2 processes\n");
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_str_eq(err, "prospero: loose.jsonc:1:3: warning: actor \"loose\" is defined but no supervisor names "
			      "it as a child; it will not run\n");
}
END_TEST

/* `-c root.jsonc *.jsonc` names the root twice: read once, and said */
START_TEST(check_reads_a_file_given_twice_once)
{
	char out[4096], err[4096];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"shop\", \"children\": [ \"b\" ] }\n");
	h_write(&h, "b.jsonc", "{ \"actor\": \"b\", \"exec\": [\"@TA@\"] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "b.jsonc", "root.jsonc", NULL }), 0);
	ck_assert(h_read(&h, "run.out", out, sizeof out) > 0);
	ck_assert_str_eq(out, "configuration ok: root \"shop\", 1 supervisor, 1 actor, 1 process\n");
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_str_eq(err, "prospero: root.jsonc: warning: the file is given twice, as root.jsonc too: it is read once\n");
}
END_TEST

START_TEST(check_reports_errors_with_file_line_and_column_and_exits_1)
{
	char err[4096];

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"shop\", \"strategy\": \"one_for_one\",\n"
		"  \"children\": [ \"missing\" ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_msg(strncmp(err, "prospero: root.jsonc:2:17: error: ", 34) == 0, "got: %s", err);
}
END_TEST

START_TEST(check_rejects_names_that_are_not_plain_file_names)
{
	char err[4096];

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"shop\",\n"
		"  \"children\": [ { \"actor\": \"..\", \"exec\": [\"@TA@\"], \"secrets\": [\"K\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_msg(strstr(err, "root.jsonc:2:28: error: \"actor\": invalid name \"..\": a name cannot start with '.'"),
		      "got: %s", err);
}
END_TEST

/* As root each actor instance without "user" takes a uid of the range. */
START_TEST(check_says_when_the_uid_range_is_too_small)
{
	char err[4096], out[4096];

	if (geteuid() != 0)
		return;	/* no dynamic uids without root */
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"shop\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"], \"instances\": 4096 },\n"
		"  { \"actor\": \"b\", \"exec\": [\"@TA@\"], \"instances\": 241 } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	/* its first line; a low hard limit on open files adds a warning: check
	 * says all it finds */
	static const char uids[] = "prospero: root.jsonc:1:3: error: the tree needs 4337 dynamic uids, one per actor instance without \"user\", but --uid-range 61184-65519 holds 4336: widen it, e.g. --uid-range 61184-65520 (ids that passwd or group use are skipped too)\n";
	ck_assert_msg(strncmp(err, uids, sizeof uids - 1) == 0, "%s", err);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "--uid-range", "61184-65520", "-c", "root.jsonc", NULL }), 0);
	ck_assert(h_read(&h, "run.out", out, sizeof out) > 0);
	ck_assert_str_eq(out, "configuration ok: root \"shop\", 1 supervisor, 2 actors, 4337 processes\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--uid-range", "70000-70100", NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_msg(strstr(err, "but --uid-range 70000-70100 holds 101: widen it, e.g. --uid-range 70000-74336 "), "got: %s", err);
}
END_TEST

/* As root an actor without "user" runs under a dynamic uid, which is
 * "others" to every file: one whose program is under a directory others
 * may not search (a checkout under /root, mode 0700) could only fail to
 * start, with EACCES, and check passed it without a word. Its cwd there
 * is no matter: the child enters it while it is still root. */
START_TEST(check_warns_of_a_program_a_dynamic_uid_cannot_reach)
{
	char err[4096], want[1024 + PATH_MAX], ta[PATH_MAX];

	if (geteuid() != 0)
		return;	/* no dynamic uids without root */
	ck_assert(mkdir(h_path(&h, "priv"), 0700) == 0);
	ck_assert(getenv("TESTACTOR") && realpath(getenv("TESTACTOR"), ta));
	ck_assert(symlink(ta, h_path(&h, "priv/ta")) == 0);
	h_write(&h, "priv/root.jsonc",
		"{ \"supervisor\": \"shop\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"./ta\"] },\n"
		"  { \"actor\": \"b\", \"exec\": [\"./ta\"], \"user\": \"nobody\" },\n"
		"  { \"actor\": \"c\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "priv/root.jsonc", NULL }), 0);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	snprintf(want, sizeof want,
		 "prospero: priv/root.jsonc:2:5: warning: actor \"a\" runs under a dynamic uid, which cannot "
		 "reach its executable %s: %s (mode 0700) is not searchable by others; chmod o+x it, or give the "
		 "actor a \"user\"\n", h_path(&h, "priv/ta"), h_path(&h, "priv"));
	ck_assert_msg(strstr(err, want), "got: %s", err);
	/* b runs as nobody, whom the mode may let in or not: not guessed;
	 * c's program is out of priv, its cwd in it */
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: priv/root.jsonc:"), 1);
	ck_assert(chmod(h_path(&h, "priv"), 0711) == 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "priv/root.jsonc", NULL }), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: priv/root.jsonc:"), 0);
}
END_TEST

/* The same of a file its "exec" names, a script: the interpreter is
 * reachable, but opens the script after the uid changed (Python makes
 * its path absolute, so the cwd does not help), and check said nothing. */
START_TEST(check_warns_of_a_script_a_dynamic_uid_cannot_reach)
{
	char err[4096], want[1024 + PATH_MAX];

	if (geteuid() != 0)
		return;	/* no dynamic uids without root */
	ck_assert(mkdir(h_path(&h, "priv"), 0700) == 0);
	h_write(&h, "priv/s.sh", "exit 0\n");
	ck_assert(chmod(h_path(&h, "priv/s.sh"), 0644) == 0);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"shop\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"/bin/sh\", \"priv/s.sh\", \"x\", \"--to=/nowhere\"] },\n"
		"  { \"actor\": \"b\", \"exec\": [\"/bin/sh\", \"priv/s.sh\"], \"user\": \"nobody\" } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 0);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	snprintf(want, sizeof want,
		 "prospero: root.jsonc:2:5: warning: actor \"a\" runs under a dynamic uid, which cannot reach the "
		 "file priv/s.sh its \"exec\" names: %s (mode 0700) is not searchable by others; chmod o+x it, or "
		 "give the actor a \"user\"\n", h_path(&h, "priv"));
	ck_assert_msg(strstr(err, want), "got: %s", err);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:"), 1);
	/* the way open, the file not readable by others */
	ck_assert(chmod(h_path(&h, "priv"), 0711) == 0);
	ck_assert(chmod(h_path(&h, "priv/s.sh"), 0600) == 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 0);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	snprintf(want, sizeof want,
		 "prospero: root.jsonc:2:5: warning: actor \"a\" runs under a dynamic uid, which cannot reach the "
		 "file priv/s.sh its \"exec\" names: %s (mode 0600) is not readable by others; chmod o+r it, or "
		 "give the actor a \"user\"\n", h_path(&h, "priv/s.sh"));
	ck_assert_msg(strstr(err, want), "got: %s", err);
	ck_assert(chmod(h_path(&h, "priv/s.sh"), 0644) == 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:"), 0);
}
END_TEST

/* The same of a state root under a directory others may not search
 * (--state-dir under /root, mode 0700): the daemon makes the actor's
 * directory there, check called it writable, and the actor got EACCES
 * on its own state. The root itself is made 0711, so only what is above
 * it counts. */
START_TEST(check_warns_of_a_state_directory_a_dynamic_uid_cannot_reach)
{
	char err[4096], want[1024 + PATH_MAX], st[PATH_MAX];

	if (geteuid() != 0)
		return;	/* no dynamic uids without root */
	ck_assert(mkdir(h_path(&h, "priv"), 0700) == 0);
	snprintf(st, sizeof st, "%s", h_path(&h, "priv/st"));
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"shop\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"], \"state\": true },\n"
		"  { \"actor\": \"b\", \"exec\": [\"@TA@\"], \"state\": true, \"user\": \"nobody\" },\n"
		"  { \"actor\": \"c\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--state-dir", st, NULL }), 0);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	snprintf(want, sizeof want,
		 "prospero: root.jsonc:2:5: warning: actor \"a\" runs under a dynamic uid, which cannot "
		 "reach its state directory in %s: %s (mode 0700) is not searchable by others; chmod o+x it, "
		 "or pass another --state-dir\n", st, h_path(&h, "priv"));
	ck_assert_msg(strstr(err, want), "got: %s", err);
	/* b runs as nobody, whom the mode may let in or not: not guessed;
	 * c keeps no state */
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:"), 1);
	ck_assert(chmod(h_path(&h, "priv"), 0711) == 0);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--state-dir", st, NULL }), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:"), 0);
}
END_TEST

/* check says what run would refuse of the state root, and --dot draws a
 * tree run would refuse but exits as check does: both said nothing and
 * exited 0. */
START_TEST(check_refuses_what_run_refuses_of_the_state_root_and_dot_too)
{
	char err[4096], out[8192], link[512], real[512];

	snprintf(real, sizeof real, "%s", h_path(&h, "real"));
	snprintf(link, sizeof link, "%s", h_path(&h, "link"));
	ck_assert(mkdir(real, 0755) == 0);
	ck_assert(symlink(real, link) == 0);
	snprintf(link, sizeof link, "%s", h_path(&h, "link/state"));
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"],"
				  " \"state\": true } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--state-dir", link, NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_msg(strstr(err, "prospero: state directory ") &&
		      strstr(err, ": a symbolic link is in its path, and an actor opens its state following none: "
				  "pass --state-dir "), "%s", err);
	ck_assert(access(h_path(&h, "real/state"), F_OK) != 0);	/* made nothing */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--state-dir", link, "--dot",
							  NULL }), 1);
	ck_assert(h_read(&h, "run.out", out, sizeof out) > 0);
	ck_assert_msg(strncmp(out, "digraph", 7) == 0, "%s", out);
	/* a root not made yet is no error: run makes it */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--state-dir",
							  h_path(&h, "real/new/state"), NULL }), 0);
}
END_TEST

/* README, Queues: the lines check says for the example with "consumer":
 * "shiper", "max_batch_size": 500 and "dead_letter_queue": "shipper" are
 * the README's, in its order (check says them by line and column). */
START_TEST(check_says_the_readme_queue_example_as_the_readme_does)
{
	char err[4096], want[4096], *readme, *at;
	size_t n = 0;
	FILE *f;

	snprintf(want, sizeof want, "%s/README.md", getenv("SRCDIR") ? getenv("SRCDIR") : ".");
	f = fopen(want, "re");
	ck_assert_ptr_nonnull(f);
	readme = calloc(1, 1 << 20);
	ck_assert_ptr_nonnull(readme);
	ck_assert(fread(readme, 1, (1 << 20) - 1, f) > 0);
	fclose(f);
	/* the README's indented block, each line as check says it off a terminal */
	at = strstr(readme, "\n    shop.jsonc:");
	ck_assert_ptr_nonnull(at);
	while (strncmp(at, "\n    shop.jsonc:", 16) == 0) {
		const char *end = strchr(at + 1, '\n');

		ck_assert_ptr_nonnull(end);
		n += (size_t)snprintf(want + n, sizeof want - n, "prospero: %.*s\n", (int)(end - at - 5), at + 5);
		ck_assert_uint_lt(n, sizeof want);
		at = strchr(at + 1, '\n');
	}
	free(readme);
	h_link(&h, "TESTACTOR", "shipper");
	h_link(&h, "TESTACTOR", "auditor");
	h_link(&h, "TESTACTOR", "order-processor");
	h_write(&h, "shop.jsonc",
		"{ \"supervisor\": \"shop\", \"children\": [\n"
		"    { \"actor\": \"shipper\", \"exec\": [\"./shipper\"] },\n"
		"    { \"actor\": \"auditor\", \"exec\": [\"./auditor\"] },\n"
		"    { \"queue\": \"shipments-dlq\", \"consumer\": \"auditor\" },\n"
		"    { \"queue\": \"shipments\", \"consumer\": \"shiper\", \"max_batch_size\": 500,\n"
		"      \"max_retries\": 3, \"retry_delay\": 1000, \"retry_backoff\": 2,\n"
		"      \"dead_letter_queue\": \"shipper\" },\n"
		"    { \"actor\": \"order-processor\", \"exec\": [\"./order-processor\"],\n"
		"      \"bindings\": { \"SHIPMENTS\": \"shipments\" } } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "shop.jsonc", NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_str_eq(err, want);
}
END_TEST

/* A uid passwd names is not the range's to give: uid 1 is "daemon" on
 * Debian (base-passwd). The old check said "configuration ok" for 1-1;
 * run then found no uid and failed the start ("no dynamic uid left"). */
START_TEST(check_counts_out_the_uids_passwd_uses)
{
	char err[4096];

	if (geteuid() != 0 || !getpwuid(1))
		return;	/* no dynamic uids without root; nothing to count out */
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"shop\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "--uid-range", "1-1", "-c", "root.jsonc", NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_msg(strstr(err, "prospero: root.jsonc:1:3: error: the tree needs 1 dynamic uid, one per actor "
			     "instance without \"user\", but --uid-range 1-1 holds 0: widen it, e.g. --uid-range 1-"),
		      "got: %s", err);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--uid-range", "1-1", "--runtime-dir", h.rundir,
							  "-c", "root.jsonc", NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_msg(strstr(err, "but --uid-range 1-1 holds 0"), "got: %s", err);
	ck_assert_msg(!strstr(err, "start a"), "started: %s", err);
}
END_TEST

START_TEST(run_with_a_bad_config_starts_nothing_and_exits_1)
{
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"shop\", \"strategy\": \"one_for_none\", \"children\": [] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "-c", "root.jsonc", NULL }), 1);
}
END_TEST

/* What keeps one actor from being set up is said once, where it is
 * written, not again as a failure of the whole set-up. */
START_TEST(a_set_up_failure_is_said_once)
{
	char rt[] = "/tmp/prospero-rt.XXXXXX", err[8192];
	const char *msg = "root.jsonc:2:34: error: actor \"a\": \"private_tmp\" would hide the runtime directory";
	const char *first;
	int st;

	ck_assert_ptr_nonnull(mkdtemp(rt));
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"shop\", \"children\": [\n"
		"  { \"actor\": \"a\", \"private_tmp\": true, \"exec\": [\"@TA@\"] } ] }\n");
	st = h_run(&h, (const char *const[]){ "run", "--runtime-dir", rt, "-c", "root.jsonc", NULL });
	rmdir(rt);
	ck_assert_int_eq(st, 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	first = strstr(err, msg);
	ck_assert_msg(first != NULL, "got: %s", err);
	ck_assert_msg(strstr(first + 1, msg) == NULL, "said twice: %s", err);
	ck_assert_msg(strstr(err, "cannot set up") == NULL, "said twice: %s", err);
}
END_TEST

/* run says every refusal before it starts, each where it is written, as
 * check does: not only the first check's. */
START_TEST(run_says_every_refusal)
{
	char rt[] = "/tmp/prospero-rt.XXXXXX", err[8192];

	if (geteuid() != 0)
		return;	/* the uid range is root's */
	ck_assert_ptr_nonnull(mkdtemp(rt));
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"shop\", \"children\": [\n"
		"  { \"actor\": \"a\", \"private_tmp\": true, \"instances\": 3, \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "--runtime-dir", rt, "--uid-range", "200000-200001",
							  "-c", "root.jsonc", NULL }), 1);
	rmdir(rt);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_msg(strstr(err, "root.jsonc:1:3: error: the tree needs 3 dynamic uids"), "got: %s", err);
	ck_assert_msg(strstr(err, "root.jsonc:2:34: error: actor \"a\": \"private_tmp\" would hide the runtime "
				  "directory"), "got: %s", err);
	ck_assert_msg(!strstr(err, "start a"), "started: %s", err);
}
END_TEST

/* prospero ARGS as a user (uid 65534 when we are root) whose environment
 * holds PATH and, when XDG is given, XDG_RUNTIME_DIR only: no
 * $RUNTIME_DIRECTORY, so a command looks for the daemon where prospero(1)
 * says it does by default. Its exit status; stdout and stderr in run.out
 * and run.err. */
static int run_as_user(const char *xdg, const char *const *args)
{
	const char *bin = getenv("PROSPERO");
	char xdg_env[512];
	char *env[] = { "PATH=/usr/bin:/bin", xdg_env, NULL };
	const char *argv[12] = { "prospero" };
	int st;
	pid_t pid;

	ck_assert_ptr_nonnull(bin);
	snprintf(xdg_env, sizeof xdg_env, "XDG_RUNTIME_DIR=%s", xdg ? xdg : "");
	if (!xdg)
		env[1] = NULL;
	for (int i = 0; args[i] && i < 10; i++)
		argv[i + 1] = args[i];
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int out = open(h_path(&h, "run.out"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		int err = open(h_path(&h, "run.err"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

		if (out < 0 || err < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0 ||
		    chdir(h.dir) < 0)
			_exit(120);
		if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0))
			_exit(121);
		execve(bin, (char *const *)argv, env);
		_exit(122);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* prospero(1): status exits 3 "when no daemon answers", even when it
 * cannot tell where one would be. */
START_TEST(status_exits_3_when_it_finds_no_daemon)
{
	char err[1024];

	ck_assert_int_eq(run_as_user(NULL, (const char *const[]){ "status", NULL }), 3);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "prospero: status: where is the daemon? $XDG_RUNTIME_DIR is unset or not an absolute path: "
				  "give --runtime-dir DIR, or set $XDG_RUNTIME_DIR\n"), "%s", err);
	ck_assert_int_eq(run_as_user(h.dir, (const char *const[]){ "status", NULL }), 3);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "/prospero/control: cannot reach the daemon"), "%s", err);
}
END_TEST

/* The XDG spec: "If an implementation encounters a relative path in any
 * of these variables it should consider the path invalid and ignore it",
 * as the default state directory does: a relative $XDG_RUNTIME_DIR would
 * hand actors (whose cwd is their config's) a relative $NOTIFY_SOCKET. */
START_TEST(a_relative_xdg_runtime_dir_is_ignored)
{
	char err[1024];

	ck_assert_int_eq(run_as_user("rel", (const char *const[]){ "status", NULL }), 3);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "prospero: status: where is the daemon? $XDG_RUNTIME_DIR is unset or not an absolute path: "
				  "give --runtime-dir DIR, or set $XDG_RUNTIME_DIR\n"), "%s", err);
	/* run says why there is none, not ENOENT's "No such file or directory" */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(run_as_user("rel", (const char *const[]){ "run", "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "prospero: no runtime directory: $XDG_RUNTIME_DIR is unset or not an absolute path "
				  "(pass --runtime-dir DIR, or set $XDG_RUNTIME_DIR)\n"), "%s", err);
}
END_TEST

/* README: check --explain says "the runtime directory"; without one
 * (no $XDG_RUNTIME_DIR, not root) it says there is none, as it does of
 * the state directory, rather than leave the line out. */
START_TEST(explain_says_when_there_is_no_runtime_directory)
{
	char out[65536];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(run_as_user(NULL, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "a", NULL }),
			 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "\n  runtime directory: none can be had ($XDG_RUNTIME_DIR is unset or not an absolute "
				  "path): "
				  "pass --runtime-dir DIR, or set $XDG_RUNTIME_DIR\n"), "%.1000s", out);
}
END_TEST

/* A runtime directory that cannot be made says what to do: its parent
 * is missing, or not the daemon's user's to write in. */
START_TEST(a_runtime_directory_that_cannot_be_made_says_the_fix)
{
	char err[4096], rt[600];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	snprintf(rt, sizeof rt, "%s/no/rt", h.dir);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "-c", "root.jsonc", "--runtime-dir", rt, NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, ": No such file or directory: make its parent first, or give another --runtime-dir\n"),
		      "%s", err);
	if (geteuid() != 0)
		return;	/* the next needs a user who may not write in the parent */
	ck_assert_int_eq(mkdir(h_path(&h, "closed"), 0755), 0);
	ck_assert_int_eq(run_as_user(NULL, (const char *const[]){ "run", "-c", "root.jsonc", "--runtime-dir", "closed/rt",
								   NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "/closed/rt: Permission denied: make it, the daemon's user's, or give another "
				  "--runtime-dir\n"), "%s", err);
}
END_TEST

/* --runtime-dir's default is the same for reload as for the other
 * commands: $RUNTIME_DIRECTORY, else /run/prospero (root) or
 * $XDG_RUNTIME_DIR/prospero; none there is "no daemon", 1, not a usage
 * error. */
START_TEST(reload_finds_the_daemon_where_the_other_commands_do)
{
	char err[1024], want[600];

	ck_assert_int_eq(run_as_user(h.dir, (const char *const[]){ "reload", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	snprintf(want, sizeof want, "prospero: reload: %s/prospero/reload: No such file or directory", h.dir);
	ck_assert_msg(strstr(err, want), "%s", err);
	ck_assert_int_eq(run_as_user(NULL, (const char *const[]){ "reload", "--dry-run", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "prospero: reload: where is the daemon? $XDG_RUNTIME_DIR is unset or not an absolute path: "
				  "give --runtime-dir DIR, or set $XDG_RUNTIME_DIR\n"), "%s", err);
}
END_TEST

/* prospero(1), OPTIONS: -h, --help and --version "exit 0", whatever the
 * command. */
START_TEST(help_and_version_exit_0_after_any_command)
{
	static const char *const cmds[] = { "run", "check", "status", "kill", "logs", "fault", "reload" };
	char out[8192];

	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
		ck_assert_int_eq(h_run(&h, (const char *const[]){ cmds[i], "--help", NULL }), 0);
		ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
		ck_assert_msg(strncmp(out, "usage: prospero run ", 20) == 0, "%s --help: %s", cmds[i], out);
		ck_assert_int_eq(h_run(&h, (const char *const[]){ cmds[i], "-h", NULL }), 0);
		ck_assert_int_eq(h_run(&h, (const char *const[]){ cmds[i], "--version", NULL }), 0);
		ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
		ck_assert_msg(strncmp(out, "prospero ", 9) == 0, "%s --version: %s", cmds[i], out);
	}
}
END_TEST

/* prospero(1), OPTIONS: "An option the command does not use is ignored",
 * with its argument. */
START_TEST(an_option_the_command_does_not_use_is_ignored)
{
	char out[4096], err[4096];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--json", "--follow",
							  "--name", "a", "--lines", "5", "--signal", "HUP", "--dry-run",
							  "--drop", "1", "--for", "4", "--log-ring", "1", NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_str_eq(out, "configuration ok: root \"s\", 1 supervisor, 1 actor, 1 process\n");
	/* no daemon there: each gets as far as looking for it */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "status", "-c", "root.jsonc", "--events", "e",
							  "--state-dir", "d", "--uid-range", "1-2", "--dry-run",
							  "--runtime-dir", h.rundir, NULL }), 3);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "/control: cannot reach the daemon"), "%s", err);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "reload", "--json", "--name", "a", "-c", "root.jsonc",
							  "--runtime-dir", h.rundir, NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "is a daemon running with this runtime directory?"), "%s", err);
	/* but a short -n or -f where it could be read with an argument or
	 * without: refused, as the docs say */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "-n", NULL }), 2);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "run", "-c", "root.jsonc", "-n", NULL }), 2);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "reload", "-f", "--runtime-dir", h.rundir, NULL }), 2);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "status", "-f", "-n", "2", "--runtime-dir", h.rundir, NULL }), 3);
}
END_TEST

/* ARGS, with --runtime-dir where no daemon is: it is not a usage error but
 * gets as far as looking for the daemon (STATUS: 3 for status, else 1). */
static void goes_as_far_as_the_daemon(const char *const *args, int status)
{
	const char *argv[12];
	char err[1024] = "";
	size_t n = 0;

	while (args[n] && n < 9) {
		argv[n] = args[n];
		n++;
	}
	argv[n++] = "--runtime-dir";
	argv[n++] = h.rundir;
	argv[n] = NULL;
	ck_assert_int_eq(h_run(&h, argv), status);
	ck_assert_int_ge(h_read(&h, "run.err", err, sizeof err - 1), 0);
	ck_assert_msg(strstr(err, "/control: cannot reach the daemon"), "%s: %s", args[0], err);
}

/* prospero(1), OPTIONS: a number is written in decimal digits alone;
 * strtoul's leading blank, its sign, and a negative count that wraps
 * around are usage errors (2) that name the option and the value. */
START_TEST(a_number_is_its_digits_alone)
{
	static const struct {
		const char *args[8];
		size_t bad;	/* the value said wrong, and the option before it */
	} bad[] = {
		{ { "check", "-c", "root.jsonc", "--uid-range", " 100-200", NULL }, 4 },
		{ { "check", "-c", "root.jsonc", "--uid-range", "+100-200", NULL }, 4 },
		{ { "check", "-c", "root.jsonc", "--uid-range", "100- 200", NULL }, 4 },
		{ { "check", "-c", "root.jsonc", "--faults", "f.jsonc", "--seed", " 5", NULL }, 6 },
		{ { "run", "-c", "root.jsonc", "--log-ring", "+300", NULL }, 4 },
		{ { "logs", "a", "--lines", " 5", NULL }, 3 },
		{ { "logs", "a", "--lines", "+5", NULL }, 3 },
		{ { "logs", "a", "--lines", "-0", NULL }, 3 },
		{ { "logs", "a", "--lines", "-4294967295", NULL }, 3 },
		{ { "logs", "a", "--lines", "4294967296", NULL }, 3 },
		{ { "kill", "a", "--signal", " 9", NULL }, 3 },
		{ { "kill", "a", "--signal", "+9", NULL }, 3 },
		{ { "fault", "edge", "a -> b", "--drop", " 0.5", "--for", "5", NULL }, 4 },
		{ { "fault", "edge", "a -> b", "--drop", "+0.5", "--for", "5", NULL }, 4 },
		{ { "fault", "edge", "a -> b", "--drop", "0x1p-1", "--for", "5", NULL }, 4 },
		{ { "fault", "edge", "a -> b", "--drop", "5e-1", "--for", "5", NULL }, 4 },
		/* over 1 by less than a double tells apart is still over 1 */
		{ { "fault", "edge", "a -> b", "--drop", "1.0000000000000000001", "--for", "5", NULL }, 4 },
		{ { "fault", "edge", "a -> b", "--drop", "01.00000000000000000001", "--for", "5", NULL }, 4 },
		{ { "fault", "edge", "a -> b", "--drop", "0.5", "--for", "+5", NULL }, 6 },
		{ { "fault", "stall", "a", " 5", NULL }, 3 },
		{ { "fault", "stall", "a", "99999999999999999999", NULL }, 3 },
	};
	char err[1024];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	h_write(&h, "f.jsonc", "{ \"faults\": [] }\n");
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *args[12], *value = bad[i].args[bad[i].bad], *option = bad[i].args[bad[i].bad - 1];
		size_t n = 0;

		for (; bad[i].args[n]; n++)
			args[n] = bad[i].args[n];
		args[n++] = "--runtime-dir";
		args[n++] = h.rundir;
		args[n] = NULL;
		ck_assert_msg(h_run(&h, args) == 2, "%s \"%s\": not a usage error", option, value);
		ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
		ck_assert_msg(strstr(err, value), "%s \"%s\": %s", option, value, err);
		if (option[0] == '-')
			ck_assert_msg(strstr(err, option), "%s \"%s\": %s", option, value, err);
	}
	/* the same numbers written plainly go on */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--uid-range", "100-200",
							  "--faults", "f.jsonc", "--seed", "5", NULL }), 0);
	goes_as_far_as_the_daemon((const char *const[]){ "logs", "a", "--lines", "5", NULL }, 1);
	goes_as_far_as_the_daemon((const char *const[]){ "kill", "a", "--signal", "9", NULL }, 1);
	goes_as_far_as_the_daemon((const char *const[]){ "fault", "edge", "a -> b", "--drop", ".5", "--for", "5", NULL }, 1);
	goes_as_far_as_the_daemon((const char *const[]){ "fault", "edge", "a -> b", "--drop", "1.000", "--for", "5", NULL }, 1);
	goes_as_far_as_the_daemon((const char *const[]){ "fault", "stall", "a", "5", NULL }, 1);
}
END_TEST

/* prospero(1), --signal: a signal "by name or number". A name is one in
 * any case, with SIG or without: kill -s and fault kill took "SIGTERM"
 * and "TERM" alone, "term" and "sigterm" were usage errors, and the
 * error did not say which forms were taken. */
START_TEST(a_signal_name_is_taken_in_any_case)
{
	static const char *const names[] = { "term", "TERM", "SIGTERM", "sigterm", "SigTerm", "hup",
					      "rtmin+2", "SIGRTMAX-1", "15" };
	char err[1024];

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		goes_as_far_as_the_daemon((const char *const[]){ "kill", "a", "-s", names[i], NULL }, 1);
		goes_as_far_as_the_daemon((const char *const[]){ "fault", "kill", "a", names[i], NULL }, 1);
	}
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "kill", "a", "-s", "sigterminate", NULL }), 2);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "--signal \"sigterminate\": expected a signal name, in any case and with or "
				  "without SIG (TERM, sigterm, SIGRTMIN+2), or a number from 1 to 64"), "%s", err);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "kill", "a", "sig", NULL }), 2);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "fault kill \"sig\": expected a signal name, in any case and with or without SIG (TERM, "
				  "sigterm, SIGRTMIN+2), or a number from 1 to 64"), "%s", err);
}
END_TEST

/* prospero(1), EXIT STATUS: 1 when NAME names no node. One longer than
 * any node's name can be is no node either, said as the daemon says it,
 * not a usage error (2); an EDGE may be spelt long, and stays one. */
START_TEST(a_name_too_long_to_exist_names_no_node)
{
	static const char *const verbs[] = { "status", "restart", "stop", "start", "kill", "logs" };
	char longname[201], err[1024], want[600];

	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++) {
		ck_assert_int_eq(h_run(&h, (const char *const[]){ verbs[i], longname, "--runtime-dir", h.rundir, NULL }), 1);
		ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
		snprintf(want, sizeof want, "prospero: %s: no actor or supervisor named \"%s\"\n", verbs[i], longname);
		ck_assert_str_eq(err, want);
	}
	/* with --json, the refusal the daemon would give, as for any name
	 * (it printed nothing on stdout) */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "status", longname, "--json", "--runtime-dir", h.rundir, NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.out", err, sizeof err), 0);
	snprintf(want, sizeof want, "{\"ok\":false,\"error\":\"no actor or supervisor named \\\"%s\\\"\",\"code\":\"ENOENT\"}\n",
		 longname);
	ck_assert_str_eq(err, want);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	snprintf(want, sizeof want, "prospero: status: no actor or supervisor named \"%s\"\n", longname);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "kill", longname, "--runtime-dir", h.rundir, NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	snprintf(want, sizeof want, "prospero: fault: no actor or instance: %s\n", longname);
	ck_assert_str_eq(err, want);
	/* a usage error still comes first */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "stall", longname, "--runtime-dir", h.rundir, NULL }), 2);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "edge", longname, "--drop", "1", "--for", "5",
							  "--runtime-dir", h.rundir, NULL }), 2);
	/* events of a name no node has: as far as the daemon, as any other */
	goes_as_far_as_the_daemon((const char *const[]){ "events", "--name", longname, NULL }, 1);
}
END_TEST

/* An empty path is a usage error (2) where the command reads it, as an
 * empty --uid-range or NAME is: --runtime-dir= stood silently for the
 * default directory, and a daemon's other paths for none. */
START_TEST(an_empty_path_is_a_usage_error)
{
	static const char *const bad[][7] = {
		{ "status", "--runtime-dir=", NULL },
		{ "stop", "a", "-r", "", NULL },
		{ "reload", "--runtime-dir=", NULL },
		{ "check", "-c", "root.jsonc", "--runtime-dir=", NULL },
		{ "check", "-c", "root.jsonc", "--state-dir=", NULL },
		{ "check", "-c", "root.jsonc", "--secrets-dir=", NULL },
		{ "run", "-c", "nosuch.jsonc", "--runtime-dir=", NULL },
		{ "run", "-c", "nosuch.jsonc", "--events=", NULL },
		{ "run", "-c", "nosuch.jsonc", "--secrets-dir=", NULL },
		{ "run", "-c", "nosuch.jsonc", "--state-dir=", NULL },
		{ "check", "--config=", NULL },
		{ "run", "-c", "", NULL },
		{ "check", "-c", "root.jsonc", "--faults=", NULL },
		{ "run", "-c", "nosuch.jsonc", "--faults", "", NULL },
	};
	char err[1024];

	/* run's files do not exist: before the options were checked, it
	 * stopped there (1) rather than start a daemon */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *option = NULL;

		ck_assert_msg(h_run(&h, bad[i]) == 2, "%s: an empty path is not a usage error", bad[i][0]);
		ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
		for (size_t k = 0; bad[i][k]; k++)
			if (strncmp(bad[i][k], "-", 1) == 0 && strcmp(bad[i][k], "-c") != 0)
				option = bad[i][k];
		ck_assert_msg(strstr(err, "\"\": expected a path"), "%s %s: %s", bad[i][0], option, err);
	}
	/* what check does not read, it ignores, empty or not */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--events=", NULL }), 0);
	/* an empty ACTOR, as an empty NAME (it was 1: no actor "") */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain=", NULL }), 2);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_str_eq(err, "prospero: --explain: ACTOR is empty\n(see prospero --help)\n");
}
END_TEST

/* prospero(1), OPTIONS: "An option the command does not use is ignored",
 * the verbs' own too: each verb reads only those its synopsis gives it,
 * and leaves another's unread, argument and all. */
START_TEST(a_verb_ignores_the_options_of_other_verbs)
{
	char err[1024] = "";

	goes_as_far_as_the_daemon((const char *const[]){ "status", "--lines", "x", NULL }, 3);
	goes_as_far_as_the_daemon((const char *const[]){ "status", "--drop", "x", NULL }, 3);
	goes_as_far_as_the_daemon((const char *const[]){ "status", "--for", "x", NULL }, 3);
	goes_as_far_as_the_daemon((const char *const[]){ "logs", "a", "-s", "foo", NULL }, 1);
	goes_as_far_as_the_daemon((const char *const[]){ "stop", "X", "-s", "foo", NULL }, 1);
	goes_as_far_as_the_daemon((const char *const[]){ "events", "-s", "foo", NULL }, 1);
	goes_as_far_as_the_daemon((const char *const[]){ "kill", "a", "--lines", "0", "--json", "--for", "x", NULL }, 1);
	goes_as_far_as_the_daemon((const char *const[]){ "fault", "kill", "a", "--signal", "foo", "-n", "x", NULL }, 1);
	/* --name is events' alone: it names no other verb's node */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "restart", "--name", "ok", "--runtime-dir", h.rundir, NULL }), 2);
	ck_assert_int_ge(h_read(&h, "run.err", err, sizeof err - 1), 0);
	ck_assert_str_eq(err, "prospero: restart: needs a NAME\n(see prospero --help)\n");
	/* an edge is not a NAME: say what it is */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "edge", "--drop", "1", "--for", "5", "--runtime-dir",
							  h.rundir, NULL }), 2);
	ck_assert_int_ge(h_read(&h, "run.err", err, sizeof err - 1), 0);
	ck_assert_str_eq(err, "prospero: fault: edge needs an EDGE, \"CLIENT -> SERVICE\"\n(see prospero --help)\n");
	/* and events has no NAME of its own: what would be one is --name's */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "events", "a", "--runtime-dir", h.rundir, NULL }), 2);
	ck_assert_int_ge(h_read(&h, "run.err", err, sizeof err - 1), 0);
	ck_assert_str_eq(err, "prospero: a: events takes no NAME: give --name NAME\n(see prospero --help)\n");
	/* a verb's own are still checked */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "logs", "a", "--lines", "x", NULL }), 2);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "kill", "a", "-s", "foo", NULL }), 2);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "edge", "a -> b", "--drop", "2", "--for", "1", NULL }), 2);
}
END_TEST

/* README, Process hygiene: "process group only (not root; WHY NO
 * CGROUP)", as a daemon that is not root says it at start and check
 * --explain says it too: why there is no cgroup, not "not root" again. */
START_TEST(a_daemon_that_is_not_root_says_why_once)
{
	char out[16384];
	const char *line;

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(run_as_user(NULL, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "a",
								  "--containment", "pgroup", NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	line = strstr(out, "\n  containment: ");
	ck_assert_ptr_nonnull(line);
	ck_assert_msg(strncmp(line, "\n  containment: process group only (not root; cgroups not used: ", 64) == 0,
		      "%.200s", line + 1);
	ck_assert_int_eq(run_as_user(NULL, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "a", NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	line = strstr(out, "\n  containment: ");
	ck_assert_ptr_nonnull(line);
	ck_assert_msg(!strstr(out, "not root; not root"), "%.200s", line + 1);
}
END_TEST

/* prospero(1): $PROSPERO_CONTAINMENT when the option is not given; the
 * level's line says which of the two forced it. */
START_TEST(the_containment_line_names_what_forced_it)
{
	char out[16384], err[4096];
	const char *const explain[] = { "check", "-c", "root.jsonc", "--explain", "a", NULL };

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(setenv("PROSPERO_CONTAINMENT", "pgroup", 1), 0);
	ck_assert_int_eq(h_run(&h, explain), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "cgroups not used: PROSPERO_CONTAINMENT=pgroup)\n"), "%s", out);
	/* the option wins, and is named */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "a",
							  "--containment", "pgroup", NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "cgroups not used: --containment=pgroup)\n"), "%s", out);
	ck_assert_int_eq(setenv("PROSPERO_CONTAINMENT", "jail", 1), 0);
	ck_assert_int_eq(h_run(&h, explain), 2);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "$PROSPERO_CONTAINMENT \"jail\": expected auto, cgroup, uid or pgroup"), "%s", err);
	/* empty is unset, as for the other variables the daemon reads */
	ck_assert_int_eq(setenv("PROSPERO_CONTAINMENT", "", 1), 0);
	ck_assert_int_eq(h_run(&h, explain), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(!strstr(out, "PROSPERO_CONTAINMENT"), "%s", out);
	unsetenv("PROSPERO_CONTAINMENT");
}
END_TEST

/* prospero(1): "fault ... stall NAME MS | edge EDGE --drop P --for MS";
 * leaving out what the synopsis requires is a usage error (2), found
 * before any daemon is looked for. */
START_TEST(a_fault_without_its_length_or_share_is_a_usage_error)
{
	static const char *const missing[][7] = {
		{ "fault", "stall", "payment", NULL },
		{ "fault", "edge", "a -> b", NULL },
		{ "fault", "edge", "a -> b", "--drop", "0.5", NULL },
		{ "fault", "edge", "a -> b", "--for", "100", NULL },
	};
	char err[1024];

	for (size_t i = 0; i < sizeof missing / sizeof *missing; i++) {
		const char *args[10];
		size_t n = 0;

		while (missing[i][n]) {
			args[n] = missing[i][n];
			n++;
		}
		args[n++] = "--runtime-dir";
		args[n++] = h.rundir;
		args[n] = NULL;
		ck_assert_int_eq(h_run(&h, args), 2);
		ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
		ck_assert_msg(strstr(err, "fault stall: needs MS") || strstr(err, "fault edge: needs --drop P and --for MS"),
			      "%s", err);
	}
	/* a wrong one is named for what it is: a stall's "abc" was said to be
	 * neither a kill's signal nor nothing */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "stall", "payment", "abc", "--runtime-dir", h.rundir,
							  NULL }), 2);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "prospero: abc: fault stall: MS is how long, a whole number of milliseconds"), "%s", err);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "edge", "a -> b", "x", "--runtime-dir", h.rundir,
							  NULL }), 2);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "prospero: x: fault edge: takes no argument after EDGE"), "%s", err);
	/* one too many is said as that: it was "one name at most" */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "kill", "payment", "KILL", "x", "--runtime-dir",
							  h.rundir, NULL }), 2);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_str_eq(err, "prospero: x: fault kill takes NAME [SIGNAL]: one argument too many\n(see prospero --help)\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "stall", "payment", "100", "x", "--runtime-dir",
							  h.rundir, NULL }), 2);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_str_eq(err, "prospero: x: fault stall takes NAME MS: one argument too many\n(see prospero --help)\n");
	/* complete, it goes as far as the daemon, which is not there */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "stall", "payment", "100", "--runtime-dir", h.rundir,
							  NULL }), 1);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "edge", "a -> b", "--drop", "0", "--for", "100",
							  "--runtime-dir", h.rundir, NULL }), 1);
}
END_TEST

/* README, Using it: check --explain says the containment in force and the
 * dynamic uid range in use "as run says them at start". */
START_TEST(explain_says_the_containment_and_uid_range_as_run_does)
{
	char out[16384];

	if (geteuid() != 0)
		return;	/* dynamic uids are a root daemon's */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "a", "--uid-range",
							  "70000-70100", "--containment", "uid", NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert(strstr(out, "\n  containment: uid (every process of an instance's dynamic uid; ") != NULL);
	ck_assert(strstr(out, "\n  dynamic uids: 70000-70100 (daemons that do not share /run need disjoint --uid-range)\n") != NULL);
}
END_TEST

/* ... "and the runtime directory (and whether it is on tmpfs or ramfs),
 * which run also says at start": run said it only off tmpfs. */
START_TEST(run_says_its_runtime_directory_as_explain_does)
{
	char dir[] = "/dev/shm/prospero-cli.XXXXXX", rundir[64], out[16384], line[128];

	if (geteuid() != 0)
		return;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(rundir, sizeof rundir, "%s/run", dir);
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"],"
				  " \"private_ipc\": false } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "a", "--runtime-dir",
							  rundir, NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	snprintf(line, sizeof line, "\n  runtime directory: %s\n", rundir);
	ck_assert_msg(strstr(out, line), "%s", out);
	h_start_with(&h, (const char *const[]){ "root.jsonc", NULL },
		     (const char *const[]){ "--runtime-dir", rundir, NULL });
	h_expect(&h, "ready", "s", NULL);
	h_stop(&h);
	snprintf(line, sizeof line, "prospero: runtime directory: %s", rundir);
	ck_assert_int_eq(h_count_lines(&h, "err", line), 1);
	rmdir(dir);
}
END_TEST

/* The "containment: ..." line of FILE (run's stderr, or explain's
 * output), from "containment: " to the end of its line, into BUF. */
static void containment_line(const char *file, char *buf, size_t len)
{
	char text[16384];
	const char *at;

	ck_assert_int_gt(h_read(&h, file, text, sizeof text), 0);
	at = strstr(text, "containment: ");
	ck_assert_msg(at != NULL, "no containment line in %s: %s", file, text);
	snprintf(buf, len, "%.*s", (int)strcspn(at, "\n"), at);
}

/* README, Using it: explain says "the containment in force ... which run
 * also says at start": the cgroup a daemon on the same --runtime-dir
 * uses, every time (the old one named a subtree of its own pid's). */
START_TEST(explain_names_the_cgroup_run_uses)
{
	char said[1024], explained[1024];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, (const char *const[]){ "root.jsonc", NULL });
	h_expect(&h, "start", "a", NULL);
	containment_line("err", said, sizeof said);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "a",
								  "--runtime-dir", h.rundir, NULL }), 0);
		containment_line("run.out", explained, sizeof explained);
		ck_assert_str_eq(explained, said);
	}
	h_stop(&h);
	/* and without a daemon there */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "a",
							  "--runtime-dir", h.rundir, NULL }), 0);
	containment_line("run.out", explained, sizeof explained);
	ck_assert_str_eq(explained, said);
}
END_TEST

/* check's stderr and status, then check --explain a's with the same
 * ARGS: the same diagnostics, the same status, and the explanation. */
static void explain_checks_as_check_does(const char *const *args, const char *error)
{
	const char *argv[16] = { "check", "-c", "root.jsonc" };
	char err[8192], explained[8192], out[16384];
	int n = 3, st;

	for (; *args && n < 12; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	st = h_run(&h, argv);
	ck_assert_int_eq(st, 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, error), "%s", err);
	argv[n++] = "--explain";
	argv[n++] = "a";
	argv[n] = NULL;
	ck_assert_int_eq(h_run(&h, argv), st);
	ck_assert_int_ge(h_read(&h, "run.err", explained, sizeof explained), 0);
	ck_assert_str_eq(explained, err);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strncmp(out, "actor \"a\"\n", 10) == 0, "%.1000s", out);
}

/* prospero(1): --explain prints the explanation instead of the summary,
 * after every check check makes: what run would refuse is said, and it
 * exits 1 (the old one explained such a tree and exited 0). */
START_TEST(explain_refuses_what_check_refuses)
{
	char rt[] = "/tmp/prospero-rt.XXXXXX", out[16384];

	ck_assert_ptr_nonnull(mkdtemp(rt));
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"s\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"], \"private_tmp\": true } ] }\n");
	explain_checks_as_check_does((const char *const[]){ "--runtime-dir", rt, NULL },
				     "actor \"a\": \"private_tmp\" would hide the runtime directory");
	rmdir(rt);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"s\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"], \"limits\": { \"memory\": 16777216 } } ] }\n");
	explain_checks_as_check_does((const char *const[]){ "--containment", "uid", NULL },
				     "actor \"a\": limit \"memory\" cannot be applied on this host");
	/* a plan too, checked but not summed up */
	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	h_write(&h, "faults.jsonc", "{ \"faults\": [ { \"kill\": \"b\", \"every\": 1000 } ] }\n");
	explain_checks_as_check_does((const char *const[]){ "--faults", "faults.jsonc", NULL },
				     "error: \"kill\": no actor or supervisor \"b\"");
	h_write(&h, "faults.jsonc", "{ \"faults\": [ { \"kill\": \"a\", \"every\": 1000 } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--faults", "faults.jsonc",
							  "--explain", "a", NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strncmp(out, "actor \"a\"\n", 10) == 0 && !strstr(out, "fault plan ok"), "%.1000s", out);
}
END_TEST

/* --explain NAME that no actor has: exit 1, with the nearest name when
 * one is close, as check says of a name it does not know. */
START_TEST(explain_of_an_unknown_actor_suggests_the_nearest)
{
	char err[4096];

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"payment\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "paymnet", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_str_eq(err, "prospero: --explain: no actor \"paymnet\" (did you mean \"payment\"?)\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "zzz", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_str_eq(err, "prospero: --explain: no actor \"zzz\" in the configuration\n");
	/* a supervisor's name is not an unknown one */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "s", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_str_eq(err, "prospero: --explain: \"s\" is a supervisor: give an actor's name\n");
}
END_TEST

/* An unprivileged daemon empties what its actors hold but cannot shrink
 * their bounding set (that needs CAP_SETPCAP): explain says so, not
 * "bounding and ambient sets empty" (the old one did). */
START_TEST(explain_without_root_says_the_bounding_set_stays)
{
	char out[16384];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(run_as_user(NULL, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "a", NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "\n  capabilities: none in effect (ambient set empty; the bounding set is left as "
			      "the daemon's: emptying it needs root, CAP_SETPCAP)\n"), "%.1000s", out);
	/* its IPC namespace too: it said nothing of one */
	ck_assert_msg(strstr(out, "\n  the host's IPC namespace and /dev/shm (making its own needs root)\n"), "%.1000s",
		      out);
	if (geteuid() != 0)
		return;
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--explain", "a", NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "\n  capabilities: none (bounding and ambient sets empty)\n"), "%.1000s", out);
}
END_TEST

/* prospero(1): --containment forces a level; run refuses uid without
 * root, and so does check (the old one said "configuration ok", and
 * --explain "containment: uid"). */
START_TEST(check_without_root_refuses_uid_containment)
{
	char out[16384], err[8192];

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	ck_assert_int_eq(run_as_user(NULL, (const char *const[]){ "check", "-c", "root.jsonc", "--containment", "uid",
								  NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "prospero: containment: none: --containment=uid needs a daemon run as root "
			      "(dynamic uids)\n"), "%s", err);
	ck_assert_int_eq(run_as_user(NULL, (const char *const[]){ "check", "-c", "root.jsonc", "--containment", "uid",
								  "--explain", "a", NULL }), 1);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "\n  containment: none: --containment=uid needs a daemon run as root"), "%.1000s", out);
	/* pgroup is every daemon's to have */
	ck_assert_int_eq(run_as_user(NULL, (const char *const[]){ "check", "-c", "root.jsonc", "--containment",
								  "pgroup", NULL }), 0);
}
END_TEST

/* prospero(1): a relative path is taken from the current directory. A
 * relative $PROSPERO_QUEUE was: check found it there and said the tree
 * was fine, but run started the queue in its config's directory, where
 * the exec failed. */
START_TEST(a_relative_prospero_queue_is_taken_from_the_current_directory)
{
	const char *was = getenv("PROSPERO_QUEUE");
	char saved[4096];

	ck_assert_ptr_nonnull(was);
	snprintf(saved, sizeof saved, "%s", was);
	h_link(&h, "PROSPERO_QUEUE", "pq");
	ck_assert(mkdir(h_path(&h, "cfg"), 0755) == 0);
	h_write(&h, "cfg/root.jsonc", "{ \"supervisor\": \"s\", \"children\": [ { \"actor\": \"c\", \"exec\": [\"@TA@\"] },\n"
				      "  { \"queue\": \"q\", \"consumer\": \"c\" } ] }\n");
	setenv("PROSPERO_QUEUE", "pq", 1);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "cfg/root.jsonc", NULL }), 0);
	h_start_with(&h, (const char *const[]){ "cfg/root.jsonc", NULL },
		     (const char *const[]){ "--state-dir", h_path(&h, "state"), NULL });
	setenv("PROSPERO_QUEUE", saved, 1);
	h_expect(&h, "ready", "s", NULL);
	h_stop(&h);
}
END_TEST

/* prospero-queue in DIR ($STATE_DIRECTORY): its exit status, its
 * stderr in queue.err. It opens its log before it looks at any fd. */
static int queue_in(const char *dir)
{
	const char *bin = getenv("PROSPERO_QUEUE");
	pid_t child;
	int st;

	ck_assert_ptr_nonnull(bin);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		int err = open(h_path(&h, "queue.err"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (err < 0 || dup2(err, STDERR_FILENO) < 0 || setenv("STATE_DIRECTORY", dir, 1) < 0)
			_exit(120);
		execl(bin, bin, (char *)NULL);
		_exit(121);
	}
	ck_assert_int_eq(waitpid(child, &st, 0), child);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* A queue whose log is not one (damaged, or another program's) or is
 * reached through a link said "cannot open its log queue.db in
 * $STATE_DIRECTORY: Bad message", naming neither the file nor a way out;
 * the file stays as it was. */
START_TEST(a_queue_says_which_log_it_cannot_open_and_what_to_do)
{
	char want[1024], err[2048];
	struct stat st;

	ck_assert(mkdir(h_path(&h, "q"), 0700) == 0);
	h_write(&h, "q/queue.db", "not a database, not even close to one, but long enough to be looked at\n");
	ck_assert_int_eq(queue_in(h_path(&h, "q")), 1);
	ck_assert_int_gt(h_read(&h, "queue.err", err, sizeof err), 0);
	snprintf(want, sizeof want, "cannot open its log %s: Bad message: not a queue's log (damaged, or another "
		 "program's file): move it aside to start the queue empty\n", h_path(&h, "q/queue.db"));
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(stat(h_path(&h, "q/queue.db"), &st), 0);
	ck_assert_int_eq(st.st_size, 71);

	ck_assert(mkdir(h_path(&h, "l"), 0700) == 0);
	ck_assert(symlink(h_path(&h, "q/queue.db"), h_path(&h, "l/queue.db")) == 0);
	ck_assert_int_eq(queue_in(h_path(&h, "l")), 1);
	ck_assert_int_gt(h_read(&h, "queue.err", err, sizeof err), 0);
	snprintf(want, sizeof want, "cannot open its log %s: Too many levels of symbolic links: a symbolic link "
		 "is in its path, and the queue follows none\n", h_path(&h, "l/queue.db"));
	ck_assert_str_eq(err, want);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, no_command_is_a_usage_error);
	tcase_add_test(tc, an_unknown_command_is_a_usage_error);
	tcase_add_test(tc, run_without_config_is_a_usage_error);
	tcase_add_test(tc, an_unknown_option_is_a_usage_error);
	tcase_add_test(tc, a_usage_error_says_what_is_wrong_and_where_to_look);
	tcase_add_test(tc, check_accepts_a_valid_tree_and_merges_files);
	tcase_add_test(tc, a_long_diagnostic_is_said_whole);
	tcase_add_test(tc, a_runtime_directory_that_is_a_symlink_or_a_file_is_refused_saying_which);
	tcase_add_test(tc, a_runtime_directory_inside_another_users_directory_is_refused);
	tcase_add_test(tc, a_state_directory_inside_another_users_directory_is_refused);
	tcase_add_test(tc, check_reads_a_file_given_twice_once);
	tcase_add_test(tc, check_counts_only_the_actors_in_the_tree);
	tcase_add_test(tc, check_reports_errors_with_file_line_and_column_and_exits_1);
	tcase_add_test(tc, check_rejects_names_that_are_not_plain_file_names);
	tcase_add_test(tc, check_says_when_the_uid_range_is_too_small);
	tcase_add_test(tc, check_warns_of_a_program_a_dynamic_uid_cannot_reach);
	tcase_add_test(tc, check_warns_of_a_script_a_dynamic_uid_cannot_reach);
	tcase_add_test(tc, check_warns_of_a_state_directory_a_dynamic_uid_cannot_reach);
	tcase_add_test(tc, check_counts_out_the_uids_passwd_uses);
	tcase_add_test(tc, check_says_the_readme_queue_example_as_the_readme_does);
	tcase_add_test(tc, run_with_a_bad_config_starts_nothing_and_exits_1);
	tcase_add_test(tc, a_set_up_failure_is_said_once);
	tcase_add_test(tc, run_says_every_refusal);
	tcase_add_test(tc, status_exits_3_when_it_finds_no_daemon);
	tcase_add_test(tc, reload_finds_the_daemon_where_the_other_commands_do);
	tcase_add_test(tc, a_relative_xdg_runtime_dir_is_ignored);
	tcase_add_test(tc, explain_says_when_there_is_no_runtime_directory);
	tcase_add_test(tc, a_runtime_directory_that_cannot_be_made_says_the_fix);
	tcase_add_test(tc, help_and_version_exit_0_after_any_command);
	tcase_add_test(tc, an_option_the_command_does_not_use_is_ignored);
	tcase_add_test(tc, check_refuses_what_run_refuses_of_the_state_root_and_dot_too);
	tcase_add_test(tc, run_says_its_runtime_directory_as_explain_does);
	tcase_add_test(tc, a_verb_ignores_the_options_of_other_verbs);
	tcase_add_test(tc, a_number_is_its_digits_alone);
	tcase_add_test(tc, a_signal_name_is_taken_in_any_case);
	tcase_add_test(tc, a_name_too_long_to_exist_names_no_node);
	tcase_add_test(tc, an_empty_path_is_a_usage_error);
	tcase_add_test(tc, a_daemon_that_is_not_root_says_why_once);
	tcase_add_test(tc, the_containment_line_names_what_forced_it);
	tcase_add_test(tc, a_fault_without_its_length_or_share_is_a_usage_error);
	tcase_add_test(tc, explain_says_the_containment_and_uid_range_as_run_does);
	tcase_add_test(tc, explain_names_the_cgroup_run_uses);
	tcase_add_test(tc, explain_refuses_what_check_refuses);
	tcase_add_test(tc, explain_of_an_unknown_actor_suggests_the_nearest);
	tcase_add_test(tc, explain_without_root_says_the_bounding_set_stays);
	tcase_add_test(tc, check_without_root_refuses_uid_containment);
	tcase_add_test(tc, a_relative_prospero_queue_is_taken_from_the_current_directory);
	tcase_add_test(tc, a_queue_says_which_log_it_cannot_open_and_what_to_do);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
