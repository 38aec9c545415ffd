/* Containment by uid, where no cgroup can be had: each actor instance
 * runs as a dynamic uid of its own, so "every process of that uid" is
 * exactly the instance and whatever it started, sessions and double
 * forks included.
 *
 * The kill is done by a short-lived helper that switches to the uid and
 * calls kill(-1, SIGKILL): the kernel then signals exactly the processes
 * that uid may signal (real or saved uid equal to it), all in one pass
 * that forks in flight cannot escape, and a pid reused by another uid
 * meanwhile is out of its reach. Root can set no uid of its own this way:
 * uid 0 is refused. */
#ifndef PROSPERO_UIDKILL_H
#define PROSPERO_UIDKILL_H

#include <stdint.h>
#include <sys/types.h>

/* SIGKILL every process whose real or saved uid is uid, and return once
 * each has exited (a zombie is left to its parent to reap: the caller
 * may be that parent). When no process has uid for its real uid (the
 * kernel's count for RLIMIT_NPROC, zombies included), it returns at once
 * without looking through /proc: one that moved its real uid away and
 * kept uid as its saved uid (it had CAP_SETUID) is then not looked for,
 * here or by sb_uid_alive. *found (may be NULL): how many were alive. -1 with
 * errno: EINVAL uid 0, EPERM not root, ETIMEDOUT one still alive after
 * timeout_ms (uninterruptible sleep). A process hidden by a hidepid
 * /proc is killed but not waited for. */
int sb_uid_kill(uid_t uid, int timeout_ms, unsigned *found);

/* Is any process of uid (real or saved uid) alive, zombies aside? 1 yes,
 * 0 no, -1 with errno. Before a dynamic uid is handed out: a leftover
 * of an earlier run must never meet a new actor under its uid. */
int sb_uid_alive(uid_t uid);

/* The same question for every uid in [first, last] at once, from one
 * pass over /proc in the caller (no helper): bit (uid - first) of live
 * set for each uid with a live process (real or saved uid), zombies
 * aside. For a daemon about to hand out many uids: a helper per uid
 * costs milliseconds each. -1 with errno. */
int sb_uid_alive_set(uid_t first, uid_t last, uint8_t *live);

/* How many passes over /proc the helpers of sb_uid_kill and sb_uid_alive
 * have made in this process: a uid with no process needs none. */
unsigned long sb_uid_proc_passes(void);

#endif
