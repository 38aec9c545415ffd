/* Who an actor runs as and what privileges it may hold, daemon side:
 * capability and user names become a plain plan (libcap, passwd, /proc)
 * that the child applies (sandbox/child/privs.h). */
#ifndef PROSPERO_SANDBOX_DAEMON_PRIVS_H
#define PROSPERO_SANDBOX_DAEMON_PRIVS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/capability.h>
#include <sys/types.h>

#include "sandbox/child/privs.h"

/* Capability names ("CAP_NET_BIND_SERVICE" or "net_bind_service", any
 * case) to a bit set. An unknown name, or one this kernel does not have,
 * gives -1 with errno EINVAL and errmsg naming it. */
int sb_caps_parse(const char *const *names, size_t n, uint64_t *bits,
		  char *errmsg, size_t errlen);

/* The highest capability number the running kernel knows, from
 * /proc/sys/kernel/cap_last_cap (libcap's probe as a fallback). -1 with
 * errno on failure. */
int sb_privs_last_cap(void);

/* This process's bounding set, capabilities 0..LAST_CAP: what every child
 * it clones starts with, so the child need not read it cap by cap. */
uint64_t sb_privs_bounding(int last_cap);

/* The capabilities 0..LAST_CAP this process holds in FLAG's set. */
uint64_t sb_privs_held(cap_flag_t flag, int last_cap);

/* What this process may let a child keep: permitted, and bounded or
 * already inheritable (a child's capset takes into inheritable only what
 * is in one of the two, and ambient needs inheritable). */
uint64_t sb_privs_givable(int last_cap);

/* Narrow this process's bounding set to KEEP, so that the children it
 * clones have nothing, or little, left to drop: each drop commits new
 * credentials, and a root shell's full set costs every start 41 of them.
 * What it may give stays givable (sb_privs_givable): the inheritable set
 * takes it first. Needs CAP_SETPCAP. *BOUNDING is the set before, and
 * after the set as it is now, dropped or not; -1 with errno if any step
 * failed. */
int sb_privs_narrow_bounding(int last_cap, uint64_t keep, uint64_t *bounding);

/* A "user" from the config. uid, primary gid, and the supplementary groups
 * (initgroups(3)'s list) in *groups, malloc'ed, to be freed by the caller.
 * -1 with errno (ENOENT for no such user) and errmsg naming the user. */
int sb_user_lookup(const char *name, uid_t *uid, gid_t *gid, gid_t **groups,
		   size_t *ngroups, char *errmsg, size_t errlen);

#endif
