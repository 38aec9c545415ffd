/* Handing an actor its secrets: as files in a directory only that actor
 * can read (the systemd credentials convention: the actor finds it in
 * $CREDENTIALS_DIRECTORY), or, for a legacy program that opted in, as
 * environment strings. Values come from sandbox/secrets/lookup.h. */
#ifndef PROSPERO_SANDBOX_SECRETS_DELIVER_H
#define PROSPERO_SANDBOX_SECRETS_DELIVER_H

#include <stddef.h>
#include <sys/types.h>

#include "sandbox/secrets/lookup.h"

/* Create dir below parent (a directory fd; it must be traversable by
 * uid, e.g. mode 0711) holding one file per name, mode 0400, owned by uid:gid; the
 * directory itself ends up mode 0500, owned by uid:gid. A directory left
 * at that path by an earlier run is removed first. Each file is written
 * under a temporary name, fsync'ed and renamed; the directory is handed
 * to uid only once complete. On failure nothing is left behind: -1 with
 * errno and errmsg. */
int sb_secrets_deliver(const struct sb_secret_sources *src, const char *const *names,
		       size_t n, int parent, const char *dir, uid_t uid, gid_t gid,
		       char *errmsg, size_t errlen);

/* Remove a delivered directory below parent and anything its owner put
 * in it since, never following a symlink or leaving parent
 * (sandbox/daemon/rmtree.h). 0 if it is gone (or never existed), -1 with
 * errno otherwise. */
int sb_secrets_remove(int parent, const char *dir);

/* NAME=value strings for the opted-in environment, NULL-terminated, in
 * the order of names. A value holding a NUL byte cannot be passed this
 * way and is an error. Free with sb_secrets_env_free, which wipes them. */
int sb_secrets_env(const struct sb_secret_sources *src, const char *const *names,
		   size_t n, char ***env_out, char *errmsg, size_t errlen);
void sb_secrets_env_free(char **env);

#endif
