/* An actor that tries to outlive its end, or its memory limit, the ways
 * real programs do (issue 10). The tests check that none of it works.
 *
 *   --daemonize FILE        fork; the child calls setsid() and forks
 *                           again (a daemon's double fork); the grandchild
 *                           writes its pid to FILE and waits for ever
 *   --clear-pdeathsig FILE  clear its own PR_SET_PDEATHSIG, then fork a
 *                           child that does the same in a session of its
 *                           own; the child writes its pid to FILE
 *   --fill KIND             allocate up to 1 GiB in 1 MiB steps, KIND
 *                           memfd, shm (SysV) or devshm (a file in
 *                           /dev/shm), touching every page; exit 42 if
 *                           nothing stopped it at 1 GiB
 *   --leave-ipc FILE        append what its IPC namespace and /dev/shm
 *                           hold on arrival ("RUN shm=N msg=N sem=N
 *                           devshm=N mq=N made=ID"; ID, of a SysV segment
 *                           it then makes and removes, is 0 only in a
 *                           namespace where none was made before); the
 *                           third run then leaves one of each behind;
 *                           exit 1 for the first four runs, wait from
 *                           the fifth
 *   --tidy-ipc FILE         the same, leaving nothing behind
 *
 * FILE is written whole under a temporary name and renamed, so a reader
 * never sees half a pid. Otherwise it waits. */
#include <dirent.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define STEP (1 << 20)
#define CAP 1024		/* steps: 1 GiB */

static void write_pid(const char *path, pid_t pid)
{
	char tmp[4096];
	mode_t mask = umask(0);
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	f = fopen(tmp, "w");
	umask(mask);
	if (!f || fprintf(f, "%d\n", (int)pid) < 0 || fclose(f) != 0 || rename(tmp, path) < 0)
		_exit(100);
}

static void wait_for_ever(void)
{
	for (;;)
		pause();
}

static void daemonize(const char *path)
{
	pid_t pid = fork();

	if (pid < 0)
		exit(101);
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		return;
	}
	if (setsid() < 0)
		_exit(102);
	if ((pid = fork()) < 0)
		_exit(103);
	if (pid > 0)
		_exit(0);
	write_pid(path, getpid());
	wait_for_ever();
}

static void clear_pdeathsig(const char *path)
{
	pid_t pid;

	if (prctl(PR_SET_PDEATHSIG, 0) < 0 || (pid = fork()) < 0)
		exit(104);
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, 0) < 0 || setsid() < 0)
			_exit(105);
		write_pid(path, getpid());
		wait_for_ever();
	}
}

static void touch(char *p)
{
	for (size_t i = 0; i < STEP; i += 4096)
		p[i] = 1;
}

/* Pages that belong to no process's heap: shared memory in its three
 * forms, each charged to the cgroup of whoever touches it. */
static void fill(const char *kind)
{
	int fd = -1;

	if (strcmp(kind, "memfd") == 0)
		fd = memfd_create("fill", 0);
	else if (strcmp(kind, "devshm") == 0)
		fd = open("/dev/shm/fill", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	else if (strcmp(kind, "shm") != 0)
		exit(64);
	if (strcmp(kind, "shm") != 0 && fd < 0)
		exit(106);
	for (int i = 0; i < CAP; i++) {
		char *p;

		if (fd >= 0) {
			if (ftruncate(fd, (off_t)(i + 1) * STEP) < 0)
				exit(107);
			p = mmap(NULL, STEP, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)i * STEP);
		} else {
			/* never removed: a segment outlives its last user, and
			 * only its IPC namespace's end frees it */
			int id = shmget(IPC_PRIVATE, STEP, IPC_CREAT | 0600);

			p = id < 0 ? MAP_FAILED : shmat(id, NULL, 0);
			if (p == (void *)-1)
				p = MAP_FAILED;
		}
		if (p == MAP_FAILED)
			exit(108);
		touch(p);
		if (fd >= 0)
			munmap(p, STEP);
	}
	exit(42);
}

static int devshm_entries(void)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static int lines_in(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* What a run finds of its predecessors' IPC, and, the third time, what
 * it leaves of its own. */
static void leave_ipc(const char *path, bool litter)
{
	int run = lines_in(path);
	struct shm_info shm;
	struct msginfo msg;
	struct seminfo sem;
	mqd_t q = mq_open("/escaper", O_RDONLY);
	int made;
	FILE *f;

	if (shmctl(0, SHM_INFO, (struct shmid_ds *)&shm) < 0 ||
	    msgctl(0, MSG_INFO, (struct msqid_ds *)&msg) < 0 || semctl(0, 0, SEM_INFO, &sem) < 0)
		exit(109);
	if (q != (mqd_t)-1)
		mq_close(q);
	/* ids are handed out in turn: this one counts the earlier ones of
	 * the namespace, which namespace inodes, reused, cannot tell */
	if ((made = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600)) < 0 || shmctl(made, IPC_RMID, NULL) < 0)
		exit(109);
	f = fopen(path, "a");
	if (!f)
		exit(110);
	fprintf(f, "%d shm=%d msg=%d sem=%d devshm=%d mq=%d made=%d\n", run, shm.used_ids, msg.msgpool,
		sem.semusz, devshm_entries(), q != (mqd_t)-1, made);
	fclose(f);
	if (litter && run == 2) {
		struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 16 };

		if (shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600) < 0 || msgget(IPC_PRIVATE, IPC_CREAT | 0600) < 0 ||
		    semget(IPC_PRIVATE, 1, IPC_CREAT | 0600) < 0 ||
		    open("/dev/shm/escaper", O_RDWR | O_CREAT | O_CLOEXEC, 0600) < 0 ||
		    mq_open("/escaper", O_RDWR | O_CREAT, 0600, &attr) == (mqd_t)-1)
			exit(111);
	}
	if (run < 4)
		exit(1);
}

int main(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--daemonize") == 0)
			daemonize(argv[i + 1]);
		else if (strcmp(argv[i], "--clear-pdeathsig") == 0)
			clear_pdeathsig(argv[i + 1]);
		else if (strcmp(argv[i], "--fill") == 0)
			fill(argv[i + 1]);
		else if (strcmp(argv[i], "--leave-ipc") == 0)
			leave_ipc(argv[i + 1], true);
		else if (strcmp(argv[i], "--tidy-ipc") == 0)
			leave_ipc(argv[i + 1], false);
		else
			return 64;
	}
	wait_for_ever();
}
