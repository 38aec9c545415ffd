/* A test-only LD_PRELOAD shim (built for `make check`, never installed):
 * it moves a process's wall clock without touching the machine's, so a
 * test can step it back and forth while the process runs, as NTP, a VM
 * resumed from a snapshot or an operator's `date -s` does.
 *
 * $CLOCKSHIFT_FILE names a file whose first 8 bytes are a signed
 * milliseconds offset (host order); CLOCK_REALTIME and its variants,
 * gettimeofday and time read the real clock plus that offset. The file
 * is mapped once, shared, so the test's pwrite of those 8 bytes takes
 * effect at the next reading, with no system call per reading. Without
 * the variable or the file the clocks are left as they are.
 * CLOCK_MONOTONIC and CLOCK_BOOTTIME are never moved: a step of the
 * wall clock does not move them either. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile const int64_t *shift;	/* NULL: no shift */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void map_shift(void)
{
	const char *path = getenv("CLOCKSHIFT_FILE");
	void *m;
	int fd;

	if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	m = mmap(NULL, sizeof *shift, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m != MAP_FAILED)
		shift = m;
}

static int64_t shift_ms(void)
{
	pthread_once(&once, map_shift);
	return shift ? __atomic_load_n(shift, __ATOMIC_RELAXED) : 0;
}

static int real_clock_gettime(clockid_t clk, struct timespec *ts)
{
	/* the system call itself, slower than the vDSO but with no lookup of
	 * libc's symbol, which may allocate before malloc is ready */
	return (int)syscall(SYS_clock_gettime, clk, ts);
}

static void add_ms(struct timespec *ts, int64_t ms)
{
	int64_t ns = (int64_t)ts->tv_nsec + (ms % 1000) * 1000000;

	ts->tv_sec += (time_t)(ms / 1000);
	if (ns < 0) {
		ns += 1000000000;
		ts->tv_sec--;
	} else if (ns >= 1000000000) {
		ns -= 1000000000;
		ts->tv_sec++;
	}
	ts->tv_nsec = (long)ns;
}

static int wall(clockid_t clk)
{
	return clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE || clk == CLOCK_TAI;
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	int r = real_clock_gettime(clk, ts);

	if (r == 0 && wall(clk))
		add_ms(ts, shift_ms());
	return r;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	(void)tz;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	tv->tv_sec = ts.tv_sec;	/* declared nonnull */
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

time_t time(time_t *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}
