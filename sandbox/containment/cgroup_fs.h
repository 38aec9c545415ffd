/* Reading and writing cgroupfs, always relative to a directory fd the
 * daemon holds, never following a symlink. Also what a whole cgroup
 * needs done to it: list its members, kill them all, wait for it to
 * empty. Library-level: 0 or -1 with errno, no logging. */
#ifndef PROSPERO_CGROUP_FS_H
#define PROSPERO_CGROUP_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The directory name under at (O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC).
 * name may be "." to reopen at itself. */
int sb_cgfs_open_dir(int at, const char *name);

/* mkdir name under at and open it; an existing directory is opened. */
int sb_cgfs_make_dir(int at, const char *name);

/* The content of file under dir, NUL-terminated; -1 EFBIG if it does not
 * fit len - 1 bytes. */
int sb_cgfs_read(int dir, const char *file, char *buf, size_t len);
int sb_cgfs_write(int dir, const char *file, const char *text);
int sb_cgfs_read_u64(int dir, const char *file, uint64_t *v);
int sb_cgfs_write_u64(int dir, const char *file, uint64_t v);
/* The value of key in a flat-keyed file (memory.events "oom_kill"). */
int sb_cgfs_read_key(int dir, const char *file, const char *key, uint64_t *v);

/* Call fn for each cgroup directly below dir, by name; stops early,
 * returning fn's value, when fn returns non-zero. */
int sb_cgfs_each_child(int dir, int (*fn)(int dir, const char *name, void *ctx), void *ctx);

/* Call fn for each pid in dir's cgroup.procs (direct members only); stops
 * early, returning fn's value, when fn returns non-zero. */
int sb_cgfs_each_pid(int dir, int (*fn)(pid_t pid, void *ctx), void *ctx);

/* How many pids dir's cgroup.procs lists. */
int sb_cgfs_count_procs(int dir, unsigned *n);

/* v2: "populated" of cgroup.events: 1, 0, or -1 with errno. */
int sb_cgfs_populated(int dir);

/* v2: block until populated is 0 (poll POLLPRI on cgroup.events: the
 * kernel flags it on every change); -1 ETIMEDOUT after timeout_ms. For
 * start-up and tests; the daemon's loop watches with cgroup_notify. */
int sb_cgfs_wait_empty(int dir, int timeout_ms);

/* v2: SIGKILL every process in the cgroup and its descendants. With
 * has_kill (5.14's cgroup.kill) the kernel does it atomically; otherwise
 * the cgroup is frozen, so nothing in it can fork, its members killed one
 * by one until a pass finds none it has not signalled, then thawed; -1
 * with errno (EPERM) when one of them could not be signalled. */
int sb_cgfs_kill(int dir, bool has_kill);

/* v1 (no cgroup.kill, no populated): SIGKILL each member until a pass
 * finds none, waiting for each to exit (through a pidfd) between
 * passes; -1 ETIMEDOUT if one outlives timeout_ms. */
int sb_cgfs_kill_members(int dir, int timeout_ms);

#endif
