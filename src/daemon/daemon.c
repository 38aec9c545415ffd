#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>
#include <sys/capability.h>

#include "sandbox/daemon/privs.h"
#include "sandbox/daemon/spawn.h"
#include "sandbox/daemon/uidpool.h"
#include "sandbox/seccomp/filter.h"
#include "sandbox/seccomp/handoff.h"
#include "sandbox/seccomp/listener.h"
#include "sandbox/seccomp/ratelimit.h"
#include "sandbox/seccomp/violation.h"
#include "sandbox/secrets/deliver.h"
#include "src/daemon/bindings.h"
#include "src/daemon/daemon.h"
#include "src/daemon/events.h"
#include "src/daemon/log.h"
#include "src/daemon/notify.h"
#include "src/daemon/output.h"
#include "src/daemon/pidmap.h"
#include "src/proto/control.h"
#include "src/proto/fds.h"
#include "src/proto/sdnotify.h"
#include "supervisor/tree.h"

/* One running copy of an actor spec (instances: N makes N). */
struct instance {
	struct daemon *d;
	struct sv_node *node;
	const struct cfg_actor *spec;
	char *name;			/* "name", or "name#i" in a pool */
	pid_t pid;			/* 0 while not running */
	ev_timer timer;			/* start timeout or shutdown timeout */
	ev_io out_watcher;
	struct output out;
	char **envp;
	int fds[3];
	struct sb_confine_plan confine;
	struct sb_spawn_plan plan;
	/* confinement */
	struct sb_ns ns;
	struct sb_privs privs;
	const struct sb_filter *filter;	/* NULL: profile "none" */
	int listener;			/* the running actor's seccomp listener, or -1 */
	ev_io listener_watcher;
	struct sb_ratelimit violations;	/* errno-mode reports */
	char why[SB_VIOLATION_TEXT_MAX + 64];	/* why it ended, when we know better than its status */
	char *creds_dir;		/* its $CREDENTIALS_DIRECTORY when it has secrets, else NULL:
					 * a path buffer in every instance cost 4 KiB each */
	struct bind_inst *bind;		/* control channel, bindings, watchdog */
};

struct daemon {
	struct ev_loop *loop;
	const struct cfg *cfg;
	struct sv_tree *tree;
	struct instance *inst;
	size_t ninst;
	struct pidmap pids;
	struct sb_spawner spawner;
	struct notify_server notify;
	struct events events;
	ev_io notify_watcher;
	ev_signal sigchld, sigterm, sigint, sighup;
	ev_timer watchdog;
	/* events raised while actions run, fed to the tree after them */
	struct sv_event *queue;
	size_t qcap, qhead, qlen;
	bool dispatching;
	struct sv_exit end;		/* how the root went down, once tree->down */
	int devnull;
	pid_t self;
	struct rlimit nofile;		/* as we were started: actors get this back */
	char runtime_dir[4096];
	bool own_runtime_dir;
	char notify_env[4200];
	/* confinement */
	struct sb_filter *filters;	/* one per cfg->actors[i], built once */
	int handoff[2];			/* the children send their seccomp listeners here */
	bool privileged;		/* CAP_SETPCAP: may shrink the bounding set */
	bool dynamic_uids;		/* root: every actor instance its own uid */
	struct sb_uidpool uids;
	struct sb_uid_snapshot uids_in_use;	/* passwd and group, read once */
	int last_cap;
	struct sb_secret_sources secrets;
	char dev_vars[4096];
	char creds_root[4200];		/* RUNTIME/credentials, or "" */
	struct bindings bindings;
};

/* Dispositions the daemon changes; the child restores them to default. */
static const int handled_signals[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE };

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void act(struct daemon *d, const struct sv_action *a);

/* --- feeding the tree --- */

static void feed(struct daemon *d, const struct sv_event *ev)
{
	const struct sv_action *acts;
	struct sv_event e;

	if (d->qlen == d->qcap) {
		/* sized for one queued event per instance; more is a bug */
		log_err("internal error: event queue full");
		abort();
	}
	d->queue[(d->qhead + d->qlen++) % d->qcap] = *ev;
	if (d->dispatching)
		return;
	d->dispatching = true;
	while (d->qlen > 0) {
		e = d->queue[d->qhead];
		d->qhead = (d->qhead + 1) % d->qcap;
		d->qlen--;
		size_t n = sv_handle(d->tree, &e, now_ms(), &acts);
		for (size_t i = 0; i < n; i++)
			act(d, &acts[i]);
	}
	d->dispatching = false;
}

static void feed_node(struct daemon *d, enum sv_event_kind kind, struct sv_node *n,
		      const struct sv_exit *exit)
{
	struct sv_event ev = { .kind = kind, .node = n };

	if (exit)
		ev.exit = *exit;
	feed(d, &ev);
}

/* --- reporting --- */

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

static void emit_exit(struct daemon *d, struct instance *in, pid_t pid,
		      const struct sv_exit *e, const char *reason)
{
	struct event ev = {
		.event = "exit", .name = in->name, .supervisor = parent_name(in->node),
		.pid = pid, .status = -1, .reason = reason,
	};

	set_exit_fields(&ev, e);
	events_emit(&d->events, &ev);
}

