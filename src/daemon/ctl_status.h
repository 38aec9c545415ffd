/* The status answer from the running tree (supervisor/status.h) and what
 * the daemon knows of each instance: pid, STATUS= text, and its uid,
 * memory and CPU time from /proc. */
#ifndef PROSPERO_DAEMON_CTL_STATUS_H
#define PROSPERO_DAEMON_CTL_STATUS_H

#include "src/config/config.h"
#include "src/control/status.h"

struct daemon;
struct sv_node;

/* CFG's bindings between actors in the tree, as ST's edges (malloc'd).
 * -1 ENOMEM. */
int ctl_status_edges(const struct cfg *cfg, struct ctl_status *st);

/* The answer line for each of the NFROM nodes FROM and what is below
 * them (none: the whole tree): malloc'd, NULL on ENOMEM. */
char *ctl_status_answer(struct daemon *d, struct sv_node *const *from, size_t nfrom);

#endif
