/* Profiles and groups as tables; resolution is a merge over them. The
 * reasons for each group are in profiles.h. */

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/seccomp/profiles.h"

#define A(n) { n, SB_COND_ALWAYS }
#define END { NULL, SB_COND_ALWAYS }

static const struct sb_group_member g_default[] = {
	A("execve"), A("exit"), A("exit_group"), A("restart_syscall"),
	A("brk"), A("mmap"), A("munmap"), A("mprotect"), A("mremap"), A("madvise"),
	/* the dynamic loader, which runs after the filter is in place */
	A("arch_prctl"), A("set_tid_address"), A("set_robust_list"), A("rseq"),
	A("prlimit64"), A("getrlimit"), A("setrlimit"), A("getrandom"),
	A("access"), A("faccessat"), A("faccessat2"),
	{ "open", SB_COND_RDONLY }, { "openat", SB_COND_RDONLY },
	A("newfstatat"), A("fstat"), A("stat"), A("lstat"), A("statx"),
	A("read"), A("pread64"), A("close"), A("readlink"), A("readlinkat"),
	A("getcwd"),
	/* libselinux's constructor (ls, cp, ...) probes for selinuxfs */
	A("statfs"), A("fstatfs"),
	/* threads, and libc's queries about itself and the machine */
	A("futex"), A("sched_yield"), A("sched_getaffinity"), A("getcpu"),
	{ "clone", SB_COND_THREAD }, { "clone3", SB_COND_ENOSYS },
	A("getpid"), A("gettid"), A("getppid"), A("getuid"), A("geteuid"),
	A("getgid"), A("getegid"), A("getresuid"), A("getresgid"), A("getgroups"),
	A("uname"), A("sysinfo"),
	/* reading the clocks and sleeping */
	A("clock_gettime"), A("clock_getres"), A("gettimeofday"), A("time"),
	A("nanosleep"), A("clock_nanosleep"),
	END
};

static const struct sb_group_member g_basic_io[] = {
	A("read"), A("write"), A("readv"), A("writev"),
	A("pread64"), A("pwrite64"), A("preadv"), A("pwritev"), A("preadv2"), A("pwritev2"),
	A("lseek"), A("close"), A("close_range"), A("dup"), A("dup2"), A("dup3"),
	A("fcntl"), A("fstat"), A("fadvise64"), A("sendfile"),
	/* isatty() and friends: stdio asks before choosing its buffering */
	{ "ioctl", SB_COND_TTY_QUERY },
	END
};

static const struct sb_group_member g_signal[] = {
	A("rt_sigaction"), A("rt_sigprocmask"), A("rt_sigreturn"), A("rt_sigpending"),
	A("rt_sigsuspend"), A("rt_sigtimedwait"), A("rt_sigqueueinfo"),
	A("rt_tgsigqueueinfo"), A("sigaltstack"), A("pause"),
	A("kill"), A("tgkill"), A("tkill"), A("signalfd"), A("signalfd4"),
	END
};

static const struct sb_group_member g_notify[] = {
	{ "socket", SB_COND_AF_UNIX }, { "socketpair", SB_COND_AF_UNIX },
	A("connect"), A("sendto"), A("sendmsg"), A("sendmmsg"),
	A("recvfrom"), A("recvmsg"), A("recvmmsg"),
	A("getsockopt"), A("setsockopt"), A("shutdown"),
	A("getsockname"), A("getpeername"),
	/* a service binding may be an inherited listening socket */
	A("accept"), A("accept4"),
	/* a body too large for a datagram travels as a sealed memfd */
	A("memfd_create"),
	END
};

static const struct sb_group_member g_file_system[] = {
	A("open"), A("openat"), A("openat2"), A("creat"),
	A("access"), A("faccessat"), A("faccessat2"),
	A("stat"), A("lstat"), A("fstat"), A("newfstatat"), A("statx"),
	A("statfs"), A("fstatfs"), A("getdents"), A("getdents64"),
	A("getcwd"), A("chdir"), A("fchdir"),
	A("mkdir"), A("mkdirat"), A("rmdir"), A("mknod"), A("mknodat"),
	A("rename"), A("renameat"), A("renameat2"),
	A("link"), A("linkat"), A("symlink"), A("symlinkat"),
	A("unlink"), A("unlinkat"), A("readlink"), A("readlinkat"),
	A("chmod"), A("fchmod"), A("fchmodat"),
	A("chown"), A("fchown"), A("lchown"), A("fchownat"), A("umask"),
	A("truncate"), A("ftruncate"), A("fallocate"), A("fadvise64"), A("readahead"),
	A("utime"), A("utimes"), A("utimensat"), A("futimesat"),
	A("inotify_init"), A("inotify_init1"), A("inotify_add_watch"), A("inotify_rm_watch"),
	A("flock"), A("fsync"), A("fdatasync"), A("sync_file_range"), A("syncfs"), A("sync"),
	A("getxattr"), A("lgetxattr"), A("fgetxattr"),
	A("listxattr"), A("llistxattr"), A("flistxattr"),
	A("setxattr"), A("lsetxattr"), A("fsetxattr"),
	A("removexattr"), A("lremovexattr"), A("fremovexattr"),
	A("copy_file_range"), A("sendfile"),
	END
};

