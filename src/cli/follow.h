/* The streaming verbs' output: events (the past from the events file,
 * then live) and logs (the kept lines, then live). */
#ifndef PROSPERO_CLI_FOLLOW_H
#define PROSPERO_CLI_FOLLOW_H

#include <stdbool.h>
#include <sys/types.h>

#include "src/cli/client.h"

/* HEAD is the events answer; NAME "" for all. Exit status. */
int follow_events(struct ctl_conn *c, const char *head, ssize_t len, const char *name, bool follow);
/* HEAD is the logs answer. Exit status. */
int follow_logs(struct ctl_conn *c, const char *head, ssize_t len, bool follow);

#endif
