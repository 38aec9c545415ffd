/* Identity and capabilities, applied with raw system calls: libcap
 * allocates, and glibc's set*id wrappers broadcast to every thread of what
 * they believe is their process, which on a CLONE_VM child is the
 * daemon's. */

#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/child/privs.h"

CHILD_SIDE static bool kept(const struct sb_privs *p, int cap)
{
	return (p->keep_caps >> cap) & 1;
}

CHILD_SIDE static int raw_capset(uint64_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[2];

	for (int i = 0; i < 2; i++) {
		uint32_t w = (uint32_t)(caps >> (32 * i));
		data[i].effective = w;
		data[i].permitted = w;
		data[i].inheritable = w;
	}
	return (int)syscall(SYS_capset, &hdr, data);
}

/* (uid_t)-1 would mean "leave unchanged" to setresuid: still root. */
CHILD_SIDE static bool plan_valid(const struct sb_privs *p)
{
	return p->last_cap >= 0 && p->last_cap < SB_CAPS_MAX &&
	       !(p->last_cap < SB_CAPS_MAX - 1 && (p->keep_caps >> (p->last_cap + 1))) &&
	       !(p->change_ids && (p->uid == (uid_t)-1 || p->gid == (gid_t)-1 ||
				   p->ngroups > NGROUPS_MAX || (p->ngroups && !p->groups)));
}

CHILD_SIDE int sb_privs_apply(const struct sb_privs *p, const char **step_name)
{
	int cap;

	*step_name = "check privilege plan";
	if (!plan_valid(p)) {
		errno = EINVAL;
		return -1;
	}

	/* First, while we still hold CAP_SETPCAP: it is gone from the
	 * effective set once the uid changes. The bounding set is what caps a
	 * root actor (or a setuid binary) at exec: nothing outside the plan
	 * may ever come back. */
	*step_name = "prctl(PR_CAPBSET_DROP)";
	for (cap = 0; cap <= p->last_cap; cap++) {
		if (kept(p, cap))
			continue;
		int in = p->bounding_known ? (int)((p->bounding >> cap) & 1) : prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (in < 0)
			return -1;
		if (in && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return -1;
	}

	/* Keep the permitted set across setresuid so the capset below can
	 * hand the kept caps to a non-root uid; exec clears the flag again. */
	*step_name = "prctl(PR_SET_KEEPCAPS)";
	if (p->keep_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return -1;

	if (p->change_ids) {
		/* the daemon's supplementary groups are not the actor's */
		*step_name = "setgroups";
		if (syscall(SYS_setgroups, p->ngroups, p->groups) < 0)
			return -1;
		/* gid first: changing it needs the CAP_SETGID the uid change ends */
		*step_name = "setresgid";
		if (syscall(SYS_setresgid, p->gid, p->gid, p->gid) < 0)
			return -1;
		/* all three ids, so the actor cannot switch back to root */
		*step_name = "setresuid";
		if (syscall(SYS_setresuid, p->uid, p->uid, p->uid) < 0)
			return -1;
	}

	/* ambient caps inherited from the daemon are not the actor's (capset
	 * would lower them with inheritable; do not lean on that rule) */
	*step_name = "prctl(PR_CAP_AMBIENT_CLEAR_ALL)";
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -1;

	/* Exactly the plan: everything else leaves permitted and effective
	 * for good. Inheritable holds the kept ones because ambient requires
	 * them there. */
	*step_name = "capset";
	if (raw_capset(p->keep_caps) < 0)
		return -1;

	/* A non-root uid gets no caps from exec of an ordinary file except
	 * the ambient ones. */
	*step_name = "prctl(PR_CAP_AMBIENT_RAISE)";
	for (cap = 0; cap <= p->last_cap; cap++)
		if (kept(p, cap) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return -1;

	/* Last, and for every actor: no setuid, setgid or file-capability
	 * binary raises what is left, and seccomp can load without
	 * CAP_SYS_ADMIN. Ambient caps still pass exec under it. */
	*step_name = "prctl(PR_SET_NO_NEW_PRIVS)";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;

	*step_name = NULL;
	return 0;
}
