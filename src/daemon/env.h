/* An actor's environment, clean as systemd gives services: the config's
 * "env", a few of the daemon's own variables, and Prospero's (README "Fds
 * and environment"). Bindings add PROSPERO_FDS and PROSPERO_FDNAMES
 * (bindings.h); secrets_env (secrets.h) adds secrets where asked. */
#ifndef PROSPERO_DAEMON_ENV_H
#define PROSPERO_DAEMON_ENV_H

#include "src/config/config.h"

/* Instance INDEX (1-based) of A: a NULL-terminated array of malloc'ed
 * strings (env_free). NOTIFY_ENV is "NOTIFY_SOCKET=..."; CREDS_DIR its
 * $CREDENTIALS_DIRECTORY when it has secrets; STATE_DIR its
 * $STATE_DIRECTORY, or NULL. NULL with errno. */
char **env_build(const struct cfg_actor *a, unsigned index, const char *notify_env,
		 const char *creds_dir, const char *state_dir);
void env_free(char **env);

/* BASE (env_build's) with OVER's NAME=value strings laid on it, for A:
 * a name OVER holds replaces BASE's, but not one the daemon sets itself
 * (cfg_env_daemon_sets), which OVER cannot give. A name held once in
 * each is held once in the result. The strings are borrowed: free() the
 * array. NULL with errno. */
char **env_overlay(const struct cfg_actor *a, char *const *base, char *const *over);

#endif
