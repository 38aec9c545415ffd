/* Per-actor secrets, found by name in the configured sources. Secret
 * values never appear in an error message; every buffer that held one is
 * wiped before it is freed. */
#ifndef PROSPERO_SANDBOX_SECRETS_LOOKUP_H
#define PROSPERO_SANDBOX_SECRETS_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "sandbox/secrets/devvars.h"
#include "sandbox/secrets/name.h"

/* Where secrets come from, searched in this order; first match wins. */
struct sb_secret_sources {
	const char *credentials_dir;	/* the daemon's $CREDENTIALS_DIRECTORY, or NULL */
	const char *secrets_dir;	/* --secrets-dir, or NULL */
	const char *dev_vars;		/* a .dev.vars file, or NULL */
};

/* the largest secret accepted, as systemd's credentials */
#define SB_SECRET_MAX (1024 * 1024)

/* Rules per source:
 *  - $CREDENTIALS_DIRECTORY: NAME must be a regular file (not a symlink).
 *  - --secrets-dir: the directory owned by root or the daemon's euid and
 *    not writable by group or others, and no directory above it one
 *    another user could put another in its place through
 *    (sb_path_replaceable); NAME a regular file with the same
 *    owner rule and no group or other permission at all. Anything else is
 *    refused, not skipped: a readable file's value is already exposed.
 *  - .dev.vars: see sandbox/secrets/devvars.h.
 * A secret not found anywhere gives
 *   secret "X" not found in $CREDENTIALS_DIRECTORY (/p), --secrets-dir (/p) or .dev.vars (/p)
 * naming only the configured sources. */

/* A value: LEN bytes at BUF, then a NUL for the callers that want a string. */
struct sb_secret {
	char *buf;
	size_t len;
};

/* Wipe and free; harmless on an empty one. */
void sb_secret_wipe(struct sb_secret *v);

/* The sources, opened once for a batch of names. */
struct sb_secret_lookup {
	const struct sb_secret_sources *src;
	int cred_fd, secrets_fd;	/* -1 when not configured */
	struct sb_secret file;		/* the whole .dev.vars */
	struct sb_devvars vars;		/* views into file */
	char *errmsg;
	size_t errlen;
};

/* Open and check the configured sources and parse .dev.vars; failures are
 * described in ERRMSG, which later lookups use too. -1 with errno;
 * nothing is left open then. --secrets-dir is opened and checked only
 * by the first lookup that reaches it (a name $CREDENTIALS_DIRECTORY
 * lacks), and refused there. */
int sb_secret_lookup_open(struct sb_secret_lookup *l, const struct sb_secret_sources *src,
			  char *errmsg, size_t errlen);

/* The value of NAME into *V (wipe it after use). -1 with errno (ENOENT
 * when no source has it, EPERM for a refused file, ...) and the message
 * in the ERRMSG given to open. */
int sb_secret_lookup_find(struct sb_secret_lookup *l, const char *name, struct sb_secret *v);

void sb_secret_lookup_close(struct sb_secret_lookup *l);

/* Whether a lookup of NAME would reach SRC's --secrets-dir: it is given,
 * and $CREDENTIALS_DIRECTORY, searched first, holds nothing by that name. */
bool sb_secret_reaches_secrets_dir(const struct sb_secret_sources *src, const char *name);

/* Whether PATH passes the --secrets-dir rules above, as a lookup would
 * find it now: -1 with errno and ERRMSG as a lookup says it. */
int sb_secrets_dir_usable(const char *path, char *errmsg, size_t errlen);

#endif
