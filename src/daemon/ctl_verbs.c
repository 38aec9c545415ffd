/* The control verbs; see ctl_verbs.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/control/stream.h"
#include "src/daemon/context.h"
#include "src/daemon/ctl_server.h"
#include "src/daemon/ctl_status.h"
#include "src/daemon/ctl_verbs.h"
#include "src/daemon/fault_inject.h"
#include "src/daemon/instance.h"
#include "supervisor/operator.h"

typedef void verb_fn(struct daemon *d, struct ctl_client *c, const struct ctl_request *r);

static int by_instance(const void *a, const void *b)
{
	const struct instance *x = (*(struct sv_node *const *)a)->user, *y = (*(struct sv_node *const *)b)->user;

	return (x->index > y->index) - (x->index < y->index);
}

/* What R names: one node, or each instance of a pool ("worker" for
 * worker#1 ... worker#N), in *NODES (malloc'd) in instance order. Their
 * number; 0 after answering that there is none (or ENOMEM). */
static size_t named(struct daemon *d, struct ctl_client *c, const struct ctl_request *r,
		    struct sv_node ***nodes)
{
	struct sv_node *n = sv_find(d->tree, r->name);
	char msg[CTL_NAME_MAX + 64];
	size_t k = 0;

	if (!(*nodes = calloc(d->ninst + 1, sizeof **nodes))) {
		ctl_send_line(c, NULL);
		return 0;
	}
	if (n) {
		(*nodes)[k++] = n;
		return k;
	}
	for (size_t i = 0; i < d->ninst; i++) {
		const struct instance *in = d->inst[i];

		if (in->spec->instances > 1 && strcmp(in->spec->name, r->name) == 0)
			(*nodes)[k++] = in->node;
	}
	qsort(*nodes, k, sizeof **nodes, by_instance);
	if (!k) {
		free(*nodes);
		*nodes = NULL;
		snprintf(msg, sizeof msg, "no actor or supervisor named \"%s\"", r->name);
		ctl_send_line(c, ctl_answer_error(ENOENT, msg));
	}
	return k;
}

static void verb_status(struct daemon *d, struct ctl_client *c, const struct ctl_request *r)
{
	struct sv_node **nodes = NULL;
	size_t n = 0;

	if (r->name[0] && !(n = named(d, c, r, &nodes)))
		return;
	ctl_send_line(c, ctl_status_answer(d, nodes, n));
	free(nodes);
}

/* Why sv_operator_check refused, in the operator's words. */
static void refusal(const struct sv_node *n, enum sv_op op, int err, char *buf, size_t len)
{
	const char *why;

	switch (err) {
	case -EINVAL:
		why = !n->parent ? "is the root supervisor: stop the daemon instead"
		    : n->kind == SV_NODE_SUPERVISOR ? "is a supervisor: kill signals one actor"
		    : "cannot take that signal";
		break;
	case -ESRCH:
		/* a reload's leaving node: its supervisor runs, so say what it waits for */
		why = op == SV_OP_KILL ? "has no process"
		    : n->retiring && n->successor ? "is being restarted by a reload: act on it once the reload is applied"
		    : n->retiring ? "is being removed by a reload"
		    : "is not under a running supervisor";
		break;
	case -EALREADY:
		why = op != SV_OP_STOP ? "is already running or starting"
		    : n->state != SV_DOWN ? "is already stopping" : "is already stopped";
		break;
	case -EBUSY:
		why = "is still stopping: start it once it is down";
		break;
	default:
		why = "cannot be acted on now";
	}
	snprintf(buf, len, "%s %s", n->name, why);
}

/* Why a kill's signal reached no process of N, as the daemon's log says it. */
static void sent_not(const struct sv_node *n, int sig, int err, char *buf, size_t len)
{
	const struct instance *in = n->user;
	char signame[SV_SIGNAME_MAX];

	snprintf(buf, len, "%s: cannot send %s to pid %d: %s", n->name, sv_signal_name(sig, signame),
		 (int)in->pid, strerror(-err));
}

/* Each node R names: a pool's instances one by one, one event each;
 * refused only when every one of them is. */
static void verb_operator(struct daemon *d, struct ctl_client *c, const struct ctl_request *r)
{
	static const enum sv_op ops[CTL_NVERBS] = {
		[CTL_RESTART] = SV_OP_RESTART, [CTL_STOP] = SV_OP_STOP,
		[CTL_START] = SV_OP_START, [CTL_KILL] = SV_OP_KILL,
	};
	struct sv_event ev = { .kind = SV_EV_OPERATOR, .op = ops[r->verb] };
	struct sv_node **nodes;
	size_t n = named(d, c, r, &nodes), done = 0;
	char msg[CTL_NAME_MAX + 96];
	int rc, first = 0;

	if (ev.op == SV_OP_KILL)
		ev.sig = r->sig ? r->sig : SIGTERM;
	for (size_t i = 0; i < n; i++) {
		ev.node = nodes[i];
		rc = sv_operator_check(d->tree, ev.op, ev.node, ev.sig);
		/* up in the tree, its main process reaped while its cgroup empties */
		if (rc == 0 && ev.op == SV_OP_KILL && ((struct instance *)ev.node->user)->pid <= 0)
			rc = -ESRCH;
		if (rc < 0) {
			if (!first)
				refusal(ev.node, ev.op, first = rc, msg, sizeof msg);
			continue;
		}
		d->dispatch.signal_err = 0;
		dispatch_feed(d, &ev);
		if (ev.op == SV_OP_KILL && d->dispatch.signal_err) {	/* sent to no process of it */
			if (!first)
				sent_not(ev.node, ev.sig, first = -d->dispatch.signal_err, msg, sizeof msg);
			continue;
		}
		done++;
	}
	if (n)
		ctl_send_line(c, done ? ctl_answer_ok() : ctl_answer_error(-first, msg));
	free(nodes);
}

