/* Reading a whole file whose size is not known in advance (a /proc file
 * says 0, a state file grows with its plan). */
#ifndef PROSPERO_SANDBOX_DAEMON_READALL_H
#define PROSPERO_SANDBOX_DAEMON_READALL_H

/* All that is left to read from FD, NUL-terminated, malloc'ed; NULL with
 * errno. FD stays open. */
char *sb_read_all(int fd);

#endif
