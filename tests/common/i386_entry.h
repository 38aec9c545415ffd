/* Whether this kernel lets a process enter the i386 system call ABI
 * (int 0x80). Some guests fault on it (SIGSEGV) whatever seccomp says, so
 * a test of the filter's i386 denial has nothing to observe there and
 * tests the x32 ABI alone. Shared by the seccomp and confinement tests. */
#ifndef PROSPERO_TESTS_COMMON_I386_ENTRY_H
#define PROSPERO_TESTS_COMMON_I386_ENTRY_H

#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

static inline bool i386_entry_works(void)
{
#if defined(__x86_64__)
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		long r = 20;	/* __NR_getpid on i386 */

		__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
		_exit(r == (long)getpid() ? 0 : 1);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
#else
	return false;
#endif
}

#endif
