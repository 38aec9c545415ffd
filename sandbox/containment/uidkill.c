/* Killing by uid through a helper of that uid; see uidkill.h.
 *
 * The helper is a clone(CLONE_VM | CLONE_VFORK) child, as spawn's: no page
 * tables are copied, and the caller resumes when it is done. It shares
 * the caller's memory, so it runs system calls only, on buffers the
 * caller allocated. Its credentials are its own: setresuid changes the
 * helper alone (the raw call, not glibc's, which would broadcast to the
 * caller's threads). */

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/containment/uidkill.h"
#include "sandbox/daemon/dirstream.h"

enum helper_job { JOB_PROBE, JOB_KILL };

struct helper {
	enum helper_job job;
	uid_t uid;
	long long deadline_ms;
	unsigned found;		/* live processes of uid seen */
	int err;		/* the helper's failure, 0 when none */
	char dents[8192] __attribute__((aligned(8)));
	char status[4096];
	char stack[32768] __attribute__((aligned(16)));
	char probe_stack[4096] __attribute__((aligned(16)));
};

/* Passes over /proc the helpers made (they share this memory): what the
 * tests count. */
static unsigned long proc_passes;

unsigned long sb_uid_proc_passes(void)
{
	return proc_passes;
}

CHILD_SIDE static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

CHILD_SIDE static long parse_num(const char *s, const char **end)
{
	long n = -1;

	for (; *s >= '0' && *s <= '9'; s++)
		n = (n < 0 ? 0 : n * 10) + (*s - '0');
	*end = s;
	return n;
}

/* In /proc/PID/status (read into h->status), a process of h->uid that is
 * not a zombie? "Uid:" lists real, effective, saved and fs uids. */
CHILD_SIDE static bool live_of_uid(const struct helper *h)
{
	const char *s = h->status, *p, *end;
	bool zombie = false;
	long id[3];

	for (; *s; s++) {
		if (s != h->status && s[-1] != '\n')
			continue;
		if (!strncmp(s, "State:\t", 7))
			zombie = s[7] == 'Z' || s[7] == 'X';
		else if (!strncmp(s, "Uid:\t", 5)) {
			p = s + 5;
			for (int i = 0; i < 3; i++) {
				id[i] = parse_num(p, &end);
				p = end + 1;
			}
			return !zombie && (id[0] == (long)h->uid || id[2] == (long)h->uid);
		}
	}
	return false;
}

