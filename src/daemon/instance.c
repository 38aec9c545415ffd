/* Instances; see instance.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/daemon/containment.h"
#include "src/daemon/context.h"
#include "src/daemon/ctl_verbs.h"
#include "src/daemon/env.h"
#include "src/daemon/generation.h"
#include "src/daemon/instance.h"
#include "src/proto/plural.h"
#include "src/daemon/log.h"
#include "src/daemon/loop.h"
#include "src/daemon/report.h"
#include "src/daemon/setup.h"
#include "src/daemon/status_text.h"
#include "src/daemon/timer.h"
#include "src/daemon/violation.h"
#include "supervisor/backoff.h"

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct instance *in = w->data;

	/* after a stall of the daemon a READY=1 sent in time may wait unread:
	 * read it first (the tree ignores a start timer READY disarmed), as
	 * the watchdog does its pets */
	if (in->bind)
		bindings_catch_up(in->bind);
	dispatch_node(in->d, SV_EV_TIMER, in->node, NULL);
}

static void on_status_due(struct ev_loop *loop, ev_timer *w, int revents);

static void on_output(struct ev_loop *loop, ev_io *w, int revents)
{
	struct instance *in = w->data;

	int r = output_drain(&in->out, &in->d->outq);

	if (r > 0) {	/* stdout is backed up: read on when it has room */
		outq_wait(&in->d->outq, w);
	} else if (r < 0) {
		log_err("%s: reading output: %s", in->name, strerror(errno));
		ev_io_stop(loop, w);
	}
}

/* A line of its output, escaped as on stdout (`logs` reaches a terminal
 * too): kept for `prospero logs`, and to its followers. */
static void on_line(void *arg, const char *text, size_t n)
{
	struct instance *in = arg;

	(void)logring_add(&in->ring, in->d->log_ring, text, n, text + n, 0);	/* ENOMEM: not kept */
	ctl_logs_publish(in->d, in->name, text, n, text + n, 0);
}

/* READY=1 on the control channel, as on $NOTIFY_SOCKET */
static void bind_ready(void *ctx)
{
	struct instance *in = ctx;

	dispatch_node(in->d, SV_EV_READY, in->node, NULL);
}

/* Like a violation: killed, and the exit and restart say why. */
static void bind_watchdog_expired(void *ctx)
{
	struct instance *in = ctx;

	if (in->pid <= 0)
		return;
	snprintf(in->why, sizeof in->why, "watchdog");
	instance_end(in, SIGKILL);
}

static void bind_status(void *ctx, const char *text, size_t len)
{
	instance_set_status(ctx, text, len);
}

static void bind_read_notify(void *ctx)
{
	struct instance *in = ctx;

	loop_read_notify(in->d, LOOP_NOTIFY_CATCH_UP);
}

static const struct bind_ops bind_ops = {
	.ready = bind_ready, .watchdog_expired = bind_watchdog_expired, .read_notify = bind_read_notify,
	.status = bind_status,
};

#define ACTOR_NOFILE_ROOM 64

/* Its inherited fds and room for as many again as a small program opens
 * (and its seccomp listener): the soft limit the daemon was started with
 * may be lower than what it hands a busy service. Never above the hard
 * limit the daemon has now, read at each start: prlimit(1) may have
 * lowered it, and a child cannot raise its own. */
void instance_nofile(const struct daemon *d, struct instance *in)
{
	struct rlimit *r = &in->confine.nofile;
	rlim_t want = (rlim_t)in->confine.nfds + ACTOR_NOFILE_ROOM;

	*r = d->nofile;
	r->rlim_max = daemon_nofile_max(d);
	if (r->rlim_cur != RLIM_INFINITY && r->rlim_cur < want)
		r->rlim_cur = want;
	if (r->rlim_max != RLIM_INFINITY && (r->rlim_cur == RLIM_INFINITY || r->rlim_cur > r->rlim_max))
		r->rlim_cur = r->rlim_max;
}

/* What every start of it is given: fds 0-2, then (bindings.h) the control
 * channel and its bindings; the confinement plan; the spawn plan. */
static int plan_start(struct daemon *d, struct instance *in, struct bindings *b, char *msg, size_t len)
{
	const struct cfg_actor *a = in->spec;

	in->fds[0] = d->devnull;
	in->fds[1] = in->out.wfd;
	in->fds[2] = in->out.wfd;
	in->confine = (struct sb_confine_plan){
		.fds = in->fds, .nfds = 3, .cwd = a->cwd, .daemon_pid = d->self,
		.reset_signals = d->reset_signals, .nreset_signals = d->nreset_signals,
	};
	/* fd 3 on: control channel and bindings (README "Wire protocol and fd convention") */
	if (!(in->bind = bindings_instance(b, a, in->index, in->name, in->fds, &bind_ops, in,
					   &in->envp)))
		return -1;
	in->confine.fds = bindings_fds(in->bind, &in->confine.nfds);
	if (confinement_plan(d, in, msg, len) < 0)
		return -1;
	in->plan = (struct sb_spawn_plan){
		.path = a->path, .argv = a->argv, .envp = in->envp, .confine = &in->confine,
	};
	return 0;
}

