/* Bodies in sealed memfds. A message stays one datagram, so a pool
 * instance takes all of it or none of it, and a crash never leaves half
 * a message in the socket for the next incarnation. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/libprospero/memfd.h"

/* The receiver maps the body; without these seals the sender could change
 * it under the receiver's feet, or shrink it and make the mapping fault. */
#define PR_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

int pr_memfd_make(const void *body, size_t len)
{
	const char *p = body;
	size_t done = 0;
	int fd, e;

	fd = memfd_create("prospero-body", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, PR_SEALS | F_SEAL_SEAL) < 0)
		goto fail;
	return fd;
fail:
	e = errno ? errno : EIO;
	close(fd);
	errno = e;
	return -1;
}

void *pr_memfd_map(int fd, size_t len, const char **why)
{
	static char empty[1];
	struct stat st;
	void *m;
	int seals = fcntl(fd, F_GET_SEALS);	/* fails on what is not a memfd */

	if (seals < 0 || (seals & PR_SEALS) != PR_SEALS) {
		*why = "memfd body not sealed";
		errno = EBADMSG;
		return NULL;
	}
	if (fstat(fd, &st) < 0 || st.st_size < 0 || (size_t)st.st_size < len) {
		*why = "memfd body too short";
		errno = EBADMSG;
		return NULL;
	}
	if (len == 0)
		return empty;
	m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		*why = "memfd body not mapped";
		return NULL;
	}
	return m;
}

int pr_memfd_body(struct pf_frame *f, int *fd)
{
	*fd = -1;
	if (pf_size(f) <= PF_MAX_DGRAM)
		return 0;
	*fd = pr_memfd_make(f->body, f->body_len);
	if (*fd < 0)
		return -1;
	f->flags |= PF_FLAG_MEMFD;
	f->body = NULL;
	return 0;
}
