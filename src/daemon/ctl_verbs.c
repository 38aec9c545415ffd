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

/* The node R names, or NULL after answering that there is none. */
static struct sv_node *named(struct daemon *d, struct ctl_client *c, const struct ctl_request *r)
{
	struct sv_node *n = sv_find(d->tree, r->name);
	char msg[CTL_NAME_MAX + 64];

	if (!n) {
		snprintf(msg, sizeof msg, "no actor or supervisor named \"%s\"", r->name);
		ctl_send_line(c, ctl_answer_error(ENOENT, msg));
	}
	return n;
}

static void verb_status(struct daemon *d, struct ctl_client *c, const struct ctl_request *r)
{
	struct sv_node *n = NULL;

	if (r->name[0] && !(n = named(d, c, r)))
		return;
	ctl_send_line(c, ctl_status_answer(d, n));
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
		why = op == SV_OP_KILL ? "has no process" : "is not under a running supervisor";
		break;
	case -EALREADY:
		why = op == SV_OP_STOP ? "is already stopped" : "is already running or starting";
		break;
	case -EBUSY:
		why = "is still stopping: start it once it is down";
		break;
	default:
		why = "cannot be acted on now";
	}
	snprintf(buf, len, "%s %s", n->name, why);
}

static void verb_operator(struct daemon *d, struct ctl_client *c, const struct ctl_request *r)
{
	static const enum sv_op ops[CTL_NVERBS] = {
		[CTL_RESTART] = SV_OP_RESTART, [CTL_STOP] = SV_OP_STOP,
		[CTL_START] = SV_OP_START, [CTL_KILL] = SV_OP_KILL,
	};
	struct sv_event ev = { .kind = SV_EV_OPERATOR, .op = ops[r->verb] };
	char msg[CTL_NAME_MAX + 96];
	int rc;

	if (!(ev.node = named(d, c, r)))
		return;
	if (ev.op == SV_OP_KILL)
		ev.sig = r->sig ? r->sig : SIGTERM;
	if ((rc = sv_operator_check(d->tree, ev.op, ev.node, ev.sig)) < 0) {
		refusal(ev.node, ev.op, rc, msg, sizeof msg);
		ctl_send_line(c, ctl_answer_error(-rc, msg));
		return;
	}
	dispatch_feed(d, &ev);
	ctl_send_line(c, ctl_answer_ok());
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
		return;	/* the answer says less */
}

static void verb_logs(struct daemon *d, struct ctl_client *c, const struct ctl_request *r)
{
	struct sv_node *n = named(d, c, r);
	struct ctl_lines *l;
	char msg[CTL_NAME_MAX + 64];

	if (!n)
		return;
	if (n->kind != SV_NODE_ACTOR) {
		snprintf(msg, sizeof msg, "%s is a supervisor: logs are an actor's", n->name);
		ctl_send_line(c, ctl_answer_error(EINVAL, msg));
		return;
	}
	if (!(l = ctl_lines_new())) {
		ctl_send_line(c, NULL);
		return;
	}
	logring_tail(&((struct instance *)n->user)->ring, r->lines, add_line, l);
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
