/* Secrets, the daemon's side (DESIGN.md section 3, README "Secrets"):
 * where they come from, and for each instance that names some, a fresh
 * directory only it can read, filled before each start and removed when
 * it ends (sandbox/secrets/ does the reading and writing). */
#ifndef PROSPERO_DAEMON_SECRETS_H
#define PROSPERO_DAEMON_SECRETS_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox/secrets/lookup.h"

struct cfg;
struct daemon;
struct daemon_opts;
struct instance;

#define SECRETS_DIR "credentials"	/* below the runtime directory */
/* Below it, the daemon's alone (0700; no instance name starts with '.'):
 * an ended instance's directory is moved there at once, out of every
 * actor's reach, and removed a few entries at a time while the loop is
 * idle, since the actor owned it and may have filled it. */
#define SECRETS_GONE ".gone"

struct secrets {
	struct sb_secret_sources sources;
	char dev_vars[4096];
	char root[4200];		/* RUNTIME/credentials, or "" */
	int root_fd;			/* the same, held; -1 */
	int gone_fd;			/* SECRETS_GONE below it, held; -1 */
	uint64_t gone_seq;		/* the last name given there */
	ev_idle reaper;			/* active while SECRETS_GONE holds anything */
};

/* Before anything starts (run and check): when an actor of CFG names a
 * secret that would be looked for in --secrets-dir (one the daemon's
 * $CREDENTIALS_DIRECTORY lacks) and that directory is unusable, say so
 * once, with the fix, and -1: each start of it would fail. Said in MSG (a
 * reload's answer), or on stderr when MSG is NULL. */
int secrets_check(const struct cfg *cfg, const struct daemon_opts *opts, char *msg, size_t len);

/* The sources (first match wins) and the directory the instances'
 * directories go in; nothing when no actor of CFG names a secret (a
 * reload that adds the first calls it again, and again after a failure).
 * -1 with errno, said in MSG (a reload's answer), or on stderr when MSG
 * is NULL. */
int secrets_setup(struct daemon *d, const struct cfg *cfg, const struct daemon_opts *opts, char *msg,
		  size_t len);
void secrets_teardown(struct daemon *d);

/* Before a start: IN's secrets into its directory, as its uid; IN holds
 * it from then. -1 with errno and MSG saying why. */
int secrets_deliver(struct daemon *d, struct instance *in, char *msg, size_t len);
/* Once it ended: its directory out of every actor's reach at once and
 * removed soon after (a failure is said on stderr), if IN holds it. The
 * path is its name's: an old incarnation a reload retired is freed after
 * the new one of that name started, and removes nothing. */
void secrets_remove(struct instance *in);
/* For "secrets_env", after secrets_deliver for the same start: IN's
 * environment plus NAME=value strings, which
 * *SECRETS holds; free() the array and sb_secrets_env_free(*SECRETS) as
 * soon as the child has exec'ed. NULL with errno and MSG saying why. */
char **secrets_env(struct daemon *d, const struct instance *in, char ***secrets,
		   char *msg, size_t len);

#endif
