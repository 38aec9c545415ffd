/* prospero-queue run as the daemon runs it, for check_queue and
 * bench_queue: a control channel at fd 3, CONSUMER and DEAD_LETTER
 * bindings after it, one served edge per producer, named by
 * PROSPERO_FDS/PROSPERO_FDNAMES, and a state directory. The test keeps
 * both ends of every socketpair, as the daemon does, so a queue killed
 * and started again finds what was sent meanwhile. $QUEUE names the
 * program. */
#ifndef PROSPERO_TESTS_QUEUEPROC_H
#define PROSPERO_TESTS_QUEUEPROC_H

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define QP_MAX_PROD 16
#define QP_MAX_ARGS 16

struct queueproc {
	pid_t pid;
	char dir[128];		/* its STATE_DIRECTORY */
	int ctl[2];		/* [0] the daemon's end, [1] the queue's */
	int cons[2];		/* [0] the queue's CONSUMER end, [1] the consumer's */
	int dlq[2];		/* [0] the queue's DEAD_LETTER end, [1] the dead-letter queue's; -1: none */
	bool no_consumer;	/* start it without its CONSUMER binding */
	int prod[QP_MAX_PROD][2];	/* [0] producer I's end, [1] the queue's */
	int nprod;
	const char *args[QP_MAX_ARGS];	/* its options, NULL-terminated */
	char log[160];		/* its stderr, appended to */
};

static inline void qp_pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("socketpair");
		abort();
	}
}

/* A queue in a fresh directory under BASE, with NPROD producer edges,
 * a dead-letter binding if DLQ, and options ARGS (NULL-terminated, or
 * NULL); not started. */
static inline void qp_init(struct queueproc *q, const char *base, int nprod, bool dlq, const char *const *args)
{
	int n = 0;

	memset(q, 0, sizeof *q);
	q->pid = -1;
	snprintf(q->dir, sizeof q->dir, "%s/prospero-queue.XXXXXX", base);
	if (!mkdtemp(q->dir)) {
		perror(q->dir);
		abort();
	}
	snprintf(q->log, sizeof q->log, "%s.log", q->dir);
	qp_pair(q->ctl);
	qp_pair(q->cons);
	q->dlq[0] = q->dlq[1] = -1;
	if (dlq)
		qp_pair(q->dlq);
	q->nprod = nprod;
	for (int i = 0; i < nprod; i++)
		qp_pair(q->prod[i]);
	while (args && args[n] && n < QP_MAX_ARGS - 1) {
		q->args[n] = args[n];
		n++;
	}
	q->args[n] = NULL;
}

/* In the child: FDS[0..N-1] to 3..3+N-1, out of the way first. */
static inline void qp_place(const int *fds, int n)
{
	int high[3 + QP_MAX_PROD];

	for (int i = 0; i < n; i++)
		if ((high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 200)) < 0)
			_exit(126);
	for (int i = 0; i < n; i++)
		if (dup2(high[i], 3 + i) < 0)
			_exit(126);
}

static inline void qp_start(struct queueproc *q)
{
	const char *bin = getenv("QUEUE");
	char names[64 + 16 * QP_MAX_PROD], count[16];
	const char *argv[QP_MAX_ARGS + 1];
	int fds[3 + QP_MAX_PROD], n = 0, log;

	if (!bin)
		bin = "./prospero-queue";
	fds[n++] = q->ctl[1];
	snprintf(names, sizeof names, "control");
	if (!q->no_consumer) {
		fds[n++] = q->cons[0];
		strcat(names, ":CONSUMER");
	}
	if (q->dlq[0] >= 0) {
		fds[n++] = q->dlq[0];
		strcat(names, ":DEAD_LETTER");
	}
	for (int i = 0; i < q->nprod; i++) {
		fds[n++] = q->prod[i][1];
		snprintf(names + strlen(names), sizeof names - strlen(names), ":serve:p%d", i);
	}
	argv[0] = bin;
	for (int i = 0; i < QP_MAX_ARGS; i++)
		if (!(argv[i + 1] = q->args[i]))
			break;
	snprintf(count, sizeof count, "%d", n);
	q->pid = fork();
	if (q->pid < 0) {
		perror("fork");
		abort();
	}
	if (q->pid > 0)
		return;
	qp_place(fds, n);
	if ((log = open(q->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) >= 0)
		dup2(log, 2);
	setenv("PROSPERO_FDS", count, 1);
	setenv("PROSPERO_FDNAMES", names, 1);
	setenv("STATE_DIRECTORY", q->dir, 1);
	setenv("PROSPERO_ACTOR", "queue", 1);
	execv(bin, (char *const *)argv);
	_exit(127);
}

/* End it with SIG; its wait status. */
static inline int qp_end(struct queueproc *q, int sig)
{
	int status = -1;

	if (q->pid > 0) {
		kill(q->pid, sig);
		waitpid(q->pid, &status, 0);
	}
	q->pid = -1;
	return status;
}

static inline void qp_cleanup(struct queueproc *q)
{
	char cmd[400];

	qp_end(q, SIGKILL);
	close(q->ctl[0]);
	close(q->ctl[1]);
	close(q->cons[0]);
	close(q->cons[1]);
	if (q->dlq[0] >= 0) {
		close(q->dlq[0]);
		close(q->dlq[1]);
	}
	for (int i = 0; i < q->nprod; i++) {
		close(q->prod[i][0]);
		close(q->prod[i][1]);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", q->dir, q->log);
	if (system(cmd) != 0)
		perror(cmd);
}

#endif
