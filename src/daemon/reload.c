/* Live reload, the daemon's side; see reload.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "src/config/diff.h"
#include "src/daemon/bindings.h"
#include "src/daemon/build.h"
#include "src/daemon/confinement.h"
#include "src/daemon/containment.h"
#include "src/daemon/context.h"
#include "src/daemon/daemon.h"
#include "src/daemon/exposure.h"
#include "src/daemon/generation.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/daemon/reload.h"
#include "src/daemon/reload_report.h"
#include "src/daemon/secrets.h"
#include "src/daemon/setup.h"
#include "src/daemon/state.h"
#include "src/daemon/supnode.h"
#include "src/daemon/tree_checks.h"
#include "sandbox/daemon/uidpool.h"
#include "supervisor/reload.h"

struct reload {
	struct daemon *d;
	struct generation *gen, *old_gen;
	struct bindings *bindings, *old_bindings;
	struct sv_tree *nt;
	struct reload_slot *slots;	/* by node id in nt */
	size_t nslots;
	struct instance **added;
	size_t nadded;
	struct reload_lists lists;
	bool applied;			/* RELOADED seen: finished after this batch */
	bool said;			/* its outcome told already (reload_on_stop) */
	unsigned covers;		/* the SIGHUPs taken before it read the config */
	char dev_vars[sizeof ((struct secrets *)0)->dev_vars];	/* beside the new root config */
	reload_done_fn done;
	void *ctx;
};

/* The new config, checked as `run` checks it; else *TEXT has why. */
static struct cfg *load(struct daemon *d, char **text)
{
	char note[sizeof DAEMON_NOFILE_FIX + 20];
	struct cfg_diag diag = { 0 };
	struct cfg *cfg;
	uid_t *taken = NULL;
	size_t ntaken = 0;

	snprintf(note, sizeof note, DAEMON_NOFILE_FIX, daemon_nofile_cur(d));
	cfg = cfg_load_noting(d->cfg->files, d->cfg->nfiles, &diag, note);

	if (cfg && d->conf.dynamic_uids && sb_uid_host_ids(&taken, &ntaken) < 0) {
		cfg_free(cfg);
		cfg = NULL;
	}
	if (cfg) {
		size_t from = diag.n;
		/* every refusal said, as check says them all */
		bool bad = d->conf.dynamic_uids &&
			   cfg_check_uid_range(cfg, d->opts->uid_first, d->opts->uid_last, taken, ntaken, &diag) < 0;

		bad |= cfg_check_fd_limit(cfg, d->contain.level == CONTAIN_CGROUP,
					  (unsigned long long)daemon_nofile_max(d), true, &diag) < 0;
		bad |= tree_check_rlimits(cfg, true, &diag) < 0;
		bad |= tree_check_privileges(cfg, &diag) < 0;
		bad |= tree_check_cgroup_limits(d, cfg, &diag) < 0;
		bad |= tree_check_private_mounts(cfg, d->opts, &diag) < 0;
		if (!bad)
			tree_check_reach(cfg, d->opts, &diag);
		/* in the order of the text, as check says them (before the
		 * files' names they point at are freed) */
		if (cfg_diag_sort(&diag, from, cfg->files, cfg->nfiles) < 0)
			log_err("reload: out of memory sorting the diagnostics");
		if (bad) {
			cfg_free(cfg);
			cfg = NULL;
		}
	}
	free(taken);
	if (!cfg) {
		*text = reload_join_diag(&diag);
		errno = diag.nerrors ? EINVAL : ENOMEM;
	} else {
		for (size_t i = 0; i < diag.n; i++)	/* warnings */
			log_diag(diag.lines[i], (int)strlen(diag.lines[i]));
	}
	cfg_diag_free(&diag);
	return cfg;
}

/* Each actor node of the new tree: what it stands for, and whether its
 * running namesake must restart to become it. */
static int note_actor(void *ctx, const struct cfg_actor *a, unsigned index, struct sv_node *n,
		      char *name)
{
	struct reload *r = ctx;
	struct sv_node *o = sv_find(r->d->tree, name);
	struct reload_slot *s;

	if (n->id >= r->nslots) {
		size_t cap = r->nslots ? 2 * r->nslots : 64;
		struct reload_slot *slots;

		if (cap <= n->id)
			cap = (size_t)n->id + 1;
		if (!(slots = realloc(r->slots, cap * sizeof *slots))) {
			free(name);
			return -1;
		}
		memset(slots + r->nslots, 0, (cap - r->nslots) * sizeof *slots);
		r->slots = slots;
		r->nslots = cap;
	}
	s = &r->slots[n->id];
	*s = (struct reload_slot){ .a = a, .index = index, .name = name };
	if (o && o->kind == SV_NODE_ACTOR && o->user) {
		const struct instance *in = o->user;

		s->diff = cfg_actor_diff(in->spec, a) & ~CFG_F_IN_PLACE;
		s->fds = !bindings_same(r->bindings, in->bind, a, index);
		n->changed = s->diff || s->fds;
	}
	return 0;
}

