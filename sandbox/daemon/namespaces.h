/* Optional namespaces for an actor, daemon side: the paths the config
 * names are checked here, so a mistake shows in `prospero check`; the
 * child applies them (sandbox/child/namespaces.h). */
#ifndef PROSPERO_SANDBOX_DAEMON_NAMESPACES_H
#define PROSPERO_SANDBOX_DAEMON_NAMESPACES_H

#include <stdbool.h>
#include <stddef.h>

#include "sandbox/child/namespaces.h"

/* Each read_only path is absolute, has no "." or ".." component, exists,
 * and is not hidden by private_tmp. -1 with errno and errmsg naming the
 * path otherwise. */
int sb_ns_check(const struct sb_ns *ns, char *errmsg, size_t errlen);

/* Is PATH (NULL: no) at or below DIR, both absolute without "." or ".."? */
bool sb_path_below(const char *path, const char *dir);
/* Which of /tmp and /var/tmp, both of which "private_tmp" replaces,
 * PATH is in ("/tmp" or "/var/tmp"), or NULL: what to name when it would
 * be hidden. */
const char *sb_ns_tmp_of(const char *path);
/* Is PATH in /tmp or /var/tmp? */
bool sb_ns_in_tmp(const char *path);

#endif
