/* The tree as a Graphviz graph, for an operator who would rather look at
 * the system than read it: supervisors as clusters labelled with their
 * strategy, actors as nodes, queues as cylinders, bindings as edges
 * labelled with the binding's name. LIVE adds each actor's state and
 * restarts and each supervisor's restarts in its window (`status --dot`);
 * without it the graph is the configuration's (`check --dot`). */
#ifndef PROSPERO_CLI_DOT_H
#define PROSPERO_CLI_DOT_H

#include <stdbool.h>
#include <stdio.h>

#include "src/config/config.h"
#include "src/control/status.h"

void dot_write(FILE *out, const struct ctl_status *st, bool live);
/* CFG's tree and bindings as ST (nodes and edges malloc'd:
 * ctl_status_free). -1 ENOMEM. */
int dot_from_config(const struct cfg *cfg, struct ctl_status *st);

#endif
