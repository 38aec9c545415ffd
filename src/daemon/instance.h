/* Instances: one running copy of an actor spec ("instances": N makes N,
 * named "name#1".."name#N"). An instance is made once, with everything a
 * start needs (its environment, fd map, confinement plan, output pipe, a
 * node in the tree), and then started and ended as the tree decides; the
 * spawn itself is start.c. */
#ifndef PROSPERO_DAEMON_INSTANCE_H
#define PROSPERO_DAEMON_INSTANCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ev.h>

#include "sandbox/child/confine.h"
#include "sandbox/child/exec.h"
#include "sandbox/child/namespaces.h"
#include "sandbox/child/privs.h"
#include "sandbox/containment/cgroup.h"
#include "sandbox/containment/cgroup_usage.h"
#include "sandbox/daemon/ns_keep.h"
#include "sandbox/seccomp/filter.h"
#include "sandbox/seccomp/ratelimit.h"
#include "sandbox/seccomp/violation.h"
#include "src/config/config.h"
#include "src/daemon/logring.h"
#include "src/daemon/output.h"
#include "src/proto/control.h"
#include "supervisor/tree.h"

struct bindings;
struct daemon;
struct generation;

/* What an instance is made from. */
struct instance_spec {
	struct generation *gen;		/* its config; the instance holds a reference */
	struct bindings *bindings;	/* the table its edges are in */
	const struct cfg_actor *a;	/* in gen's config */
	unsigned index;			/* 1-based, in its pool */
};
struct fault_inst;

struct instance {
	struct daemon *d;
	struct sv_node *node;
	const struct cfg_actor *spec;
	struct generation *gen;		/* keeps spec alive across reloads */
	size_t slot;			/* in d->inst */
	char *name;			/* "name", or "name#i" in a pool */
	unsigned index;			/* 1-based, in its pool */
	pid_t pid;			/* 0 while not running */
	uid_t notify_uid;		/* its key in d->uids while it runs, or 0 */
	unsigned long notify_mark;	/* what is read by that uid from then on is
					 * this run's (notify_server_mark) */
	int pidfd;			/* its pidfd while it runs, or -1 (then its exit is a SIGCHLD) */
	ev_io exit_watcher;		/* on the pidfd */
	ev_timer timer;			/* start timeout or shutdown timeout */
	ev_io out_watcher;
	struct output out;
	struct logring ring;		/* its last lines, for `prospero logs` */
	char **envp;
	int fds[3];
	struct sb_confine_plan confine;
	struct sb_spawn_plan plan;
	/* confinement */
	struct sb_ns ns;
	char dev_shm[48];		/* its private /dev/shm's mount options */
	struct sb_privs privs;
	const struct sb_filter *filter;	/* NULL: profile "none" */
	int listener;			/* the running actor's seccomp listener, or -1 */
	ev_io listener_watcher;
	struct sb_ratelimit violations;	/* errno-mode reports */
	struct sb_violation *held_violation;	/* the last call left out, NULL: none */
	ev_timer violation_flush;	/* reports it once a report may go again */
	char why[1024];			/* why it ended, when we know better than its status:
					 * report_reason's limit, as the README says */
	char *last_why;			/* the last run's why, once the next has started (NULL: none) */
	char *creds_dir;		/* its $CREDENTIALS_DIRECTORY when it has secrets, else NULL:
					 * a path buffer in every instance cost 4 KiB each */
	bool creds_held;		/* that directory delivered for this run and not yet removed:
					 * only then is it this incarnation's, not a namesake's */
	char *state_dir;		/* its $STATE_DIRECTORY with "state", else NULL */
	struct bind_inst *bind;		/* control channel, bindings, watchdog */
	/* containment (containment.h) */
	struct sb_cgroup_inst cg;	/* its cgroup while it runs; fd -1: none */
	struct sb_ns_keep ns_kept;	/* its last run's namespaces (ns_reuse.h), or none */
	bool ns_reuse_off;		/* a run left something in them: never kept again */
	bool ran;			/* started at least once */
	bool dying;			/* main process reaped, the rest not yet gone */
	bool kill_stuck;		/* and killing it, or seeing it gone, failed: the
					 * containment retry timer tries again */
	bool kill_stuck_said;		/* that was said, in this end */
	bool forced;			/* a signal to end this run failed: killed by containment */
	unsigned cg_empty_seen;		/* the loop pass (ev_iteration) its cgroup was last found empty in */
	int end_status;			/* the main process's wait status, once reaped */
	pid_t end_pid;			/* and its pid, for the exit event */
	char *status;			/* its last STATUS=, escaped (status_text.h); NULL until it sends one */
	int64_t status_logged_ms;	/* when a change was last logged */
	unsigned long status_unlogged;	/* changes since, not logged */
	ev_timer status_timer;		/* logs the last of them when the window is over */
	struct fault_inst *fault;	/* run --faults: what the injector keeps of it, else NULL */
};

#define INSTANCE_STATUS_MAX (PP_STATUS_MAX + 1)	/* with its NUL; longer text is cut (status_text.h) */
#define INSTANCE_STATUS_LOG_MS 10000	/* one logged change per instance this often */

/* The instance of S that NODE (an actor node, just added) stands for,
 * ready to start; it takes NAME (malloc'ed, the node's name) in any case.
 * NULL with errno on failure; MSG then says why when the reason is the
 * instance's own (its confinement cannot be had), else it is left as it
 * was. */
struct instance *instance_new(struct daemon *d, const struct instance_spec *s, struct sv_node *node,
			      char *name, char *msg, size_t len);
/* Everything it holds; a process still running is killed and reaped. */
void instance_free(struct instance *in);
/* Its RLIMIT_NOFILE for the next start (confine.nofile), under the hard
 * limit the daemon has now. */
void instance_nofile(const struct daemon *d, struct instance *in);

/* d->inst, every instance in the daemon: room for N without allocating
 * on the restart path (-1 with errno ENOMEM), and membership. */
int instances_reserve(struct daemon *d, size_t n);
void instances_add(struct daemon *d, struct instance *in);
void instances_remove(struct daemon *d, struct instance *in);

/* SIG to the whole process group: descendants go with the actor. 0, or
 * -1 with errno when no process of it could be sent SIG (EPERM). */
int instance_signal(const struct instance *in, int sig);
/* SIG (SIGTERM or SIGKILL) to end it: when it cannot be sent, it is
 * killed through its containment instead, said once a run. -1 with
 * kill(2)'s errno when neither reached it (or this run's forced kill was
 * tried already). */
int instance_end(struct instance *in, int sig);
/* STATUS=TEXT (LEN bytes, a NUL among them escaped as any control
 * character) arrived (either channel): kept, and logged when it changed,
 * one line per INSTANCE_STATUS_LOG_MS at most; a change inside that
 * window is logged when it is over (the latest then), unless the main
 * process has ended by then. */
void instance_set_status(struct instance *in, const char *text, size_t len);
/* Its last STATUS= text (escaped, UTF-8: status_text.h), or NULL. */
const char *instance_status(const struct instance *in);
/* Its main process was reaped with wait STATUS: the rest of it is
 * killed, and it ends once nothing of it is left (containment.h). */
void instance_reaped(struct instance *in, int status);
/* Nothing of it is left: report its end (with what it used, U) and tell
 * the tree. */
void instance_ended(struct instance *in, int status, const struct sb_cgroup_usage *u);

#endif
