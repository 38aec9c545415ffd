#include <errno.h>
#include <fcntl.h>
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

#include "sandbox/spawn.h"
#include "src/daemon.h"
#include "src/events.h"
#include "src/log.h"
#include "src/notify.h"
#include "src/output.h"
#include "src/pidmap.h"
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
	struct confine_plan confine;
	struct spawn_plan plan;
};

struct daemon {
	struct ev_loop *loop;
	const struct cfg *cfg;
	struct sv_tree *tree;
	struct instance *inst;
	size_t ninst;
	struct pidmap pids;
	struct spawner spawner;
	struct notify_server notify;
	struct events events;
	ev_io notify_watcher;
	ev_signal sigchld, sigterm, sigint, sighup;
	ev_timer watchdog;
	/* events raised while actions run, fed to the tree after them */
	struct sv_event *queue;
	size_t qcap, qhead, qlen;
	bool dispatching;
	int exit_code;
	int devnull;
	pid_t self;
	struct rlimit nofile;		/* as we were started: actors get this back */
	char runtime_dir[4096];
	bool own_runtime_dir;
	char notify_env[4200];
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

static void emit_exit(struct daemon *d, struct instance *in, pid_t pid,
		      const struct sv_exit *e, const char *reason)
{
	struct event ev = {
		.event = "exit", .name = in->name, .supervisor = parent_name(in->node),
		.pid = pid, .status = -1, .reason = reason,
	};

	if (e->kind == SV_EXIT_STATUS)
		ev.status = e->value;
	else if (e->kind == SV_EXIT_SIGNAL)
		ev.signal = e->value;
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
	char reason[512], what[256];

	switch (a->report) {
	case SV_REPORT_RESTART:
		sv_exit_describe(&a->exit, reason, sizeof reason);
		if (a->exit.kind == SV_EXIT_STATUS)
			ev.status = a->exit.value;
		else if (a->exit.kind == SV_EXIT_SIGNAL)
			ev.signal = a->exit.value;
		ev.reason = reason;
		break;
	case SV_REPORT_STOP:
		if (a->cause && a->why != SV_WHY_GIVE_UP)
			snprintf(reason, sizeof reason, "%s: %s", sv_stop_why_name(a->why), a->cause->name);
		else
			snprintf(reason, sizeof reason, "%s", sv_stop_why_name(a->why));
		ev.reason = reason;
		break;
	case SV_REPORT_GIVE_UP:
		sv_exit_describe(&a->exit, what, sizeof what);
		snprintf(reason, sizeof reason,
			 "more than %u restarts in %lld s; last: %s %s",
			 a->node->intensity.cap - 1, (long long)(a->node->intensity.period_ms / 1000),
			 a->cause ? a->cause->name : "?", what);
		ev.reason = reason;
		break;
	case SV_REPORT_ESCALATE:
		snprintf(reason, sizeof reason, "gave up; %s decides",
			 a->node->parent ? a->node->parent->name : "the daemon");
		ev.reason = reason;
		break;
	case SV_REPORT_START:
	case SV_REPORT_READY:
		break;
	}
	events_emit(&d->events, &ev);
}

/* --- actions --- */

static void do_spawn(struct daemon *d, struct instance *in)
{
	struct spawn_error err;
	pid_t pid = spawn_start(&d->spawner, &in->plan, &err);

	if (pid < 0) {
		struct sv_exit e = { .kind = SV_EXIT_EXEC_FAILED, .value = err.errnum, .before_ready = true };
		char reason[512];

		snprintf(reason, sizeof reason, "could not start: %s %s: %s",
			 confine_step_name(err.step),
			 err.step == CONFINE_EXEC ? in->spec->path :
			 err.step == CONFINE_CWD ? in->spec->cwd : "",
			 strerror(err.errnum));
		emit_exit(d, in, 0, &e, reason);
		feed_node(d, SV_EV_EXIT, in->node, &e);
		return;
	}
	in->pid = pid;
	pidmap_put(&d->pids, pid, in);
	events_emit(&d->events, &(struct event){
		.event = "start", .name = in->name, .supervisor = parent_name(in->node),
		.pid = pid, .status = -1 });
	if (in->spec->ready == SV_READY_EXEC)
		feed_node(d, SV_EV_READY, in->node, NULL);
}

static void do_signal(struct instance *in, int sig)
{
	if (in->pid <= 0)
		return;
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

	snprintf(status, sizeof status, "READY=1\nSTATUS=running %zu actor processes", d->ninst);
	if (sd_notify_send(status) < 0)
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
		d->exit_code = a->code;
		ev_break(d->loop, EVBREAK_ALL);
		break;
	}
}

/* --- what the system tells us --- */

