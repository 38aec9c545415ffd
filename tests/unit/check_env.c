/* An actor's environment (src/daemon/env.h): each name once, the
 * daemon's own variables its own whatever "env" or a secret says. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "src/daemon/env.h"
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

static Suite *suite(void)
{
	Suite *s = suite_create("env");
	TCase *tc = tcase_create("env");

	tcase_add_test(tc, env_keeps_the_daemons_variables_and_each_name_once);
	tcase_add_test(tc, a_secret_replaces_env_but_not_what_the_daemon_sets);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
