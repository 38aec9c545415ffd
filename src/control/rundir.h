/* Where the daemon's runtime directory is (its notify and control
 * sockets): one answer for `run` and for the verbs that find the daemon. */
#ifndef PROSPERO_CONTROL_RUNDIR_H
#define PROSPERO_CONTROL_RUNDIR_H

#include <stddef.h>

/* OPT (--runtime-dir), else $RUNTIME_DIRECTORY (systemd's
 * RuntimeDirectory=), else the default: /run/prospero as root,
 * $XDG_RUNTIME_DIR/prospero otherwise. 1 when given (OPT or the
 * environment), 0 for the default, -1 with errno: ENAMETOOLONG, or ENOENT
 * when there is no default (not root, no $XDG_RUNTIME_DIR). */
int rundir_locate(const char *opt, char *buf, size_t len);

#endif
