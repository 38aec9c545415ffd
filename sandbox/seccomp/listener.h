/* The daemon's side of a seccomp listener (the fd sb_handoff_recv
 * returns): receive a notification, answer it, or kill its caller. */
#ifndef PROSPERO_SANDBOX_SECCOMP_LISTENER_H
#define PROSPERO_SANDBOX_SECCOMP_LISTENER_H

#include <linux/seccomp.h>
#include <stdint.h>

#include "sandbox/seccomp/profiles.h"
#include "sandbox/seccomp/violation.h"

/* SECCOMP_IOCTL_NOTIF_RECV into a zeroed *N (the kernel insists).
 * -1 with errno: ENOENT if the caller was interrupted or died before we
 * read it (nothing to report), EINTR, or EBADF/EINVAL for a bad listener. */
int sb_listener_recv(int listener, struct seccomp_notif *n);

/* 1 if notification ID is still pending (its caller is alive and still
 * blocked in the call, so its pid cannot have been reused), 0 if not,
 * -1 with errno on a bad listener. */
int sb_listener_id_valid(int listener, uint64_t id);

/* Answer notification ID: the call returns -1 with errno ERR. -1 with
 * errno ENOENT if the caller is gone or was interrupted. */
int sb_listener_respond_errno(int listener, uint64_t id, int err);

/* Kill the caller of notification N without racing pid reuse: pidfd
 * first, then check the notification is still pending (so the pidfd is
 * the right process), then SIGKILL through the pidfd. The caller is
 * blocked in the call, so it runs nothing more. Kills the offending
 * process only; the actor's other processes are the caller's business
 * (its process group). -1 with errno ESRCH if it is already gone. */
int sb_listener_kill(int listener, const struct seccomp_notif *n);

/* Receive and decode one notification into *V. In errno mode also answer
 * it with EPERM (the actor carries on). In kill mode the call stays
 * blocked: the caller reports *V, then sb_listener_kill. Returns 0, or -1
 * with errno from sb_listener_recv (ENOENT: nothing happened after all). A
 * caller that vanished before the EPERM answer is still reported. */
int sb_violation_handle(int listener, enum sb_on_violation mode, struct sb_violation *v);

#endif
