/* Violations; see violation.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/seccomp/handoff.h"
#include "sandbox/seccomp/listener.h"
#include "src/daemon/context.h"
#include "src/daemon/fault_calls.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/daemon/report.h"
#include "src/daemon/violation.h"

static void report_errno(struct daemon *d, struct instance *in, const struct sb_violation *v,
			 unsigned long suppressed)
{
	char reason[SB_VIOLATION_TEXT_MAX + 32];

	snprintf(reason, sizeof reason, "sandbox violation: %s", v->text);
	report_violation(d, in, v, reason, false, suppressed);
}

static void drop_held(struct daemon *d, struct instance *in)
{
	ev_timer_stop(d->loop, &in->violation_flush);
	free(in->held_violation);
	in->held_violation = NULL;
}

/* A call left out by the rate limit: the last one is kept, and shown
 * (with the count of the others) once a report may go again, should no
 * call follow to carry the count; else it would be counted nowhere. */
static void hold(struct daemon *d, struct instance *in, const struct sb_violation *v)
{
	if (!in->held_violation && !(in->held_violation = malloc(sizeof *in->held_violation)))
		return;		/* counted all the same, in the next report */
	*in->held_violation = *v;
	if (!ev_is_active(&in->violation_flush)) {
		/* a token comes back one interval after the last refill: at the
		 * latest one interval from now */
		ev_timer_set(&in->violation_flush, (double)in->violations.interval_ms / 1000.0, 0.);
		ev_timer_start(d->loop, &in->violation_flush);
	}
}

/* What hold kept, shown now; with the count of the rest (the kept one
 * is counted among them). */
static void report_held(struct daemon *d, struct instance *in, unsigned long suppressed)
{
	struct sb_violation *v = in->held_violation;

	in->held_violation = NULL;
	ev_timer_stop(d->loop, &in->violation_flush);
	report_errno(d, in, v, suppressed > 0 ? suppressed - 1 : 0);
	free(v);
}

static void on_flush(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct instance *in = w->data;
	unsigned long suppressed;

	if (!in->held_violation)
		return;
	if (!sb_ratelimit_allow(&in->violations, (uint64_t)daemon_now_ms(), &suppressed)) {
		ev_timer_set(w, (double)in->violations.interval_ms / 1000.0, 0.);
		ev_timer_start(loop, w);
		return;
	}
	report_held(in->d, in, suppressed);
}

/* A denied system call. The listener is readable for a pending call, and
 * hangs up once every process under the filter is gone: only the first
 * may be received (a receive without one would block the daemon). */
static void on_violation(struct ev_loop *loop, ev_io *w, int revents)
{
	struct instance *in = w->data;
	struct daemon *d = in->d;
	struct pollfd pfd = { .fd = in->listener, .events = POLLIN };
	struct seccomp_notif n;
	struct sb_violation v;
	unsigned long suppressed;
	char reason[SB_VIOLATION_TEXT_MAX + 32];
	bool kill_it = !in->filter || in->filter->on_violation == SB_ON_VIOLATION_KILL;

	if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLIN)) {
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			violation_unwatch(d, in);
		return;
	}
	if (sb_listener_recv(in->listener, &n) < 0) {
		if (errno != ENOENT && errno != EINTR) {	/* ENOENT: the caller is gone */
			log_err("%s: seccomp listener: %s", in->name, strerror(errno));
			violation_unwatch(d, in);
		}
		return;
	}
	sb_violation_decode(&n, &v);
	if (fault_calls_answer(in, &n, &v))
		return;		/* a fault plan's call, not a violation */
	if (!kill_it) {
		/* the caller waits for this answer: give it first, report after */
		(void)sb_listener_respond_errno(in->listener, n.id, EPERM);
		if (!sb_ratelimit_allow(&in->violations, (uint64_t)daemon_now_ms(), &suppressed)) {
			hold(d, in, &v);
			return;
		}
		drop_held(d, in);	/* counted in SUPPRESSED: this one is shown */
		report_errno(d, in, &v, suppressed);
		return;
	}
	snprintf(reason, sizeof reason, "sandbox violation: %s", v.text);
	report_violation(d, in, &v, reason, true, 0);
	/* the restart reason names the call, not just SIGKILL */
	snprintf(in->why, sizeof in->why, "%s", reason);
	if (sb_listener_kill(in->listener, &n) < 0 && errno != ESRCH)
		log_err("%s: cannot kill pid %d: %s", in->name, (int)v.pid, strerror(errno));
	(void)instance_end(in, SIGKILL);	/* the actor, not only the offending process */
}

void violation_init(struct instance *in)
{
	in->listener = -1;
	ev_io_init(&in->listener_watcher, on_violation, -1, EV_READ);
	in->listener_watcher.data = in;
	/* errno mode: a busy loop of denied calls must not flood the log */
	sb_ratelimit_init(&in->violations, 5, 1000);
	in->held_violation = NULL;
	ev_timer_init(&in->violation_flush, on_flush, 0., 0.);
	in->violation_flush.data = in;
}

int violation_watch(struct daemon *d, struct instance *in)
{
	int fd = sb_handoff_recv(d->conf.handoff[0]);

	if (fd < 0)
		return -1;
	in->listener = fd;
	ev_io_set(&in->listener_watcher, fd, EV_READ);
	ev_io_start(d->loop, &in->listener_watcher);
	return 0;
}

void violation_unwatch(struct daemon *d, struct instance *in)
{
	/* no call comes after: the ones left out are told now */
	if (in->held_violation)
		report_held(d, in, sb_ratelimit_take_suppressed(&in->violations));
	if (in->listener < 0)
		return;
	ev_io_stop(d->loop, &in->listener_watcher);
	close(in->listener);
	in->listener = -1;
}

void violation_discard(struct daemon *d)
{
	int stray;

	/* a child may have handed over its namespaces before it failed; a
	 * message refused (EBADMSG, EMFILE) was read all the same */
	while ((stray = sb_handoff_recv(d->conf.handoff[0])) >= 0 || errno == EBADMSG || errno == EMFILE)
		if (stray >= 0)
			close(stray);
}
