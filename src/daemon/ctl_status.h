/* The status answer from the running tree (supervisor/status.h) and what
 * the daemon knows of each instance: pid, STATUS= text, and its uid,
 * memory and CPU time from /proc. */
#ifndef PROSPERO_DAEMON_CTL_STATUS_H
#define PROSPERO_DAEMON_CTL_STATUS_H

struct daemon;
struct sv_node;

/* The answer line for FROM and below (NULL: the whole tree): malloc'd,
 * NULL on ENOMEM. */
char *ctl_status_answer(struct daemon *d, const struct sv_node *from);

#endif
