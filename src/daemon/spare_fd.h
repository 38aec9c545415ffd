/* The daemon's spare fd: /dev/null, held to be closed for a moment when
 * the daemon is out of fds, so that what must not wait for a free one
 * still gets it: the EMFILE answer to a control connection, the reload
 * state file `prospero reload` waits on. Taken among the daemon's first
 * fds: the kernel gives the lowest free one, and only one below the soft
 * limit, which prlimit(1) may lower below the fds taken since. */
#ifndef PROSPERO_DAEMON_SPARE_FD_H
#define PROSPERO_DAEMON_SPARE_FD_H

#include <stdbool.h>

/* Open it if *SPARE (-1 when not held) is not: the fd it was closed
 * for is given back first, so it takes the lowest free one again. */
void spare_fd_take(int *spare);
/* Close it, to free an fd the caller takes at once: false, and still
 * held, when there is none or it is not below the soft limit (closing it
 * would free nothing the kernel may give). */
bool spare_fd_give_up(int *spare);
/* At exit. */
void spare_fd_close(int *spare);

#endif
