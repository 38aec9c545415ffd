/* The runtime directory: where the notify socket and the actors'
 * credentials live, and the mark of a running daemon. One daemon holds
 * it at a time (a lock on RUNDIR/lock, which records its pid); what a
 * dead predecessor left there, credentials and sockets included, is
 * removed before anything starts. Everything below it is reached
 * through the directory fd held here, never by following a symlink. */
#ifndef PROSPERO_DAEMON_RUNDIR_H
#define PROSPERO_DAEMON_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>

#define RUNDIR_LOCK "lock"
#define RUNDIR_PATH_MAX 4096

struct rundir {
	int fd;				/* the directory; -1 when not open */
	int lock;			/* RUNDIR_LOCK, write-locked while we run */
	bool tmpfs;			/* on tmpfs or ramfs: secrets never reach a disk */
	bool had_lock;			/* a daemon held it before: ours to empty */
	char path[RUNDIR_PATH_MAX];
};

/* Which directory: given (--runtime-dir), else $RUNTIME_DIRECTORY
 * (systemd's RuntimeDirectory=; of several, the first), else /run/prospero as root and
 * $XDG_RUNTIME_DIR/prospero otherwise; a relative one below the cwd
 * (abspath.h). -1 with errno (ENOENT: not root and no absolute $XDG_RUNTIME_DIR:
 * the XDG spec ignores a relative one). */
int rundir_choose(const char *given, char *path, size_t len);
/* Why rundir_choose(GIVEN) failed with ERRNUM, for "no runtime
 * directory: WHY": its ENOENT is no $XDG_RUNTIME_DIR to use. */
const char *rundir_choose_refusal(const char *given, int errnum);

/* Is the file system at path (or, when it does not exist yet, its
 * parent's) tmpfs or ramfs? -1 with errno when neither can be read. */
int rundir_on_tmpfs(const char *path);

/* path made (0755) if missing and opened; refused unless it is a
 * directory, not a symlink, owned by our uid and writable by no one else;
 * made searchable by all (0711 at least); then locked. -1 with errno and msg saying why: EBUSY when another
 * daemon holds it (msg names its pid). */
int rundir_open(struct rundir *r, const char *path, char *msg, size_t len);

/* The first of PATH's parents (absolute: from the root down) that other
 * users may not search, into DIR (LEN bytes) with its mode in *MODE: 1;
 * 0 when they all may; -1 with errno when one cannot be read. Actors of
 * other uids reach the notify socket and their credentials through them. */
int rundir_blocked_parent(const char *path, char *dir, size_t len, unsigned *mode);

/* Remove everything in it but the lock: what a dead predecessor left.
 * Refused (ENOTEMPTY) for a directory that holds files but never held a
 * daemon's lock: a mistyped --runtime-dir must not be emptied. */
int rundir_clean(struct rundir *r, char *msg, size_t len);

void rundir_close(struct rundir *r);

#endif