struct instance *instance_new(struct daemon *d, const struct instance_spec *s, struct sv_node *node,
			      char *name, char *msg, size_t len)
{
	struct instance *in = calloc(1, sizeof *in);
	const struct cfg_actor *a = s->a;
	int saved;

	if (!in) {
		free(name);
		return NULL;
	}
	in->d = d;
	in->spec = a;
	in->gen = generation_ref(s->gen);
	in->index = s->index;
	in->name = name;
	in->node = node;
	node->user = in;
	node->name = name;
	in->out.rfd = in->out.wfd = -1;
	in->pidfd = -1;
	sb_cgroup_inst_init(&in->cg);
	in->ns_kept = SB_NS_KEEP_NONE;
	violation_init(in);
	ev_timer_init(&in->timer, on_timer, 0., 0.);
	in->timer.data = in;
	ev_timer_init(&in->status_timer, on_status_due, 0., 0.);
	in->status_timer.data = in;
	ev_io_init(&in->out_watcher, on_output, -1, EV_READ);
	in->out_watcher.data = in;
	if (output_open(&in->out, in->name) < 0)
		goto fail;
	in->out.on_line = on_line;
	in->out.line_arg = in;
	if (a->nsecrets && asprintf(&in->creds_dir, "%s/%s", d->secrets.root, in->name) < 0) {
		in->creds_dir = NULL;
		goto fail;
	}
	if (state_path(d, in, &in->state_dir) < 0 ||
	    !(in->envp = env_build(a, in->index, d->notify_env, in->creds_dir, in->state_dir)) ||
	    plan_start(d, in, s->bindings, msg, len) < 0)
		goto fail;
	ev_io_set(&in->out_watcher, in->out.rfd, EV_READ);
	ev_io_start(d->loop, &in->out_watcher);
	return in;
fail:
	saved = errno;
	instance_free(in);
	errno = saved;
	return NULL;
}

int instances_reserve(struct daemon *d, size_t n)
{
	struct instance **inst;

	if (n <= d->cap_inst)
		return 0;
	if (!(inst = realloc(d->inst, n * sizeof *inst)))
		return -1;
	d->inst = inst;
	d->cap_inst = n;
	return 0;
}

void instances_add(struct daemon *d, struct instance *in)
{
	in->slot = d->ninst;
	d->inst[d->ninst++] = in;
}

void instances_remove(struct daemon *d, struct instance *in)
{
	struct instance *last = d->inst[--d->ninst];

	d->inst[in->slot] = last;
	last->slot = in->slot;
}

/* Its process is gone: no message is its by that pid or uid now. */
static void unmap(struct instance *in)
{
	struct daemon *d = in->d;

	pidmap_del(&d->pids, in->pid);
	if (in->notify_uid && pidmap_get(&d->uids, (pid_t)in->notify_uid) == in)
		pidmap_del(&d->uids, (pid_t)in->notify_uid);
	in->notify_uid = 0;
}

void instance_free(struct instance *in)
{
	struct daemon *d;

	if (!in)
		return;
	d = in->d;
	if (in->pid > 0) {	/* only after a fatal error: never leave one behind */
		if (instance_end(in, SIGKILL) == 0)	/* else waiting would hang */
			waitpid(in->pid, NULL, 0);
		unmap(in);
	}
	loop_unwatch_exit(in);
	containment_release(d, in);
	ns_reuse_release(d, in);
	ev_timer_stop(d->loop, &in->timer);
	ev_timer_stop(d->loop, &in->status_timer);
	ev_io_stop(d->loop, &in->out_watcher);
	violation_unwatch(d, in);
	secrets_remove(in);
	output_drain(&in->out, &d->outq);
	output_flush(&in->out, &d->outq);
	output_close(&in->out);
	logring_free(&in->ring);
	bindings_instance_free(in->bind);
	env_free(in->envp);
	free(in->creds_dir);
	free(in->last_why);
	free(in->status);
	free(in->state_dir);
	if (in->node && in->node->user == in)
		in->node->user = NULL;
	generation_unref(in->gen);
	free(in->name);
	free(in);
}

int instance_signal(const struct instance *in, int sig)
{
	if (in->pid <= 0 || kill(-in->pid, sig) == 0)
		return 0;
	/* no group of its pid (it made a session of its own): the process */
	if (errno == ESRCH && kill(in->pid, sig) == 0)
		return 0;
	/* ESRCH after both: nothing left to signal (an unreaped zombie
	 * would have taken the signal) */
	return errno == ESRCH ? 0 : -1;
}

int instance_end(struct instance *in, int sig)
{
	int err;

	if (instance_signal(in, sig) == 0)
		return 0;
	if (in->forced)
		return -1;	/* tried and said already */
	/* a stop would wait for ever on a signal that cannot be sent */
	in->forced = true;
	err = errno;
	if (containment_force(in->d, in, sig, err) == 0)
		return 0;
	errno = err;	/* the signal's failure, which the caller may tell */
	return -1;
}