static void report(struct daemon *d, const struct sv_action *a)
{
	struct instance *in = a->node->kind == SV_NODE_ACTOR ? a->node->user : NULL;
	struct event ev = {
		.event = sv_report_name(a->report), .name = a->node->name,
		.supervisor = parent_name(a->node), .pid = in ? in->pid : 0,
		.status = -1,
	};
	char reason[640], what[sizeof ((struct instance *)0)->why];

	switch (a->report) {
	case SV_REPORT_RESTART:
		exit_reason(in, &a->exit, reason, sizeof reason);
		set_exit_fields(&ev, &a->exit);
		ev.reason = reason;
		break;
	case SV_REPORT_STOP:
		if (a->cause && a->why != SV_WHY_GIVE_UP)
			snprintf(reason, sizeof reason, "%s: %s", sv_stop_why_name(a->why), a->cause->name);
		else
			snprintf(reason, sizeof reason, "%s", sv_stop_why_name(a->why));
		ev.reason = reason;
		break;
	case SV_REPORT_GIVE_UP: {
		/* the last exit as its restart told it: a violation or a
		 * watchdog by name, not the SIGKILL that carried it out */
		const struct instance *last = a->cause && a->cause->kind == SV_NODE_ACTOR ? a->cause->user : NULL;
		bool told = last && last->why[0];

		exit_reason(last, &a->exit, what, sizeof what);
		snprintf(reason, sizeof reason,
			 "more than %u restarts in %lld s; last: %s%s %s",
			 a->node->intensity.cap - 1, (long long)(a->node->intensity.period_ms / 1000),
			 a->cause ? a->cause->name : "?", told ? ":" : "", what);
		ev.reason = reason;
		break;
	}
	case SV_REPORT_ESCALATE:
		snprintf(reason, sizeof reason, "gave up; %s decides",
			 a->node->parent ? a->node->parent->name : "the daemon");
		ev.reason = reason;
		break;
	case SV_REPORT_READY:
		if (in)
			bindings_ready(in->bind);
		break;
	case SV_REPORT_START:
	case SV_REPORT_OPERATOR:	/* no operator events or reloads are fed yet */
	case SV_REPORT_RELOADED:
		break;
	}
	events_emit(&d->events, &ev);
}

/* --- confinement around a spawn --- */

static void stop_listener(struct daemon *d, struct instance *in)
{
	if (in->listener < 0)
		return;
	ev_io_stop(d->loop, &in->listener_watcher);
	close(in->listener);
	in->listener = -1;
}

/* The start failed before exec: say which step and why, as a failed start. */
static void start_failed(struct daemon *d, struct instance *in, int errnum, const char *what)
{
	struct sv_exit e = { .kind = SV_EXIT_EXEC_FAILED, .value = errnum, .before_ready = true };

	snprintf(in->why, sizeof in->why, "could not start: %s", what);
	emit_exit(d, in, 0, &e, in->why);
	feed_node(d, SV_EV_EXIT, in->node, &e);
}

/* Secrets go into a fresh directory only the actor can read, before each
 * start; it is removed when the actor ends. */
static int deliver_secrets(struct daemon *d, struct instance *in, char *msg, size_t len)
{
	const struct cfg_actor *a = in->spec;
	uid_t uid = in->privs.change_ids ? in->privs.uid : geteuid();
	gid_t gid = in->privs.change_ids ? in->privs.gid : getegid();

	if (!a->nsecrets)
		return 0;
	return sb_secrets_deliver(&d->secrets, (const char *const *)a->secrets, a->nsecrets,
				  in->creds_dir, uid, gid, msg, len);
}

static void remove_secrets(struct instance *in)
{
	if (in->creds_dir && sb_secrets_remove(in->creds_dir) < 0)
		log_err("%s: cannot remove %s: %s", in->name, in->creds_dir, strerror(errno));
}

/* For "secrets_env": the instance's environment plus NAME=value strings,
 * wiped and freed (sb_secrets_env_free) as soon as the child has exec'ed. */
static char **secret_env(struct daemon *d, struct instance *in, char ***secrets,
			 char *msg, size_t len)
{
	size_t n = 0, k = 0;
	char **env;

	if (sb_secrets_env(&d->secrets, (const char *const *)in->spec->secrets, in->spec->nsecrets,
			   secrets, msg, len) < 0)
		return NULL;
	while (in->envp[n])
		n++;
	while ((*secrets)[k])
		k++;
	if (!(env = calloc(n + k + 1, sizeof *env))) {
		sb_secrets_env_free(*secrets);
		*secrets = NULL;
		snprintf(msg, len, "out of memory");
		return NULL;
	}
	memcpy(env, in->envp, n * sizeof *env);
	memcpy(env + n, *secrets, k * sizeof *env);
	return env;
}

static void on_violation(struct ev_loop *loop, ev_io *w, int revents);

/* After exec: the listener the child loaded its filter with. Without it
 * denied calls would fail unreported, so the actor does not run. */
