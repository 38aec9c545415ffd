/* Binding the daemon's Unix sockets (notify, control) in its runtime
 * directory without looking the directory's path up again: bind(2) has no
 * *at form, so the socket is named through /proc/self/fd/DIRFD, and a
 * symbolic link planted on the way is never followed. */
#ifndef PROSPERO_DAEMON_SOCKBIND_H
#define PROSPERO_DAEMON_SOCKBIND_H

#include <sys/types.h>

/* SOCK bound at NAME in directory DIRFD, the file made with MODE from the
 * start (no window with another); what NAME was (a dead predecessor's
 * socket) is removed first. -1 with errno. */
int sock_bind_at(int sock, int dirfd, const char *name, mode_t mode);

#endif
