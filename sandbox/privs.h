/* Who an actor runs as and what privileges it may hold: ids, supplementary
 * groups, capabilities, no_new_privs. The daemon turns names into a plain
 * plan (libcap, passwd, /proc); the vfork child applies the plan with system
 * calls alone (see confine.h). */
#ifndef PROSPERO_PRIVS_H
#define PROSPERO_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
};

/* Daemon side. Capability names ("CAP_NET_BIND_SERVICE" or
 * "net_bind_service", any case) to a bit set. An unknown name, or one this
 * kernel does not have, gives -1 with errno EINVAL and errmsg naming it. */
int sb_caps_parse(const char *const *names, size_t n, uint64_t *bits,
		  char *errmsg, size_t errlen);

/* Daemon side: the highest capability number the running kernel knows,
 * from /proc/sys/kernel/cap_last_cap (libcap's probe as a fallback).
 * -1 with errno on failure. */
int sb_privs_last_cap(void);

/* Daemon side: a "user" from the config. uid, primary gid, and the
 * supplementary groups (initgroups(3)'s list) in *groups, malloc'ed, to be
 * freed by the caller. -1 with errno (ENOENT for no such user) and errmsg
 * naming the user. */
int sb_user_lookup(const char *name, uid_t *uid, gid_t *gid, gid_t **groups,
		   size_t *ngroups, char *errmsg, size_t errlen);

/* Child side, system calls only. Applies the plan:
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
