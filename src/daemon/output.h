/* An actor's stdout and stderr: one pipe per actor instance, kept for the
 * daemon's life so restarts cost no fds and nothing written just before a
 * crash is lost. Lines come out prefixed with the actor's name. */
#ifndef PROSPERO_DAEMON_OUTPUT_H
#define PROSPERO_DAEMON_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "src/daemon/outq.h"

#define OUTPUT_MAX_LINE 4096	/* longer lines are cut into pieces at most this long */
#define OUTPUT_MAX_PREFIX 128	/* of the name in front: longer ones are cut */
#define OUTPUT_READS 4		/* reads of 64 KiB at most per drain */

struct output {
	int rfd, wfd;		/* wfd becomes the actor's 1 and 2 */
	struct outq_src src;	/* the prefix, and lines lost while stdout was stalled */
	/* each complete line as it went to stdout, escaped, without prefix,
	 * priority or newline (may be NULL) */
	void (*on_line)(void *arg, const char *text, size_t n);
	void *line_arg;
	char *partial;		/* an unfinished line, allocated only while there is one */
	size_t npartial;
	bool cut;		/* the last line out was cut short, not ended by a newline */
	bool midline;		/* the next piece goes on a line cut short: no priority */
};

int output_open(struct output *o, const char *prefix);
void output_close(struct output *o);

/* Read what is available (up to OUTPUT_READS reads) and queue complete
 * lines on Q, control characters but tab escaped (\x1b, \r, \0). 0; 1
 * when Q is full and reading stopped (outq_wait the pipe's watcher); -1
 * with errno when reading failed (not EAGAIN). */
int output_drain(struct output *o, struct outq *q);
/* What output_drain does with the N bytes of each read: complete lines
 * (and pieces of at most OUTPUT_MAX_LINE bytes of longer ones, never cut
 * inside a UTF-8 character) to Q, the rest kept for the next call. The lines come out the same however the bytes
 * are divided among calls. */
void output_split(struct output *o, struct outq *q, const char *p, size_t n);
/* SRC (N bytes) into DST with control characters but tab escaped as
 * journald and systemd do: \r, \0, \xNN. Stops before an escape that
 * would not fit CAP with the NUL it always writes; the length written. */
size_t output_escape(char *dst, size_t cap, const char *src, size_t n);
/* Queue an unfinished line (the actor died mid-line). */
void output_flush(struct output *o, struct outq *q);

#endif
