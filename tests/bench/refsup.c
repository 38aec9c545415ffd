/* The reference supervisor the benchmarks compare against: the least a
 * supervisor can do. Spawns N copies of a command back to back with
 * fork+execve, and on SIGCHLD forks+execs a replacement at once.
 * With --serial, each spawn is a posix_spawn, which returns once the
 * child has exec'ed: OTP's order (the next child after the previous is
 * ready, ready meaning exec'ed) and nothing else.
 * Usage: refsup [--serial] N PATH [ARG...]; runs until SIGTERM. */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static char **cmd;
static volatile sig_atomic_t stop;

static bool serial;

/* glibc's posix_spawn is clone(CLONE_VM|CLONE_VFORK): the caller resumes
 * after the exec. */
static pid_t spawn_serial(void)
{
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;

	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	if (posix_spawn(&pid, cmd[0], NULL, &attr, cmd, environ) != 0)
		pid = -1;
	posix_spawnattr_destroy(&attr);
	return pid;
}

static pid_t spawn(void)
{
	pid_t pid;

	if (serial)
		return spawn_serial();
	pid = fork();

	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execve(cmd[0], cmd, environ);
		_exit(127);
	}
	return pid;
}

static void on_term(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	sigset_t set;
	int n, sig;

	if (argc > 1 && strcmp(argv[1], "--serial") == 0) {
		serial = true;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: refsup [--serial] N PATH [ARG...]\n");
		return 2;
	}
	n = atoi(argv[1]);
	cmd = argv + 2;
	/* its own group, so the kill(0) below reaches its children and not
	 * whoever started it */
	setpgid(0, 0);
	signal(SIGTERM, on_term);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int i = 0; i < n; i++)
		spawn();
	while (!stop) {
		if (sigwait(&set, &sig) != 0 || sig == SIGTERM)
			break;
		int st;
		while (waitpid(-1, &st, WNOHANG) > 0)
			spawn();
	}
	kill(0, SIGTERM);
	return 0;
}
