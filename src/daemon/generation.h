/* A generation: one load of the config and what the daemon derives from
 * it once per actor spec (its seccomp filter). Every instance holds a
 * reference to the generation it was made from, so a reload can replace
 * the daemon's config while instances it keeps running still point at
 * their spec: the old generation goes with the last of them. */
#ifndef PROSPERO_DAEMON_GENERATION_H
#define PROSPERO_DAEMON_GENERATION_H

#include <stdbool.h>
#include <stddef.h>

#include "sandbox/seccomp/filter.h"
#include "src/config/config.h"
#include "src/config/policy_memo.h"

struct fault_plan;

struct generation {
	const struct cfg *cfg;
	bool owns_cfg;			/* a reload's own load; the first is the caller's */
	const struct fault_plan *faults;	/* run --faults: its calls go to the listener */
	unsigned refs;
	struct sb_filter *filters;	/* by actor id, built at first use */
	enum { FILTER_NONE, FILTER_OWN, FILTER_SHARED } *built;	/* SHARED: another's insns */
	struct cfg_policy_memo policies;	/* by the fd its guard starts at */
	size_t *nserved;		/* by actor id: edges it serves (its fds' count) */
};

/* One reference, held by the caller; FAULTS (or NULL) outlives it. NULL
 * with errno ENOMEM. */
struct generation *generation_new(const struct cfg *cfg, bool owns_cfg, const struct fault_plan *faults);
struct generation *generation_ref(struct generation *g);
/* NULL is accepted; the last reference frees it (and the cfg it owns). */
void generation_unref(struct generation *g);

/* A's filter (A in G's cfg), compiled the first time it is asked for:
 * at set-up or reload, never on the restart path. NULL for profile
 * "none" (*OK true), or on error (*OK false, errno, MSG says why). */
const struct sb_filter *generation_filter(struct generation *g, const struct cfg_actor *a,
					  bool *ok, char *msg, size_t len);

#endif
