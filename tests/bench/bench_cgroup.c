/* The price of a cgroup per actor instance, in microseconds, beside the
 * same run's plain spawns: making one (with and without a limit that
 * needs a v1 mirror on a hybrid host), joining it (clone3 into the cgroup
 * against plain clone, and the child's own write where clone3 cannot),
 * and the end of one: kill, wait for empty on the notify fd, remove.
 * The child execs /bin/true, or /bin/sleep for the kill. Rounds are
 * interleaved so every figure sees the same machine.
 * Usage: bench_cgroup [ROUNDS]   (default 300); needs root. */
#include <sched.h>
#include <stdbool.h>

#include "sandbox/child/child_side.h"
#include "sandbox/containment/cgroup.h"
#include "sandbox/containment/cgroup_join.h"
#include "sandbox/containment/clone_into.h"
#include "tests/bench/bench.h"

enum fig {
	REF_FORK, REF_CLONE, INTO, JOIN_SELF, CREATE, REMOVE, CREATE_MIRROR, INTO_MIRROR, REMOVE_MIRROR,
	REF_KILL, KILL_YOUNG, KILL_OLD, KILL_SIGCHLD, KILL_REAPED, NFIG
};

static const char *const labels[NFIG] = {
	[REF_FORK] = "reference: fork + exec + wait",
	[REF_CLONE] = "reference: clone(VM|VFORK) + exec + wait",
	[INTO] = "clone3 into the cgroup + exec + wait",
	[JOIN_SELF] = "clone + child joins by write + exec + wait",
	[CREATE] = "create (mkdir, open)",
	[REMOVE] = "remove (empty)",
	[CREATE_MIRROR] = "create with a memory limit",
	[INTO_MIRROR] = "clone3 into it, child joins v1 + exec + wait",
	[REMOVE_MIRROR] = "remove with a memory limit",
	[REF_KILL] = "reference: kill + waitpid, one process",
	[KILL_YOUNG] = "kill + notify empty + remove, 1 ms old",
	[KILL_OLD] = "kill + notify empty + remove, 20 ms old",
	[KILL_SIGCHLD] = "kill + waitpid + check empty + remove",
	[KILL_REAPED] = "kill + check empty + remove, main reaped",
};

static char stack[256 * 1024] __attribute__((aligned(16)));

struct child {
	char *const *argv;
	const struct sb_cgroup_join *join;
};

CHILD_SIDE static int child_exec(void *arg)
{
	struct child *c = arg;

	if (c->join && sb_cgroup_join_self(c->join) < 0)
		_exit(126);
	execv(c->argv[0], c->argv);
	_exit(127);
}

static char *true_argv[] = { "/bin/true", NULL };
static char *sleep_argv[] = { "/bin/sleep", "1000", NULL };

/* Start argv; into cgroup_fd with clone3 when it is >= 0. */
static pid_t start(char **argv, int cgroup_fd, const struct sb_cgroup_join *j)
{
	struct child c = { argv, j };
	pid_t pid;

	if (cgroup_fd >= 0)
		pid = sb_clone_into(child_exec, &c, stack, sizeof stack, CLONE_VM | CLONE_VFORK, cgroup_fd, NULL);
	else
		pid = clone(child_exec, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &c);
	if (pid < 0) {
		perror("clone");
		exit(1);
	}
	return pid;
}

static void wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_cgroup: child %d failed (status %x)\n", (int)pid, status);
		exit(1);
	}
}

static void must(int r, const char *what)
{
	if (r < 0) {
		perror(what);
		exit(1);
	}
}

/* Wait on the notify fd until ci is empty. */
static void wait_empty(int nfd, const struct sb_cgroup_inst *ci)
{
	struct pollfd p = { .fd = nfd, .events = POLLIN };
	int wds[SB_CGROUP_NOTIFY_BATCH];

	while (sb_cgroup_inst_populated(ci) != 0) {
		if (poll(&p, 1, 10000) != 1) {
			fprintf(stderr, "bench_cgroup: no notification\n");
			exit(1);
		}
		must(sb_cgroup_notify_read(nfd, wds, SB_CGROUP_NOTIFY_BATCH), "notify");
	}
}

struct bench {
	struct sb_cgroup_tree t;
	int nfd;
	bool limits;	/* can this host apply a memory limit */
	int late;	/* populated still 1 after the last member was reaped */
	long long *v[NFIG];
	int n;
};

static void spawns(struct bench *b)
{
	struct sb_cgroup_limits none = { 0 };
	struct sb_cgroup_inst ci;
	struct sb_cgroup_join j;
	long long t0;
	pid_t pid;

	t0 = now_ns();
	if ((pid = fork()) == 0) {
		execv(true_argv[0], true_argv);
		_exit(127);
	}
	wait_child(pid);
	b->v[REF_FORK][b->n] = now_ns() - t0;

	t0 = now_ns();
	wait_child(start(true_argv, -1, NULL));
	b->v[REF_CLONE][b->n] = now_ns() - t0;

	t0 = now_ns();
	must(sb_cgroup_inst_create(&b->t, &ci, "bench", &none), "create");
	b->v[CREATE][b->n] = now_ns() - t0;

	t0 = now_ns();
	wait_child(start(true_argv, ci.fd, NULL));
	b->v[INTO][b->n] = now_ns() - t0;

	t0 = now_ns();
	must(sb_cgroup_join_open(&b->t, &ci, true, &j), "join");
	wait_child(start(true_argv, -1, &j));
	sb_cgroup_join_close(&j);
	b->v[JOIN_SELF][b->n] = now_ns() - t0;

	t0 = now_ns();
	must(sb_cgroup_inst_remove(&b->t, &ci), "remove");
	b->v[REMOVE][b->n] = now_ns() - t0;
}

