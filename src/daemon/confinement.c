/* Confinement, the daemon's side; see confinement.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <sys/capability.h>

#include "sandbox/containment/uidkill.h"
#include "sandbox/daemon/namespaces.h"
#include "sandbox/daemon/privs.h"
#include "sandbox/seccomp/handoff.h"
#include "src/daemon/abspath.h"
#include "src/daemon/confinement.h"
#include "src/daemon/context.h"
#include "src/daemon/daemon.h"
#include "src/daemon/generation.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/proto/fds.h"

void confinement_init(struct confinement *c)
{
	c->handoff[0] = c->handoff[1] = -1;
	c->uids_in_use.registry = -1;	/* until the snapshot opens it */
}

static bool have_effective(cap_value_t cap)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (caps) {
		cap_get_flag(caps, cap, CAP_EFFECTIVE, &v);
		cap_free(caps);
	}
	return v == CAP_SET;
}

bool confinement_privileged(void)
{
	return have_effective(CAP_SETPCAP);
}

bool confinement_dynamic_uids(void)
{
	return geteuid() == 0 && confinement_privileged();
}

bool confinement_may_raise_limits(void)
{
	return have_effective(CAP_SYS_RESOURCE);
}

bool confinement_may_unshare(void)
{
	return have_effective(CAP_SYS_ADMIN);
}

bool confinement_may_private_ipc(void)
{
	return confinement_dynamic_uids() && confinement_may_unshare();
}

/* An id no process holds (a leftover of an earlier run must never meet
 * a new actor under its uid), then free by passwd, group, systemd and
 * the other daemons' claims. */
static int probe_unused(uid_t id, void *ctx)
{
	struct confinement *c = ctx;
	unsigned k = (unsigned)(id - c->uids.first);

	/* a process may have taken a uid since the last look: looked at
	 * again once a reload wants a new uid (a scan of every process) */
	if (c->uids_recheck) {
		if (sb_uid_alive_set(c->uids.first, c->uids.last, c->uids_alive) < 0)
			return -1;
		c->uids_recheck = false;
	}
	if (c->uids_alive[k / 8] & (1u << (k % 8)))
		return 1;
	return sb_uid_probe_snapshot(id, &c->uids_in_use);
}

/* As root, every instance its own uid from the range, checked against
 * the users and groups in use and against other daemons' claims. */
static int setup_uids(struct confinement *c, const struct daemon_opts *opts)
{
	if (sb_uidpool_init(&c->uids, opts->uid_first ? opts->uid_first : SB_UIDPOOL_FIRST,
			    opts->uid_last ? opts->uid_last : SB_UIDPOOL_LAST) < 0) {
		log_err("dynamic uid range: %s", strerror(errno));
		c->dynamic_uids = false;
		return -1;
	}
	if (sb_uid_snapshot_init(&c->uids_in_use, c->uids.first, c->uids.last) < 0) {
		log_err("cannot read the users and groups in use: %s", strerror(errno));
		return -1;
	}
	c->uids_in_use.registry = sb_uid_registry_open(SB_UID_REGISTRY);
	if (c->uids_in_use.registry < 0) {
		log_err("cannot open the dynamic uid registry %s: %s (it keeps two daemons "
			"from giving out one uid; /run must be writable by root)",
			SB_UID_REGISTRY, strerror(errno));
		return -1;
	}
	/* one pass over /proc, after the sweep of what a predecessor left */
	if (!(c->uids_alive = malloc(((size_t)(c->uids.last - c->uids.first) + 8) / 8)) ||
	    sb_uid_alive_set(c->uids.first, c->uids.last, c->uids_alive) < 0) {
		log_err("cannot see which uids processes hold: %s", strerror(errno));
		return -1;
	}
	sb_uidpool_set_probe(&c->uids, probe_unused, c);
	log_info("dynamic uids: %u-%u (daemons that do not share /run need disjoint --uid-range)",
		 (unsigned)c->uids.first, (unsigned)c->uids.last);
	return 0;
}