static const struct sb_group_member g_memory[] = {
	A("brk"), A("mmap"), A("munmap"), A("mprotect"), A("mremap"), A("madvise"),
	A("mlock"), A("mlock2"), A("munlock"), A("mlockall"), A("munlockall"),
	A("msync"), A("mincore"), A("memfd_create"), A("membarrier"),
	A("get_mempolicy"), A("set_mempolicy"), A("mbind"), A("remap_file_pages"),
	A("pkey_alloc"), A("pkey_free"), A("pkey_mprotect"),
	END
};

static const struct sb_group_member g_process[] = {
	A("fork"), A("vfork"),
	/* a new user namespace needs no privilege, so clone is narrowed to
	 * keep unshare's door shut */
	{ "clone", SB_COND_NO_NEWNS }, { "clone3", SB_COND_ENOSYS },
	A("execve"), A("execveat"), A("wait4"), A("waitid"), A("exit"), A("exit_group"),
	A("getpgid"), A("setpgid"), A("getpgrp"), A("getsid"), A("setsid"),
	A("prctl"), A("pidfd_open"), A("pidfd_send_signal"),
	A("getrusage"), A("times"),
	A("sched_getaffinity"), A("sched_setaffinity"),
	A("sched_getparam"), A("sched_setparam"),
	A("sched_getscheduler"), A("sched_setscheduler"),
	A("sched_getattr"), A("sched_setattr"),
	A("sched_get_priority_max"), A("sched_get_priority_min"),
	A("sched_rr_get_interval"), A("sched_yield"),
	A("getpriority"), A("setpriority"), A("ioprio_get"), A("ioprio_set"),
	A("set_tid_address"), A("getcpu"),
	END
};

static const struct sb_group_member g_credentials[] = {
	A("getuid"), A("geteuid"), A("getgid"), A("getegid"),
	A("getresuid"), A("getresgid"), A("getgroups"),
	A("setuid"), A("setgid"), A("setreuid"), A("setregid"),
	A("setresuid"), A("setresgid"), A("setgroups"), A("setfsuid"), A("setfsgid"),
	A("capget"), A("capset"),
	END
};

static const struct sb_group_member g_io_event[] = {
	A("poll"), A("ppoll"), A("select"), A("pselect6"),
	A("epoll_create"), A("epoll_create1"), A("epoll_ctl"),
	A("epoll_wait"), A("epoll_pwait"), A("epoll_pwait2"),
	END
};

static const struct sb_group_member g_timer[] = {
	A("alarm"), A("getitimer"), A("setitimer"),
	A("timer_create"), A("timer_delete"), A("timer_gettime"),
	A("timer_settime"), A("timer_getoverrun"),
	A("timerfd_create"), A("timerfd_gettime"), A("timerfd_settime"),
	A("clock_gettime"), A("clock_getres"), A("clock_nanosleep"),
	A("nanosleep"), A("gettimeofday"), A("time"),
	END
};

static const struct sb_group_member g_ipc[] = {
	A("pipe"), A("pipe2"), A("eventfd"), A("eventfd2"),
	A("splice"), A("tee"), A("vmsplice"),
	A("shmget"), A("shmat"), A("shmctl"), A("shmdt"),
	A("semget"), A("semop"), A("semctl"), A("semtimedop"),
	A("msgget"), A("msgsnd"), A("msgrcv"), A("msgctl"),
	A("mq_open"), A("mq_unlink"), A("mq_timedsend"), A("mq_timedreceive"),
	A("mq_notify"), A("mq_getsetattr"),
	END
};

static const struct sb_group_member g_network_io[] = {
	A("socket"), A("socketpair"), A("bind"), A("listen"),
	A("accept"), A("accept4"), A("connect"),
	A("getsockname"), A("getpeername"), A("getsockopt"), A("setsockopt"),
	A("sendto"), A("recvfrom"), A("sendmsg"), A("recvmsg"),
	A("sendmmsg"), A("recvmmsg"), A("shutdown"),
	END
};