/* Instances for the actors of N's subtree, which the tree will adopt. */
static int make_instances(struct reload *r, struct sv_node *n, char *msg, size_t len)
{
	struct instance_spec spec;
	struct reload_slot *s;
	struct instance *in;
	char *name;

	if (n->kind == SV_NODE_SUPERVISOR) {
		for (unsigned i = 0; i < n->nchildren; i++)
			if (make_instances(r, n->children[i], msg, len) < 0)
				return -1;
		return 0;
	}
	s = &r->slots[n->id];	/* only actors have one */
	spec = (struct instance_spec){ .gen = r->gen, .bindings = r->bindings, .a = s->a, .index = s->index };
	name = s->name;
	s->name = NULL;
	if (!(in = instance_new(r->d, &spec, n, name, msg, len)))
		return -1;
	r->added[r->nadded++] = in;
	return 0;
}

/* The dynamic uids N's subtree would take, counted in the order
 * make_instances takes them: the first that would find none is named. */
static int dry_uids(struct reload *r, const struct sv_node *n, size_t *left, char *msg, size_t len)
{
	const struct reload_slot *s;

	if (n->kind == SV_NODE_SUPERVISOR) {
		for (unsigned i = 0; i < n->nchildren; i++)
			if (dry_uids(r, n->children[i], left, msg, len) < 0)
				return -1;
		return 0;
	}
	s = &r->slots[n->id];
	return confinement_dry_take(r->d, s->a, s->name, left, msg, len);
}

/* A dry run refuses a reload that would run out of dynamic uids. */
static int uids_dry_check(struct daemon *d, struct reload *r, const struct sv_plan *plan, char *msg,
			  size_t len)
{
	size_t left;

	if (!d->conf.dynamic_uids)
		return 0;
	left = sb_uidpool_left(&d->conf.uids);
	for (size_t i = 0; i < plan->n; i++) {
		const struct sv_plan_item *it = &plan->items[i];

		if ((it->kind == SV_PLAN_ADD || it->kind == SV_PLAN_RESTART) &&
		    dry_uids(r, it->new, &left, msg, len) < 0)
			return -1;
	}
	return 0;
}

static void reload_destroy(struct reload *r)
{
	sv_tree_free(r->nt);
	for (size_t i = 0; i < r->nslots; i++)
		free(r->slots[i].name);
	free(r->slots);
	free(r->added);
	reload_lists_fini(&r->lists);
	free(r);
}

/* Nothing of R was used: all of it goes, the running tree as it was. */
static void undo(struct reload *r)
{
	for (size_t i = 0; i < r->nadded; i++)
		instance_free(r->added[i]);
	r->nadded = 0;
	bindings_abandon(r->bindings);
	generation_unref(r->gen);	/* and the config with it */
	reload_destroy(r);
}

/* The new tree and everything the plan needs, or -1 (errno, and why in
 * MSG when errno alone would not say it). */
static int prepare_plan(struct daemon *d, struct reload *r, struct sv_plan *plan, char *msg, size_t len)
{
	if (!(r->bindings = bindings_open(r->gen->cfg, d->loop, d->bindings))) {
		int saved = errno;
		struct rlimit rl;

		/* the tree fits the limit, as check counts it, but an edge the
		 * reload remakes has its old and new socketpair at once */
		if ((saved == EMFILE || saved == ENFILE) && getrlimit(RLIMIT_NOFILE, &rl) == 0)
			snprintf(msg, len, "cannot make the new tree's bindings: %s (the daemon's limit is %llu "
				 "open files, and until the reload is applied each binding it makes anew holds "
				 "2 more beside the old one's): raise the limit, or change fewer bindings at "
				 "once", strerror(saved), (unsigned long long)rl.rlim_cur);
		errno = saved;
		return -1;
	}
	if (!(r->nt = sv_tree_new()) || build_tree(r->nt, r->gen->cfg->root, NULL, note_actor, r) < 0)
		return -1;
	return sv_reload_plan(d->tree, r->nt, plan);
}

