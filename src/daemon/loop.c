/* The loop; see loop.h. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/daemon/context.h"
#include "src/daemon/daemon.h"
#include "src/daemon/fault_summary.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/daemon/loop.h"
#include "src/daemon/reload.h"
#include "src/daemon/setup.h"
#include "src/proto/control.h"
#include "src/proto/sdnotify.h"

/* PID has exited and is a zombie still: IN's main process, or (IN NULL)
 * an orphan we adopted as subreaper. While the zombie exists its pid
 * cannot be reused, so killing its process group cannot hit a stranger. */
static void reap(struct instance *in, pid_t pid)
{
	int status;

	if (in)
		instance_signal(in, SIGKILL);	/* descendants die with the actor */
	if (waitpid(pid, &status, 0) < 0)
		return;
	if (in)
		instance_reaped(in, status);
}

static void reap_all(struct daemon *d)
{
	for (;;) {
		siginfo_t si = { 0 };

		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
			break;
		reap(pidmap_get(&d->pids, si.si_pid), si.si_pid);
	}
}

void loop_reap_orphans(struct daemon *d)
{
	for (;;) {
		siginfo_t si = { 0 };

		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0 ||
		    pidmap_get(&d->pids, si.si_pid))
			return;	/* an instance's main process is reaped its own way */
		waitpid(si.si_pid, NULL, 0);
	}
}

/* An instance with a pidfd is reaped by its exit watcher, which runs
 * before this in the same loop pass: a SIGCHLD is then an orphan's end,
 * or that instance's own, reaped already. The scan that finds which
 * looks at every child in the kernel, so it waits a moment and serves
 * every SIGCHLD meanwhile: a restart storm in a tree of thousands scans
 * a hundred times a second at most. Without pidfds it is how instances
 * end, and cannot wait. */
static void on_sigchld(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;

	/* the restarts first, what is said of them after */
	log_hold();
	if (d->pidless) {
		reap_all(d);
	} else if (!ev_is_active(&d->reap_timer)) {
		ev_timer_set(&d->reap_timer, 0.01, 0.);
		ev_timer_start(loop, &d->reap_timer);
	}
	/* the last of a dying instance to go is our child: it has left its
	 * cgroup by the time its SIGCHLD is here */
	containment_recheck(d);
	log_release();
}

static void on_reap_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon *d = w->data;

	log_hold();
	reap_all(d);
	containment_recheck(d);
	log_release();
}

static void on_exit_ready(struct ev_loop *loop, ev_io *w, int revents)
{
	struct instance *in = w->data;
	struct daemon *d = in->d;
	siginfo_t si = { 0 };

	/* readable once it has exited, and not reaped until we do */
	if (waitid(P_PID, (id_t)in->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0) {
		/* ended, but not ours to wait for yet (a tracer's first): the
		 * SIGCHLD comes when it is, and the scan reaps it */
		ev_io_stop(loop, w);
		return;
	}
	log_hold();
	reap(in, in->pid);
	containment_recheck(d);
	log_release();
}

void loop_watch_exit(struct daemon *d, struct instance *in, int pidfd)
{
	in->pidfd = pidfd;
	if (pidfd < 0)
		return;
	ev_io_init(&in->exit_watcher, on_exit_ready, pidfd, EV_READ);
	/* ahead of the SIGCHLD that comes with it */
	ev_set_priority(&in->exit_watcher, EV_MAXPRI);
	in->exit_watcher.data = in;
	ev_io_start(d->loop, &in->exit_watcher);
}

void loop_unwatch_exit(struct instance *in)
{
	if (in->pidfd < 0)
		return;
	ev_io_stop(in->d->loop, &in->exit_watcher);
	close(in->pidfd);
	in->pidfd = -1;
}

/* The main process, or anything in its process group; a sender gone
 * (reaped) by now, by its uid where that is one instance's alone and
 * the message not one an earlier run of that uid left queued. */
static struct instance *notify_sender(struct daemon *d, const struct pp_notify *msg)
{
	struct instance *in = pidmap_get(&d->pids, msg->pid);
	pid_t pgid;

	if (in)
		return in;
	if ((pgid = getpgid(msg->pid)) >= 0)
		return pgid > 0 ? pidmap_get(&d->pids, pgid) : NULL;
	if (errno != ESRCH || !msg->uid)
		return NULL;
	in = pidmap_get(&d->uids, (pid_t)msg->uid);
	return in && notify_server_since(&d->notify, in->notify_mark) ? in : NULL;
}

void loop_read_notify(struct daemon *d, unsigned budget)
{
	struct pp_notify msg;
	int r;

	/* what is left waits for the next wake-up (level-triggered): many
	 * senders can keep the socket from ever being empty */
	while (budget-- > 0 && (r = notify_server_recv(&d->notify, &msg)) != 0) {
		if (r < 0) {
			log_err("notify socket: %s", strerror(errno));
			return;
		}
		struct instance *in = notify_sender(d, &msg);
		if (in && msg.watchdog)
			bindings_pet(in->bind);
		if (in && msg.status)
			instance_set_status(in, msg.status, msg.status_len);
		if (in && msg.ready)
			dispatch_node(d, SV_EV_READY, in->node, NULL);
	}
}

static void on_notify(struct ev_loop *loop, ev_io *w, int revents)
{
	loop_read_notify(w->data, LOOP_NOTIFY_READS);
}

static void stop_on_signal(struct daemon *d, int sig)
{
	struct sv_event ev = { .kind = SV_EV_SHUTDOWN };

	log_info("received SIG%s: stopping", sigabbrev_np(sig));
	pp_sd_notify(PP_STOPPING);
	dispatch_feed(d, &ev);
	reload_on_stop(d);
}

static void on_stop_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	stop_on_signal(w->data, w->signum);
}

