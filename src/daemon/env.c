/* An actor's environment; see env.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/daemon/env.h"
#include "src/proto/fds.h"

static const char *const passed_env[] = { "PATH", "LANG", "LC_ALL", "TZ", "TERM" };

static bool env_is(const char *entry, const char *key)
{
	size_t k = strlen(key);

	return strncmp(entry, key, k) == 0 && entry[k] == '=';
}

/* The length of ENTRY's name, before its '='. */
static size_t name_len(const char *entry)
{
	return strcspn(entry, "=");
}

static bool same_name(const char *x, const char *y)
{
	size_t n = name_len(x);

	return n == name_len(y) && memcmp(x, y, n) == 0;
}

/* Whether the daemon sets ENTRY's variable itself for A: then its value,
 * not the one "env" or a secret gives, is the one the actor sees, and the
 * name is there once, whatever way its program reads an environment. */
static bool daemon_sets(const struct cfg_actor *a, const char *entry)
{
	return cfg_env_daemon_sets(a, entry, name_len(entry));
}

static bool env_has(char *const *env, const char *key)
{
	for (; env && *env; env++)
		if (env_is(*env, key))
			return true;
	return false;
}

char **env_build(const struct cfg_actor *a, unsigned index, const char *notify_env,
		 const char *creds_dir, const char *state_dir)
{
	size_t n = 0, cap = 10 + sizeof passed_env / sizeof *passed_env;
	char **env, **e;

	for (e = a->env; e && *e; e++)
		cap++;
	env = calloc(cap, sizeof *env);
	if (!env)
		return NULL;
	for (e = a->env; e && *e; e++)
		if (!daemon_sets(a, *e) && !(env[n++] = strdup(*e)))
			goto fail;
	for (size_t i = 0; i < sizeof passed_env / sizeof *passed_env; i++) {
		const char *v = getenv(passed_env[i]);
		if (v && !env_has(a->env, passed_env[i]) &&
		    asprintf(&env[n++], "%s=%s", passed_env[i], v) < 0)
			goto fail;
	}
	if (!(env[n++] = strdup(notify_env)) ||
	    asprintf(&env[n++], PP_ENV_ACTOR "=%s", a->name) < 0 ||
	    asprintf(&env[n++], PP_ENV_INSTANCE "=%u", index) < 0)
		goto fail;
	/* the systemd credentials convention: existing programs find them */
	if (a->nsecrets && asprintf(&env[n++], PP_ENV_CREDENTIALS_DIRECTORY "=%s", creds_dir) < 0)
		goto fail;
	/* systemd's StateDirectory= convention, in place of any "env" of that name */
	if (state_dir && asprintf(&env[n++], PP_ENV_STATE_DIRECTORY "=%s", state_dir) < 0)
		goto fail;
	/* as systemd does for Type=notify: sd_notify programs and prospero_open
	 * pet in time; no WATCHDOG_PID, the pid is not known before exec */
	if (a->watchdog_ms && !env_has(a->env, PP_ENV_WATCHDOG_USEC) &&
	    asprintf(&env[n++], PP_ENV_WATCHDOG_USEC "=%ld", a->watchdog_ms * 1000) < 0)
		goto fail;
	return env;
fail:
	for (size_t i = 0; i < cap; i++)
		free(env[i]);
	free(env);
	return NULL;
}

void env_free(char **env)
{
	for (char **e = env; e && *e; e++)
		free(*e);
	free(env);
}

/* Whether ENV holds a variable named as ENTRY's. */
static bool has_name(char *const *env, const char *entry)
{
	for (; env && *env; env++)
		if (same_name(*env, entry))
			return true;
	return false;
}

char **env_overlay(const struct cfg_actor *a, char *const *base, char *const *over)
{
	size_t n = 0, k = 0;
	char **env;

	while (base[n])
		n++;
	while (over[k])
		k++;
	if (!(env = calloc(n + k + 1, sizeof *env)))
		return NULL;
	n = 0;
	for (; *base; base++)
		if (daemon_sets(a, *base) || !has_name(over, *base))
			env[n++] = *base;
	for (; *over; over++)
		if (!daemon_sets(a, *over))
			env[n++] = *over;
	return env;
}