/* What the tree will adopt made, and room for it all. */
static int prepare_apply(struct daemon *d, struct reload *r, const struct sv_plan *plan,
			 char *msg, size_t len)
{
	size_t ninst;

	if (!(r->added = calloc(r->nslots ? r->nslots : 1, sizeof *r->added)))
		return -1;
	/* the root supervisor may now be written in another directory */
	if (exposure_dev_vars_path(r->gen->cfg, r->dev_vars, sizeof r->dev_vars) < 0 ||
	    (!d->secrets.root[0] && secrets_setup(d, r->gen->cfg, d->opts, msg, len) < 0) ||
	    (!d->state.root[0] && state_setup(d, r->gen->cfg, d->opts, msg, len) < 0))
		return -1;
	confinement_uids_recheck(d);
	for (size_t i = 0; i < plan->n; i++) {
		const struct sv_plan_item *it = &plan->items[i];

		if ((it->kind == SV_PLAN_ADD || it->kind == SV_PLAN_RESTART) &&
		    make_instances(r, it->new, msg, len) < 0)
			return -1;
	}
	ninst = d->ninst + r->nadded;
	if (instances_reserve(d, ninst) < 0 || pidmap_reserve(&d->pids, ninst) < 0 ||
	    pidmap_reserve(&d->uids, ninst) < 0 || dispatch_reserve(&d->dispatch, ninst) < 0 || reload_lists_init(&r->lists, plan, r->slots) < 0)
		return -1;
	if (d->cap_retired < d->ninst) {
		struct instance **retired = realloc(d->retired, d->ninst * sizeof *retired);

		if (!retired)
			return -1;
		d->retired = retired;
		d->cap_retired = d->ninst;
	}
	return sv_reload_prepare(d->tree, r->nt, plan);
}

/* Past the point of no return: the daemon takes the new generation and
 * table; instances that keep running move to the new table. */
static void commit(struct daemon *d, struct reload *r, const struct sv_plan *plan)
{
	bindings_commit(r->bindings);
	for (size_t i = 0; i < plan->n; i++) {
		const struct sv_plan_item *it = &plan->items[i];
		const struct reload_slot *s;

		if ((it->kind != SV_PLAN_KEEP && it->kind != SV_PLAN_CHANGE) || it->old->kind != SV_NODE_ACTOR)
			continue;
		s = &r->slots[it->new->id];
		bindings_migrate(r->bindings, ((struct instance *)it->old->user)->bind, s->a, s->index);
	}
	for (size_t i = 0; i < r->nadded; i++)
		instances_add(d, r->added[i]);
	r->old_bindings = d->bindings;
	d->bindings = r->bindings;
	r->old_gen = d->gen;
	d->gen = r->gen;
	d->cfg = r->gen->cfg;
	memcpy(d->secrets.dev_vars, r->dev_vars, sizeof d->secrets.dev_vars);
	d->reload = r;
}

static bool tree_going(const struct daemon *d)
{
	return d->tree->down || d->tree->root->state == SV_STOPPING;
}

int daemon_reload_request(struct daemon *d, bool dry_run, char **text, reload_done_fn done,
			  void *ctx)
{
	struct sv_event ev = { .kind = SV_EV_RELOAD };
	struct sv_plan plan = { 0 };
	struct reload *r;
	struct cfg *cfg;
	char msg[1024] = "";
	int saved;

	*text = NULL;
	if (tree_going(d)) {
		/* the tree is going: nothing to apply it to (said first, even
		 * while an interrupted reload winds down) */
		*text = strdup("the daemon is stopping: it reloads nothing more\n");
		errno = ESHUTDOWN;
		return -1;
	}
	if (d->reload) {
		errno = EBUSY;
		return -1;
	}
	if (d->faults) {
		/* the plan names instances by their place in the tree it was
		 * checked against, and holds them for the whole run */
		*text = strdup("reload refused: a fault plan is running (--faults); it was checked against the tree as started\n");
		errno = EOPNOTSUPP;
		return -1;
	}
	if (!(cfg = load(d, text)))
		return -1;
	if (!(r = calloc(1, sizeof *r)) || !(r->gen = generation_new(cfg, true, NULL))) {
		free(r);
		cfg_free(cfg);
		return -1;
	}
	r->d = d;
	r->done = done;
	r->ctx = ctx;
	r->covers = d->reloads_asked;	/* one asked later reads the config again */
	/* a dry run refuses what applying would: a secrets directory its
	 * actors cannot read from, the state root it would make, the dynamic
	 * uids it would take */
	if (prepare_plan(d, r, &plan, msg, sizeof msg) < 0 ||
	    secrets_check(r->gen->cfg, d->opts, msg, sizeof msg) < 0 ||
	    (dry_run ? state_root_dry_check(d, r->gen->cfg, d->opts, msg, sizeof msg) < 0 ||
			       uids_dry_check(d, r, &plan, msg, sizeof msg) < 0 ||
			       !(*text = reload_plan_text(&plan, r->slots))
		     : prepare_apply(d, r, &plan, msg, sizeof msg) < 0)) {
		saved = errno;
		if (msg[0] && !*text)
			*text = strdup(msg);
		sv_plan_fini(&plan);
		undo(r);
		errno = saved;
		return -1;
	}
	if (dry_run) {
		sv_plan_fini(&plan);
		undo(r);
		return 0;
	}
	commit(d, r, &plan);
	sv_plan_fini(&plan);
	reload_report_start(d);
	dispatch_feed(d, &ev);
	return 0;
}

