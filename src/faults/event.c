#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/faults/event.h"
#include "src/faults/names.h"
#include "src/proto/plural.h"

const char *fault_event_kind_name(enum fault_event_kind k)
{
	switch (k) {
	case FAULT_EV_PLAN: return "plan";
	case FAULT_EV_KILL: return "kill";
	case FAULT_EV_STALL: return "stall";
	case FAULT_EV_DROP: return "drop";
	case FAULT_EV_DUPLICATE: return "duplicate";
	case FAULT_EV_SYSCALL: return "syscall";
	case FAULT_EV_EDGE: return "edge";
	}
	return "?";
}

void fault_event_plan(struct fault_event *ev, const struct fault_plan *p, uint64_t seed)
{
	*ev = (struct fault_event){ .kind = FAULT_EV_PLAN, .seed = seed, .nfaults = p->n };
}

void fault_event_process(struct fault_event *ev, const struct fault_plan *p, size_t fi, uint64_t n,
			 size_t ti, int64_t now_ms)
{
	const struct fault *f = &p->faults[fi];

	*ev = (struct fault_event){ .kind = f->kind == FAULT_STALL ? FAULT_EV_STALL : FAULT_EV_KILL,
				    .fault = fi, .n = n, .at_ms = now_ms, .signal = f->u.proc.signal };
	if (f->kind == FAULT_STALL)
		ev->ms = f->u.proc.stall_ms;
	snprintf(ev->target, sizeof ev->target, "%s", f->targets[ti].name);
}

bool fault_event_message(struct fault_event *ev, const struct fault_plan *p, size_t fi, size_t ei,
			 unsigned client_instance, enum fault_dir dir, uint64_t n,
			 const struct fault_msg *m, int64_t now_ms)
{
	const struct fault_edge_ref *e = &p->faults[fi].u.edge.edges[ei];

	if (!m->drop && !m->duplicate)
		return false;
	*ev = (struct fault_event){ .kind = m->drop ? FAULT_EV_DROP : FAULT_EV_DUPLICATE, .fault = fi,
				    .n = n, .at_ms = now_ms, .binding = e->binding_name, .dir = dir,
				    .partitioned = m->partitioned };
	if (e->client_instances > 1)
		snprintf(ev->target, sizeof ev->target, "%s#%u -> %s", e->client_name, client_instance,
			 e->service_name);
	else
		snprintf(ev->target, sizeof ev->target, "%s -> %s", e->client_name, e->service_name);
	return true;
}

void fault_event_syscall(struct fault_event *ev, const struct fault_plan *p,
			 const struct fault_call_counter *c, unsigned incarnation, int64_t now_ms)
{
	const struct fault *f = &p->faults[c->fault];

	*ev = (struct fault_event){ .kind = FAULT_EV_SYSCALL, .fault = c->fault, .n = c->calls,
				    .at_ms = now_ms, .syscall = f->u.sys.name, .err = f->u.sys.err,
				    .incarnation = incarnation };
	snprintf(ev->target, sizeof ev->target, "%s", f->targets[c->target].name);
}

void fault_event_edge(struct fault_event *ev, size_t fi, const char *target, const char *binding, double drop,
		      int64_t ms, int64_t now_ms)
{
	*ev = (struct fault_event){ .kind = FAULT_EV_EDGE, .fault = fi, .n = 1, .at_ms = now_ms,
				    .binding = binding, .drop = drop, .ms = ms };
	snprintf(ev->target, sizeof ev->target, "%s", target);
}

/* P in the fewest digits that read back as P: %g's six would record
 * 0.123456789 as 0.123457, another probability than the one asked for. */
static void prob_text(double p, char buf[32])
{
	for (int digits = 6; digits <= 17; digits++) {
		snprintf(buf, 32, "%.*g", digits, p);
		if (strtod(buf, NULL) == p)
			return;
	}
}

/* snprintf that appends, and keeps counting past the end as snprintf does. */
struct out {
	char *buf;
	size_t len;
	int at;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	size_t at = (size_t)o->at;
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(at < o->len ? o->buf + at : NULL, at < o->len ? o->len - at : 0, fmt, ap);
	va_end(ap);
	o->at += w > 0 ? w : 0;
}

