/* Turning a seccomp notification into a sentence. */

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>

#include "sandbox/seccomp/violation.h"

#define X32_SYSCALL_BIT 0x40000000

/* Bounded appends into a fixed buffer; output past the end is dropped. */
struct out {
	char *p;
	size_t len, off;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->off + 1 >= o->len)
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->p + o->off, o->len - o->off, fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	o->off += (size_t)k;
	if (o->off >= o->len)
		o->off = o->len - 1;
}

struct named {
	uint64_t value;
	const char *name;
};

#define N(x) { (uint64_t)(x), #x }

/* Numbers are the generic Linux ones, valid for every ABI we decode. */
static const struct named ptrace_reqs[] = {
	{ 0, "PTRACE_TRACEME" }, { 1, "PTRACE_PEEKTEXT" }, { 2, "PTRACE_PEEKDATA" },
	{ 3, "PTRACE_PEEKUSER" }, { 4, "PTRACE_POKETEXT" }, { 5, "PTRACE_POKEDATA" },
	{ 6, "PTRACE_POKEUSER" }, { 7, "PTRACE_CONT" }, { 8, "PTRACE_KILL" },
	{ 9, "PTRACE_SINGLESTEP" }, { 12, "PTRACE_GETREGS" }, { 13, "PTRACE_SETREGS" },
	{ 16, "PTRACE_ATTACH" }, { 17, "PTRACE_DETACH" }, { 24, "PTRACE_SYSCALL" },
	{ 0x4200, "PTRACE_SETOPTIONS" }, { 0x4201, "PTRACE_GETEVENTMSG" },
	{ 0x4202, "PTRACE_GETSIGINFO" }, { 0x4203, "PTRACE_SETSIGINFO" },
	{ 0x4204, "PTRACE_GETREGSET" }, { 0x4205, "PTRACE_SETREGSET" },
	{ 0x4206, "PTRACE_SEIZE" }, { 0x4207, "PTRACE_INTERRUPT" },
	{ 0x4208, "PTRACE_LISTEN" }, { 0x4209, "PTRACE_PEEKSIGINFO" },
	{ 0x420e, "PTRACE_GET_SYSCALL_INFO" },
	{ 0, NULL },
};

static const struct named families[] = {
	N(AF_UNSPEC), N(AF_UNIX), N(AF_INET), N(AF_INET6), N(AF_NETLINK),
	N(AF_PACKET), N(AF_KEY), N(AF_BLUETOOTH), N(AF_CAN), N(AF_ALG),
	N(AF_VSOCK), N(AF_XDP), N(AF_TIPC), N(AF_RDS), N(AF_APPLETALK),
	N(AF_X25), N(AF_AX25), N(AF_IPX), N(AF_NETROM), N(AF_ROSE),
	{ 0, NULL },
};

static const struct named sock_types[] = {
	N(SOCK_STREAM), N(SOCK_DGRAM), N(SOCK_RAW), N(SOCK_RDM),
	N(SOCK_SEQPACKET), N(SOCK_DCCP), N(SOCK_PACKET),
	{ 0, NULL },
};

static const struct named sock_flags[] = {
	N(SOCK_NONBLOCK), N(SOCK_CLOEXEC),
	{ 0, NULL },
};

static const struct named open_modes[] = {
	N(O_RDONLY), N(O_WRONLY), N(O_RDWR),
	{ 0, NULL },
};

/* O_TMPFILE before O_DIRECTORY, whose bit it includes */
static const struct named open_flags[] = {
	N(O_TMPFILE), N(O_CREAT), N(O_EXCL), N(O_NOCTTY), N(O_TRUNC), N(O_APPEND),
	N(O_NONBLOCK), N(O_SYNC), N(O_DSYNC), N(O_DIRECT),
#if defined(__x86_64__) || defined(__i386__)
	{ 0100000, "O_LARGEFILE" },	/* 0 in a 64-bit libc; a 32-bit ABI sets it */
#endif
	N(O_DIRECTORY), N(O_NOFOLLOW), N(O_NOATIME), N(O_CLOEXEC), N(O_PATH),
	{ 0, NULL },
};