static int take_listener(struct daemon *d, struct instance *in)
{
	int fd = sb_handoff_recv(d->handoff[0]);

	if (fd < 0)
		return -1;
	in->listener = fd;
	ev_io_set(&in->listener_watcher, fd, EV_READ);
	ev_io_start(d->loop, &in->listener_watcher);
	return 0;
}

static void do_spawn(struct daemon *d, struct instance *in)
{
	struct sb_spawn_error err;
	struct sb_spawn_plan plan = in->plan;
	char **secrets = NULL, **env = NULL;
	char msg[1024], what[1200];
	pid_t pid;

	in->why[0] = '\0';
	if (bindings_prepare(in->bind) < 0) {
		snprintf(msg, sizeof msg, "control channel: socketpair: %s", strerror(errno));
		start_failed(d, in, errno, msg);
		return;
	}
	if (deliver_secrets(d, in, msg, sizeof msg) < 0) {
		bindings_spawned(in->bind, false);
		start_failed(d, in, errno, msg);
		return;
	}
	if (in->spec->secrets_env && in->spec->nsecrets) {
		if (!(env = secret_env(d, in, &secrets, msg, sizeof msg))) {
			remove_secrets(in);
			bindings_spawned(in->bind, false);
			start_failed(d, in, errno ? errno : ENOMEM, msg);
			return;
		}
		plan.envp = env;
	}
	pid = sb_spawn_start(&d->spawner, &plan, &err);
	bindings_spawned(in->bind, pid > 0);
	free(env);
	sb_secrets_env_free(secrets);

	if (pid < 0) {
		int stray = sb_handoff_recv(d->handoff[0]);	/* sent, then exec failed */

		if (stray >= 0)
			close(stray);
		remove_secrets(in);
		if (err.step == SB_CONFINE_EXEC || err.step == SB_CONFINE_CWD)
			snprintf(what, sizeof what, "%s %s: %s", sb_confine_step_name(err.step),
				 err.step == SB_CONFINE_EXEC ? in->spec->path : in->spec->cwd,
				 strerror(err.errnum));
		else	/* "drop capabilities (capset): Operation not permitted" */
			snprintf(what, sizeof what, "%s%s%s%s: %s", sb_confine_step_name(err.step),
				 err.detail ? " (" : "", err.detail ? err.detail : "",
				 err.detail ? ")" : "", strerror(err.errnum));
		start_failed(d, in, err.errnum, what);
		return;
	}
	in->pid = pid;
	pidmap_put(&d->pids, pid, in);
	events_emit(&d->events, &(struct event){
		.event = "start", .name = in->name, .supervisor = parent_name(in->node),
		.pid = pid, .status = -1 });
	if (in->filter && take_listener(d, in) < 0) {
		snprintf(in->why, sizeof in->why, "could not start: no seccomp listener from the child: %s",
			 strerror(errno));
		log_err("%s: %s", in->name, in->why);
		kill(-pid, SIGKILL);	/* ends as a failed start; SIGCHLD does the rest */
		return;
	}
	if (in->spec->ready == SV_READY_EXEC)
		feed_node(d, SV_EV_READY, in->node, NULL);
}

static void do_signal(struct instance *in, int sig)
{
	if (in->pid <= 0)
		return;
	if (sig == SIGTERM)
		bindings_stopping(in->bind);
	/* the whole process group: descendants stop with the actor */
	if (kill(-in->pid, sig) < 0 && errno == ESRCH)
		kill(in->pid, sig);
	if (sig == SIGTERM)	/* a stopped process would never see SIGTERM */
		kill(-in->pid, SIGCONT);
}

static void do_timer(struct daemon *d, struct instance *in, long ms)
{
	ev_timer_stop(d->loop, &in->timer);
	if (ms < 0)
		return;
	ev_timer_set(&in->timer, (double)ms / 1000.0, 0.0);
	ev_timer_start(d->loop, &in->timer);
}

static void tree_ready(struct daemon *d)
{
	char status[128];

	snprintf(status, sizeof status, PP_READY "\n" PP_KEY_STATUS "=running %zu actor processes", d->ninst);
	if (pp_sd_notify(status) < 0)
		log_warn("cannot notify systemd: %s", strerror(errno));
}

static void act(struct daemon *d, const struct sv_action *a)
{
	struct instance *in = a->node && a->node->kind == SV_NODE_ACTOR ? a->node->user : NULL;

	switch (a->kind) {
	case SV_DO_SPAWN:
		do_spawn(d, in);
		break;
	case SV_DO_SIGNAL:
		do_signal(in, a->sig);
		break;
	case SV_DO_TIMER:
		do_timer(d, in, a->ms);
		break;
	case SV_DO_REPORT:
		report(d, a);
		break;
	case SV_DO_TREE_READY:
		tree_ready(d);
		break;
	case SV_DO_TREE_DOWN:
		d->end = a->exit;
		ev_break(d->loop, EVBREAK_ALL);
		break;
	case SV_DO_RETIRE:	/* no reloads are fed yet */
		break;
	}
}

/* --- what the system tells us --- */

