/* `check --explain ACTOR`: what confines the actor (user, capabilities,
 * limits, containment, namespaces, secrets, state) and every system call
 * its seccomp profile allows, as `run` would apply them on this host. */
#ifndef PROSPERO_CLI_EXPLAIN_H
#define PROSPERO_CLI_EXPLAIN_H

#include "src/config/config.h"
#include "src/daemon/daemon.h"

/* Printed on stdout; 0, or 1 with the reason on stderr (no such actor,
 * a policy that cannot be built). */
int cli_explain(const struct cfg *cfg, const struct daemon_opts *opts, const char *name);

#endif
