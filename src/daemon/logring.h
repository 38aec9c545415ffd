/* An actor's last lines of output, for `prospero logs`: a small ring of
 * whole lines, allocated on the first line so an actor that prints
 * nothing costs nothing, and bounded: the oldest lines make room (half
 * the ring at a time, so it keeps between half of it and all of it). */
#ifndef PROSPERO_DAEMON_LOGRING_H
#define PROSPERO_DAEMON_LOGRING_H

#include <stddef.h>

#define LOGRING_DEFAULT 8192	/* bytes an instance keeps (run --log-ring) */

struct logring {
	char *buf;		/* lines, each ending in '\n'; NULL until the first */
	size_t cap, len;
};

/* In front of the end kept of a line longer than the ring. */
#define LOGRING_CUT "[...]"
#define LOGRING_CUT_LEN (sizeof LOGRING_CUT - 1)

/* Append the line A then B (no newline) to R, whose size is CAP (0: keep
 * nothing). A line longer than the ring keeps its end, after LOGRING_CUT,
 * from a whole character and a whole escape on. -1 ENOMEM. */
int logring_add(struct logring *r, size_t cap, const char *a, size_t na, const char *b, size_t nb);
/* The last N lines (0: all), oldest first, to FN. */
void logring_tail(const struct logring *r, unsigned n,
		  void (*fn)(const char *line, size_t len, void *arg), void *arg);
void logring_free(struct logring *r);

#endif
