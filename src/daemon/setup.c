/* Setting up and tearing down; see setup.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/daemon/build.h"
#include "src/daemon/context.h"
#include "src/daemon/daemon.h"
#include "src/daemon/ctl_verbs.h"
#include "src/daemon/generation.h"
#include "src/daemon/exposure.h"
#include "src/daemon/faults.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/daemon/loop.h"
#include "src/daemon/reload.h"
#include "src/daemon/reload_report.h"
#include "src/daemon/setup.h"
#include "src/daemon/supnode.h"
#include "supervisor/backoff.h"
#include "src/proto/fds.h"
#include "src/proto/plural.h"

struct boot_ctx {
	struct daemon *d;
	char *msg;
	size_t len;
};

static int boot_instance(void *ctx, const struct cfg_actor *a, unsigned index, struct sv_node *n,
			 char *name)
{
	struct boot_ctx *c = ctx;
	struct instance_spec s = { .gen = c->d->gen, .bindings = c->d->bindings, .a = a, .index = index };
	struct instance *in = instance_new(c->d, &s, n, name, c->msg, c->len);

	if (!in)
		return -1;
	instances_add(c->d, in);
	return 0;
}

/* Chosen, checked and locked; emptied only once containment has killed
 * what a dead predecessor left running (its ledger of uids lives there).
 * The events file is opened here, once the lock is held. */
