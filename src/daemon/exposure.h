/* What would expose actors to each other or to the daemon, said once at
 * start (and by `check`) rather than left for an operator to find:
 * a .dev.vars others can read, a daemon without root. */
#ifndef PROSPERO_DAEMON_EXPOSURE_H
#define PROSPERO_DAEMON_EXPOSURE_H

#include <stdbool.h>
#include <stddef.h>

#include "src/config/config.h"

/* PATH: the .dev.vars beside CFG's root config. -1 (ENAMETOOLONG). */
int exposure_dev_vars_path(const struct cfg *cfg, char *path, size_t len);

/* The .dev.vars beside CFG's root config, when its group or others may
 * read it (every actor may, then: each one's default cwd is that
 * directory). CHECK (`prospero check`, or a daemon without root): a
 * warning. A root daemon: a file of root's is made 0600, with a warning
 * (git checks files out 0644); another user's is refused: -1. */
int exposure_dev_vars(const struct cfg *cfg, bool check);
/* The same for the .dev.vars at PATH, a refusal said in MSG (with errno
 * EPERM) rather than logged: before each start that reads it. */
int exposure_dev_vars_file(const char *path, bool check, char *msg, size_t len);

/* A daemon without root, or root without CAP_SETPCAP: its actors share
 * its uid. Said once. */
void exposure_uid(void);

#endif