static const struct named clone_flags[] = {
	N(CLONE_VM), N(CLONE_FS), N(CLONE_FILES), N(CLONE_SIGHAND), N(CLONE_PIDFD),
	N(CLONE_PTRACE), N(CLONE_VFORK), N(CLONE_PARENT), N(CLONE_THREAD),
	N(CLONE_NEWNS), N(CLONE_SYSVSEM), N(CLONE_SETTLS), N(CLONE_PARENT_SETTID),
	N(CLONE_CHILD_CLEARTID), N(CLONE_UNTRACED), N(CLONE_CHILD_SETTID),
	N(CLONE_NEWCGROUP), N(CLONE_NEWUTS), N(CLONE_NEWIPC), N(CLONE_NEWUSER),
	N(CLONE_NEWPID), N(CLONE_NEWNET), N(CLONE_IO),
	{ 0, NULL },
};

/* unshare/setns: the low byte is not a signal there */
static const struct named ns_flags[] = {
	N(CLONE_FILES), N(CLONE_FS), N(CLONE_SYSVSEM), N(CLONE_NEWNS),
	N(CLONE_NEWCGROUP), N(CLONE_NEWUTS), N(CLONE_NEWIPC), N(CLONE_NEWUSER),
	N(CLONE_NEWPID), N(CLONE_NEWNET), { 0x80, "CLONE_NEWTIME" },
	{ 0, NULL },
};

static const struct named shutdown_hows[] = {
	N(SHUT_RD), N(SHUT_WR), N(SHUT_RDWR),
	{ 0, NULL },
};

static const struct named ioctls[] = {
	N(TCGETS), N(TCSETS), N(TCSETSW), N(TCSETSF), N(TIOCGWINSZ), N(TIOCSWINSZ),
	N(TIOCSTI), N(TIOCLINUX), N(TIOCSCTTY), N(TIOCNOTTY), N(TIOCGPGRP),
	N(TIOCSPGRP), N(FIONREAD), N(TIOCOUTQ), N(FIONBIO), N(FIOCLEX), N(FIONCLEX),
	{ 0, NULL },
};

static const struct named prctls[] = {
	N(PR_SET_PDEATHSIG), N(PR_GET_DUMPABLE), N(PR_SET_DUMPABLE), N(PR_SET_KEEPCAPS),
	N(PR_SET_NAME), N(PR_GET_NAME), N(PR_SET_SECCOMP), N(PR_CAPBSET_DROP),
	N(PR_SET_SECUREBITS), N(PR_SET_MM), N(PR_SET_PTRACER), N(PR_SET_NO_NEW_PRIVS),
	N(PR_CAP_AMBIENT), N(PR_SET_CHILD_SUBREAPER),
	{ 0, NULL },
};

static const char *lookup(const struct named *t, uint64_t v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return NULL;
}

/* "A|B|0x40", or "0" */
static void put_flags(struct out *o, const struct named *t, uint64_t v)
{
	bool any = false;

	for (; t->name && v; t++)
		if (t->value && (v & t->value) == t->value) {
			put(o, "%s%s", any ? "|" : "", t->name);
			v &= ~t->value;
			any = true;
		}
	if (v || !any)
		put(o, "%s%#llx", any ? "|" : "", (unsigned long long)v);
}

static void put_named(struct out *o, const struct named *t, uint64_t v)
{
	const char *s = lookup(t, v);

	if (s)
		put(o, "%s", s);
	else
		put(o, "%lld", (long long)v);
}

static void put_signal(struct out *o, uint64_t v)
{
	const char *s = v > 0 && v < 65 ? sigabbrev_np((int)v) : NULL;

	if (s)
		put(o, "SIG%s", s);
	else
		put(o, "%lld", (long long)(int32_t)v);
}

/* Argument kinds, one letter per argument; the string's length is the
 * argument count:
 *   d int  u unsigned/size  x hex  p pointer  f fd  m mode (octal)
 *   P ptrace request  F address family  T socket type  O open flags
 *   C clone flags  N namespace flags  S signal  I ioctl request
 *   R prctl option  a unknown: decimal if small, else hex */
struct sig {
	const char *name;
	const char *args;
};

