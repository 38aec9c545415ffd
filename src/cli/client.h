/* The CLI's side of the control socket: connect, send one request, read
 * answer lines. Blocking: a command waits for its daemon. */
#ifndef PROSPERO_CLI_CLIENT_H
#define PROSPERO_CLI_CLIENT_H

#include <stddef.h>
#include <sys/types.h>

#include "src/control/protocol.h"

struct ctl_conn {
	int fd;
	char *buf;		/* what was read and not yet taken */
	size_t len, cap;
	size_t taken;		/* the last line returned, to drop at the next read */
};

/* Connect to RUNDIR/control and send R. -1 with errno. A daemon that
 * hung up before R was sent is no failure: what it said first (its
 * refusal) is the answer to read, or there is none. */
int ctl_conn_open(struct ctl_conn *c, const char *rundir, const struct ctl_request *r);
/* The next answer line (without its newline, NUL-terminated) in *LINE,
 * valid until the next call; its length; 0 at end of stream; -1 errno. */
ssize_t ctl_conn_line(struct ctl_conn *c, char **line);
void ctl_conn_close(struct ctl_conn *c);

#endif
