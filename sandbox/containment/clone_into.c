/* clone3 with a stack of the caller's; see clone_into.h. */

#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#include "sandbox/containment/clone_into.h"

#if defined(__x86_64__)

#define STR_(x) #x
#define STR(x) STR_(x)

/* The raw system call; in the child, on the new stack, call fn(arg) and
 * exit with its value. The kernel sets the child's stack pointer to the
 * stack's top; it is realigned as the ABI wants it before the call. */
__attribute__((visibility("hidden")))
long sb_clone3_raw(struct clone_args *args, size_t size, int (*fn)(void *), void *arg);
__asm__(".text\n"
	".globl sb_clone3_raw\n"
	".hidden sb_clone3_raw\n"
	".type sb_clone3_raw, @function\n"
	"sb_clone3_raw:\n"
	"	movq %rcx, %r8\n"		/* arg: syscall clobbers rcx */
	"	movl $" STR(__NR_clone3) ", %eax\n"
	"	syscall\n"
	"	testq %rax, %rax\n"
	"	jnz 1f\n"
	"	xorl %ebp, %ebp\n"		/* the outermost frame */
	"	andq $-16, %rsp\n"
	"	movq %r8, %rdi\n"
	"	callq *%rdx\n"
	"	movl %eax, %edi\n"
	"	movl $" STR(__NR_exit) ", %eax\n"
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n"
	".size sb_clone3_raw, .-sb_clone3_raw\n");

pid_t sb_clone_into(int (*fn)(void *), void *arg, void *stack, size_t stack_size, uint64_t flags,
		    int cgroup_fd, int *pidfd)
{
	struct clone_args a;
	long r;

	memset(&a, 0, sizeof(a));
	a.flags = flags | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
	a.exit_signal = SIGCHLD;
	a.pidfd = (flags & CLONE_PIDFD) ? (uint64_t)(uintptr_t)pidfd : 0;
	a.stack = (uint64_t)(uintptr_t)stack;
	a.stack_size = stack_size;
	a.cgroup = cgroup_fd >= 0 ? (uint64_t)(unsigned)cgroup_fd : 0;
	r = sb_clone3_raw(&a, sizeof(a), fn, arg);
	if (r >= 0)
		return (pid_t)r;
	/* before 5.7 the kernel knows a shorter clone_args: it refuses the
	 * cgroup field as E2BIG */
	errno = r == -E2BIG ? ENOSYS : (int)-r;
	return -1;
}

#else

pid_t sb_clone_into(int (*fn)(void *), void *arg, void *stack, size_t stack_size, uint64_t flags,
		    int cgroup_fd, int *pidfd)
{
	(void)fn, (void)arg, (void)stack, (void)stack_size, (void)flags, (void)cgroup_fd, (void)pidfd;
	errno = ENOSYS;
	return -1;
}

#endif
