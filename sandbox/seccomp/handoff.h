/* Handing the seccomp listener from the child to the daemon.
 *
 * The listener fd exists only in the task that loads the filter, and the
 * spawn child shares the daemon's memory (CLONE_VM) but, by the time it
 * loads, not its fd table: it has a private copy of the few fds it keeps.
 * So the child sends the fd over an AF_UNIX SOCK_SEQPACKET socketpair
 * made by the daemon (SCM_RIGHTS, sandbox/seccomp/load.h), then execs;
 * the daemon, resumed by CLONE_VFORK only after the exec, receives it
 * without waiting. Both ends are CLOEXEC, so the actor never holds
 * either; the listener is CLOEXEC too. One pair can serve every spawn:
 * vfork serialises them. A child asked to hand over its namespaces sends
 * them first, on the same pair (sandbox/child/ns_enter.h). This file is
 * the daemon's end. */
#ifndef PROSPERO_SANDBOX_SECCOMP_HANDOFF_H
#define PROSPERO_SANDBOX_SECCOMP_HANDOFF_H

/* The handoff pair, SOCK_SEQPACKET, both ends CLOEXEC. sv[1] goes to the
 * child (it must survive the fd step of the confinement: the caller keeps
 * it out of the close_range), sv[0] stays. */
int sb_handoff_pair(int sv[2]);

/* After sb_spawn_start has returned: the listener the child sent,
 * CLOEXEC. Never blocks. -1 with errno EAGAIN (the pair is still open and
 * nothing was sent), ENOMSG (the child's end closed without a message),
 * EMFILE (no room in our fd table: the kernel dropped what it could not
 * install), EBADMSG (anything but exactly one fd; whatever arrived is
 * closed, as with EMFILE), or recvmsg's own error. */
int sb_handoff_recv(int fd);
/* Any one message, read without waiting: its byte in *BYTE, its first
 * MAX fds (CLOEXEC) in FDS, every other closed. How many are in FDS, or
 * -1 with errno EAGAIN, ENOMSG, EMFILE (fds dropped for want of room in
 * our table), EBADMSG (not one byte, or truncated: its fds closed, as
 * with EMFILE) or recvmsg's own error. */
int sb_handoff_recv_fds(int sock, char *byte, int *fds, unsigned max);

#endif
