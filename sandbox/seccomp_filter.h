/* The seccomp filter: compiled once per policy in the daemon, loaded by
 * each vfork child with two system calls.
 *
 * Every syscall the policy does not allow goes to SECCOMP_RET_USER_NOTIF,
 * for both on_violation modes, so the daemon sees the exact call of any
 * program (not only ones linked with us): in "kill" mode it reports and
 * kills, in "errno" mode it reports and answers -EPERM (violation.h).
 * Non-native ABIs (i386 via int 0x80, x32 numbers with __X32_SYSCALL_BIT)
 * take the same path, so they are reported too.
 *
 * Handing the listener to the daemon. The listener fd exists only in the
 * task that loads the filter, and spawn.c's child shares the daemon's
 * memory (CLONE_VM) but not its fd table (no CLONE_FILES: it must close
 * everything). So the child sends the fd over an AF_UNIX SOCK_SEQPACKET
 * socketpair made by the daemon (SCM_RIGHTS), then execs; the daemon,
 * resumed by CLONE_VFORK only after the exec, receives it without waiting.
 * Both ends are CLOEXEC, so the actor never holds either; the listener is
 * CLOEXEC too. One pair can serve every spawn: vfork serialises them.
 *
 * Between the load and the exec the child may make only calls every
 * policy allows (sendmsg, rt_sigprocmask, execve, exit_group: see
 * sb_syscall_is_required): a denied one would wait for a daemon that is
 * itself waiting for the exec.
 *
 * If the daemon closes or loses the listener, denied calls fail ENOSYS
 * instead of being reported (the kernel's rule for a filter without a
 * listener); the actor dies with the daemon anyway (PR_SET_PDEATHSIG). A
 * daemon itself confined under a listener-bearing filter gets EBUSY from
 * the load (one listener per filter chain). */
#ifndef PROSPERO_SECCOMP_FILTER_H
#define PROSPERO_SECCOMP_FILTER_H

#include <linux/filter.h>

#include "sandbox/profiles.h"

struct sb_filter {
	struct sock_filter *insns;	/* NULL for the "none" profile */
	struct sock_fprog prog;		/* what the child loads; points at insns */
	enum sb_on_violation on_violation;
};

/* Daemon side: compile POLICY to classic BPF for the native architecture
 * (bpf_gen.h on x86_64, names resolved by libseccomp; libseccomp's own
 * export elsewhere). Syscalls this architecture lacks are skipped. Returns 0, or -1 with errno (ENOMEM, EINVAL for a
 * rule libseccomp refuses, EOPNOTSUPP if the kernel has no user
 * notification). Nothing is kept on failure. */
int sb_filter_build(const struct sb_policy *policy, struct sb_filter *f);

void sb_filter_free(struct sb_filter *f);

/* Daemon side: the handoff pair, SOCK_SEQPACKET, both ends CLOEXEC.
 * sv[1] goes to the child (it must survive the fd step of the
 * confinement: the caller keeps it out of the close_range), sv[0] stays. */
int sb_handoff_pair(int sv[2]);

/* Child side, system calls only, no allocation: set no_new_privs, load F
 * with SECCOMP_FILTER_FLAG_NEW_LISTENER, send the listener on HANDOFF_FD.
 * No-op for an empty filter ("none"). Must be the last confinement step:
 * it cuts off what the others need. Returns 0, or -1 with errno and
 * *step_name a static string naming the call that failed; the caller then
 * _exits. */
int sb_filter_load(const struct sb_filter *f, int handoff_fd, const char **step_name);

/* Daemon side, after sb_spawn_start has returned: the listener the child
 * sent, CLOEXEC. Never blocks. -1 with errno EAGAIN (the pair is still
 * open and nothing was sent), ENOMSG (the child's end closed without a
 * message), EBADMSG (anything but exactly one fd; whatever arrived is
 * closed), or recvmsg's own error. */
int sb_handoff_recv(int fd);

#endif