static const struct sig sigs[] = {
	{ "accept", "fpp" }, { "accept4", "fppx" }, { "acct", "p" },
	{ "add_key", "pppud" }, { "bind", "fpu" }, { "bpf", "dpu" },
	{ "chroot", "p" }, { "clock_settime", "dp" }, { "clone", "Cpppx" },
	{ "clone3", "pu" }, { "connect", "fpu" }, { "creat", "pm" },
	{ "delete_module", "px" }, { "execve", "ppp" }, { "execveat", "fpppx" },
	{ "fanotify_init", "xx" }, { "finit_module", "fpx" }, { "fork", "" },
	{ "fsopen", "px" }, { "getpid", "" }, { "getppid", "" }, { "gettid", "" },
	{ "getuid", "" }, { "init_module", "pup" }, { "ioctl", "fIx" },
	{ "ioperm", "uud" }, { "iopl", "d" }, { "io_uring_setup", "up" },
	{ "kexec_file_load", "ffupx" }, { "kexec_load", "uupx" },
	{ "keyctl", "dxxxx" }, { "kill", "dS" }, { "listen", "fd" },
	{ "mkdir", "pm" }, { "mknod", "pmx" }, { "mmap", "puxxfx" },
	{ "modify_ldt", "dpu" }, { "mount", "pppxp" }, { "move_mount", "fpfpx" },
	{ "mprotect", "pux" }, { "open", "pOm" }, { "open_by_handle_at", "fpO" },
	{ "open_tree", "fpx" }, { "openat", "fpOm" }, { "perf_event_open", "pddfx" },
	{ "personality", "x" }, { "pidfd_getfd", "ddx" }, { "pidfd_open", "dx" },
	{ "pivot_root", "pp" }, { "prctl", "Rxxxx" },
	{ "process_vm_readv", "dpupux" }, { "process_vm_writev", "dpupux" },
	{ "ptrace", "Pdpp" }, { "quotactl", "xppp" }, { "read", "fpu" },
	{ "reboot", "xxxp" }, { "request_key", "pppd" }, { "sendto", "fpuxpu" },
	{ "setdomainname", "pu" }, { "setgid", "d" }, { "sethostname", "pu" },
	{ "setns", "fN" }, { "settimeofday", "pp" }, { "setuid", "d" }, { "shutdown", "fH" },
	{ "socket", "FTd" }, { "socketpair", "FTdp" }, { "swapoff", "p" },
	{ "swapon", "px" }, { "syslog", "dpd" }, { "tgkill", "ddS" },
	{ "tkill", "dS" }, { "umount2", "px" }, { "unlink", "p" },
	{ "unlinkat", "fpx" }, { "unshare", "N" }, { "uselib", "p" },
	{ "userfaultfd", "x" }, { "vfork", "" }, { "vhangup", "" }, { "write", "fpu" },
};

static const char *arg_kinds(const char *name)
{
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (strcmp(sigs[i].name, name) == 0)
			return sigs[i].args;
	return NULL;
}

/* "SOCK_STREAM|SOCK_CLOEXEC": the type in the low bits, flags above. */
static void put_sock_type(struct out *o, uint64_t v)
{
	const char *t = lookup(sock_types, v & 0xf);

	if (t)
		put(o, "%s", t);
	else
		put(o, "%llu", (unsigned long long)(v & 0xf));
	if (v & ~(uint64_t)0xf) {
		put(o, "|");
		put_flags(o, sock_flags, v & ~(uint64_t)0xf);
	}
}

/* "O_WRONLY|O_CREAT|O_TRUNC": the access mode is a value, not a flag. */
static void put_open_flags(struct out *o, uint64_t v)
{
	uint64_t mode = v & O_ACCMODE, rest = v & ~(uint64_t)O_ACCMODE;

	put_named(o, open_modes, mode);
	if (rest) {
		put(o, "|");
		put_flags(o, open_flags, rest);
	}
}

/* "CLONE_NEWUSER|SIGCHLD": the exit signal is the low byte. */
static void put_clone_flags(struct out *o, uint64_t v)
{
	uint64_t sig = v & CSIGNAL, rest = v & ~(uint64_t)CSIGNAL;

	if (rest || !sig)
		put_flags(o, clone_flags, rest);
	if (sig) {
		put(o, "%s", rest ? "|" : "");
		put_signal(o, sig);
	}
}