void loop_take_stop_signal(struct daemon *d)
{
	static const struct timespec now = { 0, 0 };
	sigset_t stop, pending;
	int sig;

	/* main() holds both blocked and the loop reads them from a signalfd,
	 * so one not yet read is pending here */
	if (sigpending(&pending) < 0 || (!sigismember(&pending, SIGTERM) && !sigismember(&pending, SIGINT)))
		return;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sig = sigtimedwait(&stop, NULL, &now);	/* taken: the signalfd no longer has it */
	if (sig > 0)
		stop_on_signal(d, sig);
}

static void on_hangup(struct ev_loop *loop, ev_signal *w, int revents)
{
	reload_on_signal(w->data);
}

static void on_watchdog(struct ev_loop *loop, ev_timer *w, int revents)
{
	pp_sd_notify(PP_WATCHDOG);
}

static void start_signal(struct daemon *d, ev_signal *w, void (*cb)(struct ev_loop *, ev_signal *, int), int sig)
{
	ev_signal_init(w, cb, sig);
	w->data = d;
	ev_signal_start(d->loop, w);
}

void loop_watch(struct daemon *d)
{
	double interval = pp_sd_watchdog_interval();

	ev_io_init(&d->notify_watcher, on_notify, d->notify.fd, EV_READ);
	d->notify_watcher.data = d;
	ev_io_start(d->loop, &d->notify_watcher);
	start_signal(d, &d->sigchld, on_sigchld, SIGCHLD);
	ev_timer_init(&d->reap_timer, on_reap_timer, 0.01, 0.);
	d->reap_timer.data = d;
	start_signal(d, &d->sigterm, on_stop_signal, SIGTERM);
	start_signal(d, &d->sigint, on_stop_signal, SIGINT);
	start_signal(d, &d->sighup, on_hangup, SIGHUP);
	reload_watch(d);
	if (interval > 0) {	/* systemd's WatchdogSec= */
		ev_timer_init(&d->watchdog, on_watchdog, interval, interval);
		ev_timer_start(d->loop, &d->watchdog);
	}
}

int daemon_run(const struct cfg *cfg, const struct daemon_opts *opts, struct sv_exit *end)
{
	struct daemon d = { 0 };
	struct sv_event boot = { .kind = SV_EV_BOOT };
	int rc = -1;

	if (daemon_setup(&d, cfg, opts) == 0) {
		dispatch_feed(&d, &boot);
		if (!d.tree->down)
			ev_run(d.loop, 0);
		fault_summary_print(&d);
		if (d.tree->down) {
			*end = d.end;
			rc = 0;
		}
	}
	daemon_teardown(&d);
	return rc;
}
