/* The daemon's side of a seccomp listener (the fd sb_handoff_recv
 * returns): receive a notification, answer it, or kill its caller. */
#ifndef PROSPERO_SANDBOX_SECCOMP_LISTENER_H
#define PROSPERO_SANDBOX_SECCOMP_LISTENER_H

#include <linux/seccomp.h>
#include <stdint.h>

/* SECCOMP_IOCTL_NOTIF_RECV into a zeroed *N (the kernel insists).
 * -1 with errno: ENOENT if the caller was interrupted or died before we
 * read it (nothing to report), EINTR, or EBADF/EINVAL for a bad listener. */
int sb_listener_recv(int listener, struct seccomp_notif *n);

/* Answer notification ID: the call returns -1 with errno ERR. -1 with
 * errno ENOENT if the caller is gone or was interrupted. */
int sb_listener_respond_errno(int listener, uint64_t id, int err);

/* Answer notification ID: the call goes on as if no filter had stopped
 * it. Only for a call the policy allows (a fault plan's routed call that
 * is not to fail), rechecked on the arguments the notification holds:
 * they are the blocked caller's registers and cannot change, and the
 * policy reads no memory. -1 with errno as above. */
int sb_listener_respond_continue(int listener, uint64_t id);

/* Kill the caller of notification N without racing pid reuse: pidfd
 * first, then check the notification is still pending (so the pidfd is
 * the right process), then SIGKILL through the pidfd. The caller is
 * blocked in the call, so it runs nothing more. Kills the offending
 * process only; the actor's other processes are the caller's business
 * (its process group). -1 with errno ESRCH if it is already gone. */
int sb_listener_kill(int listener, const struct seccomp_notif *n);

#endif
