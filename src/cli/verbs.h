/* The operator's verbs (status, restart, stop, start, kill, events,
 * logs): the command line, then a request on the control socket. */
#ifndef PROSPERO_CLI_VERBS_H
#define PROSPERO_CLI_VERBS_H

#include <stdbool.h>

/* Whether CMD is one of them. */
bool cli_is_verb(const char *cmd);
/* Run `prospero CMD ...` (argv[1] is the verb); the exit status. */
int cli_verb_main(int argc, char **argv);

#endif
