/* Actors whose seccomp policies come from the same inputs: the profile,
 * on_violation, "allow" and "deny" as written, and whether the actor
 * keeps state (cfg_actor_policy). Resolving a policy and compiling its
 * filter cost tens of microseconds each; a tree of thousands of actors
 * mostly repeats a few sandbox blocks, so each is resolved, and each
 * filter built, once. Lists in another order are other inputs: they
 * resolve apart, to the same result. */
#ifndef PROSPERO_CONFIG_POLICY_MEMO_H
#define PROSPERO_CONFIG_POLICY_MEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "src/config/config.h"

/* A set of actors, one for each distinct (inputs, TAG); TAG is the
 * caller's own part of the key (0 if none). The actors are borrowed. */
struct cfg_policy_memo {
	struct memo_slot {
		const struct cfg_actor *a;
		unsigned tag;
	} *slot;
	size_t cap, n;
};

/* The actor already in M with A's inputs and TAG, or NULL. */
const struct cfg_actor *cfg_policy_memo_find(const struct cfg_policy_memo *m, const struct cfg_actor *a,
					     unsigned tag);
/* A, as the one with its inputs and TAG: 0, or -1 with errno ENOMEM (M
 * as it was: a miss costs only time). */
int cfg_policy_memo_add(struct cfg_policy_memo *m, const struct cfg_actor *a, unsigned tag);
void cfg_policy_memo_free(struct cfg_policy_memo *m);

#endif