static void child_ended(struct daemon *d, struct instance *in, int status)
{
	struct sv_exit e = { 0 };
	char reason[sizeof in->why];
	pid_t pid = in->pid;

	/* its last words come before its obituary */
	output_drain(&in->out, STDOUT_FILENO);
	output_flush(&in->out, STDOUT_FILENO);
	pidmap_del(&d->pids, pid);
	in->pid = 0;
	ev_timer_stop(d->loop, &in->timer);
	stop_listener(d, in);
	remove_secrets(in);
	bindings_ended(in->bind);	/* clients hear it before any restart */
	if (WIFEXITED(status)) {
		e.kind = SV_EXIT_STATUS;
		e.value = WEXITSTATUS(status);
	} else {
		e.kind = SV_EXIT_SIGNAL;
		e.value = WTERMSIG(status);
	}
	exit_reason(in, &e, reason, sizeof reason);
	emit_exit(d, in, pid, &e, reason);
	feed_node(d, SV_EV_EXIT, in->node, &e);
}

static void on_sigchld(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;

	for (;;) {
		siginfo_t si = { 0 };
		int status;

		/* peek first: while the zombie exists its pid cannot be reused,
		 * so killing its process group cannot hit a stranger */
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
			break;
		struct instance *in = pidmap_get(&d->pids, si.si_pid);
		if (in)
			kill(-si.si_pid, SIGKILL);	/* descendants die with the actor */
		if (waitpid(si.si_pid, &status, 0) < 0)
			continue;
		if (in)	/* else an orphan we adopted as subreaper */
			child_ended(d, in, status);
	}
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct instance *in = w->data;

	feed_node(in->d, SV_EV_TIMER, in->node, NULL);
}

static void on_output(struct ev_loop *loop, ev_io *w, int revents)
{
	struct instance *in = w->data;

	if (output_drain(&in->out, STDOUT_FILENO) < 0) {
		log_err("%s: reading output: %s", in->name, strerror(errno));
		ev_io_stop(loop, w);
	}
}

static void on_notify(struct ev_loop *loop, ev_io *w, int revents)
{
	struct daemon *d = w->data;
	struct pp_notify msg;
	int r;

	while ((r = notify_server_recv(&d->notify, &msg)) != 0) {
		if (r < 0) {
			log_err("notify socket: %s", strerror(errno));
			return;
		}
		/* the main process, or anything in its process group */
		struct instance *in = pidmap_get(&d->pids, msg.pid);
		if (!in) {
			pid_t pgid = getpgid(msg.pid);
			in = pgid > 0 ? pidmap_get(&d->pids, pgid) : NULL;
		}
		if (in && msg.watchdog)
			bindings_pet(in->bind);
		if (in && msg.ready)
			feed_node(d, SV_EV_READY, in->node, NULL);
	}
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
	unsigned long suppressed = 0;
	char reason[SB_VIOLATION_TEXT_MAX + 32], args[SB_VIOLATION_TEXT_MAX];
	bool kill_it = !in->filter || in->filter->on_violation == SB_ON_VIOLATION_KILL;

	if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLIN)) {
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			stop_listener(d, in);
		return;
	}
	if (sb_listener_recv(in->listener, &n) < 0) {
		if (errno != ENOENT && errno != EINTR) {	/* ENOENT: the caller is gone */
			log_err("%s: seccomp listener: %s", in->name, strerror(errno));
			stop_listener(d, in);
		}
		return;
	}
	sb_violation_decode(&n, &v);
	if (!kill_it) {
		/* the caller waits for this answer: give it first, report after */
		(void)sb_listener_respond_errno(in->listener, n.id, EPERM);
		if (!sb_ratelimit_allow(&in->violations, (uint64_t)now_ms(), &suppressed))
			return;
	}
	snprintf(args, sizeof args, "%.*s", (int)v.args_len, v.text + v.args_off);
	snprintf(reason, sizeof reason, "sandbox violation: %s", v.text);
	events_emit(&d->events, &(struct event){
		.event = "violation", .name = in->name, .supervisor = parent_name(in->node),
		.pid = v.pid, .status = -1, .reason = reason, .syscall = v.name, .args = args,
		.action = kill_it ? "kill" : "errno", .suppressed = suppressed });
	if (!kill_it)
		return;
	/* the restart reason names the call, not just SIGKILL */
	snprintf(in->why, sizeof in->why, "%s", reason);
	if (sb_listener_kill(in->listener, &n) < 0 && errno != ESRCH)
		log_err("%s: cannot kill pid %d: %s", in->name, (int)v.pid, strerror(errno));
	if (in->pid > 0)
		kill(-in->pid, SIGKILL);	/* the actor, not only the offending process */
}

static void on_stop_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;
	struct sv_event ev = { .kind = SV_EV_SHUTDOWN };

	log_info("received SIG%s: stopping", sigabbrev_np(w->signum));
	pp_sd_notify(PP_STOPPING);
	feed(d, &ev);
}

static void on_watchdog(struct ev_loop *loop, ev_timer *w, int revents)
{
	pp_sd_notify(PP_WATCHDOG);
}

/* READY=1 on the control channel, as on $NOTIFY_SOCKET */
static void bind_ready(void *ctx)
{
	struct instance *in = ctx;

	feed_node(in->d, SV_EV_READY, in->node, NULL);
}

