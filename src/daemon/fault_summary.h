/* What a run under a fault plan did, said when it stops (and available
 * to a status reader while it runs): faults injected by kind and target,
 * the restarts and give-ups that followed them, and for each interposed
 * edge the messages it relayed, delayed, dropped and duplicated. */
#ifndef PROSPERO_DAEMON_FAULT_SUMMARY_H
#define PROSPERO_DAEMON_FAULT_SUMMARY_H

#include <stddef.h>

struct daemon;

/* The summary into BUF, one line per target or edge, each ending in a
 * newline (always terminated, cut to LEN); the length it wanted, as
 * snprintf. Nothing without a plan. */
int fault_summary_text(const struct daemon *d, char *buf, size_t len);

/* The same on stderr, a log line each, when the run stops. */
void fault_summary_print(const struct daemon *d);

#endif
