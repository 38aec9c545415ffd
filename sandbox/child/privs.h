/* Who an actor runs as and what privileges it may hold, child side: the
 * plan the daemon made from names (sandbox/daemon/privs.h), applied with
 * system calls alone. */
#ifndef PROSPERO_SANDBOX_CHILD_PRIVS_H
#define PROSPERO_SANDBOX_CHILD_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The v3 capability ABI carries two 32-bit words: 64 capabilities at most. */
#define SB_CAPS_MAX 64

struct sb_privs {
	bool change_ids;	/* setgroups + setresgid + setresuid when set */
	uid_t uid;
	gid_t gid;
	const gid_t *groups;	/* supplementary groups with change_ids: a named
				 * user's (sb_user_lookup); none for a dynamic uid */
	size_t ngroups;
	uint64_t keep_caps;	/* bit i: capability i kept (permitted, effective,
				 * inheritable, ambient, bounding); 0 = none */
	int last_cap;		/* highest valid cap on this kernel: sb_privs_last_cap() */
	uint64_t bounding;	/* with bounding_known, the bounding set the
				 * child starts with, the daemon's */
	bool bounding_known;	/* false: read it there, a call per capability */
};

/* Applies the plan:
 *   bounding set reduced to keep_caps,
 *   PR_SET_KEEPCAPS (only when keep_caps), setgroups(groups), setresgid,
 *   setresuid (only when change_ids), ambient cleared, capset to exactly
 *   keep_caps, kept caps raised into ambient so they survive exec for a
 *   non-root uid, and last PR_SET_NO_NEW_PRIVS, always.
 * Without change_ids and with keep_caps == 0 a root actor still loses every
 * capability. Returns 0, or -1 with errno and *step_name a static string
 * naming the failed call. Reducing the bounding set needs CAP_SETPCAP: a
 * daemon without it can only apply a plan whose caps are already gone. */
int sb_privs_apply(const struct sb_privs *p, const char **step_name);

#endif
