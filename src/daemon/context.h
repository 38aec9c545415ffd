/* The daemon's context: the one object its parts share, passed to each
 * explicitly; there is no other state. It is made at start-up (setup.c)
 * and sized there and by each reload (reload.c): nothing in it is
 * allocated on the restart path. */
#ifndef PROSPERO_DAEMON_CONTEXT_H
#define PROSPERO_DAEMON_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <ev.h>

#include "sandbox/daemon/spawn.h"
#include "src/config/config.h"
#include "src/daemon/bindings.h"
#include "src/daemon/confinement.h"
#include "src/daemon/ctl_server.h"
#include "src/daemon/containment.h"
#include "src/daemon/dispatch.h"
#include "src/daemon/events.h"
#include "src/daemon/fd_reserve.h"
#include "src/daemon/notify.h"
#include "src/daemon/ns_reuse.h"
#include "src/daemon/outq.h"
#include "src/daemon/pidmap.h"
#include "src/daemon/sdstatus.h"
#include "src/daemon/rundir.h"
#include "src/daemon/secrets.h"
#include "src/daemon/state.h"
#include "supervisor/tree.h"

struct generation;
struct fault_run;
struct instance;
struct reload;

struct daemon {
	struct ev_loop *loop;
	const struct daemon_opts *opts;
	const struct cfg *cfg;		/* the current one: gen->cfg */
	struct generation *gen;
	struct sv_tree *tree;
	struct instance **inst;		/* every instance (instances_add) */
	size_t ninst, cap_inst;
	struct reload *reload;		/* being applied, or NULL */
	unsigned reloads_asked, reloads_done;	/* for `prospero reload` (reload.h) */
	bool reload_again;		/* SIGHUP while one was being applied */
	ev_timer reload_next;		/* then the reload after it, from the loop */
	bool reload_last_ok;		/* the state file's result and text, kept */
	bool reload_last_dry;		/* and whether that was a dry run's */
	bool reload_state_cramped;	/* its last write found the runtime directory full */
	char *reload_last_text;		/* for the rewrite each SIGHUP makes */
	struct instance **retired;	/* left the tree in this batch of actions (reload.h) */
	size_t nretired, cap_retired;
	struct dispatch dispatch;	/* events raised while actions run */
	struct sv_exit end;		/* how the root went down, once tree->down */
	struct pidmap pids;		/* running instances by pid */
	struct pidmap uids;		/* and by containment_sole_uid, the uid as the key */
	struct sb_spawner spawner;
	struct notify_server notify;
	struct events events;
	struct outq outq;		/* stdout, where the actors' lines go */
	struct bindings *bindings;	/* the current config's */
	struct confinement conf;
	struct containment contain;
	struct ns_reuse nsr;		/* namespaces kept across restarts */
	struct secrets secrets;
	struct ctl_server control;	/* the operator's socket */
	size_t log_ring;		/* bytes of output kept per instance */
	struct sdstatus sdstatus;	/* STATUS= to systemd, at most once a second */
	struct state_dirs state;
	struct fault_run *faults;	/* run --faults: the injector (faults.h), else NULL */
	ev_io notify_watcher;
	ev_signal sigchld, sigterm, sigint, sighup;
	ev_timer reap_timer;		/* the scan for orphans' ends, a SIGCHLD after */
	bool pidless;			/* a spawn got no pidfd: SIGCHLD is how instances end */
	ev_timer watchdog;		/* systemd's, when it asks for one */
	int devnull;
	struct fd_reserve fd_reserve;	/* given up for a moment when out of fds */
	pid_t self;
	struct rlimit nofile;		/* as we were started: actors get its soft limit back */
	int reset_signals[64];		/* handled, or ignored as we were started: */
	unsigned nreset_signals;	/* actors get them at SIG_DFL */
	struct rundir rundir;
	char notify_env[4200];		/* NOTIFY_SOCKET=..., for every actor */
};

#endif
