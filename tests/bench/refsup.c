/* The reference supervisor the benchmarks compare against: the least a
 * supervisor can do. Spawns N copies of a command back to back with
 * fork+execve, and on SIGCHLD forks+execs a replacement at once.
 * Usage: refsup N PATH [ARG...]; runs until SIGTERM. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static char **cmd;
static volatile sig_atomic_t stop;

static pid_t spawn(void)
{
	pid_t pid = fork();

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

	if (argc < 3) {
		fprintf(stderr, "usage: refsup N PATH [ARG...]\n");
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