static void mirrors(struct bench *b)
{
	struct sb_cgroup_limits lim = { .memory = 256 << 20 };
	struct sb_cgroup_inst ci;
	struct sb_cgroup_join j;
	long long t0 = now_ns();

	if (!b->limits)
		return;
	must(sb_cgroup_inst_create(&b->t, &ci, "bench-limited", &lim), "create with a limit");
	b->v[CREATE_MIRROR][b->n] = now_ns() - t0;
	t0 = now_ns();
	must(sb_cgroup_join_open(&b->t, &ci, false, &j), "join");
	wait_child(start(true_argv, ci.fd, &j));
	sb_cgroup_join_close(&j);
	b->v[INTO_MIRROR][b->n] = now_ns() - t0;
	t0 = now_ns();
	must(sb_cgroup_inst_remove(&b->t, &ci), "remove with a limit");
	b->v[REMOVE_MIRROR][b->n] = now_ns() - t0;
}

static void pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };

	nanosleep(&ts, NULL);
}

/* A sleeping process in a fresh cgroup, age_ms old when this returns. */
static pid_t occupied(struct bench *b, struct sb_cgroup_inst *ci, long age_ms)
{
	struct sb_cgroup_limits none = { 0 };
	pid_t pid;

	must(sb_cgroup_inst_create(&b->t, ci, "bench-kill", &none), "create");
	must(sb_cgroup_inst_watch(ci, b->nfd), "watch");
	pid = start(sleep_argv, ci->fd, NULL);
	pause_ms(age_ms);
	return pid;
}

/* The end of an instance, timed from the kill to its removal. The kernel
 * delays a cgroup file's notification to 10 ms after the one before: a
 * cgroup that became populated less than 10 ms ago says it is empty late.
 * The daemon hears of the last exit sooner through SIGCHLD (orphans come
 * to it, the subreaper): waitpid, then one read of populated. */
static void kills(struct bench *b)
{
	struct sb_cgroup_inst ci;
	long long t0;
	pid_t pid;

	pid = start(sleep_argv, -1, NULL);
	t0 = now_ns();
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	b->v[REF_KILL][b->n] = now_ns() - t0;

	for (int f = KILL_YOUNG; f <= KILL_OLD; f++) {
		pid = occupied(b, &ci, f == KILL_YOUNG ? 1 : 20);
		t0 = now_ns();
		must(sb_cgroup_inst_kill(&b->t, &ci), "kill");
		wait_empty(b->nfd, &ci);
		must(sb_cgroup_inst_remove(&b->t, &ci), "remove");
		b->v[f][b->n] = now_ns() - t0;
		waitpid(pid, NULL, 0);
	}

	pid = occupied(b, &ci, 1);
	t0 = now_ns();
	must(sb_cgroup_inst_kill(&b->t, &ci), "kill");
	waitpid(pid, NULL, 0);
	if (sb_cgroup_inst_populated(&ci) != 0)
		b->late++;
	wait_empty(b->nfd, &ci);
	must(sb_cgroup_inst_remove(&b->t, &ci), "remove");
	b->v[KILL_SIGCHLD][b->n] = now_ns() - t0;

	pid = occupied(b, &ci, 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	t0 = now_ns();
	must(sb_cgroup_inst_kill(&b->t, &ci), "kill");
	wait_empty(b->nfd, &ci);
	must(sb_cgroup_inst_remove(&b->t, &ci), "remove");
	b->v[KILL_REAPED][b->n] = now_ns() - t0;
}

static void print(struct bench *b, enum fig f)
{
	if (!b->limits && (f == CREATE_MIRROR || f == INTO_MIRROR || f == REMOVE_MIRROR))
		return;
	printf("  %-46s median %7.1f us   p90 %7.1f us\n", labels[f], (double)percentile(b->v[f], b->n, 0.5) / 1e3,
	       (double)percentile(b->v[f], b->n, 0.9) / 1e3);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 300;
	struct bench b = { .n = 0 };
	char key[64], name[SB_CGROUP_SUBTREE_NAME_LEN];

	if (geteuid() != 0) {
		printf("  skipped: cgroups need root\n");
		return 0;
	}
	snprintf(key, sizeof key, "bench_cgroup:%d", (int)getpid());
	sb_cgroup_subtree_name(key, name);
	if (sb_cgroup_tree_open(&b.t, name) < 0) {
		printf("  skipped: %s\n", b.t.why);
		return 0;
	}
	must(b.nfd = sb_cgroup_notify_open(), "inotify");
	b.limits = sb_cgroup_limit_where(&b.t, SB_CGROUP_MEMORY, key, sizeof key) != 0;
	for (int f = 0; f < NFIG; f++)
		if (!(b.v[f] = calloc((size_t)rounds, sizeof(long long))))
			return 1;
	for (b.n = 0; b.n < rounds; b.n++) {
		/* mirrors first: no cgroup.procs write just before it */
		mirrors(&b);
		spawns(&b);
		kills(&b);
	}
	printf("  cgroup %s (cgroup.kill: %s; memory limit: %s)\n", b.t.path, b.t.has_kill ? "yes" : "no",
	       !b.limits ? "none here" : b.t.v2_ctl & SB_CGROUP_CTL_BIT(SB_CGROUP_MEMORY) ? "v2" : "on a v1 mirror");
	for (int f = 0; f < NFIG; f++)
		print(&b, (enum fig)f);
	printf("  populated still 1 once the last member was reaped: %d of %d\n", b.late, rounds);
	close(b.nfd);
	sb_cgroup_tree_close(&b.t);
	return 0;
}
