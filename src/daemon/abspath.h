/* The paths the command line gives (prospero(1): a relative one is taken
 * from the current directory), made absolute at once: the daemon hands
 * them to actors, whose cwd is elsewhere, and to other commands, whose
 * cwd may be. Only joined to the cwd, never resolved: a symlink on the
 * way is met later by the code that opens it, as it would have been. */
#ifndef PROSPERO_DAEMON_ABSPATH_H
#define PROSPERO_DAEMON_ABSPATH_H

#include <stdbool.h>
#include <stddef.h>

/* PATH (below CWD when relative), cleaned as path_clean cleans, into
 * BUF; empty stays empty. -1 with errno ENAMETOOLONG when LEN is too short. */
int abspath_join(const char *cwd, const char *path, char *buf, size_t len);
/* The same against the process's cwd; -1 with getcwd's errno too. */
int abspath(const char *path, char *buf, size_t len);
/* The first path of LIST, a systemd directory list ($RUNTIME_DIRECTORY,
 * $STATE_DIRECTORY: several are joined with ':'), as abspath makes it. */
int abspath_first(const char *list, char *buf, size_t len);
/* Unlike those, where PATH (absolute) really is, into REAL (PATH_MAX
 * bytes): its links resolved as far as it exists, then the rest's "." and
 * ".." by their text (what is not made yet holds no link). The daemon's
 * paths keep their "..", so /var/lib/../../tmp/x is written outside /tmp
 * and is in it. False when a part that exists cannot be resolved. */
bool abspath_real(const char *path, char *real);

#endif
