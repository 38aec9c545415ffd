/* Seccomp violations: what the daemon does with a user notification.
 * Decoding is pure (a struct seccomp_notif in, text out), so the wording
 * of `sandbox violation: ptrace(PTRACE_ATTACH, 1234)` is unit-tested on
 * synthetic input; the listener helpers are thin ioctl wrappers. */
#ifndef PROSPERO_VIOLATION_H
#define PROSPERO_VIOLATION_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox/profiles.h"

#define SB_VIOLATION_TEXT_MAX 256

struct sb_violation {
	uint64_t id;		/* the notification's cookie */
	pid_t pid;		/* the calling thread, in the daemon's pid namespace;
				 * may be a descendant of the actor */
	uint32_t arch;		/* AUDIT_ARCH_* */
	int nr;			/* as the filter saw it: x32 keeps its 0x40000000 bit */
	bool foreign_abi;	/* i386 or x32 on an x86_64 host, etc. */
	char name[SB_SYSCALL_NAME_MAX];	/* "ptrace", or "syscall_1234" if unknown */
	char text[SB_VIOLATION_TEXT_MAX];	/* "ptrace(PTRACE_ATTACH, 1234)",
						 * "getpid() [i386 ABI]" */
	size_t args_off, args_len;	/* the arguments inside text: "PTRACE_ATTACH, 1234" */
};

/* Pure. Names the syscall for N's architecture (libseccomp's tables) and
 * prints its arguments from a small table of well-known calls: ptrace
 * requests, socket families and types, open flags, clone and namespace
 * flags, signals, some ioctls and prctl options; fds as numbers with
 * AT_FDCWD, pointers as hex or NULL; the argument count per syscall. An
 * unlisted syscall shows all six arguments, small ones in decimal. Text
 * that does not fit is cut. */
void sb_violation_decode(const struct seccomp_notif *n, struct sb_violation *v);

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

/* Token bucket for errno-mode reports, pure: the caller passes a
 * monotonic now_ms. BURST reports at once, then one per INTERVAL_MS;
 * INTERVAL_MS 0 means no limit. */
struct sb_ratelimit {
	uint64_t interval_ms;
	unsigned burst;
	unsigned tokens;
	uint64_t last_ms;		/* when the tokens were last topped up */
	unsigned long suppressed;	/* since the last report let through */
	bool started;
};

void sb_ratelimit_init(struct sb_ratelimit *rl, unsigned burst, uint64_t interval_ms);

/* True if this report may go out; then *SUPPRESSED (if not NULL) is how
 * many were held back since the previous one ("... and 41 more"), and the
 * count restarts. False: count it and stay quiet. */
bool sb_ratelimit_allow(struct sb_ratelimit *rl, uint64_t now_ms, unsigned long *suppressed);

#endif
