/* The daemon's side of the seccomp listener: thin ioctl wrappers, and
 * a kill that cannot hit a recycled pid. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "sandbox/seccomp/listener.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL	/* Linux 6.9: a pidfd for a non-leader thread */
#endif

int sb_listener_recv(int listener, struct seccomp_notif *n)
{
	memset(n, 0, sizeof *n);
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, n) < 0 ? -1 : 0;
}

/* 1 if notification ID is still pending (its caller is alive and still
 * blocked in the call, so its pid cannot have been reused), 0 if not,
 * -1 with errno on a bad listener. */
static int id_valid(int listener, uint64_t id)
{
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

static int respond(int listener, uint64_t id, int err, uint32_t flags)
{
	struct seccomp_notif_resp r = { .id = id, .val = 0, .error = -err, .flags = flags };

	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r) < 0 ? -1 : 0;
}

int sb_listener_respond_errno(int listener, uint64_t id, int err)
{
	return respond(listener, id, err, 0);
}

int sb_listener_respond_continue(int listener, uint64_t id)
{
	return respond(listener, id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

int sb_listener_kill(int listener, const struct seccomp_notif *n)
{
	int pidfd, valid, rc, saved;

	pidfd = pidfd_open((pid_t)n->pid, 0);
	if (pidfd < 0 && errno == EINVAL)	/* a thread other than the leader */
		pidfd = pidfd_open((pid_t)n->pid, PIDFD_THREAD);
	if (pidfd < 0)
		return -1;
	valid = id_valid(listener, n->id);
	if (valid <= 0) {
		saved = valid == 0 ? ESRCH : errno;
		close(pidfd);
		errno = saved;
		return -1;
	}
	rc = pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
	saved = errno;
	close(pidfd);
	errno = saved;
	return rc;
}