static const struct sb_group_member g_aio[] = {
	A("io_setup"), A("io_destroy"), A("io_submit"), A("io_cancel"),
	A("io_getevents"), A("io_pgetevents"),
	END
};

/* What SQLite does to a database in a state directory ("state": true adds
 * it to the actor's profile): open for writing and create the database,
 * its -wal and -shm; sync each commit (fsync where it is built without
 * fdatasync); cut back the -wal and -shm; remove the journal and the
 * -wal; fchmod a file the umask made other than 0644. And the other ways
 * to open a file for writing or cut one by its path, which SQLite does
 * not use, so that "deny" of the group leaves none of them. */
static const struct sb_group_member g_state[] = {
	A("open"), A("openat"), A("fdatasync"), A("fsync"), A("ftruncate"),
	A("unlink"), A("unlinkat"), A("fchmod"),
	A("openat2"), A("creat"), A("truncate"),
	END
};

/* A profile's members that belong to no group. */
static const struct sb_group_member x_service[] = {
	A("ioctl"),
	END
};

/* Each group once, sorted by name: sb_group_names hands this order out. */
#define GROUPS(X) \
	X("@aio", g_aio) \
	X("@basic-io", g_basic_io) \
	X("@credentials", g_credentials) \
	X("@default", g_default) \
	X("@file-system", g_file_system) \
	X("@io-event", g_io_event) \
	X("@ipc", g_ipc) \
	X("@memory", g_memory) \
	X("@network-io", g_network_io) \
	X("@notify", g_notify) \
	X("@process", g_process) \
	X("@signal", g_signal) \
	X("@state", g_state) \
	X("@timer", g_timer)

#define NAME(name, members) name,
static const char *const group_names[] = { GROUPS(NAME) NULL };
#undef NAME
#define MEMBERS(name, members) members,
static const struct sb_group_member *const group_members[] = { GROUPS(MEMBERS) };
#undef MEMBERS
#define NGROUPS (sizeof group_members / sizeof group_members[0])

/* Each profile is its predecessor plus more; the lists say only the more. */
static const struct sb_group_member *const p_minimal[] = {
	g_default, g_basic_io, g_signal, g_notify, NULL,
};
static const struct sb_group_member *const p_service[] = {
	g_file_system, g_memory, g_process, g_credentials, g_io_event,
	g_timer, g_ipc, x_service, NULL,
};
static const struct sb_group_member *const p_network[] = {
	g_network_io, NULL,
};

static const struct sb_group_member *const *const profile_adds[] = {
	[SB_PROFILE_NONE] = NULL,
	[SB_PROFILE_MINIMAL] = p_minimal,
	[SB_PROFILE_SERVICE] = p_service,
	[SB_PROFILE_NETWORK] = p_network,
};
#define NPROFILES (sizeof profile_adds / sizeof profile_adds[0])

static const char *const profile_names[NPROFILES + 1] = {
	[SB_PROFILE_NONE] = "none",
	[SB_PROFILE_MINIMAL] = "minimal",
	[SB_PROFILE_SERVICE] = "service",
	[SB_PROFILE_NETWORK] = "network",
	NULL,
};

static const char *const privileged[] = {
	"mount", "umount", "umount2", "pivot_root", "chroot",
	"fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
	"mount_setattr",
	"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
	"init_module", "finit_module", "delete_module",
	"kexec_load", "kexec_file_load", "bpf", "perf_event_open",
	"reboot", "swapon", "swapoff", "keyctl", "add_key", "request_key",
	"unshare", "setns", "userfaultfd",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"open_by_handle_at", "settimeofday", "clock_settime", "adjtimex",
	"clock_adjtime", "sethostname", "setdomainname", "acct", "quotactl",
	"iopl", "ioperm", "modify_ldt", "personality", "syslog",
	"fanotify_init", "lookup_dcookie", "uselib", "vhangup",
	NULL,
};

/* Used by the vfork child between loading the filter and the actor's
 * first instruction (sandbox/seccomp/load.c, sandbox/child/exec.c). */
static const char *const required[] = {
	"execve", "sendmsg", "rt_sigprocmask", "exit_group", "exit", NULL,
};

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

const char *sb_profile_name(enum sb_profile p)
{
	return (size_t)p < NPROFILES ? profile_names[p] : "?";
}

const char *const *sb_profile_names(void)
{
	return profile_names;
}