/* A sampled STATUS= change, its text now: a "status" event, and the same
 * on stderr. NOT_SHOWN changes came before it since the last sample. */
static void status_event(const struct instance *in, unsigned long not_shown)
{
	const char *esc = in->status;
	char name[2 * INSTANCE_STATUS_MAX], sup[2 * INSTANCE_STATUS_MAX], json[2 * INSTANCE_STATUS_MAX];
	char fields[7 * INSTANCE_STATUS_MAX], text[3 * INSTANCE_STATUS_MAX];

	/* the members every event has, as events.c writes them */
	json_escape(name, sizeof name, in->name);
	json_escape(sup, sizeof sup, in->node->parent ? in->node->parent->name : "");
	json_escape(json, sizeof json, esc);
	snprintf(fields, sizeof fields,
		 "\"name\": \"%s\", \"supervisor\": \"%s\", \"pid\": %d, \"text\": \"%s\", \"not_shown\": %lu",
		 name, sup, (int)in->pid, json, not_shown);
	if (not_shown)
		snprintf(text, sizeof text, "%s: status: %s (%lu earlier %s not shown)", in->name, esc,
			 not_shown, plural(not_shown, "change", "changes"));
	else
		snprintf(text, sizeof text, "%s: status: %s", in->name, esc);
	events_emit_fields(&in->d->events, "status", in->name, fields, text);
}

/* The sample is taken now, and the window starts over. */
static void status_sample(struct instance *in, int64_t now, unsigned long not_shown)
{
	ev_timer_stop(in->d->loop, &in->status_timer);
	in->status_logged_ms = now;
	in->status_unlogged = 0;
	status_event(in, not_shown);
}

/* The window after the last sample is over, and changes came in it: the
 * latest is the sample, the ones before it not shown. */
static void on_status_due(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct instance *in = w->data;

	if (in->pid > 0 && in->status_unlogged)
		status_sample(in, daemon_now_ms(), in->status_unlogged - 1);
}

void instance_set_status(struct instance *in, const char *text, size_t len)
{
	char esc[INSTANCE_STATUS_MAX];
	size_t n = status_text(esc, sizeof esc, text, len);
	int64_t now, since;

	if (in->status && strcmp(in->status, esc) == 0)
		return;
	if (!in->status && !(in->status = malloc(sizeof esc)))
		return;	/* not kept: nothing else depends on it */
	memcpy(in->status, esc, n + 1);
	/* a queue says how deep it is every second: the log gets a sample,
	 * and the last change in a window is not left unsaid */
	now = daemon_now_ms();
	since = now - in->status_logged_ms;
	if (in->status_logged_ms && since < INSTANCE_STATUS_LOG_MS) {
		in->status_unlogged++;
		if (!ev_is_active(&in->status_timer))
			timer_arm(in->d->loop, &in->status_timer,
				  (double)(INSTANCE_STATUS_LOG_MS - since) / 1000.0);
		return;
	}
	status_sample(in, now, in->status_unlogged);
}

const char *instance_status(const struct instance *in)
{
	return in->status && in->status[0] ? in->status : NULL;
}

void instance_reaped(struct instance *in, int status)
{
	struct daemon *d = in->d;

	/* before anything can start it again */
	loop_unwatch_exit(in);
	/* its last words come before its obituary */
	output_drain(&in->out, &d->outq);
	output_flush(&in->out, &d->outq);
	unmap(in);
	in->end_pid = in->pid;
	in->pid = 0;
	in->forced = false;
	ev_timer_stop(d->loop, &in->timer);
	ev_timer_stop(d->loop, &in->status_timer);	/* a change it left unsaid stays so */
	violation_unwatch(d, in);
	containment_reaped(d, in, status);
}

/* Killed at its cgroup's memory limit: say so, not just SIGKILL. */
static void oom_reason(struct instance *in, int status, const struct sb_cgroup_usage *u)
{
	if (!in->why[0] && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && u->oom_kills)
		snprintf(in->why, sizeof in->why, "out of memory (killed at its %llu-byte memory limit)",
			 (unsigned long long)in->spec->cg_limits.memory);
}

void instance_ended(struct instance *in, int status, const struct sb_cgroup_usage *u)
{
	struct daemon *d = in->d;
	struct sv_exit e = { 0 };
	unsigned token;

	/* what its descendants wrote before they were killed */
	output_drain(&in->out, &d->outq);
	output_flush(&in->out, &d->outq);
	secrets_remove(in);
	bindings_ended(in->bind);	/* clients hear it before any restart */
	if (WIFEXITED(status)) {
		e.kind = SV_EXIT_STATUS;
		e.value = WEXITSTATUS(status);
	} else {
		e.kind = SV_EXIT_SIGNAL;
		e.value = WTERMSIG(status);
	}
	oom_reason(in, status, u);
	report_exit(d, in, in->end_pid, &e, u);
	token = ns_reuse_ending(d, in);
	dispatch_node(d, SV_EV_EXIT, in->node, &e);
	ns_reuse_ended(d, in, token);
}