int confinement_setup(struct daemon *d, const struct daemon_opts *opts)
{
	struct confinement *c = &d->conf;

	/* no core dump and no ptrace of the daemon by its own uid: it holds
	 * every actor's secrets at one time or another */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		log_warn("cannot make the daemon non-dumpable: %s", strerror(errno));
	c->privileged = confinement_privileged();
	c->private_ipc = confinement_may_private_ipc();
	c->dynamic_uids = confinement_dynamic_uids();
	if (c->privileged && (c->last_cap = sb_privs_last_cap()) < 0) {
		log_err("cannot read the kernel's last capability: %s", strerror(errno));
		return -1;
	}
	if (c->privileged)
		c->bounding = sb_privs_bounding(c->last_cap);
	if (c->dynamic_uids && setup_uids(c, opts) < 0)
		return -1;
	if (sb_handoff_pair(c->handoff) < 0) {
		log_err("cannot create the seccomp handoff socket: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void confinement_narrow_bounding(struct daemon *d, const struct cfg *cfg)
{
	struct confinement *c = &d->conf;
	uint64_t keep = 0;

	if (!c->privileged)
		return;
	for (size_t i = 0; i < cfg->nactors; i++)
		keep |= cfg->actors[i]->keep_caps;
	if (sb_privs_narrow_bounding(c->last_cap, keep, &c->bounding) < 0)
		log_warn("cannot narrow the daemon's bounding set: %s (each actor start drops it whole)",
			 strerror(errno));
}

void confinement_uids_recheck(struct daemon *d)
{
	d->conf.uids_recheck = d->conf.uids_alive != NULL;
}

void confinement_teardown(struct daemon *d)
{
	struct confinement *c = &d->conf;

	for (int i = 0; i < 2; i++)
		if (c->handoff[i] >= 0)
			close(c->handoff[i]);
	if (c->dynamic_uids) {
		sb_uidpool_fini(&c->uids);
		if (c->uids_in_use.registry >= 0)
			close(c->uids_in_use.registry);	/* and with it every claim */
	}
	sb_uid_snapshot_fini(&c->uids_in_use);
	free(c->uids_alive);
	c->uids_alive = NULL;
}

/* Its own IPC namespace and /dev/shm: the shared memory it makes (SysV
 * or POSIX) dies with it, and no one else's is in reach. Both need
 * CAP_SYS_ADMIN: a root daemon without it (a container's) gives the
 * host's, as a daemon without root does, rather than fail every start
 * for a default. */
static void plan_shm(struct daemon *d, struct instance *in)
{
	const struct cfg_actor *a = in->spec;

	if (!d->conf.private_ipc || !a->private_ipc)
		return;
	in->ns.private_ipc = true;
	if (access("/dev/shm", F_OK) < 0)
		return;
	/* sized by the memory limit: it cannot hold more anyway */
	if (a->cg_limits.memory)
		snprintf(in->dev_shm, sizeof in->dev_shm, "mode=1777,size=%llu",
			 (unsigned long long)a->cg_limits.memory);
	else
		snprintf(in->dev_shm, sizeof in->dev_shm, "mode=1777");
	in->ns.dev_shm = in->dev_shm;
}

static const char *shm_of(const char *path)
{
	return sb_path_below(path, "/dev/shm") ? "/dev/shm" : NULL;
}

/* private_ipc is on by default: say how to turn it off */
static const char *or_not(const char *key)
{
	return strcmp(key, "private_ipc") == 0 ? ", or set \"private_ipc\": false" : "";
}

/* Which mount of MOUNT_OF's PATH is really below, NULL for none. As
 * written too, unless a ".." takes it out: a mount point may itself be a
 * link (/dev/shm to /run/shm), which the fresh mount follows. */
static const char *really_below(const char *(*mount_of)(const char *), const char *path)
{
	char real[PATH_MAX];
	const char *mount;

	if (!path)
		return NULL;
	if (abspath_real(path, real) && (mount = mount_of(real)))
		return mount;
	return strstr(path, "/../") || (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0)
		       ? NULL : mount_of(path);
}

/* The runtime directory (the notify socket, credentials) or the state
 * directory below a mount the actor gets afresh would be out of its
 * reach. MOUNT_OF says which such mount (of those KEY gives) a path is
 * below: the one to name, as /var/tmp is not /tmp. */
static bool hidden(const char *(*mount_of)(const char *), const char *key, const char *rundir,
		   const char *state_dir, char *msg, size_t len)
{
	const char *what = "runtime", *path = rundir, *mount = really_below(mount_of, rundir);

	if (!mount) {
		what = "state";
		path = state_dir;
		mount = really_below(mount_of, state_dir);
	}
	if (mount)
		snprintf(msg, len, "\"%s\" would hide the %s directory %s from it: pass --%s-dir outside %s%s",
			 key, what, path, what, mount, or_not(key));
	return mount != NULL;
}

const char *confinement_hides(const struct cfg_actor *a, bool private_ipc, const char *rundir,
			      const char *state_dir, char *msg, size_t len)
{
	if (a->private_tmp && hidden(sb_ns_tmp_of, "private_tmp", rundir, state_dir, msg, len))
		return "private_tmp";
	if (private_ipc && hidden(shm_of, "private_ipc", rundir, state_dir, msg, len))
		return "private_ipc";
	return NULL;
}

/* Namespaces, when the spec asks for any. */
static int plan_namespaces(struct daemon *d, struct instance *in, char *msg, size_t len)
{
	const struct cfg_actor *a = in->spec;
	char why[PATH_MAX + 128];

	plan_shm(d, in);
	if (confinement_hides(a, in->ns.dev_shm != NULL, d->rundir.path, in->state_dir, why, sizeof why)) {
		snprintf(msg, len, "%s: %s", in->name, why);
		errno = EINVAL;
		return -1;
	}
	if (in->ns.private_ipc)
		in->confine.ns = &in->ns;
	if (!a->private_tmp && !a->private_network && !a->nread_only)
		return 0;
	in->ns.private_tmp = a->private_tmp;
	in->ns.private_network = a->private_network;
	in->ns.read_only = (const char *const *)a->read_only;
	in->ns.nread_only = a->nread_only;
	/* its state stays writable whatever is read-only around it */
	in->ns.writable = in->state_dir;
	in->confine.ns = &in->ns;
	return 0;
}

/* Why NAME got no dynamic uid (errno ERR): as the reload says it, and
 * its dry run. */
static void no_uid_left(const struct confinement *c, const char *name, int err, char *msg, size_t len)
{
	if (err == ENOSPC)
		snprintf(msg, len, "%s: no dynamic uid left in %u-%u (each instance's, removed or "
			 "not, is kept until the daemon exits): restart it with a wider --uid-range",
			 name, (unsigned)c->uids.first, (unsigned)c->uids.last);
	else
		snprintf(msg, len, "%s: no dynamic uid left in %u-%u: %s", name,
			 (unsigned)c->uids.first, (unsigned)c->uids.last, strerror(err));
}

int confinement_dry_take(const struct daemon *d, const struct cfg_actor *a, const char *name,
			 size_t *left, char *msg, size_t len)
{
	const struct confinement *c = &d->conf;

	/* as confinement_plan asks, but counting: a take could probe, and
	 * the probe claims ids in the host registry */
	if (!c->privileged || !c->dynamic_uids || a->user || sb_uidpool_has(&c->uids, name) ||
	    sb_uidpool_kept_for(&c->uids, name))
		return 0;
	if (*left == 0) {
		no_uid_left(c, name, ENOSPC, msg, len);
		errno = ENOSPC;
		return -1;
	}
	--*left;
	return 0;
}

int confinement_plan(struct daemon *d, struct instance *in, char *msg, size_t len)
{
	struct confinement *c = &d->conf;
	const struct cfg_actor *a = in->spec;
	bool ok;

	in->filter = generation_filter(in->gen, a, &ok, msg, len);
	if (!ok)
		return -1;
	in->confine.filter = in->filter;
	in->confine.handoff_fd = c->handoff[1];
	in->confine.limits = a->limits;
	in->confine.nlimits = a->nlimits;
	if (plan_namespaces(d, in, msg, len) < 0)
		return -1;
	/* without CAP_SETPCAP: drop what is held, no_new_privs, no id change
	 * ("user" and "capabilities" were refused before: tree_checks.c) */
	if (!c->privileged)
		return 0;
	in->privs = (struct sb_privs){ .keep_caps = a->keep_caps, .last_cap = c->last_cap, .bounding = c->bounding,
				       .bounding_known = c->privileged };
	if (a->user) {
		in->privs.change_ids = true;
		in->privs.uid = a->uid;
		in->privs.gid = a->gid;
		in->privs.groups = a->groups;
		in->privs.ngroups = a->ngroups;
	} else if (c->dynamic_uids) {
		/* an owner keeps its uid for the daemon's life: the ledger names
		 * it once, not at each reload that makes the instance anew */
		bool fresh = !sb_uidpool_has(&c->uids, in->name);
		uid_t uid;

		/* its own uid: no other actor's files, /proc entries or signals */
		if (sb_uidpool_take(&c->uids, in->name, &uid) < 0) {
			int saved = errno;

			no_uid_left(c, in->name, saved, msg, len);
			errno = saved;
			return -1;
		}
		in->privs.change_ids = true;
		in->privs.uid = uid;
		in->privs.gid = (gid_t)uid;
		if (fresh)
			containment_note_uid(d, uid);
	}
	in->confine.privs = &in->privs;
	return 0;
}