/* Like a violation: killed, and the exit and restart say why. */
static void bind_watchdog_expired(void *ctx)
{
	struct instance *in = ctx;

	if (in->pid <= 0)
		return;
	snprintf(in->why, sizeof in->why, "watchdog");
	kill(-in->pid, SIGKILL);
}

static const struct bind_ops bind_ops = { .ready = bind_ready, .watchdog_expired = bind_watchdog_expired };

/* --- setting up --- */

static const char *const passed_env[] = { "PATH", "LANG", "LC_ALL", "TZ", "TERM" };

static bool env_has(char *const *env, const char *key)
{
	size_t k = strlen(key);

	for (; env && *env; env++)
		if (strncmp(*env, key, k) == 0 && (*env)[k] == '=')
			return true;
	return false;
}

/* A clean environment, as systemd gives services: the config's "env",
 * a few of the daemon's own variables, and Prospero's. */
static char **build_env(struct daemon *d, const struct instance *in, unsigned index)
{
	size_t n = 0, cap = 10 + sizeof passed_env / sizeof *passed_env;
	char **env, **e;

	for (e = in->spec->env; e && *e; e++)
		cap++;
	env = calloc(cap, sizeof *env);
	if (!env)
		return NULL;
	for (e = in->spec->env; e && *e; e++)
		if (!(env[n++] = strdup(*e)))
			goto fail;
	for (size_t i = 0; i < sizeof passed_env / sizeof *passed_env; i++) {
		const char *v = getenv(passed_env[i]);
		if (v && !env_has(in->spec->env, passed_env[i]) &&
		    asprintf(&env[n++], "%s=%s", passed_env[i], v) < 0)
			goto fail;
	}
	if (!(env[n++] = strdup(d->notify_env)) ||
	    asprintf(&env[n++], PP_ENV_ACTOR "=%s", in->spec->name) < 0 ||
	    asprintf(&env[n++], PP_ENV_INSTANCE "=%u", index) < 0)
		goto fail;
	/* the systemd credentials convention: existing programs find them */
	if (in->spec->nsecrets && asprintf(&env[n++], PP_ENV_CREDENTIALS_DIRECTORY "=%s", in->creds_dir) < 0)
		goto fail;
	/* as systemd does for Type=notify: sd_notify programs and prospero_open
	 * pet in time; no WATCHDOG_PID, the pid is not known before exec */
	if (in->spec->watchdog_ms && !env_has(in->spec->env, PP_ENV_WATCHDOG_USEC) &&
	    asprintf(&env[n++], PP_ENV_WATCHDOG_USEC "=%ld", in->spec->watchdog_ms * 1000) < 0)
		goto fail;
	return env;
fail:
	for (size_t i = 0; i < cap; i++)
		free(env[i]);
	free(env);
	return NULL;
}

static void free_env(char **env)
{
	for (char **e = env; e && *e; e++)
		free(*e);
	free(env);
}

/* The confinement steps of one instance, from its spec and the daemon's
 * standing (root or not). */
static int plan_confinement(struct daemon *d, struct instance *in)
{
	const struct cfg_actor *a = in->spec;
	size_t ai = 0;

	while (d->cfg->actors[ai] != a)
		ai++;
	in->filter = d->filters[ai].prog.len ? &d->filters[ai] : NULL;
	in->confine.filter = in->filter;
	in->confine.handoff_fd = d->handoff[1];
	in->confine.limits = a->limits;
	in->confine.nlimits = a->nlimits;
	if (a->private_tmp || a->private_network || a->nread_only) {
		if (a->private_tmp && (strncmp(d->runtime_dir, "/tmp/", 5) == 0 ||
				       strncmp(d->runtime_dir, "/var/tmp/", 9) == 0)) {
			log_err("%s: \"private_tmp\" would hide the runtime directory %s (notify socket, credentials) from it: pass --runtime-dir outside /tmp",
				in->name, d->runtime_dir);
			errno = EINVAL;
			return -1;
		}
		in->ns = (struct sb_ns){
			.private_tmp = a->private_tmp, .private_network = a->private_network,
			.read_only = (const char *const *)a->read_only, .nread_only = a->nread_only,
		};
		in->confine.ns = &in->ns;
	}
	if (!d->privileged) {
		/* without CAP_SETPCAP: drop what is held, no_new_privs, no id change */
		if (a->user || a->keep_caps) {
			log_err("%s: \"%s\" needs a daemon that may change ids and capabilities (root)",
				in->name, a->user ? "user" : "capabilities");
			errno = EPERM;
			return -1;
		}
		return 0;
	}
	in->privs = (struct sb_privs){ .keep_caps = a->keep_caps, .last_cap = d->last_cap };
	if (a->user) {
		in->privs.change_ids = true;
		in->privs.uid = a->uid;
		in->privs.gid = a->gid;
		in->privs.groups = a->groups;
		in->privs.ngroups = a->ngroups;
	} else if (d->dynamic_uids) {
		uid_t uid;

		/* its own uid: no other actor's files, /proc entries or signals */
		if (sb_uidpool_take(&d->uids, in->name, &uid) < 0) {
			log_err("%s: no dynamic uid left in %u-%u: %s", in->name, (unsigned)d->uids.first,
				(unsigned)d->uids.last, strerror(errno));
			return -1;
		}
		in->privs.change_ids = true;
		in->privs.uid = uid;
		in->privs.gid = (gid_t)uid;
	}
	in->confine.privs = &in->privs;
	return 0;
}