void reload_retire(struct daemon *d, struct sv_node *n)
{
	struct instance *in = n->user;

	if (n->kind == SV_NODE_SUPERVISOR)
		supnode_release(d, n);
	if (n->kind != SV_NODE_ACTOR || !in)
		return;
	/* freed after the batch: later actions in it may still name the node */
	containment_retire(d, in);
	ns_reuse_release(d, in);
	instances_remove(d, in);
	d->retired[d->nretired++] = in;
}

void reload_applied(struct daemon *d)
{
	if (d->reload)
		d->reload->applied = true;
}

void reload_on_stop(struct daemon *d)
{
	struct reload *r = d->reload;

	if (!r || r->said)
		return;
	r->said = true;
	d->reloads_done = r->covers;
	reload_report_interrupted(d, &r->lists);
}

/* Applied: what only the old config needed goes, and whoever asked hears. */
static void finish(struct daemon *d, struct reload *r)
{
	/* kept actors' names were the new tree's; their own live as long */
	for (unsigned i = 0; i < d->tree->nnodes; i++) {
		struct sv_node *n = d->tree->nodes[i];

		if (n && n->kind == SV_NODE_ACTOR && n->user)
			n->name = ((struct instance *)n->user)->name;
	}
	bindings_close(r->old_bindings);
	generation_unref(r->old_gen);
	d->reload = NULL;
	if (d->reloads_done < r->covers)	/* a refusal since may have answered more */
		d->reloads_done = r->covers;
	if (r->said)
		;	/* interrupted, said as the stop began */
	else if (d->tree->down || d->tree->root->state == SV_STOPPING)
		reload_report_interrupted(d, &r->lists);	/* the root gave up first */
	else
		reload_report_applied(d, &r->lists);
	if (r->done)
		r->done(r->ctx, r->lists.text);
	reload_destroy(r);
	if (d->reload_again) {
		/* from the loop, not inside this batch of actions; not counted
		 * again: each SIGHUP it answers was counted as it was taken */
		d->reload_again = false;
		ev_timer_set(&d->reload_next, 0., 0.);
		ev_timer_start(d->loop, &d->reload_next);
	}
}

void reload_release(struct daemon *d)
{
	for (size_t i = 0; i < d->nretired; i++)
		instance_free(d->retired[i]);
	d->nretired = 0;
	if (d->reload && d->reload->applied)
		finish(d, d->reload);
}

/* A reload of the config as it is now, which answers every SIGHUP
 * counted so far; WHY is what asked for it. */
static void reload_begin(struct daemon *d, const char *why)
{
	char *text = NULL;
	bool dry_run;

	ev_timer_stop(d->loop, &d->reload_next);	/* a follow-up, answered by this one */
	dry_run = reload_take_request(d);
	log_info("%s: %s %s", why, dry_run ? "a reload's plan for" : "reloading", d->cfg->files[0]);
	if (!dry_run)	/* as daemons do on SIGHUP, for logrotate */
		events_reopen(&d->events);
	if (daemon_reload_request(d, dry_run, &text, NULL, NULL) < 0) {
		reload_report_failed(d, text, errno == EINVAL, dry_run);
	} else if (dry_run) {
		d->reloads_done = d->reloads_asked;
		reload_report_plan(d, true, text);
	}
	free(text);
}

static void on_reload_next(struct ev_loop *loop, ev_timer *w, int revents)
{
	reload_begin(w->data, "after a SIGHUP taken while a reload was applied");
}

void reload_watch(struct daemon *d)
{
	ev_timer_init(&d->reload_next, on_reload_next, 0., 0.);
	d->reload_next.data = d;
}

void reload_on_signal(struct daemon *d)
{
	/* counted at once: a command that reads the file from now on waits for
	 * a reload after this one */
	d->reloads_asked++;
	reload_report_asked(d);
	/* once the daemon stops, no reload follows the one it cut short:
	 * refused now, or its command would wait for the daemon's exit */
	if (d->reload && !tree_going(d)) {
		log_info("received SIGHUP while a reload is being applied: another follows it");
		d->reload_again = true;
		return;
	}
	reload_begin(d, "received SIGHUP");
}

void reload_free(struct daemon *d)
{
	struct reload *r = d->reload;

	for (size_t i = 0; i < d->nretired; i++)
		instance_free(d->retired[i]);
	d->nretired = 0;
	free(d->retired);
	d->retired = NULL;
	if (!r)
		return;
	bindings_close(r->old_bindings);
	generation_unref(r->old_gen);
	reload_destroy(r);
	d->reload = NULL;
}
