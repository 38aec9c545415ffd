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

/* Whether the daemon sets ENTRY's variable itself for A: then its value,
 * not the one "env" gives, is the one the actor sees, whatever way its
 * program reads an environment with a name twice. */
static bool daemon_sets(const struct cfg_actor *a, const char *state_dir, const char *entry)
{
	static const char *const always[] = { PP_ENV_NOTIFY_SOCKET, PP_ENV_ACTOR, PP_ENV_INSTANCE,
					      PP_ENV_FDS, PP_ENV_FDNAMES };

	for (size_t i = 0; i < sizeof always / sizeof *always; i++)
		if (env_is(entry, always[i]))
			return true;
	return (a->nsecrets && env_is(entry, PP_ENV_CREDENTIALS_DIRECTORY)) ||
	       (state_dir && env_is(entry, PP_ENV_STATE_DIRECTORY));
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
		if (!daemon_sets(a, state_dir, *e) && !(env[n++] = strdup(*e)))
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

char **env_join(char *const *a, char *const *b)
{
	size_t n = 0, k = 0;
	char **env;

	while (a[n])
		n++;
	while (b[k])
		k++;
	if (!(env = calloc(n + k + 1, sizeof *env)))
		return NULL;
	memcpy(env, a, n * sizeof *env);
	memcpy(env + n, b, k * sizeof *env);
	return env;
}