static int setup_instance(struct daemon *d, struct instance *in, const struct cfg_actor *a,
			  unsigned index, struct sv_node *parent)
{
	in->d = d;
	in->spec = a;
	in->out.rfd = in->out.wfd = -1;
	in->listener = -1;
	ev_io_init(&in->listener_watcher, on_violation, -1, EV_READ);
	in->listener_watcher.data = in;
	/* errno mode: a busy loop of denied calls must not flood the log */
	sb_ratelimit_init(&in->violations, 5, 1000);
	if (a->instances > 1 ? asprintf(&in->name, "%s#%u", a->name, index) < 0
			     : !(in->name = strdup(a->name)))
		return -1;
	in->node = sv_add_actor(d->tree, parent, in->name, a->restart, a->shutdown_ms,
				a->ready, a->start_timeout_ms);
	if (!in->node)
		return -1;
	in->node->user = in;
	if (output_open(&in->out, in->name) < 0)
		return -1;
	if (a->nsecrets && asprintf(&in->creds_dir, "%s/%s", d->creds_root, in->name) < 0) {
		in->creds_dir = NULL;
		return -1;
	}
	if (!(in->envp = build_env(d, in, index)))
		return -1;
	in->fds[0] = d->devnull;
	in->fds[1] = in->out.wfd;
	in->fds[2] = in->out.wfd;
	in->confine = (struct sb_confine_plan){
		.fds = in->fds, .nfds = 3, .cwd = a->cwd, .daemon_pid = d->self,
		.reset_signals = handled_signals,
		.nreset_signals = sizeof handled_signals / sizeof *handled_signals,
		.nofile = d->nofile,
	};
	/* fd 3 on: control channel and bindings (README "Wire protocol and fd convention") */
	if (!(in->bind = bindings_instance(&d->bindings, a, index, in->name, in->fds, &bind_ops, in,
					   &in->envp)))
		return -1;
	in->confine.fds = bindings_fds(in->bind, &in->confine.nfds);
	if (plan_confinement(d, in) < 0)
		return -1;
	in->plan = (struct sb_spawn_plan){
		.path = a->path, .argv = a->argv, .envp = in->envp, .confine = &in->confine,
	};
	ev_timer_init(&in->timer, on_timer, 0., 0.);
	in->timer.data = in;
	ev_io_init(&in->out_watcher, on_output, in->out.rfd, EV_READ);
	in->out_watcher.data = in;
	ev_io_start(d->loop, &in->out_watcher);
	return 0;
}

static size_t count_instances(const struct cfg_supervisor *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nchildren; i++)
		n += s->children[i].kind == CFG_CHILD_ACTOR ? s->children[i].u.actor->instances
							     : count_instances(s->children[i].u.sup);
	return n;
}

static int build_tree(struct daemon *d, const struct cfg_supervisor *s, struct sv_node *parent)
{
	struct sv_node *n = sv_add_supervisor(d->tree, parent, s->name, s->strategy, s->intensity,
					      (long)s->period_s * 1000, s->restart);
	if (!n)
		return -1;
	for (size_t i = 0; i < s->nchildren; i++) {
		const struct cfg_child *c = &s->children[i];
		if (c->kind == CFG_CHILD_SUPERVISOR) {
			if (build_tree(d, c->u.sup, n) < 0)
				return -1;
			continue;
		}
		for (unsigned k = 1; k <= c->u.actor->instances; k++)
			if (setup_instance(d, &d->inst[d->ninst++], c->u.actor, k, n) < 0)
				return -1;
	}
	return 0;
}

static int open_runtime_dir(struct daemon *d, const char *dir)
{
	const char *tmp;

	if (!dir)
		dir = getenv("RUNTIME_DIRECTORY");	/* systemd's RuntimeDirectory= */
	if (dir) {
		if ((size_t)snprintf(d->runtime_dir, sizeof d->runtime_dir, "%s", dir) >= sizeof d->runtime_dir) {
			errno = ENAMETOOLONG;
			return -1;
		}
		return 0;
	}
	tmp = getenv("TMPDIR");
	/* root: under /run, so an actor's private /tmp does not hide it */
	if (geteuid() == 0 && access("/run", W_OK) == 0)
		tmp = "/run";
	snprintf(d->runtime_dir, sizeof d->runtime_dir, "%s/prospero.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(d->runtime_dir))
		return -1;
	/* actors under other uids must reach the notify socket inside */
	chmod(d->runtime_dir, 0755);
	d->own_runtime_dir = true;
	return 0;
}

static int raise_nofile(struct daemon *d)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &d->nofile) < 0)
		return -1;
	/* two fds per actor (its output pipe): take what the hard limit allows */
	r = d->nofile;
	r.rlim_cur = r.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &r);
}

