/* Whether another user could put something else at a path the daemon
 * hands out by name (the runtime and state directories: the commands and
 * the actors go by the path, not by the daemon's fd), or opens by name
 * again and again (--secrets-dir, at each start). */
#ifndef PROSPERO_SANDBOX_DAEMON_REPLACEABLE_H
#define PROSPERO_SANDBOX_DAEMON_REPLACEABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* The first directory above PATH (absolute) through which another user
 * could: one that is neither root's nor the caller's, one others may write
 * that is not sticky (in a sticky one only its owner, root or the caller,
 * may move what the caller made), or a symbolic link on the way that is
 * neither's (its owner may point it elsewhere). Its path into WHERE (LEN
 * bytes) and what stat said of it into *ST; false if none is. A missing
 * one ends the look: whoever makes it says why it cannot be made. */
bool sb_path_replaceable(const char *path, char *where, size_t len, struct stat *st);

#endif