/* The past is the events file up to now, which the client reads itself;
 * the daemon sends only what comes after. */
static void verb_events(struct daemon *d, struct ctl_client *c, const struct ctl_request *r)
{
	struct stat st;
	int64_t offset = d->events.fd >= 0 && fstat(d->events.fd, &st) == 0 ? (int64_t)st.st_size : 0;

	if (r->follow) {
		c->mode = CTL_MODE_EVENTS;
		snprintf(c->filter, sizeof c->filter, "%s", r->name);
	}
	ctl_send_line(c, ctl_events_answer(d->events.fd >= 0 ? d->events.path : NULL, offset));
}

static void add_line(const char *line, size_t len, void *arg)
{
	if (ctl_lines_add(arg, line, len) < 0)
		return;	/* ctl_lines_answer then fails: an ENOMEM answer, not a gap */
}

static void verb_logs(struct daemon *d, struct ctl_client *c, const struct ctl_request *r)
{
	struct sv_node **nodes, *n;
	size_t count = named(d, c, r, &nodes);
	struct ctl_lines *l;
	char msg[3 * CTL_NAME_MAX + 96];

	if (!count)
		return;
	n = nodes[0];
	free(nodes);
	if (count > 1 || n->kind != SV_NODE_ACTOR) {
		if (count > 1)
			snprintf(msg, sizeof msg, "%s has %zu instances: logs are one's (%s#1 to %s#%zu)", r->name,
				 count, r->name, r->name, count);
		else
			snprintf(msg, sizeof msg, "%s is a supervisor: logs are an actor's", n->name);
		ctl_send_line(c, ctl_answer_error(EINVAL, msg));
		return;
	}
	if (!(l = ctl_lines_new())) {
		ctl_send_line(c, NULL);
		return;
	}
	/* "lines": 0 is none (tail -n0); without "lines", all it keeps */
	if (!r->has_lines || r->lines > 0)
		logring_tail(&((struct instance *)n->user)->ring, r->has_lines ? r->lines : 0, add_line, l);
	if (r->follow) {
		c->mode = CTL_MODE_LOGS;
		snprintf(c->filter, sizeof c->filter, "%s", n->name);
	}
	ctl_send_line(c, ctl_lines_answer(l));
}

void ctl_events_publish(void *arg, const char *name, const char *line, size_t n)
{
	struct daemon *d = arg;

	ctl_broadcast(&d->control, CTL_MODE_EVENTS, name, line, n);
}

void ctl_logs_publish(struct daemon *d, const char *name, const char *a, size_t na,
		      const char *b, size_t nb)
{
	char text[OUTPUT_MAX_LINE], *line;
	size_t n = 0;

	if (!ctl_has_subscribers(&d->control, CTL_MODE_LOGS))
		return;
	n = na < sizeof text ? na : sizeof text;
	if (n)
		memcpy(text, a, n);
	nb = nb < sizeof text - n ? nb : sizeof text - n;
	if (nb)
		memcpy(text + n, b, nb);
	if ((line = ctl_line_encode(name, text, n + nb))) {
		ctl_broadcast(&d->control, CTL_MODE_LOGS, name, line, strlen(line));
		free(line);
	}
}

/* A fault now (fault_inject.h): what the injector says is the answer. */
static void verb_fault(struct daemon *d, struct ctl_client *c, const struct ctl_request *r)
{
	char msg[256] = "";
	int rc;

	if (strcmp(r->fault, "kill") == 0)
		rc = fault_inject_kill(d, r->name, r->sig ? r->sig : SIGKILL, msg, sizeof msg);
	else if (strcmp(r->fault, "stall") == 0)
		rc = fault_inject_stall(d, r->name, r->ms, msg, sizeof msg);
	else
		rc = fault_inject_edge(d, r->name, r->drop, r->ms, msg, sizeof msg);
	ctl_send_line(c, rc < 0 ? ctl_answer_error(errno, msg) : ctl_answer_ok());
}

static verb_fn *const verbs[CTL_NVERBS] = {
	[CTL_STATUS] = verb_status,
	[CTL_RESTART] = verb_operator,
	[CTL_STOP] = verb_operator,
	[CTL_START] = verb_operator,
	[CTL_KILL] = verb_operator,
	[CTL_EVENTS] = verb_events,
	[CTL_LOGS] = verb_logs,
	[CTL_FAULT] = verb_fault,
};

void ctl_verbs_handle(struct daemon *d, struct ctl_client *c, const struct ctl_request *r)
{
	verbs[r->verb](d, c, r);
}