static int open_rundir(struct daemon *d, const struct daemon_opts *opts)
{
	char path[RUNDIR_PATH_MAX], msg[RUNDIR_PATH_MAX + 256], parent[RUNDIR_PATH_MAX];
	unsigned mode;

	if (rundir_choose(opts->runtime_dir, path, sizeof path) < 0) {
		log_err("no runtime directory: %s (pass --runtime-dir DIR, or set $XDG_RUNTIME_DIR)",
			rundir_choose_refusal(opts->runtime_dir, errno));
		return -1;
	}
	if (rundir_open(&d->rundir, path, msg, sizeof msg) < 0) {
		log_err("%s", msg);
		return -1;
	}
	/* as check --explain says it: a warning where secrets may reach a disk */
	if (!d->rundir.tmpfs)
		log_warn("runtime directory %s is not on tmpfs or ramfs: credentials delivered there may reach a disk",
			 path);
	else
		log_info("runtime directory: %s", path);
	/* as root the actors have uids of their own: said here, not by an
	 * EACCES in each actor's output */
	if (geteuid() == 0 && rundir_blocked_parent(path, parent, sizeof parent, &mode) == 1)
		log_warn("runtime directory %s is inside %s, which other users may not search (mode %04o): "
			 "actors of other uids cannot reach the notify socket or their credentials; "
			 "give it o+x, or choose another runtime directory", path, parent, mode);
	/* only once the directory is ours: a daemon refused there must not
	 * touch the running one's events file (opening it cuts off a last
	 * line without its newline); before containment, which may say a
	 * sweep */
	if (events_open(&d->events, opts->events_path) < 0) {
		log_err("--events %s: %s", opts->events_path, events_refusal(errno));
		return -1;
	}
	if (containment_setup(d, opts) < 0)
		return -1;
	if (rundir_clean(&d->rundir, msg, sizeof msg) < 0) {
		log_err("%s", msg);
		return -1;
	}
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

rlim_t daemon_nofile_max(const struct daemon *d)
{
	struct rlimit now;

	return getrlimit(RLIMIT_NOFILE, &now) == 0 ? now.rlim_max : d->nofile.rlim_max;
}

unsigned long long daemon_nofile_cur(const struct daemon *d)
{
	struct rlimit now;

	return getrlimit(RLIMIT_NOFILE, &now) == 0 ? now.rlim_cur : d->nofile.rlim_cur;
}

/* The signals ignored as we were started, bit N-1 for signal N, from
 * /proc/self/status: libc's sigaction will not report its own (glibc's
 * 32 and 33), which GNU make ignores. All of them if it cannot be read,
 * so that none is passed on unseen. */
static uint64_t ignored_at_start(void)
{
	unsigned long long mask = ~0ULL;
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return mask;
	while (fgets(line, sizeof line, f) && sscanf(line, "SigIgn: %llx", &mask) != 1)
		;
	fclose(f);
	return mask;
}

/* The dispositions an actor must not inherit: those the daemon changes
 * (loop.c, and SIGPIPE and SIGXFSZ here), and those ignored as it was started
 * (nohup, a shell's "&"), which exec keeps. Only those: each is a
 * system call in every spawn. */
static void note_signals(struct daemon *d)
{
	static const int handled[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGXFSZ };
	const unsigned cap = sizeof d->reset_signals / sizeof *d->reset_signals;
	uint64_t ignored = ignored_at_start();

	d->nreset_signals = 0;
	for (int sig = 1; sig < NSIG && sig <= 64 && d->nreset_signals < cap; sig++) {
		bool reset = (ignored >> (sig - 1)) & 1;

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		for (size_t i = 0; i < sizeof handled / sizeof *handled; i++)
			reset |= handled[i] == sig;
		if (reset)
			d->reset_signals[d->nreset_signals++] = sig;
	}
}

/* The process itself: fds, spawner, subreaper, signals; then where the
 * actors will find the daemon (runtime directory, notify socket). */
static int setup_process(struct daemon *d, const struct daemon_opts *opts)
{
	if (raise_nofile(d) < 0) {
		log_err("cannot raise the open file limit: %s", strerror(errno));
		return -1;
	}
	/* first: the spawner claims the lowest fds for staging */
	if (sb_spawner_init(&d->spawner) < 0) {
		log_err("cannot prepare to spawn actors: %s", strerror(errno));
		return -1;
	}
	/* next, among the lowest: below any limit prlimit(1) may lower to later */
	if (fd_reserve_take(&d->fd_reserve) < 0) {
		log_err("cannot keep fds in reserve: %s", strerror(errno));
		return -1;
	}
	/* orphaned descendants of actors come to us, and we reap them */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_warn("cannot become a subreaper: %s", strerror(errno));
	/* these end the daemon as SIGKILL would (prospero(1) SIGNALS), also
	 * when it was started with one ignored: a shell's "&" ignores SIGQUIT */
	signal(SIGQUIT, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	note_signals(d);
	signal(SIGPIPE, SIG_IGN);
	/* a write past RLIMIT_FSIZE (LimitFSIZE=, ulimit -f) then fails with
	 * EFBIG, as a full disk's does, rather than ending the daemon and its
	 * tree: the events file, the output files, the state */
	signal(SIGXFSZ, SIG_IGN);
	log_nonblocking();
	if (open_rundir(d, opts) < 0)
		return -1;
	if (notify_server_open(&d->notify, d->rundir.path, d->rundir.fd) < 0) {
		log_err("%s/notify: cannot create the notify socket: %s", d->rundir.path, strerror(errno));
		return -1;
	}
	snprintf(d->notify_env, sizeof d->notify_env, PP_ENV_NOTIFY_SOCKET "=%s", d->notify.path);
	return 0;
}

/* A step that does not say why itself: out of memory or fds. */
static int cannot_set_up(size_t ninst)
{
	log_err("cannot set up %zu %s: %s", ninst, plural(ninst, "actor", "actors"), strerror(errno));
	return -1;
}

int daemon_setup(struct daemon *d, const struct cfg *cfg, const struct daemon_opts *opts)
{
	size_t ninst = build_count_instances(cfg->root);
	char why[1024] = "";
	struct boot_ctx boot = { d, why, sizeof why };

	d->cfg = cfg;
	d->opts = opts;
	d->self = getpid();
	d->devnull = -1;
	d->spawner.devnull = -1;
	d->notify.fd = -1;
	d->events.fd = -1;
	d->control.fd = -1;
	d->log_ring = opts->log_ring ? opts->log_ring : LOGRING_DEFAULT;
	d->rundir.fd = d->rundir.lock = -1;
	d->secrets.root_fd = d->secrets.gone_fd = -1;
	d->contain.notify_fd = d->contain.ledger = -1;
	fd_reserve_init(&d->fd_reserve);
	sb_cgroup_tree_disable(&d->contain.tree, "");
	d->outq.fd = -1;
	d->state.fd = -1;
	confinement_init(&d->conf);
	ns_reuse_init(&d->nsr);
	exposure_uid();
	if (exposure_dev_vars(cfg, false) < 0)
		return -1;
	if (setup_process(d, opts) < 0 || confinement_setup(d, opts) < 0 || secrets_setup(d, cfg, opts, NULL, 0) < 0 ||
	    state_setup(d, cfg, opts, NULL, 0) < 0 || state_claim_uids(d, opts) < 0)
		return -1;
	ns_reuse_setup(d);
	confinement_narrow_bounding(d, cfg);
	d->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	d->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_SIGNALFD);
	d->tree = sv_tree_new();
	if (d->devnull < 0 || !d->loop || instances_reserve(d, ninst ? ninst : 1) < 0 || !d->tree ||
	    !(d->gen = generation_new(cfg, false, opts->faults)) || dispatch_init(&d->dispatch, ninst) < 0 ||
	    outq_open(&d->outq, d->loop, STDOUT_FILENO, ninst) < 0 ||
	    pidmap_init(&d->pids, ninst) < 0 || pidmap_init(&d->uids, ninst) < 0 ||
	    !(d->bindings = bindings_open(cfg, d->loop, NULL)))
		return cannot_set_up(ninst);
	if (containment_start(d) < 0)
		return -1;	/* it says why */
	if ((opts->faults && faults_open(d, opts->faults, opts->seed) < 0) ||
	    build_tree(d->tree, cfg->root, NULL, boot_instance, &boot) < 0 || sv_tree_seal(d->tree) < 0 ||
	    supnode_attach_all(d) < 0 ||
	    (opts->faults && faults_attach(d) < 0)) {
		if (!why[0])
			return cannot_set_up(ninst);
		log_err("%s", why);	/* an instance's own reason */
		return -1;
	}
	sdstatus_init(d);
	if (ctl_server_open(&d->control, d, d->rundir.path) < 0) {
		log_err("%s/control: cannot create the control socket: %s", d->rundir.path, strerror(errno));
		return -1;
	}
	d->events.tap = ctl_events_publish;
	d->events.tap_arg = d;
	loop_watch(d);
	reload_report_state(d, true, NULL);	/* where `prospero reload` finds us */
	return 0;
}

void daemon_teardown(struct daemon *d)
{
	faults_close(d);
	for (size_t i = 0; i < d->ninst; i++)
		instance_free(d->inst[i]);
	free(d->inst);
	supnode_free_all(d);
	outq_close(&d->outq);
	dispatch_fini(&d->dispatch);
	reload_free(d);		/* retired instances first: their nodes are the tree's */
	sv_tree_free(d->tree);
	pidmap_fini(&d->pids);
	pidmap_fini(&d->uids);
	sb_spawner_fini(&d->spawner);
	bindings_close(d->bindings);
	generation_unref(d->gen);
	notify_server_close(&d->notify);
	ctl_server_close(&d->control);
	sdstatus_fini(d);
	confinement_teardown(d);
	ns_reuse_teardown(d);
	secrets_teardown(d);
	state_teardown(&d->state);
	containment_teardown(d);
	if (d->rundir.fd >= 0)
		reload_report_remove(d);
	reload_report_fini(d);
	rundir_close(&d->rundir);
	events_close(&d->events);
	if (d->devnull >= 0)
		close(d->devnull);
	fd_reserve_give_up(&d->fd_reserve);
	if (d->loop)
		ev_loop_destroy(d->loop);
}
