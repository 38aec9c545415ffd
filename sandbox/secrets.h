/* Per-actor secrets, daemon side: found by name in the configured sources,
 * delivered as files in a directory only that actor can read (the systemd
 * credentials convention: the actor finds it in $CREDENTIALS_DIRECTORY),
 * or, for a legacy program that opted in, as environment strings.
 * Secret values never appear in an error message. */
#ifndef PROSPERO_SECRETS_H
#define PROSPERO_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where secrets come from, searched in this order; first match wins. */
struct sb_secret_sources {
	const char *credentials_dir;	/* the daemon's $CREDENTIALS_DIRECTORY, or NULL */
	const char *secrets_dir;	/* --secrets-dir, or NULL */
	const char *dev_vars;		/* a .dev.vars file, or NULL */
};

/* the largest secret accepted, as systemd's credentials */
#define SB_SECRET_MAX (1024 * 1024)
/* the longest secret name */
#define SB_SECRET_NAME_MAX 128

/* [A-Za-z_][A-Za-z0-9_.-]*, at most SB_SECRET_NAME_MAX characters. */
bool sb_secret_name_valid(const char *name);

/* Rules per source:
 *  - $CREDENTIALS_DIRECTORY: NAME must be a regular file (not a symlink).
 *  - --secrets-dir: the directory owned by root or the daemon's euid and
 *    not writable by group or others; NAME a regular file with the same
 *    owner rule and no group or other permission at all. Anything else is
 *    refused, not skipped: a readable file's value is already exposed.
 *  - .dev.vars: NAME=value lines; blank lines and lines starting with '#'
 *    are skipped; blanks around NAME and value are trimmed; one pair of
 *    double quotes around the value is removed, nothing else is
 *    interpreted. A malformed line or a name set twice is an error with
 *    file:line.
 * A secret not found anywhere gives
 *   secret "X" not found in $CREDENTIALS_DIRECTORY (/p), --secrets-dir (/p) or .dev.vars (/p)
 * naming only the configured sources. */

/* Create dir (its parent must exist and be traversable by uid, e.g. mode
 * 0711) holding one file per name, mode 0400, owned by uid:gid; the
 * directory itself ends up mode 0500, owned by uid:gid. A directory left
 * at that path by an earlier run is removed first. Each file is written
 * under a temporary name, fsync'ed and renamed; the directory is handed
 * to uid only once complete. On failure nothing is left behind: -1 with
 * errno and errmsg. */
int sb_secrets_deliver(const struct sb_secret_sources *src, const char *const *names,
		       size_t n, const char *dir, uid_t uid, gid_t gid,
		       char *errmsg, size_t errlen);

/* Remove a delivered directory and anything its owner put in it since,
 * without following symlinks. 0 if it is gone (or never existed), -1 with
 * errno otherwise. */
int sb_secrets_remove(const char *dir);

/* NAME=value strings for the opted-in environment, NULL-terminated, in
 * the order of names. A value holding a NUL byte cannot be passed this
 * way and is an error. Free with sb_secrets_env_free, which wipes them. */
int sb_secrets_env(const struct sb_secret_sources *src, const char *const *names,
		   size_t n, char ***env_out, char *errmsg, size_t errlen);
void sb_secrets_env_free(char **env);

#endif
