/* An actor's stdout and stderr: one pipe per actor instance, kept for the
 * daemon's life so restarts cost no fds and nothing written just before a
 * crash is lost. Lines come out prefixed with the actor's name. */
#ifndef PROSPERO_DAEMON_OUTPUT_H
#define PROSPERO_DAEMON_OUTPUT_H

#include <stddef.h>

#define OUTPUT_MAX_LINE 4096	/* longer lines are cut into pieces this long */

struct output {
	int rfd, wfd;		/* wfd becomes the actor's 1 and 2 */
	const char *prefix;
	/* each complete line, without prefix, priority or newline (may be NULL) */
	void (*on_line)(void *arg, const char *a, size_t na, const char *b, size_t nb);
	void *line_arg;
	char *partial;		/* an unfinished line, allocated only while there is one */
	size_t npartial;
};

int output_open(struct output *o, const char *prefix);
void output_close(struct output *o);

/* Read everything available and write complete lines to out_fd.
 * Returns 0, or -1 with errno when reading failed (not EAGAIN). */
int output_drain(struct output *o, int out_fd);
/* Write out an unfinished line (the actor died mid-line). */
void output_flush(struct output *o, int out_fd);

#endif
