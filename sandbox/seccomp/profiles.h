/* Seccomp policy as data: named profiles made of syscall groups, widened by
 * a per-actor "allow" and narrowed by "deny". Resolving a spec is pure (no
 * fd, no clock, no kernel): the daemon does it for `prospero check
 * --explain` and again before building the filter (filter.h).
 *
 * Groups (each a reason, not a list copied from elsewhere; members are
 * libseccomp names, and a name this architecture lacks, e.g. "open" on
 * aarch64, is skipped when the filter is built):
 *
 *   @default     what every process does to start, run and exit: execve,
 *                exit/exit_group, brk/mmap/munmap/mprotect/mremap/madvise,
 *                the dynamic loader (arch_prctl, set_tid_address,
 *                set_robust_list, rseq, prlimit64, getrandom, access,
 *                read-only openat/open, newfstatat/fstat/statx, pread64,
 *                readlink; statfs for libselinux's constructor), futex,
 *                ids (getpid, getuid, ...), uname, reading
 *                the clocks and sleeping, threads (clone with CLONE_THREAD),
 *                clone3 answered ENOSYS so libc falls back to clone.
 *   @basic-io    I/O on fds the actor already holds: read/write and their
 *                vector and positional forms, lseek, close, dup*, fcntl,
 *                fstat, fadvise64, terminal-query ioctls only.
 *   @signal      handlers, masks, waiting for and sending signals, sigaltstack.
 *   @notify      Prospero's own protocols, so readiness/watchdog on
 *                $NOTIFY_SOCKET and service bindings work under every
 *                profile: socket/socketpair for AF_UNIX only, connect,
 *                send*, recv*, get/setsockopt, shutdown, accept on an
 *                inherited listener, memfd_create for a body larger than
 *                a datagram.
 *   @file-system open for writing, create, rename, link, unlink, mkdir,
 *                directories, attributes, xattrs, inotify, fsync, locks.
 *   @memory      locking, msync, mincore, memfd, NUMA policy, membarrier.
 *   @process     fork/vfork/clone without CLONE_NEW* flags, wait, exec,
 *                sessions and process groups, prctl, pidfd_open/send_signal,
 *                scheduling and priorities, resource usage.
 *   @credentials dropping or shuffling the ids it already has (no
 *                capability remains to gain new ones), capget/capset.
 *   @io-event    poll, select, epoll.
 *   @timer       interval timers, POSIX timers, timerfd.
 *   @ipc         pipes, eventfd, SysV and POSIX message queues, semaphores,
 *                shared memory.
 *   @network-io  sockets of any family and everything done with them.
 *   @aio         Linux native AIO (not io_uring); in no shipped profile.
 *   @state       what SQLite does to a database in the actor's state
 *                directory: open for writing and create, fsync/fdatasync,
 *                ftruncate, unlink, fchmod; in no shipped profile, added
 *                to the policy of every actor with "state": true.
 *
 * Profiles:
 *   none      no filter; must be written out.
 *   minimal   @default @basic-io @signal @notify: pure compute and I/O on
 *             inherited fds. Files can be opened read-only (the loader must:
 *             execve happens after the filter is loaded) but not written.
 *   service   minimal + @file-system @memory @process @credentials
 *             @io-event @timer @ipc, clone unrestricted except namespaces,
 *             full ioctl (an actor has no controlling tty after setsid and
 *             no CAP_SYS_ADMIN, so TIOCSTI cannot inject).
 *   network   service + @network-io (socket unrestricted).
 *
 * Never in a shipped profile (sb_syscall_is_privileged): mount and the new
 * mount API, pivot_root, chroot, ptrace, process_vm_readv/writev,
 * pidfd_getfd, module loading, kexec, bpf, perf_event_open, reboot, swap,
 * keyctl/add_key/request_key, unshare/setns, userfaultfd, io_uring,
 * open_by_handle_at, clock/time setting, hostname, acct, quotactl, iopl,
 * ioperm, modify_ldt, personality, syslog, fanotify, lookup_dcookie, uselib.
 *
 * Non-native ABIs (i386, x32) are always denied by the filter itself. */
#ifndef PROSPERO_SANDBOX_SECCOMP_PROFILES_H
#define PROSPERO_SANDBOX_SECCOMP_PROFILES_H

#include <stdbool.h>
#include <stddef.h>

enum sb_profile {
	SB_PROFILE_NONE,
	SB_PROFILE_MINIMAL,
	SB_PROFILE_SERVICE,
	SB_PROFILE_NETWORK,
};

enum sb_on_violation {
	SB_ON_VIOLATION_KILL,	/* report, then the daemon kills the actor */
	SB_ON_VIOLATION_ERRNO,	/* report (rate-limited), the call fails EPERM */
};

/* How a syscall is allowed. Ordered from narrowest to widest for the same
 * syscall: when two groups give one syscall different conditions, the
 * wider one wins; an "allow" from the user is always SB_COND_ALWAYS. */
