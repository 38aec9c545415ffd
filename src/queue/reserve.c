/* The reserve beside the log (reserve.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/queue/reserve.h"

#define RESERVE_MIN ((size_t)64 << 10)
#define RESERVE_MAX ((size_t)16 << 20)
#define CHUNK ((size_t)64 << 10)

size_t pq_reserve_size(uint64_t fs_bytes)
{
	uint64_t r = fs_bytes / 16;

	if (r < RESERVE_MIN)
		r = RESERVE_MIN;
	if (r > RESERVE_MAX)
		r = RESERVE_MAX;
	return (size_t)(r & ~(uint64_t)4095);
}

bool pq_no_room(int err)
{
	return err == ENOSPC || err == EDQUOT;
}

/* Bytes no compressing or deduplicating file system keeps in less room
 * than they take: zeros would become a hole there. */
static void noise(uint64_t *state, unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t x = *state;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		*state = x;
		for (size_t k = 0; k < 8 && i + k < len; k++)
			buf[i + k] = (unsigned char)(x >> (8 * k));
	}
}

static int fill(int fd, size_t size)
{
	unsigned char *buf = malloc(CHUNK);
	uint64_t state = 0x9e3779b97f4a7c15u;
	size_t off = 0;

	if (!buf)
		return -1;
	while (off < size) {
		size_t len = size - off < CHUNK ? size - off : CHUNK;
		ssize_t n;

		noise(&state, buf, len);
		n = pwrite(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			free(buf);
			return -1;
		}
		off += (size_t)n;
	}
	free(buf);
	return ftruncate(fd, (off_t)size);	/* a longer one from before */
}

int pq_reserve_make(const char *path, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	struct stat st;
	int r, e;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && st.st_size == (off_t)size && (uint64_t)st.st_blocks * 512 >= size)
		r = 0;
	else
		r = fill(fd, size);
	e = errno;
	close(fd);
	if (r < 0)
		unlink(path);
	errno = e;
	return r;
}

int pq_reserve_free(const char *path)
{
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}
