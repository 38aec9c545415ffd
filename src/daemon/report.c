/* Reports; see report.h. */
#include <stdio.h>
#include <string.h>

#include "src/daemon/context.h"
#include "src/daemon/events.h"
#include "src/daemon/instance.h"
#include "src/daemon/report.h"
#include "src/proto/plural.h"
#include "supervisor/operator.h"

void report_reason(char *buf, size_t cap, const char *prefix, const char *what)
{
	static const char mark[] = " ...";
	size_t start = strlen(prefix), room, cut;

	if ((size_t)snprintf(buf, cap, "%s%s", prefix, what) < cap || cap < sizeof mark + start + 1)
		return;
	/* BUF holds cap - 1 bytes of the text; the mark takes the last ones */
	room = cap - sizeof mark;
	for (cut = room; cut > start && buf[cut] != ' '; cut--)
		;
	while (cut > start && buf[cut - 1] == ' ')
		cut--;
	if (cut == start)	/* no blank: not mid-character at least */
		for (cut = room; cut > start && ((unsigned char)buf[cut] & 0xc0) == 0x80; cut--)
			;
	memcpy(buf + cut, mark, sizeof mark);
}

static const char *parent_name(const struct sv_node *n)
{
	return n->parent ? n->parent->name : NULL;
}

/* An exit's status or signal, as the exit and restart events show it. */
static void set_exit_fields(struct event *ev, const struct sv_exit *e)
{
	if (e->kind == SV_EXIT_STATUS)
		ev->status = e->value;
	else if (e->kind == SV_EXIT_SIGNAL)
		ev->signal = e->value;
}

/* Why an actor ended: what the daemon knows better (a violation, the
 * watchdog, a failed start), else what its status says. */
static void exit_reason(const struct instance *in, const struct sv_exit *e, char *buf, size_t len)
{
	if (in && in->why[0])
		snprintf(buf, len, "%s", in->why);
	else
		sv_exit_describe(e, buf, len);
}

/* "more than 3 restarts in 5 s; last: payment: sandbox violation: ..." */
static void give_up_reason(const struct sv_action *a, char *buf, size_t len)
{
	/* the last exit as its restart told it: a violation or a watchdog
	 * by name, not the SIGKILL that carried it out */
	const struct instance *last = a->cause && a->cause->kind == SV_NODE_ACTOR ? a->cause->user : NULL;
	/* with a colon, an end the daemon caused: a start timeout too, and
	 * every supervisor's (it gave up, or failed to start its children) */
	bool told = (last && last->why[0]) || a->exit.kind == SV_EXIT_START_TIMEOUT ||
		    (a->cause && a->cause->kind == SV_NODE_SUPERVISOR);
	char what[sizeof last->why], head[256];

	exit_reason(last, &a->exit, what, sizeof what);
	snprintf(head, sizeof head, "more than %u %s in %lld s; last: %s%s ", a->node->intensity.cap - 1,
		 plural(a->node->intensity.cap - 1, "restart", "restarts"),
		 (long long)(a->node->intensity.period_ms / 1000),
		 a->cause ? a->cause->name : "?", told ? ":" : "");
	report_reason(buf, len, head, what);
}

void report_action(struct daemon *d, const struct sv_action *a)
{
	const struct instance *in = a->node->kind == SV_NODE_ACTOR ? a->node->user : NULL;
	struct event ev = {
		.event = sv_report_name(a->report), .name = a->node->name,
		.supervisor = parent_name(a->node), .pid = in ? in->pid : 0,
		.status = -1,
	};
	char reason[sizeof ((struct instance *)0)->why];	/* every reason's limit */

	switch (a->report) {
	case SV_REPORT_RESTART:
		exit_reason(in, &a->exit, reason, sizeof reason);
		set_exit_fields(&ev, &a->exit);
		ev.reason = reason;
		ev.has_delay = true;
		ev.delay_ms = a->ms;
		break;
	case SV_REPORT_OPERATOR:
		ev.action = sv_op_name(a->op);
		if (a->op == SV_OP_KILL)
			ev.signal = a->sig;
		break;
	case SV_REPORT_STOP:
		if (a->cause && a->why != SV_WHY_GIVE_UP)
			snprintf(reason, sizeof reason, "%s: %s", sv_stop_why_name(a->why), a->cause->name);
		else
			snprintf(reason, sizeof reason, "%s", sv_stop_why_name(a->why));
		ev.reason = reason;
		break;
	case SV_REPORT_GIVE_UP:
		give_up_reason(a, reason, sizeof reason);
		ev.reason = reason;
		break;
	case SV_REPORT_ESCALATE:
		snprintf(reason, sizeof reason, "gave up; %s decides",
			 a->node->parent ? a->node->parent->name : "the daemon");
		ev.reason = reason;
		break;
	case SV_REPORT_READY:
	case SV_REPORT_START:
	case SV_REPORT_RELOADED:	/* no reloads are fed yet */
		break;
	}
	events_emit(&d->events, &ev);
}

void report_start(struct daemon *d, const struct instance *in, pid_t pid)
{
	events_emit(&d->events, &(struct event){
		.event = "start", .name = in->name, .supervisor = parent_name(in->node),
		.pid = pid, .status = -1 });
}

void report_exit(struct daemon *d, const struct instance *in, pid_t pid, const struct sv_exit *e,
		 const struct sb_cgroup_usage *u)
{
	char reason[sizeof in->why];
	struct event ev = {
		.event = "exit", .name = in->name, .supervisor = parent_name(in->node),
		.pid = pid, .status = -1, .reason = reason, .usage = u,
	};

	exit_reason(in, e, reason, sizeof reason);
	set_exit_fields(&ev, e);
	events_emit(&d->events, &ev);
}

void report_violation(struct daemon *d, const struct instance *in, const struct sb_violation *v,
		      const char *reason, bool killed, unsigned long suppressed)
{
	char args[SB_VIOLATION_TEXT_MAX];

	snprintf(args, sizeof args, "%.*s", (int)v->args_len, v->text + v->args_off);
	events_emit(&d->events, &(struct event){
		.event = "violation", .name = in->name, .supervisor = parent_name(in->node),
		.pid = v->pid, .status = -1, .reason = reason, .syscall = v->name, .args = args,
		.verdict = killed ? "kill" : "errno", .suppressed = suppressed });
}
