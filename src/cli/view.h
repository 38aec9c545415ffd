/* How the CLI shows answers to a person: the status tree indented, and
 * the exit status `prospero status` gives for it. */
#ifndef PROSPERO_CLI_VIEW_H
#define PROSPERO_CLI_VIEW_H

#include <stdio.h>

#include "src/control/status.h"

/* 0 when every node that should run is up (ready), else 3, as
 * `systemctl status` says a unit is not active. */
int view_status_exit(const struct ctl_status *st);
/* The tree, one line a node, indented by depth. */
void view_status(FILE *out, const struct ctl_status *st);

#endif