static void put_arg(struct out *o, char kind, uint64_t v)
{
	int32_t i = (int32_t)v;	/* int arguments: the kernel reads 32 bits */

	switch (kind) {
	case 'd':
		put(o, "%d", i);
		break;
	case 'u':
		put(o, "%llu", (unsigned long long)v);
		break;
	case 'p':
		if (v)
			put(o, "%#llx", (unsigned long long)v);
		else
			put(o, "NULL");
		break;
	case 'f':
		if (i == AT_FDCWD)
			put(o, "AT_FDCWD");
		else
			put(o, "%d", i);
		break;
	case 'm':
		put(o, "%#llo", (unsigned long long)v);
		break;
	case 'P':
		put_named(o, ptrace_reqs, v);
		break;
	case 'F':
		put_named(o, families, (uint32_t)v);
		break;
	case 'T':
		put_sock_type(o, v);
		break;
	case 'O':
		put_open_flags(o, v);
		break;
	case 'C':
		put_clone_flags(o, v);
		break;
	case 'N':
		put_flags(o, ns_flags, v);
		break;
	case 'S':
		put_signal(o, v);
		break;
	case 'I': {
		const char *s = lookup(ioctls, (uint32_t)v);

		if (s)
			put(o, "%s", s);
		else
			put(o, "%#llx", (unsigned long long)(uint32_t)v);
		break;
	}
	case 'R':
		put_named(o, prctls, (uint32_t)v);
		break;
	case 'H':
		put_named(o, shutdown_hows, (uint32_t)v);
		break;
	case 'x':
		put(o, "%#llx", (unsigned long long)v);
		break;
	default:	/* 'a' */
		if (v <= 0xffff)
			put(o, "%llu", (unsigned long long)v);
		else if ((int64_t)v < 0 && (int64_t)v >= -4095)
			put(o, "%lld", (long long)(int64_t)v);
		else
			put(o, "%#llx", (unsigned long long)v);
		break;
	}
}

/* ptrace shows what matters for its request: an attach names a pid, a
 * peek an address too. */
static size_t ptrace_nargs(uint64_t req)
{
	switch (req) {
	case 0:				/* TRACEME */
		return 1;
	case 8: case 16: case 0x4207:	/* KILL, ATTACH, INTERRUPT */
		return 2;
	default:
		return 4;
	}
}

static const char *arch_label(uint32_t arch)
{
	switch (arch) {
	case SCMP_ARCH_X86:	return "i386";
	case SCMP_ARCH_X86_64:	return "x86_64";
	case SCMP_ARCH_X32:	return "x32";
	case SCMP_ARCH_ARM:	return "arm";
	case SCMP_ARCH_AARCH64:	return "aarch64";
	case SCMP_ARCH_RISCV64:	return "riscv64";
	case SCMP_ARCH_PPC64LE:	return "ppc64le";
	case SCMP_ARCH_S390X:	return "s390x";
	default:		return NULL;
	}
}

void sb_violation_decode(const struct seccomp_notif *n, struct sb_violation *v)
{
	uint32_t native = seccomp_arch_native();
	uint32_t arch = n->data.arch;
	int nr = n->data.nr;
	const char *label = NULL;
	char *resolved;
	const char *kinds;
	struct out o = { v->text, sizeof v->text, 0 };
	size_t nargs, i;

	memset(v, 0, sizeof *v);
	v->id = n->id;
	v->pid = (pid_t)n->pid;
	v->arch = arch;
	v->nr = nr;

	/* x32 shares x86_64's audit arch and marks its numbers instead */
	if (arch == SCMP_ARCH_X86_64 && (nr & X32_SYSCALL_BIT))
		arch = SCMP_ARCH_X32;
	if (arch != native) {
		v->foreign_abi = true;
		label = arch_label(arch);
	}
	resolved = seccomp_syscall_resolve_num_arch(arch, nr);
	if (resolved && strlen(resolved) < sizeof v->name)
		snprintf(v->name, sizeof v->name, "%s", resolved);
	else
		snprintf(v->name, sizeof v->name, "syscall_%d", nr & ~X32_SYSCALL_BIT);
	free(resolved);

	kinds = arg_kinds(v->name);
	nargs = kinds ? strlen(kinds) : 6;
	if (kinds && strcmp(v->name, "ptrace") == 0)
		nargs = ptrace_nargs(n->data.args[0]);

	put(&o, "%s(", v->name);
	v->args_off = o.off;
	for (i = 0; i < nargs; i++) {
		uint64_t a = n->data.args[i];

		/* a 32-bit ABI passes 32-bit registers */
		if (arch == SCMP_ARCH_X86 || arch == SCMP_ARCH_ARM)
			a = (uint32_t)a;
		if (i)
			put(&o, ", ");
		put_arg(&o, kinds ? kinds[i] : 'a', a);
	}
	v->args_len = o.off - v->args_off;
	put(&o, ")");
	if (v->foreign_abi) {
		if (label)
			put(&o, " [%s ABI]", label);
		else
			put(&o, " [ABI %#x]", arch);
	}
}
