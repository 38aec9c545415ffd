/* State directories (README "Durable state"): one per actor instance,
 * below a root the daemon manages, that outlives the instance and is its
 * alone. Everything below the root is reached through directory fds and
 * never through a symbolic link: the instance owns what is inside and may
 * have put anything there. */
#ifndef PROSPERO_SANDBOX_DAEMON_STATEDIR_H
#define PROSPERO_SANDBOX_DAEMON_STATEDIR_H

#include <stdbool.h>
#include <sys/types.h>

/* The mode of the root: each instance passes through to its own
 * directory, none lists the others or makes names in it. */
#define SB_STATEDIR_ROOT_MODE 0711
#define SB_STATEDIR_MODE 0700

/* Open the root PATH, creating it and its missing parents (0755, as
 * mkdir -p), and make it mode 0711. An fd (O_DIRECTORY, O_CLOEXEC), or -1
 * with errno: EPERM when it is not the caller's own (another user could
 * move names in it), ENOTDIR, or what mkdir and open said. */
int sb_statedir_root(const char *path);
/* What sb_statedir_root would say of PATH, making nothing: 0 if it is
 * missing (in part) or usable, else -1 with errno (ELOOP, ENOTDIR, EPERM). */
int sb_statedir_root_usable(const char *path);

/* Directory NAME below ROOT, made if missing: mode 0700 and, with OWN,
 * owned by UID:GID. When it was owned by another id (a dynamic uid that
 * changed, as systemd's DynamicUser= has it), everything inside is
 * re-owned too, without following a symbolic link or leaving the
 * directory. -1 with errno: ELOOP or ENOTDIR when NAME is a symbolic link
 * or not a directory, EPERM when not OWN and it is another user's, EMLINK
 * when directories inside go deeper than SB_STATEDIR_DEPTH_MAX levels (the
 * rest is re-owned), or what the calls said (an entry it could not re-own
 * included). */
#define SB_STATEDIR_DEPTH_MAX 64
int sb_statedir_prepare(int root, const char *name, uid_t uid, gid_t gid, bool own);

/* Each entry directly below ROOT, with its owner, to FN (a symbolic link
 * as itself); FN's -1 stops the walk. -1 with errno. */
typedef int (*sb_statedir_owner_fn)(const char *name, uid_t uid, gid_t gid, void *arg);
int sb_statedir_owners(int root, sb_statedir_owner_fn fn, void *arg);

#endif
