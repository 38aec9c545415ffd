/* Seccomp violations in words. Decoding is pure (a struct seccomp_notif
 * in, text out), so the wording of `sandbox violation:
 * ptrace(PTRACE_ATTACH, 1234)` is unit-tested on synthetic input. */
#ifndef PROSPERO_SANDBOX_SECCOMP_VIOLATION_H
#define PROSPERO_SANDBOX_SECCOMP_VIOLATION_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox/seccomp/profiles.h"

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

#endif
