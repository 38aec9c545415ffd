/* An actor's environment (src/daemon/env.h): each name once, the
 * daemon's own variables its own whatever "env" or a secret says; and
 * the paths in it absolute (src/daemon/abspath.h, rundir_choose). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/daemon/abspath.h"
#include "src/daemon/env.h"
#include "src/daemon/rundir.h"
#include "tests/common/runner.h"

/* How many entries of ENV are named NAME; *VALUE the last one's value. */
static int count(char *const *env, const char *name, const char **value)
{
	size_t k = strlen(name);
	int n = 0;

	for (; *env; env++)
		if (strncmp(*env, name, k) == 0 && (*env)[k] == '=') {
			n++;
			if (value)
				*value = *env + k + 1;
		}
	return n;
}

static void assert_is(char *const *env, const char *name, const char *want)
{
	const char *v = NULL;

	ck_assert_msg(count(env, name, &v) == 1, "%s: %d times", name, count(env, name, NULL));
	ck_assert_str_eq(v, want);
}

START_TEST(env_keeps_the_daemons_variables_and_each_name_once)
{
	char *vars[] = { "NOTIFY_SOCKET=/elsewhere", "PROSPERO_ACTOR=other", "PROSPERO_FDS=9", "PATH=/mine",
			 "STATE_DIRECTORY=/s", "K=v", NULL };
	struct cfg_actor a = { .name = "a", .env = vars, .nsecrets = 1, .state = true };
	char **env;

	setenv("PATH", "/daemons", 1);
	env = env_build(&a, 2, "NOTIFY_SOCKET=/run/x/notify", "/run/x/credentials/a", "/var/lib/x/a");
	ck_assert_ptr_nonnull(env);
	assert_is(env, "NOTIFY_SOCKET", "/run/x/notify");
	assert_is(env, "PROSPERO_ACTOR", "a");
	assert_is(env, "PROSPERO_INSTANCE", "2");
	assert_is(env, "CREDENTIALS_DIRECTORY", "/run/x/credentials/a");
	assert_is(env, "STATE_DIRECTORY", "/var/lib/x/a");
	assert_is(env, "PATH", "/mine");	/* "env" over the daemon's own */
	assert_is(env, "K", "v");
	/* bindings add these at once (bindings.h) */
	ck_assert_int_eq(count(env, "PROSPERO_FDS", NULL), 0);
	env_free(env);
}
END_TEST

START_TEST(a_secret_replaces_env_but_not_what_the_daemon_sets)
{
	char *vars[] = { "MYVAR=fromenv", "STATE_DIRECTORY=/s", NULL };
	char *secrets[] = { "NOTIFY_SOCKET=evil", "PATH=/evil", "MYVAR=secretval", "CREDENTIALS_DIRECTORY=/evil",
			    "PROSPERO_FDNAMES=evil", "STATE_DIRECTORY=/t", "MY=1", NULL };
	char *none[] = { NULL };
	struct cfg_actor a = { .name = "a", .env = vars, .nsecrets = 7 };
	char **base, **env;
	size_t n = 0;

	setenv("PATH", "/daemons", 1);
	base = env_build(&a, 1, "NOTIFY_SOCKET=/run/x/notify", "/run/x/credentials/a", NULL);
	ck_assert_ptr_nonnull(base);
	env = env_overlay(&a, base, secrets);
	ck_assert_ptr_nonnull(env);
	assert_is(env, "NOTIFY_SOCKET", "/run/x/notify");
	assert_is(env, "CREDENTIALS_DIRECTORY", "/run/x/credentials/a");
	assert_is(env, "PROSPERO_ACTOR", "a");
	ck_assert_int_eq(count(env, "PROSPERO_FDNAMES", NULL), 0);
	assert_is(env, "PATH", "/evil");
	assert_is(env, "MYVAR", "secretval");
	assert_is(env, "MY", "1");	/* a name, not a prefix */
	/* without "state" the daemon sets none: the secret's */
	assert_is(env, "STATE_DIRECTORY", "/t");
	free(env);

	/* nothing laid on: the same strings, in order */
	env = env_overlay(&a, base, none);
	ck_assert_ptr_nonnull(env);
	for (; base[n]; n++)
		ck_assert_ptr_eq(env[n], base[n]);
	ck_assert_ptr_null(env[n]);
	free(env);
	env_free(base);
}
END_TEST

START_TEST(a_relative_path_joins_the_cwd_as_written)
{
	char buf[64];

	ck_assert_int_eq(abspath_join("/w", "/abs/x", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/abs/x");
	ck_assert_int_eq(abspath_join("/w", "rt", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/w/rt");
	ck_assert_int_eq(abspath_join("/w/", "././/rt", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/w/rt");
	/* no symlink resolved: ".." stays for the kernel to follow */
	ck_assert_int_eq(abspath_join("/w", "../rt", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/w/../rt");
	ck_assert_int_eq(abspath_join("/w", ".", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/w");
	ck_assert_int_eq(abspath_join("/", "rt", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/rt");
	ck_assert_int_eq(abspath_join("/", "./", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/");
	ck_assert_int_eq(abspath_join("/w", "", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	/* the exact fit, and one byte short */
	ck_assert_int_eq(abspath_join("/w", "rt", buf, 6), 0);
	ck_assert_int_eq(abspath_join("/w", "rt", buf, 5), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

START_TEST(a_relative_runtime_dir_is_taken_from_the_cwd)
{
	char buf[4096];

	ck_assert_int_eq(chdir("/tmp"), 0);
	ck_assert_int_eq(rundir_choose("rt", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/tmp/rt");
	setenv("RUNTIME_DIRECTORY", "run/p", 1);
	ck_assert_int_eq(rundir_choose(NULL, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/tmp/run/p");
	unsetenv("RUNTIME_DIRECTORY");
	ck_assert_int_eq(rundir_choose("/abs", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/abs");
}
END_TEST

/* systemd joins several RuntimeDirectory= paths with ':' (a drop-in may
 * add one): the daemon's is the first, as for $STATE_DIRECTORY. */
START_TEST(runtime_directory_names_the_first_of_systemds_list)
{
	char buf[4096];

	ck_assert_int_eq(chdir("/tmp"), 0);
	setenv("RUNTIME_DIRECTORY", "/run/prospero:/run/other", 1);
	ck_assert_int_eq(rundir_choose(NULL, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/run/prospero");
	setenv("RUNTIME_DIRECTORY", "run/p//:/run/other", 1);
	ck_assert_int_eq(rundir_choose(NULL, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/tmp/run/p");
	unsetenv("RUNTIME_DIRECTORY");
	/* a path given on the command line is taken whole, colon and all */
	ck_assert_int_eq(rundir_choose("/run/a:b", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/run/a:b");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("env");
	TCase *tc = tcase_create("env");

	tcase_add_test(tc, env_keeps_the_daemons_variables_and_each_name_once);
	tcase_add_test(tc, a_secret_replaces_env_but_not_what_the_daemon_sets);
	tcase_add_test(tc, a_relative_path_joins_the_cwd_as_written);
	tcase_add_test(tc, a_relative_runtime_dir_is_taken_from_the_cwd);
	tcase_add_test(tc, runtime_directory_names_the_first_of_systemds_list);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