int fault_event_json(const struct fault_event *ev, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	put(&o, "\"seq\": %" PRIu64 ", \"kind\": \"%s\"", ev->seq, fault_event_kind_name(ev->kind));
	if (ev->kind == FAULT_EV_PLAN) {
		put(&o, ", \"seed\": %" PRIu64 ", \"faults\": %zu", ev->seed, ev->nfaults);
		return o.at;
	}
	put(&o, ", \"fault\": %zu, \"n\": %" PRIu64 ", \"target\": \"%s\", \"at\": %" PRId64, ev->fault,
	    ev->n, ev->target, ev->at_ms);
	if (ev->kind == FAULT_EV_KILL || ev->kind == FAULT_EV_STALL)
		put(&o, ", \"signal\": \"%s\"", fault_signal_name(ev->signal));
	if (ev->kind == FAULT_EV_STALL)
		put(&o, ", \"ms\": %" PRId64, ev->ms);
	if (ev->kind == FAULT_EV_DROP || ev->kind == FAULT_EV_DUPLICATE)
		put(&o, ", \"binding\": \"%s\", \"direction\": \"%s\"", ev->binding, fault_dir_name(ev->dir));
	if (ev->kind == FAULT_EV_DROP)
		put(&o, ", \"partition\": %s", ev->partitioned ? "true" : "false");
	if (ev->kind == FAULT_EV_EDGE) {
		char p[32];

		prob_text(ev->drop, p);
		put(&o, ", \"binding\": \"%s\", \"drop\": %s, \"ms\": %" PRId64, ev->binding, p, ev->ms);
	}
	if (ev->kind == FAULT_EV_SYSCALL)
		put(&o, ", \"syscall\": \"%s\", \"errno\": \"%s\", \"incarnation\": %u", ev->syscall,
		    fault_errno_name(ev->err), ev->incarnation);
	if (ev->suppressed)
		put(&o, ", \"suppressed\": %lu", ev->suppressed);
	if (ev->skipped)
		put(&o, ", \"skipped\": \"%s\"", ev->skipped);
	return o.at;
}

int fault_event_text(const struct fault_event *ev, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	put(&o, "fault %" PRIu64 ": ", ev->seq);
	switch (ev->kind) {
	case FAULT_EV_PLAN:
		put(&o, "plan of %zu %s, seed %" PRIu64 " (replay with --seed %" PRIu64 ")", ev->nfaults,
		    plural(ev->nfaults, "fault", "faults"), ev->seed, ev->seed);
		return o.at;
	case FAULT_EV_KILL:
		put(&o, "kill %s with %s", ev->target, fault_signal_name(ev->signal));
		break;
	case FAULT_EV_STALL:
		put(&o, "stall %s for %" PRId64 " ms", ev->target, ev->ms);
		break;
	case FAULT_EV_DROP:
	case FAULT_EV_DUPLICATE:
		put(&o, "%s a message %s on %s (%s)%s", ev->kind == FAULT_EV_DROP ? "drop" : "duplicate",
		    ev->dir == FAULT_DIR_TO_CLIENT ? "to the client" : "to the service", ev->target,
		    ev->binding, ev->partitioned ? " in a partition" : "");
		break;
	case FAULT_EV_SYSCALL:
		put(&o, "%s fails %s in %s", ev->syscall, fault_errno_name(ev->err), ev->target);
		break;
	case FAULT_EV_EDGE: {
		char p[32];

		prob_text(ev->drop, p);
		put(&o, "drop each message on %s (%s) with probability %s for %" PRId64 " ms", ev->target,
		    ev->binding, p, ev->ms);
		break;
	}
	}
	put(&o, " (fault %zu, %s %" PRIu64 ")", ev->fault,
	    ev->kind == FAULT_EV_SYSCALL ? "call"
	    : ev->kind == FAULT_EV_DROP || ev->kind == FAULT_EV_DUPLICATE ? "message" : "firing", ev->n);
	if (ev->skipped)
		put(&o, ": skipped, %s", ev->skipped);
	if (ev->suppressed)
		put(&o, " (%lu more not shown)", ev->suppressed);
	return o.at;
}
