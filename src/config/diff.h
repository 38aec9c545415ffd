/* What changed in an actor's spec between two loads of the config, field
 * by field, for live reload (README "Reload"). Pure: it compares values,
 * never positions or ids, so the same file read twice is no change. */
#ifndef PROSPERO_CONFIG_DIFF_H
#define PROSPERO_CONFIG_DIFF_H

#include <stdint.h>

#include "src/config/config.h"

enum cfg_field {
	CFG_F_EXEC = 1u << 0,		/* argv, resolved path; a queue's program only */
	CFG_F_ENV = 1u << 1,
	CFG_F_CWD = 1u << 2,
	CFG_F_RESTART = 1u << 3,
	CFG_F_SHUTDOWN = 1u << 4,
	CFG_F_READY = 1u << 5,
	CFG_F_START_TIMEOUT = 1u << 6,
	CFG_F_INSTANCES = 1u << 7,
	CFG_F_SANDBOX = 1u << 8,	/* profile, allow, deny, on_violation */
	CFG_F_LIMITS = 1u << 9,		/* rlimits; the cgroup's memory, tasks, cpu_weight */
	CFG_F_NAMESPACES = 1u << 10,	/* private_tmp, private_network, private_ipc, read_only */
	CFG_F_USER = 1u << 11,		/* user, uid, gid, groups */
	CFG_F_CAPABILITIES = 1u << 12,
	CFG_F_SECRETS = 1u << 13,	/* names and secrets_env; values are read at each start */
	CFG_F_BINDINGS = 1u << 14,	/* names and services, in order */
	CFG_F_WATCHDOG = 1u << 15,
	CFG_F_STATE = 1u << 16,
	CFG_F_QUEUE = 1u << 17,		/* settings, consumer, dead-letter queue */
	CFG_F_BACKOFF = 1u << 18,	/* initial, max, reset_after */
};

/* Fields the supervision tree applies in place (sv_reload_plan sees them
 * as settings); a pool's size changes by adding or removing members. Any
 * other field changes what a start does: only a restart applies it. */
#define CFG_F_IN_PLACE ((uint32_t)(CFG_F_RESTART | CFG_F_SHUTDOWN | CFG_F_READY | \
				    CFG_F_START_TIMEOUT | CFG_F_BACKOFF | CFG_F_INSTANCES))

/* The fields of A and B that differ (enum cfg_field bits); 0: the same spec. */
uint32_t cfg_actor_diff(const struct cfg_actor *a, const struct cfg_actor *b);
/* The name of the lowest bit of FIELD ("env"), for messages and events. */
const char *cfg_field_name(uint32_t field);

#endif