static const char *const violation_names[] = {
	[SB_ON_VIOLATION_KILL] = "kill",
	[SB_ON_VIOLATION_ERRNO] = "errno",
	NULL,
};

const char *sb_on_violation_name(enum sb_on_violation v)
{
	return violation_names[v == SB_ON_VIOLATION_ERRNO ? SB_ON_VIOLATION_ERRNO : SB_ON_VIOLATION_KILL];
}

const char *const *sb_on_violation_names(void)
{
	return violation_names;
}

const char *const *sb_group_names(void)
{
	return group_names;
}

const struct sb_group_member *sb_group_members(const char *name)
{
	for (size_t i = 0; i < NGROUPS; i++)
		if (strcmp(group_names[i], name) == 0)
			return group_members[i];
	return NULL;
}

bool sb_syscall_known(const char *name)
{
	if (strlen(name) >= SB_SYSCALL_NAME_MAX)
		return false;
	/* a name from another architecture resolves to a negative pseudo
	 * number, not to the error */
	return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
}

bool sb_syscall_is_privileged(const char *name)
{
	return in_list(privileged, name);
}

bool sb_syscall_is_required(const char *name)
{
	return in_list(required, name);
}

const char *sb_cond_text(enum sb_cond c)
{
	switch (c) {
	case SB_COND_ENOSYS:	return " -> ENOSYS (libc falls back to clone)";
	case SB_COND_AF_UNIX:	return " (AF_UNIX only)";
	case SB_COND_TTY_QUERY:	return " (terminal and FIONREAD/TIOCOUTQ/FIONBIO/FIOCLEX queries only)";
	case SB_COND_RDONLY:	return " (read-only: no O_WRONLY/O_RDWR/O_CREAT/O_TRUNC/O_TMPFILE)";
	case SB_COND_THREAD:	return " (threads only: CLONE_THREAD)";
	case SB_COND_NO_NEWNS:	return " (no CLONE_NEW* namespace flags)";
	case SB_COND_FD_FROM:	return " (not on the control channel or a binding)";
	case SB_COND_ALWAYS:	return "";
	}
	return "";
}

static int rule_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sb_rule *)a)->name, ((const struct sb_rule *)b)->name);
}

/* The working set while resolving: every name added as it comes, then
 * sorted once and merged (set_close), so that a profile of a few hundred
 * names costs O(n log n) and not a search of the set at every add. */
struct set {
	struct sb_rule *v;
	size_t n, cap;
};

static int set_add(struct set *s, const char *name, enum sb_cond cond)
{
	struct sb_rule *r;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 512;
		struct sb_rule *v = realloc(s->v, cap * sizeof *v);

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	r = &s->v[s->n++];
	memset(r, 0, sizeof *r);
	memcpy(r->name, name, strnlen(name, sizeof r->name - 1));	/* length checked by the caller */
	r->cond = cond;
	return 0;
}

/* Sorted, one entry a name: a name added twice keeps the wider condition. */
static void set_close(struct set *s)
{
	size_t out = 0;

	qsort(s->v, s->n, sizeof *s->v, rule_cmp);
	for (size_t i = 0; i < s->n; i++) {
		if (out && strcmp(s->v[out - 1].name, s->v[i].name) == 0) {
			if (s->v[i].cond > s->v[out - 1].cond)
				s->v[out - 1].cond = s->v[i].cond;
			continue;
		}
		s->v[out++] = s->v[i];
	}
	s->n = out;
}

/* On a closed set: NAME's entry goes, the order stays. */
static void set_remove(struct set *s, const char *name)
{
	struct sb_rule key, *r;

	snprintf(key.name, sizeof key.name, "%s", name);
	if (!(r = bsearch(&key, s->v, s->n, sizeof *s->v, rule_cmp)))
		return;
	memmove(r, r + 1, (size_t)(s->v + s->n - (r + 1)) * sizeof *r);
	s->n--;
}

static int add_members(struct set *s, const struct sb_group_member *m, bool widen)
{
	for (; m->name; m++)
		if (set_add(s, m->name, widen ? SB_COND_ALWAYS : m->cond) < 0)
			return -1;
	return 0;
}

static void group_list(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NGROUPS && off < len; i++) {
		int k = snprintf(buf + off, len - off, "%s%s", i ? " " : "", group_names[i]);
		if (k < 0)
			break;
		off += (size_t)k;
	}
}

