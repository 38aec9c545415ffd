/* The process layer: runs a configured tree on a libev loop. It carries out
 * the tree's actions (spawn, signal, timers, reports) and feeds back what
 * the system says (exits, readiness, timers, shutdown requests). */
#ifndef PROSPERO_DAEMON_H
#define PROSPERO_DAEMON_H

#include <stdint.h>
#include <sys/types.h>

#include "src/config/config.h"
#include "src/daemon/containment.h"
#include "supervisor/tree.h"

struct fault_plan;

struct daemon_opts {
	const char *events_path;	/* --events FILE, or NULL */
	const char *runtime_dir;	/* --runtime-dir DIR, or NULL for the default (rundir.h) */
	enum containment_want containment;	/* --containment, $PROSPERO_CONTAINMENT */
	const char *containment_from;	/* which of the two said it, for messages; NULL: neither */
	const char *secrets_dir;	/* --secrets-dir DIR, or NULL */
	const char *state_dir;		/* --state-dir DIR, or NULL: state.h says where */
	uid_t uid_first, uid_last;	/* --uid-range; 0: systemd's DynamicUser range */
	size_t log_ring;		/* --log-ring BYTES; 0: LOGRING_DEFAULT */
	const struct fault_plan *faults;	/* --faults FILE, checked against the tree, or NULL */
	uint64_t seed;			/* the run's seed (fault_plan_seed), with FAULTS */
};

/* Run until the root is down: 0 with *END saying why (SV_DO_TREE_DOWN in
 * supervisor/tree.h: SV_EXIT_SHUTDOWN, SV_EXIT_GAVE_UP or
 * SV_EXIT_START_FAILED), or -1 when the daemon could not start (said on
 * stderr already). */
int daemon_run(const struct cfg *cfg, const struct daemon_opts *opts, struct sv_exit *end);

#endif