static void child_ended(struct daemon *d, struct instance *in, int status)
{
	struct sv_exit e = { 0 };
	char reason[256];
	pid_t pid = in->pid;

	/* its last words come before its obituary */
	output_drain(&in->out, STDOUT_FILENO);
	output_flush(&in->out, STDOUT_FILENO);
	pidmap_del(&d->pids, pid);
	in->pid = 0;
	ev_timer_stop(d->loop, &in->timer);
	if (WIFEXITED(status)) {
		e.kind = SV_EXIT_STATUS;
		e.value = WEXITSTATUS(status);
	} else {
		e.kind = SV_EXIT_SIGNAL;
		e.value = WTERMSIG(status);
	}
	sv_exit_describe(&e, reason, sizeof reason);
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
	struct notify_msg msg;
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
		if (in && msg.ready)
			feed_node(d, SV_EV_READY, in->node, NULL);
	}
}

static void on_stop_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;
	struct sv_event ev = { .kind = SV_EV_SHUTDOWN };

	log_info("received SIG%s: stopping", sigabbrev_np(w->signum));
	sd_notify_send("STOPPING=1");
	feed(d, &ev);
}

static void on_watchdog(struct ev_loop *loop, ev_timer *w, int revents)
{
	sd_notify_send("WATCHDOG=1");
}

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
	size_t n = 0, cap = 8 + sizeof passed_env / sizeof *passed_env;
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
	    asprintf(&env[n++], "PROSPERO_ACTOR=%s", in->spec->name) < 0 ||
	    asprintf(&env[n++], "PROSPERO_INSTANCE=%u", index) < 0)
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

static int setup_instance(struct daemon *d, struct instance *in, const struct cfg_actor *a,
			  unsigned index, struct sv_node *parent)
{
	in->d = d;
	in->spec = a;
	in->out.rfd = in->out.wfd = -1;
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
	if (!(in->envp = build_env(d, in, index)))
		return -1;
	in->fds[0] = d->devnull;
	in->fds[1] = in->out.wfd;
	in->fds[2] = in->out.wfd;
	in->confine = (struct confine_plan){
		.fds = in->fds, .nfds = 3, .cwd = a->cwd, .daemon_pid = d->self,
		.reset_signals = handled_signals,
		.nreset_signals = sizeof handled_signals / sizeof *handled_signals,
		.nofile = d->nofile,
	};
	in->plan = (struct spawn_plan){
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
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	double interval;

	if (!usec || (pid && atol(pid) != (long)d->self))
		return;
	interval = strtod(usec, NULL) / 2e6;	/* twice per period, as sd_watchdog_enabled(3) advises */
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

static int setup(struct daemon *d, const struct cfg *cfg, const struct daemon_opts *opts)
{
	size_t ninst = count_instances(cfg->root);

	d->cfg = cfg;
	d->self = getpid();
	d->devnull = -1;
	d->notify.fd = -1;
	d->events.fd = -1;
	if (raise_nofile(d) < 0) {
		log_err("cannot raise the open file limit: %s", strerror(errno));
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
	snprintf(d->notify_env, sizeof d->notify_env, "NOTIFY_SOCKET=%s", d->notify.path);
	d->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	d->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_SIGNALFD);
	d->inst = calloc(ninst ? ninst : 1, sizeof *d->inst);
	d->qcap = ninst + 8;
	d->queue = calloc(d->qcap, sizeof *d->queue);
	d->tree = sv_tree_new();
	if (d->devnull < 0 || !d->loop || !d->inst || !d->queue || !d->tree ||
	    pidmap_init(&d->pids, ninst) < 0 || spawner_init(&d->spawner) < 0 ||
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
		output_drain(&in->out, STDOUT_FILENO);
		output_flush(&in->out, STDOUT_FILENO);
		output_close(&in->out);
		free_env(in->envp);
		free(in->name);
	}
	free(d->inst);
	free(d->queue);
	sv_tree_free(d->tree);
	pidmap_fini(&d->pids);
	spawner_fini(&d->spawner);
	notify_server_close(&d->notify);
	if (d->own_runtime_dir)
		rmdir(d->runtime_dir);
	events_close(&d->events);
	if (d->devnull >= 0)
		close(d->devnull);
	if (d->loop)
		ev_loop_destroy(d->loop);
}

int daemon_run(const struct cfg *cfg, const struct daemon_opts *opts)
{
	struct daemon d = { .exit_code = 1 };
	struct sv_event boot = { .kind = SV_EV_BOOT };

	if (setup(&d, cfg, opts) == 0) {
		feed(&d, &boot);
		if (!d.tree->down)
			ev_run(d.loop, 0);
	}
	teardown(&d);
	return d.exit_code;
}
