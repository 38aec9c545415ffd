/* System-call faults, the daemon's side; see fault_calls.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/seccomp/filter.h"
#include "sandbox/seccomp/listener.h"
#include "src/daemon/context.h"
#include "src/daemon/dispatch.h"
#include "src/daemon/fault_calls.h"
#include "src/daemon/faults.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"

/* Whether a syscall fault of P targets an instance of A. */
static bool targets_actor(const struct fault *f, const struct cfg_actor *a)
{
	if (f->kind != FAULT_SYSCALL)
		return false;
	for (size_t i = 0; i < f->ntargets; i++)
		if (f->targets[i].actor == a->id)
			return true;
	return false;
}

/* The names routed for A, each once, into NAMES (room for P->n). */
static size_t routed_names(const struct fault_plan *p, const struct cfg_actor *a, const char **names)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++) {
		const char *name = p->faults[i].u.sys.name;
		bool seen = false;

		if (!targets_actor(&p->faults[i], a))
			continue;
		for (size_t j = 0; j < n && !seen; j++)
			seen = strcmp(names[j], name) == 0;
		if (!seen)
			names[n++] = name;
	}
	return n;
}

int fault_calls_route(const struct fault_plan *p, const struct cfg_actor *a, struct sb_policy *pol)
{
	const char **names = calloc(p->n ? p->n : 1, sizeof *names);

	if (!names)
		return -1;
	pol->nrouted = routed_names(p, a, names);
	pol->routed = names;
	return 0;
}

int fault_calls_rules(const struct fault_plan *p, const struct cfg_actor *a, struct sb_rule **routed,
		      size_t *n)
{
	const char **names = calloc(p->n ? p->n : 1, sizeof *names);
	size_t nnames = names ? routed_names(p, a, names) : 0;
	struct sb_policy pol;
	char msg[256];

	*routed = NULL;
	*n = 0;
	if (!names || (nnames && !(*routed = calloc(nnames, sizeof **routed))) ||
	    (nnames && cfg_actor_policy(a, &pol, msg, sizeof msg) < 0)) {
		free(*routed);
		*routed = NULL;
		free(names);
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < nnames; i++) {
		const struct sb_rule *r = sb_policy_find(&pol, names[i]);
		struct sb_rule *out = &(*routed)[i];

		snprintf(out->name, sizeof out->name, "%s", names[i]);
		/* a denied call is refused by check; keep it denied anyway */
		out->cond = pol.profile == SB_PROFILE_NONE ? SB_COND_ALWAYS : r ? r->cond : SB_COND_ENOSYS;
	}
	if (nnames)
		sb_policy_free(&pol);
	*n = nnames;
	free(names);
	return 0;
}

static const struct sb_rule *routed_rule(const struct fault_inst *fi, const char *name)
{
	for (size_t i = 0; i < fi->nrouted; i++)
		if (strcmp(fi->routed[i].name, name) == 0)
			return &fi->routed[i];
	return NULL;
}

bool fault_calls_answer(struct instance *in, const struct seccomp_notif *n, const struct sb_violation *v)
{
	struct fault_inst *fi = in->fault;
	struct fault_run *r = fi ? fi->run : NULL;
	const struct sb_rule *rule;
	struct fault_event ev;
	unsigned long suppressed;
	size_t which = 0;
	int64_t now;
	int err;

	if (!fi || v->foreign_abi || !(rule = routed_rule(fi, v->name)) ||
	    !sb_rule_allows(rule, (const uint64_t *)n->data.args))
		return false;
	/* before the fault clock starts calls are counted but never fail */
	now = r->clock0 < 0 ? -1 : faults_now(r);
	err = fault_syscall_verdict(r->plan, r->seed, fi->calls, fi->ncalls, fi->incarnation, v->name,
				    (const uint64_t *)n->data.args, now, &which);
	if (!err) {
		if (sb_listener_respond_continue(in->listener, n->id) < 0 && errno != ENOENT)
			log_err("%s: seccomp listener: %s", in->name, strerror(errno));
		return true;
	}
	if (sb_listener_respond_errno(in->listener, n->id, err) < 0 && errno != ENOENT)
		log_err("%s: seccomp listener: %s", in->name, strerror(errno));
	fi->hit = true;
	fi->syscalls++;
	if (!sb_ratelimit_allow(&fi->call_events, (uint64_t)daemon_now_ms(), &suppressed)) {
		r->suppressed++;
		return true;
	}
	fault_event_syscall(&ev, r->plan, &fi->calls[which], fi->incarnation, now);
	ev.suppressed = suppressed;
	faults_emit(r, &ev);
	return true;
}