static void setup_watchdog(struct daemon *d)
{
	double interval = pp_sd_watchdog_interval();

	if (interval <= 0)
		return;
	ev_timer_init(&d->watchdog, on_watchdog, interval, interval);
	ev_timer_start(d->loop, &d->watchdog);
}

static void start_signal(struct daemon *d, ev_signal *w, void (*cb)(struct ev_loop *, ev_signal *, int), int sig)
{
	ev_signal_init(w, cb, sig);
	w->data = d;
	ev_signal_start(d->loop, w);
}

static bool has_setpcap(void)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (caps) {
		cap_get_flag(caps, CAP_SETPCAP, CAP_EFFECTIVE, &v);
		cap_free(caps);
	}
	return v == CAP_SET;
}

/* Each actor's seccomp filter, compiled once here rather than in every
 * child: building it costs more than loading it (issue 3's figures). */
static int build_filters(struct daemon *d)
{
	char msg[512];

	if (!(d->filters = calloc(d->cfg->nactors ? d->cfg->nactors : 1, sizeof *d->filters)))
		return -1;
	for (size_t i = 0; i < d->cfg->nactors; i++) {
		const struct cfg_actor *a = d->cfg->actors[i];
		struct sb_policy pol;
		int rc;

		if (cfg_actor_policy(a, &pol, msg, sizeof msg) < 0) {
			log_err("%s: seccomp policy: %s", a->name, msg);
			return -1;
		}
		rc = sb_filter_build(&pol, &d->filters[i]);
		sb_policy_free(&pol);
		if (rc < 0) {
			log_err("%s: cannot build the seccomp filter: %s", a->name, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Where secrets come from (first match wins) and where they go. */
static int setup_secrets(struct daemon *d, const struct daemon_opts *opts)
{
	bool any = false;
	char *copy, *dir;

	for (size_t i = 0; i < d->cfg->nactors; i++)
		any |= d->cfg->actors[i]->nsecrets > 0;
	if (!any)
		return 0;
	d->secrets.credentials_dir = getenv(PP_ENV_CREDENTIALS_DIRECTORY);
	d->secrets.secrets_dir = opts->secrets_dir;
	/* development: .dev.vars beside the root config */
	if (!(copy = strdup(d->cfg->root->pos.file)))
		return -1;
	dir = dirname(copy);
	snprintf(d->dev_vars, sizeof d->dev_vars, "%s/.dev.vars", dir);
	free(copy);
	if (access(d->dev_vars, F_OK) == 0)
		d->secrets.dev_vars = d->dev_vars;
	snprintf(d->creds_root, sizeof d->creds_root, "%s/credentials", d->runtime_dir);
	/* traversable, not listable: an actor reaches its own directory only */
	if (mkdir(d->creds_root, 0711) < 0 && errno != EEXIST) {
		log_err("%s: cannot create: %s", d->creds_root, strerror(errno));
		d->creds_root[0] = '\0';
		return -1;
	}
	if (chmod(d->creds_root, 0711) < 0) {
		log_err("%s: %s", d->creds_root, strerror(errno));
		return -1;
	}
	return 0;
}

static int setup_confinement(struct daemon *d, const struct daemon_opts *opts)
{
	/* no core dump and no ptrace of the daemon by its own uid: it holds
	 * every actor's secrets at one time or another */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		log_warn("cannot make the daemon non-dumpable: %s", strerror(errno));
	d->privileged = has_setpcap();
	d->dynamic_uids = geteuid() == 0;
	d->uids_in_use.registry = -1;	/* until the snapshot opens it */
	if (d->privileged && (d->last_cap = sb_privs_last_cap()) < 0) {
		log_err("cannot read the kernel's last capability: %s", strerror(errno));
		return -1;
	}
	if (d->dynamic_uids &&
	    sb_uidpool_init(&d->uids, opts->uid_first ? opts->uid_first : SB_UIDPOOL_FIRST,
			    opts->uid_last ? opts->uid_last : SB_UIDPOOL_LAST) < 0) {
		log_err("dynamic uid range: %s", strerror(errno));
		d->dynamic_uids = false;
		return -1;
	}
	if (d->dynamic_uids) {
		if (sb_uid_snapshot_init(&d->uids_in_use, d->uids.first, d->uids.last) < 0) {
			log_err("cannot read the users and groups in use: %s", strerror(errno));
			return -1;
		}
		d->uids_in_use.registry = sb_uid_registry_open(SB_UID_REGISTRY);
		if (d->uids_in_use.registry < 0) {
			log_err("cannot open the dynamic uid registry %s: %s (it keeps two daemons "
				"from giving out one uid; /run must be writable by root)",
				SB_UID_REGISTRY, strerror(errno));
			return -1;
		}
		sb_uidpool_set_probe(&d->uids, sb_uid_probe_snapshot, &d->uids_in_use);
	}
	if (sb_handoff_pair(d->handoff) < 0) {
		log_err("cannot create the seccomp handoff socket: %s", strerror(errno));
		return -1;
	}
	if (build_filters(d) < 0)
		return -1;
	if (setup_secrets(d, opts) < 0) {
		log_err("cannot prepare secrets delivery: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int setup(struct daemon *d, const struct cfg *cfg, const struct daemon_opts *opts)
{
	size_t ninst = count_instances(cfg->root);

	d->cfg = cfg;
	d->self = getpid();
	d->devnull = -1;
	d->spawner.devnull = -1;
	d->handoff[0] = d->handoff[1] = -1;
	d->notify.fd = -1;
	d->events.fd = -1;
	if (raise_nofile(d) < 0) {
		log_err("cannot raise the open file limit: %s", strerror(errno));
		return -1;
	}
	/* first: the spawner claims the lowest fds for staging */
	if (sb_spawner_init(&d->spawner) < 0) {
		log_err("cannot prepare to spawn actors: %s", strerror(errno));
		return -1;
	}
	/* orphaned descendants of actors come to us, and we reap them */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_warn("cannot become a subreaper: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	if (events_open(&d->events, opts->events_path) < 0) {
		log_err("%s: cannot open events file: %s", opts->events_path, strerror(errno));
		return -1;
	}
	if (open_runtime_dir(d, opts->runtime_dir) < 0) {
		log_err("cannot create a runtime directory: %s", strerror(errno));
		return -1;
	}
	if (notify_server_open(&d->notify, d->runtime_dir) < 0) {
		log_err("%s/notify: cannot create the notify socket: %s", d->runtime_dir, strerror(errno));
		return -1;
	}
	snprintf(d->notify_env, sizeof d->notify_env, PP_ENV_NOTIFY_SOCKET "=%s", d->notify.path);
	if (setup_confinement(d, opts) < 0)
		return -1;
	d->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	d->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_SIGNALFD);
	d->inst = calloc(ninst ? ninst : 1, sizeof *d->inst);
	d->qcap = ninst + 8;
	d->queue = calloc(d->qcap, sizeof *d->queue);
	d->tree = sv_tree_new();
	if (d->devnull < 0 || !d->loop || !d->inst || !d->queue || !d->tree ||
	    pidmap_init(&d->pids, ninst) < 0 || bindings_open(&d->bindings, cfg, d->loop) < 0 ||
	    build_tree(d, cfg->root, NULL) < 0 || sv_tree_seal(d->tree) < 0) {
		log_err("cannot set up %zu actors: %s", ninst, strerror(errno));
		return -1;
	}
	ev_io_init(&d->notify_watcher, on_notify, d->notify.fd, EV_READ);
	d->notify_watcher.data = d;
	ev_io_start(d->loop, &d->notify_watcher);
	start_signal(d, &d->sigchld, on_sigchld, SIGCHLD);
	start_signal(d, &d->sigterm, on_stop_signal, SIGTERM);
	start_signal(d, &d->sigint, on_stop_signal, SIGINT);
	/* no reload yet: a hangup stops the tree in order rather than killing us */
	start_signal(d, &d->sighup, on_stop_signal, SIGHUP);
	setup_watchdog(d);
	return 0;
}

static void teardown(struct daemon *d)
{
	for (size_t i = 0; i < d->ninst; i++) {
		struct instance *in = &d->inst[i];
		if (in->pid > 0) {	/* only after a fatal error: never leave one behind */
			kill(-in->pid, SIGKILL);
			waitpid(in->pid, NULL, 0);
		}
		if (in->spec)
			remove_secrets(in);
		if (in->listener >= 0)
			close(in->listener);
		output_drain(&in->out, STDOUT_FILENO);
		output_flush(&in->out, STDOUT_FILENO);
		output_close(&in->out);
		bindings_instance_free(in->bind);
		free_env(in->envp);
		free(in->creds_dir);
		free(in->name);
	}
	free(d->inst);
	free(d->queue);
	sv_tree_free(d->tree);
	pidmap_fini(&d->pids);
	sb_spawner_fini(&d->spawner);
	bindings_close(&d->bindings);
	notify_server_close(&d->notify);
	for (size_t i = 0; d->filters && i < d->cfg->nactors; i++)
		sb_filter_free(&d->filters[i]);
	free(d->filters);
	for (int i = 0; i < 2; i++)
		if (d->handoff[i] >= 0)
			close(d->handoff[i]);
	if (d->dynamic_uids) {
		sb_uidpool_fini(&d->uids);
		if (d->uids_in_use.registry >= 0)
			close(d->uids_in_use.registry);	/* and with it every claim */
	}
	sb_uid_snapshot_fini(&d->uids_in_use);
	if (d->creds_root[0])
		rmdir(d->creds_root);
	if (d->own_runtime_dir)
		rmdir(d->runtime_dir);
	events_close(&d->events);
	if (d->devnull >= 0)
		close(d->devnull);
	if (d->loop)
		ev_loop_destroy(d->loop);
}

int daemon_run(const struct cfg *cfg, const struct daemon_opts *opts, struct sv_exit *end)
{
	struct daemon d = { 0 };
	struct sv_event boot = { .kind = SV_EV_BOOT };
	int rc = -1;

	if (setup(&d, cfg, opts) == 0) {
		feed(&d, &boot);
		if (!d.tree->down)
			ev_run(d.loop, 0);
		if (d.tree->down) {
			*end = d.end;
			rc = 0;
		}
	}
	teardown(&d);
	return rc;
}