enum sb_cond {
	SB_COND_ENOSYS,		/* not allowed: fails ENOSYS without a report
				 * (clone3, whose flags live in memory a filter
				 * cannot read; libc then uses clone) */
	SB_COND_AF_UNIX,	/* socket/socketpair: domain AF_UNIX only */
	SB_COND_TTY_QUERY,	/* ioctl: TCGETS, TIOCGWINSZ, TIOCGPGRP,
				 * FIONREAD, TIOCOUTQ, FIONBIO, FIOCLEX,
				 * FIONCLEX */
	SB_COND_RDONLY,		/* open/openat: no write access, O_CREAT,
				 * O_TRUNC or O_TMPFILE */
	SB_COND_THREAD,		/* clone: CLONE_THREAD set (threads, no fork) */
	SB_COND_NO_NEWNS,	/* clone: no CLONE_NEW* flag */
	SB_COND_FD_FROM,	/* shutdown: fd >= the rule's fd_from, so
				 * never on the control channel or a binding:
				 * shutdown() breaks a socketpair for good */
	SB_COND_ALWAYS,
};

/* Longest syscall name is 23 bytes; anything longer is not one. */
#define SB_SYSCALL_NAME_MAX 32

struct sb_rule {
	char name[SB_SYSCALL_NAME_MAX];
	enum sb_cond cond;
	unsigned fd_from;	/* SB_COND_FD_FROM: the first fd it allows */
};

/* What the config gives. The strings are borrowed for the call only. */
struct sb_spec {
	enum sb_profile profile;
	const char *const *allow;	/* syscall names or @groups */
	size_t nallow;
	const char *const *deny;	/* syscall names or @groups */
	size_t ndeny;
	enum sb_on_violation on_violation;
};

/* The effective policy: rules sorted by name, each name once. For
 * SB_PROFILE_NONE, n is 0 and no filter is built. */
struct sb_policy {
	enum sb_profile profile;
	enum sb_on_violation on_violation;
	struct sb_rule *rules;
	size_t n;
	/* Allowed calls the filter sends to the listener all the same, for
	 * fault injection (names borrowed; none after sb_policy_resolve).
	 * With SB_PROFILE_NONE they make a filter that allows everything else. */
	const char *const *routed;
	size_t nrouted;
};

/* SB_PROFILE_SERVICE -> "service"; "?" for no profile. */
const char *sb_profile_name(enum sb_profile p);
/* NULL-terminated, indexed by enum sb_profile: the words a config uses. */
const char *const *sb_profile_names(void);

/* SB_ON_VIOLATION_ERRNO -> "errno", anything else "kill". */
const char *sb_on_violation_name(enum sb_on_violation v);
/* NULL-terminated, indexed by enum sb_on_violation. */
const char *const *sb_on_violation_names(void);

/* The @group names, NULL-terminated and sorted. */
const char *const *sb_group_names(void);

/* A group's members: an array ending with a NULL name, or NULL if NAME is
 * not a group. */
struct sb_group_member {
	const char *name;
	enum sb_cond cond;
};
const struct sb_group_member *sb_group_members(const char *name);

/* A syscall name libseccomp knows on any architecture it supports. */
bool sb_syscall_known(const char *name);

/* True for a syscall no shipped profile allows because it reaches past
 * the actor (mount, ptrace, bpf, ...): `prospero check` warns when an
 * "allow" names one. */
bool sb_syscall_is_privileged(const char *name);

/* Syscalls that stay allowed whatever "deny" says: the vfork child uses
 * them after the filter is loaded and before the actor runs (handing the
 * listener to the daemon, unblocking signals, exec, _exit on failure).
 * Denying one would hang the daemon, which waits on that child. */
bool sb_syscall_is_required(const char *name);

/* What sb_policy_resolve says of those two refusals, for `check` to say
 * it too at the place it was written: after "deny: \"NAME\" ", and alone. */
#define SB_CANNOT_BE_DENIED "cannot be denied: the actor is started with it after the filter is loaded"
#define SB_NONE_TAKES_NO_LISTS "profile \"none\" takes no allow or deny: it loads no filter"

/* " (AF_UNIX only)" and the like, "" for SB_COND_ALWAYS: for --explain. */
const char *sb_cond_text(enum sb_cond c);

/* Resolve SPEC into *OUT: base profile, plus "allow" (unconditional),
 * minus "deny" (which wins over allow). A denied @group removes its
 * members except the required ones (sb_syscall_is_required); denying a
 * required syscall by name is an error. Returns 0, or -1 with errno:
 *   EINVAL  an unknown syscall or @group, allow/deny with profile "none",
 *           or a deny of a syscall the start-up needs; ERRMSG says which,
 *           e.g. `allow: unknown syscall group "@netwrok" (known: ...)`
 *   ENOMEM
 * *OUT is untouched on failure. Free with sb_policy_free. */
int sb_policy_resolve(const struct sb_spec *spec, struct sb_policy *out,
		      char *errmsg, size_t errlen);

void sb_policy_free(struct sb_policy *p);

/* The fds below FD_FROM (stdio, the control channel, bindings) are ones
 * the actor shares with the daemon: "shutdown", where allowed, becomes
 * SB_COND_FD_FROM for them. */
void sb_policy_guard_fds(struct sb_policy *p, unsigned fd_from);
/* The same for N rules taken out of a policy. */
void sb_rules_guard_fds(struct sb_rule *rules, size_t n, unsigned fd_from);

/* The rule for NAME, or NULL if the policy does not allow it at all. */
const struct sb_rule *sb_policy_find(const struct sb_policy *p, const char *name);

#endif