/* Read /proc/<name>/status under procfd into h->status. */
CHILD_SIDE static bool read_status(struct helper *h, int procfd, const char *name)
{
	char path[32];
	size_t n = 0;
	ssize_t r;
	int fd;

	for (; name[n] && n < sizeof(path) - 8; n++)
		path[n] = name[n];
	memcpy(path + n, "/status", 8);
	if ((fd = openat(procfd, path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	r = read(fd, h->status, sizeof(h->status) - 1);
	close(fd);
	h->status[r > 0 ? r : 0] = '\0';
	return r > 0;
}

/* Wait for process name (pid) to exit, if it is still one of uid's.
 * False when the deadline passed. */
CHILD_SIDE static bool wait_exit(struct helper *h, int procfd, const char *name, long pid)
{
	struct pollfd p = { .events = POLLIN };
	long long left;
	bool ok = true;

	if ((p.fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0)) < 0)
		return true;	/* gone already */
	/* the pidfd pins the process: check it is still the one scanned */
	if (read_status(h, procfd, name) && live_of_uid(h)) {
		left = h->deadline_ms - mono_ms();
		ok = left > 0 && poll(&p, 1, (int)left) > 0;
	}
	close(p.fd);
	return ok;
}

/* Count uid's live processes in /proc; with wait, wait for each to exit.
 * -1 with h->err set on failure. */
CHILD_SIDE static long scan(struct helper *h, bool wait)
{
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n, live = 0, pid, self = syscall(SYS_getpid);
	const char *end;

	if (procfd < 0)
		goto fail;
	proc_passes++;
	while ((n = getdents64(procfd, h->dents, sizeof(h->dents))) > 0) {
		for (long off = 0; off < n;) {
			const struct dirent64 *d = (const void *)(h->dents + off);
			off += d->d_reclen;
			if ((pid = parse_num(d->d_name, &end)) <= 0 || *end || pid == self)
				continue;
			if (!read_status(h, procfd, d->d_name) || !live_of_uid(h))
				continue;
			live++;
			if (wait && !wait_exit(h, procfd, d->d_name, pid)) {
				errno = ETIMEDOUT;
				goto fail;
			}
		}
	}
	if (n < 0)
		goto fail;
	close(procfd);
	return live;
fail:
	h->err = errno;
	if (procfd >= 0)
		close(procfd);
	return -1;
}

CHILD_SIDE static int probe_main(void *arg)
{
	(void)arg;
	return 0;
}

/* Can this helper (now of uid) make a process under an RLIMIT_NPROC of
 * limit? The kernel counts the processes of a real uid, zombies until
 * they are reaped included, this helper among them. */
CHILD_SIDE static bool can_fork_under(struct helper *h, rlim_t limit)
{
	/* the hard limit at 2 throughout: no longer root, the helper could
	 * not raise it again */
	struct rlimit rl = { limit, 2 };
	pid_t pid;

	if (syscall(SYS_prlimit64, 0, RLIMIT_NPROC, &rl, NULL) < 0)
		return false;
	pid = clone(probe_main, h->probe_stack + sizeof(h->probe_stack), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
	if (pid < 0)
		return false;
	while (syscall(SYS_wait4, pid, NULL, __WALL, NULL) < 0 && errno == EINTR)
		;
	return true;
}

/* No process but this helper has uid for its real uid, zombies included:
 * nothing to kill or wait for, found without reading /proc, whose every
 * process would be looked at (each end of an instance paid for every
 * process on the host: 500 ends among 2000 actors held the daemon 37 s).
 * A limit of 1 must refuse the fork (the helper counts itself), or the
 * limit is not enforced for it (a capability kept) and says nothing; a
 * limit of 2 then lets it through only when no other process counts. A
 * process whose real uid left uid but whose saved uid is still it is not
 * counted: it changed uid, which containment by uid does not promise to
 * follow (uidkill.h). */
CHILD_SIDE static bool none_of_uid(struct helper *h)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[2];

	/* the kernel lets these past the limit: a helper that kept one (the
	 * daemon started with SECBIT_NO_SETUID_FIXUP) learns nothing here,
	 * and its first fork could fail for another reason (pids.max) */
	if (syscall(SYS_capget, &hdr, caps) < 0 ||
	    (caps[0].effective & (1u << CAP_SYS_RESOURCE | 1u << CAP_SYS_ADMIN)))
		return false;
	if (can_fork_under(h, 1) || errno != EAGAIN)
		return false;
	return can_fork_under(h, 2);
}

CHILD_SIDE static int helper_main(void *arg)
{
	struct helper *h = arg;
	long live;

	if (syscall(SYS_setresuid, h->uid, h->uid, h->uid) < 0) {
		h->err = errno;
		return 1;
	}
	if (none_of_uid(h))
		return 0;	/* found 0 */
	/* what this uid may signal, zombies included. ESRCH is not "none":
	 * kill(-1) returns the last target's error, and one far enough in
	 * its exit answers ESRCH though others were signalled; /proc says. */
	if (kill(-1, 0) < 0 && errno != ESRCH) {
		h->err = errno;
		return 0;
	}
	if ((live = scan(h, false)) < 0)
		return 1;
	h->found = (unsigned)live;
	if (h->job == JOB_PROBE)
		return 0;
	/* one kill(-1) reaches every process and the children of forks in
	 * flight; it is repeated in case one of uid's processes was made
	 * some other way (a setuid program) meanwhile */
	for (;;) {
		if (kill(-1, SIGKILL) < 0 && errno != ESRCH) {
			h->err = errno;
			return 0;
		}
		if ((live = scan(h, true)) <= 0)
			return live < 0;
		if (mono_ms() >= h->deadline_ms) {
			h->err = ETIMEDOUT;
			return 1;
		}
	}
}

static int run_helper(struct helper *h)
{
	sigset_t all, old;
	pid_t pid;
	int status, saved;

	if (h->uid == 0 || h->uid == (uid_t)-1) {
		errno = EINVAL;
		return -1;
	}
	/* no handler of the caller's may run on the helper's side */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = clone(helper_main, h->stack + sizeof(h->stack), CLONE_VM | CLONE_VFORK | SIGCHLD, h);
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		errno = saved;
		return -1;
	}
	while (waitpid(pid, &status, __WALL) < 0)
		if (errno != EINTR)
			return -1;
	if (h->err) {
		errno = h->err;
		return -1;
	}
	return 0;
}

static struct helper *helper_new(enum helper_job job, uid_t uid, int timeout_ms)
{
	struct helper *h = malloc(sizeof(*h));

	if (h) {
		h->job = job;
		h->uid = uid;
		h->deadline_ms = mono_ms() + timeout_ms;
		h->found = 0;
		h->err = 0;
	}
	return h;
}

int sb_uid_kill(uid_t uid, int timeout_ms, unsigned *found)
{
	struct helper *h = helper_new(JOB_KILL, uid, timeout_ms);
	int r, saved;

	if (!h)
		return -1;
	r = run_helper(h);
	saved = errno;
	if (found)
		*found = h->found;
	free(h);
	errno = saved;
	return r;
}

int sb_uid_alive(uid_t uid)
{
	struct helper *h = helper_new(JOB_PROBE, uid, 0);
	int r, saved;

	if (!h)
		return -1;
	r = run_helper(h);
	saved = errno;
	if (r == 0)
		r = h->found > 0;
	free(h);
	errno = saved;
	return r;
}

/* One process's "State:" and "Uid:" lines: its real and saved uid when
 * it is not a zombie. False when it is one, or is gone. */
static bool status_uids(int proc, const char *pid, unsigned *real, unsigned *saved)
{
	char path[64], line[256];
	bool zombie = false, have = false;
	unsigned eff;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/status", pid);
	if ((fd = openat(proc, path, O_RDONLY | O_CLOEXEC)) < 0 || !(f = fdopen(fd, "r"))) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "State:", 6) == 0)
			zombie = strchr(line, 'Z') != NULL || strchr(line, 'X') != NULL;
		else if (sscanf(line, "Uid: %u %u %u", real, &eff, saved) == 3)
			have = true;
	}
	fclose(f);
	return have && !zombie;
}

int sb_uid_alive_set(uid_t first, uid_t last, uint8_t *live)
{
	int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), saved;
	unsigned r, s;
	struct dirent *e;
	DIR *d;

	if (proc < 0)
		return -1;
	if (!(d = sb_dirstream(proc))) {
		saved = errno;
		close(proc);
		errno = saved;
		return -1;
	}
	memset(live, 0, ((size_t)(last - first) + 8) / 8);
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || !status_uids(proc, e->d_name, &r, &s))
			continue;
		if (r >= first && r <= last)
			live[(r - first) / 8] |= (uint8_t)(1u << ((r - first) % 8));
		if (s >= first && s <= last)
			live[(s - first) / 8] |= (uint8_t)(1u << ((s - first) % 8));
	}
	closedir(d);
	close(proc);
	return 0;
}
