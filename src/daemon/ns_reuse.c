/* Keeping an instance's namespaces across an immediate restart. */

#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "src/daemon/bindings.h"
#include "src/daemon/context.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/daemon/ns_reuse.h"

void ns_reuse_init(struct ns_reuse *r)
{
	*r = (struct ns_reuse){ .home = -1 };
}

/* setns into a mount namespace needs both: the unit's
 * CapabilityBoundingSet= leaves out the second, so there a restart makes
 * new namespaces, as a start does. */
static bool may_keep(void)
{
	static const cap_value_t need[] = { CAP_SYS_ADMIN, CAP_SYS_CHROOT };
	cap_t caps = cap_get_proc();
	bool all = caps != NULL;

	for (size_t i = 0; all && i < sizeof need / sizeof *need; i++) {
		cap_flag_value_t v = CAP_CLEAR;

		all = cap_get_flag(caps, need[i], CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
	}
	cap_free(caps);
	return all;
}

void ns_reuse_setup(struct daemon *d)
{
	if (geteuid() != 0 || !d->conf.privileged || !may_keep())
		return;
	if ((d->nsr.home = sb_ns_keep_home()) < 0)
		log_warn("cannot hold the daemon's IPC namespace (%s): each restart makes new namespaces",
			 strerror(errno));
}

void ns_reuse_teardown(struct daemon *d)
{
	if (d->nsr.home >= 0)
		close(d->nsr.home);
	d->nsr.home = -1;
}

/* Everything in its namespaces that a run may change is what
 * sb_ns_keep_empty looks at: a mount needs capabilities it has not got,
 * an IPC setting needs root, and /tmp or a network are not kept. */
static bool worth_keeping(const struct daemon *d, const struct instance *in)
{
	const struct sb_ns *ns = &in->ns;
	const struct sb_confine_plan *c = &in->confine;

	return d->nsr.home >= 0 && !in->ns_reuse_off && c->ns == ns && ns->private_ipc && ns->dev_shm &&
	       !ns->private_tmp && !ns->private_network && !ns->nread_only && !ns->writable &&
	       c->privs && in->privs.change_ids && in->privs.uid != 0 && !in->privs.keep_caps &&
	       c->nfds + (c->handoff_fd >= 0) + 2 <= SB_SPAWN_SLOTS;	/* staged: sandbox/daemon/spawn.h */
}

/* SB_NS_KEEP_FDS a pair, beyond what the tree was allowed (src/config/fds.c)
 * and what a start of its largest actor takes for a moment: a child
 * spawned unstaged copies the daemon's table, and lifts its fd map and
 * the handoff above the map in it. Pairs that took that room made a
 * service of 600 clients fail its restart ("set up file descriptors:
 * Too many open files"). */
static bool room_for_one(struct daemon *d, rlim_t limit)
{
	struct ns_reuse *r = &d->nsr;

	if (r->room_for != d->cfg || r->room_limit != limit) {
		size_t budget = cfg_daemon_fds(d->cfg, d->contain.level == CONTAIN_CGROUP) +
				(d->bindings ? bindings_max_fds(d->bindings) : 0) + 1;

		r->room = limit == RLIM_INFINITY ? (size_t)-1 :
			  limit > budget ? (size_t)(limit - budget) / SB_NS_KEEP_FDS : 0;
		r->room_for = d->cfg;
		r->room_limit = limit;
	}
	return r->held < r->room;
}

void ns_reuse_release(struct daemon *d, struct instance *in)
{
	for (unsigned i = 0; i < d->nsr.nending; i++)
		if (d->nsr.ending[i] == in)
			d->nsr.ending[i] = NULL;
	if (!sb_ns_keep_held(&in->ns_kept))
		return;
	sb_ns_keep_drop(&in->ns_kept);
	d->nsr.held--;
}

void ns_reuse_offer(struct daemon *d, struct instance *in, struct sb_ns_kept *k)
{
	struct sb_confine_plan *c = &in->confine;
	int empty;

	c->kept = NULL;
	c->hand_ns = false;
	if (!sb_ns_keep_held(&in->ns_kept)) {
		/* the first run's pair is not asked for: a start that is
		 * never restarted would pay for it */
		/* against the hard limit this start read (instance_nofile) */
		c->hand_ns = in->ran && worth_keeping(d, in) && room_for_one(d, c->nofile.rlim_max);
		return;
	}
	if ((empty = sb_ns_keep_empty(&in->ns_kept, d->nsr.home)) != 1) {
		/* it left something there once: it may again */
		if (empty < 0)
			log_warn("%s: cannot look into its last run's namespaces: %s", in->name, strerror(errno));
		in->ns_reuse_off = true;
		ns_reuse_release(d, in);
		return;
	}
	*k = (struct sb_ns_kept){ .ipc = in->ns_kept.ipc, .mnt = in->ns_kept.mnt };
	c->kept = k;
}

void ns_reuse_spawned(struct daemon *d, struct instance *in, pid_t pid)
{
	struct sb_confine_plan *c = &in->confine;
	bool handed = c->hand_ns;

	c->kept = NULL;
	c->hand_ns = false;
	if (pid <= 0) {	/* what it may have sent is discarded with the rest */
		ns_reuse_release(d, in);
		return;
	}
	in->ran = true;
	if (!handed)
		return;
	if (sb_ns_keep_recv(&in->ns_kept, d->conf.handoff[0], d->nsr.home) == 0)
		d->nsr.held++;
	else if (errno != ENOENT)
		log_warn("%s: cannot keep its namespaces: %s", in->name, strerror(errno));
}

unsigned ns_reuse_ending(struct daemon *d, struct instance *in)
{
	struct ns_reuse *r = &d->nsr;

	if (r->nending == sizeof r->ending / sizeof *r->ending) {
		ns_reuse_release(d, in);	/* too deep to follow: keep nothing */
		return 0;
	}
	r->ending[r->nending++] = in;
	return r->nending;
}

void ns_reuse_ended(struct daemon *d, struct instance *in, unsigned token)
{
	struct ns_reuse *r = &d->nsr;

	if (!token)
		return;
	/* released meanwhile (perhaps freed): its slot was cleared */
	if (r->ending[token - 1] == in && in->pid <= 0)
		ns_reuse_release(d, in);
	r->nending = token - 1;
}