/* Checks one allow/deny entry; sets ERRMSG and returns -1 if it is unknown. */
static int check_name(const char *what, const char *name, char *errmsg, size_t errlen)
{
	char known[512];

	if (name[0] == '@') {
		if (sb_group_members(name))
			return 0;
		group_list(known, sizeof known);
		snprintf(errmsg, errlen, "%s: unknown syscall group \"%s\" (groups: %s)",
			 what, name, known);
		return -1;
	}
	if (sb_syscall_known(name))
		return 0;
	snprintf(errmsg, errlen, "%s: unknown syscall \"%s\" (not a system call "
		 "name libseccomp knows for any architecture)", what, name);
	return -1;
}

/* Everything that makes SPEC wrong, before anything is merged: -1 and
 * ERRMSG for the first one found. */
static int check_spec(const struct sb_spec *spec, char *errmsg, size_t errlen)
{
	if ((size_t)spec->profile >= NPROFILES) {
		snprintf(errmsg, errlen, "unknown profile %d", (int)spec->profile);
		return -1;
	}
	for (size_t i = 0; i < spec->nallow; i++)
		if (check_name("allow", spec->allow[i], errmsg, errlen) < 0)
			return -1;
	for (size_t i = 0; i < spec->ndeny; i++) {
		const char *d = spec->deny[i];

		if (check_name("deny", d, errmsg, errlen) < 0)
			return -1;
		if (d[0] != '@' && sb_syscall_is_required(d)) {
			snprintf(errmsg, errlen, "deny: \"%s\" " SB_CANNOT_BE_DENIED, d);
			return -1;
		}
	}
	if (spec->profile == SB_PROFILE_NONE && (spec->nallow || spec->ndeny)) {
		snprintf(errmsg, errlen, "%s", SB_NONE_TAKES_NO_LISTS);
		return -1;
	}
	return 0;
}

/* The profile and the layers below it, plus allow, minus deny: -1 only
 * when out of memory. */
static int merge(const struct sb_spec *spec, struct set *s)
{
	for (size_t p = SB_PROFILE_MINIMAL; p <= (size_t)spec->profile; p++)
		for (const struct sb_group_member *const *g = profile_adds[p]; *g; g++)
			if (add_members(s, *g, false) < 0)
				return -1;
	for (size_t i = 0; i < spec->nallow; i++) {
		const char *a = spec->allow[i];
		int rc = a[0] == '@' ? add_members(s, sb_group_members(a), true)
				     : set_add(s, a, SB_COND_ALWAYS);
		if (rc < 0)
			return -1;
	}
	set_close(s);
	for (size_t i = 0; i < spec->ndeny; i++) {
		const char *d = spec->deny[i];

		if (d[0] != '@') {
			set_remove(s, d);
			continue;
		}
		/* "deny": ["@network-io"] means no networking, not "no start" */
		for (const struct sb_group_member *m = sb_group_members(d); m->name; m++)
			if (!sb_syscall_is_required(m->name))
				set_remove(s, m->name);
	}
	return 0;
}

int sb_policy_resolve(const struct sb_spec *spec, struct sb_policy *out,
		      char *errmsg, size_t errlen)
{
	struct set s = { 0 };

	if (errlen)
		errmsg[0] = '\0';
	if (check_spec(spec, errmsg, errlen) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (spec->profile == SB_PROFILE_NONE) {
		*out = (struct sb_policy){ .profile = SB_PROFILE_NONE,
					   .on_violation = spec->on_violation };
		return 0;
	}
	if (merge(spec, &s) < 0) {
		free(s.v);
		snprintf(errmsg, errlen, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	*out = (struct sb_policy){
		.profile = spec->profile,
		.on_violation = spec->on_violation,
		.rules = s.v,
		.n = s.n,
	};
	return 0;
}

void sb_policy_free(struct sb_policy *p)
{
	free(p->rules);
	p->rules = NULL;
	p->n = 0;
}

const struct sb_rule *sb_policy_find(const struct sb_policy *p, const char *name)
{
	struct sb_rule key;

	if (!p->n || strlen(name) >= sizeof key.name)
		return NULL;
	snprintf(key.name, sizeof key.name, "%s", name);
	return bsearch(&key, p->rules, p->n, sizeof *p->rules, rule_cmp);
}

void sb_rules_guard_fds(struct sb_rule *rules, size_t n, unsigned fd_from)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rules[i].name, "shutdown") == 0 && rules[i].cond == SB_COND_ALWAYS) {
			rules[i].cond = SB_COND_FD_FROM;
			rules[i].fd_from = fd_from;
		}
}

void sb_policy_guard_fds(struct sb_policy *p, unsigned fd_from)
{
	sb_rules_guard_fds(p->rules, p->n, fd_from);
}
