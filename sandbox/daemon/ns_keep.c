/* Holding an instance's namespaces by fd between its runs. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#include "sandbox/child/ns_enter.h"
#include "sandbox/daemon/ns_keep.h"
#include "sandbox/seccomp/handoff.h"
#include "src/proto/fdpass.h"

int sb_ns_keep_home(void)
{
	return open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
}

/* Back from a look into an instance's IPC namespace. It cannot fail with
 * the rights the way in needed; if it did, the daemon would go on in a
 * namespace not its own. */
static void back_home(int home)
{
	if (setns(home, CLONE_NEWIPC) < 0) {
		perror("prospero: setns back to the daemon's IPC namespace");
		_exit(70);
	}
}

/* A namespace's message queues are files of its own mqueue file system,
 * mounted nowhere: a detached mount of it, made from inside. */
static int open_mqueue(int ipc, int home)
{
	int fs, mnt = -1, dir = -1, saved;

	if (setns(ipc, CLONE_NEWIPC) < 0)
		return -1;
	if ((fs = fsopen("mqueue", FSOPEN_CLOEXEC)) >= 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0 &&
	    (mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0)) >= 0)
		dir = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	saved = errno;
	if (mnt >= 0)
		close(mnt);
	if (fs >= 0)
		close(fs);
	back_home(home);
	errno = saved;
	return dir;
}

int sb_ns_keep_recv(struct sb_ns_keep *k, int sock, int home)
{
	int fds[3], n, saved;
	char byte;

	*k = SB_NS_KEEP_NONE;
	if ((n = sb_handoff_recv_fds(sock, &byte, fds, 3)) < 0)
		return -1;
	if (byte != SB_NS_HAND_BYTE || n != 3) {
		pp_fdpass_close(fds, (unsigned)n);
		errno = byte == SB_NS_HAND_BYTE && n == 0 ? ENOENT : EBADMSG;
		return -1;
	}
	k->ipc = fds[0];
	k->mnt = fds[1];
	k->shm = fds[2];
	if ((k->mqueue = open_mqueue(k->ipc, home)) < 0) {
		saved = errno;
		sb_ns_keep_drop(k);
		errno = saved;
		return -1;
	}
	return 0;
}

bool sb_ns_keep_held(const struct sb_ns_keep *k)
{
	return k->ipc >= 0;
}

/* 1: DIR lists nothing but . and ..; 0: something; -1: errno. Read by
 * getdents64 rather than a DIR stream: on the restart path, no openat,
 * allocation or close. */
static int dir_empty(int dir)
{
	char buf[512] __attribute__((aligned(8)));
	ssize_t n;

	if (lseek(dir, 0, SEEK_SET) < 0)
		return -1;
	while ((n = getdents64(dir, buf, sizeof buf)) > 0)
		for (ssize_t off = 0; off < n; ) {
			const struct dirent64 *e = (const void *)(buf + off);
			const char *s = e->d_name;

			if (!(s[0] == '.' && (s[1] == '\0' || (s[1] == '.' && s[2] == '\0'))))
				return 0;
			off += e->d_reclen;
		}
	return n < 0 ? -1 : 1;
}

/* The *_INFO commands count the objects of the caller's namespace. */
static int sysv_empty(int ipc, int home)
{
	struct shm_info shm;
	struct msginfo msg;
	struct seminfo sem;
	int r, saved;

	if (setns(ipc, CLONE_NEWIPC) < 0)
		return -1;
	/* msgpool and semusz are how many queues and sets are in use */
	if (shmctl(0, SHM_INFO, (struct shmid_ds *)&shm) < 0 || msgctl(0, MSG_INFO, (struct msqid_ds *)&msg) < 0 ||
	    semctl(0, 0, SEM_INFO, &sem) < 0)
		r = -1;
	else
		r = shm.used_ids == 0 && msg.msgpool == 0 && sem.semusz == 0;
	saved = errno;
	back_home(home);
	errno = saved;
	return r;
}

int sb_ns_keep_empty(const struct sb_ns_keep *k, int home)
{
	int r;

	if ((r = dir_empty(k->shm)) != 1 || (r = dir_empty(k->mqueue)) != 1)
		return r;
	return sysv_empty(k->ipc, home);
}

void sb_ns_keep_drop(struct sb_ns_keep *k)
{
	int *fds[] = { &k->ipc, &k->mnt, &k->shm, &k->mqueue };

	for (size_t i = 0; i < sizeof fds / sizeof *fds; i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	*k = SB_NS_KEEP_NONE;
}
