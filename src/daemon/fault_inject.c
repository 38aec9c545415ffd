/* Run-time faults; see fault_inject.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "src/daemon/context.h"
#include "src/daemon/fault_inject.h"
#include "src/daemon/faults.h"
#include "src/daemon/instance.h"
#include "src/daemon/relay.h"
#include "src/faults/names.h"
#include "supervisor/tree.h"

static int fail(int err, char *msg, size_t len, const char *what, const char *name)
{
	snprintf(msg, len, "%s%s%s", what, name ? ": " : "", name ? name : "");
	errno = err;
	return -1;
}

/* The injector, once its plan is in effect: the plan event is seq 0 and
 * a fault before it would take that number (README "Fault events"). */
static struct fault_run *injector(struct daemon *d, char *msg, size_t len)
{
	struct fault_run *r = d->faults;

	if (!r)
		fail(ENOTSUP, msg, len, "the daemon runs without --faults", NULL);
	else if (r->clock0 < 0)
		fail(EAGAIN, msg, len, "the fault plan is not in effect yet: the tree is still starting", NULL);
	else if (r->ended)	/* as the plan's: none lands in an actor's shutdown */
		fail(ESHUTDOWN, msg, len, "the daemon is stopping: it injects no more faults", NULL);
	else
		return r;
	return NULL;
}

/* EV (kind, signal, ms set) on every instance NAME names. */
static int inject(struct daemon *d, const char *name, struct fault_event *ev, char *msg, size_t len)
{
	struct fault_run *r = injector(d, msg, len);
	size_t hit = 0;

	if (!r)
		return -1;
	ev->fault = r->plan->n + r->injected;
	ev->n = 1;
	ev->at_ms = faults_now(r);
	for (size_t i = 0; i < d->ninst; i++) {
		struct instance *in = d->inst[i];

		if (strcmp(in->name, name) != 0 && strcmp(in->spec->name, name) != 0)
			continue;
		snprintf(ev->target, sizeof ev->target, "%s", in->name);
		faults_hit(r, in, ev);
		hit++;
	}
	if (!hit)
		return fail(ENOENT, msg, len, "no actor or instance", name);
	r->injected++;
	return 0;
}

int fault_inject_kill(struct daemon *d, const char *name, int sig, char *msg, size_t len)
{
	struct fault_event ev = { .kind = FAULT_EV_KILL, .signal = sig };

	if (fault_signal_parse(fault_signal_name(sig)) != sig) {
		char signame[SV_SIGNAME_MAX];

		return fail(EINVAL, msg, len, "not a signal a kill fault sends", sv_signal_name(sig, signame));
	}
	return inject(d, name, &ev, msg, len);
}

int fault_inject_stall(struct daemon *d, const char *name, int64_t ms, char *msg, size_t len)
{
	struct fault_event ev = { .kind = FAULT_EV_STALL, .signal = SIGSTOP, .ms = ms };

	if (ms <= 0 || ms > FAULT_MAX_MS)
		return fail(EINVAL, msg, len, "a stall lasts from 1 ms to a day", NULL);
	return inject(d, name, &ev, msg, len);
}

int fault_inject_edge(struct daemon *d, const char *edge, double drop, int64_t for_ms, char *msg,
		      size_t len)
{
	struct fault_run *r = injector(d, msg, len);

	if (!r)
		return -1;
	if (!(drop >= 0 && drop <= 1) || for_ms <= 0 || for_ms > FAULT_MAX_MS)
		return fail(EINVAL, msg, len, "\"drop\" is from 0 to 1, \"ms\" from 1 ms to a day", NULL);
	if (!relays_override(r, edge, drop, for_ms, r->plan->n + r->injected))
		return fail(ENOENT, msg, len, "no edge the fault plan interposes", edge);
	r->injected++;
	return 0;
}
