/* The supervision tree: pure decision logic.
 *
 * sv_handle() is a function from (tree state, event, now) to a list of
 * actions. It never forks, signals, reads a clock or touches an fd: the
 * process layer carries the actions out and feeds back what happened.
 * Semantics follow OTP's supervisor module; see README "Semantics". */
#ifndef PROSPERO_TREE_H
#define PROSPERO_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "supervisor/spec.h"
#include "supervisor/intensity.h"

enum sv_node_kind { SV_NODE_ACTOR, SV_NODE_SUPERVISOR };

enum sv_state {
	SV_DOWN,		/* not running */
	SV_STARTING,		/* actor spawned / supervisor starting children; not ready yet */
	SV_UP,			/* ready */
	SV_STOPPING,		/* asked to stop; waiting for it to be down */
};

/* How a node ended. Actors: from wait status or spawn; supervisors: why
 * they stopped. */
enum sv_exit_kind {
	SV_EXIT_STATUS,		/* value: exit status */
	SV_EXIT_SIGNAL,		/* value: signal number */
	SV_EXIT_EXEC_FAILED,	/* value: errno of the failed spawn */
	SV_EXIT_START_TIMEOUT,	/* killed: not ready within start_timeout */
	SV_EXIT_SHUTDOWN,	/* supervisor stopped because it was asked to;
				 * value: SV_WHY_OPERATOR when the operator did */
	SV_EXIT_GAVE_UP,	/* supervisor exceeded its restart intensity */
	SV_EXIT_START_FAILED,	/* supervisor could not start its children */
};

struct sv_exit {
	enum sv_exit_kind kind;
	int value;
	bool before_ready;	/* an actor that ended while starting */
};

/* Why a node is being stopped (for the "stop" event). */
enum sv_stop_why {
	SV_WHY_SHUTDOWN,	/* the daemon is stopping */
	SV_WHY_SIBLING,		/* strategy: a sibling (cause) is restarting */
	SV_WHY_GIVE_UP,		/* its supervisor gave up */
	SV_WHY_START_FAILED,	/* its supervisor failed to start and unwinds */
	SV_WHY_START_TIMEOUT,	/* not ready in time */
	SV_WHY_OPERATOR,	/* an operator's stop or restart of it or of its supervisor */
	SV_WHY_RELOAD,		/* a reload removes it or changed its spec */
};

struct sv_reshape;
struct sv_reload;

/* What an operator can do to a running node (OTP's terminate_child and
 * restart_child, both in turn, and a signal); see operator.h. */
enum sv_op {
	SV_OP_RESTART,		/* stop it (if running), then start it */
	SV_OP_STOP,		/* stop it; it stays down until started */
	SV_OP_START,		/* start a node that is down */
	SV_OP_KILL,		/* send .sig to an actor: its exit is an ordinary one */
	SV_OP_RELOAD,		/* a new tree (reload.h); reported on the root */
};

enum sv_phase { SV_PHASE_IDLE, SV_PHASE_STOPPING, SV_PHASE_STARTING };

struct sv_node {
	enum sv_node_kind kind;
	const char *name;		/* borrowed: outlives the tree */
	struct sv_node *parent;		/* NULL for the root */
	unsigned index;			/* position among the parent's children */
	unsigned id;			/* index in tree->nodes; a freed node's goes to
					 * the next one a reload installs */
	void *user;			/* the process layer's object */

	/* spec */
	enum sv_restart restart;
	long shutdown_ms;
	enum sv_ready ready;
	long start_timeout_ms;
	struct sv_backoff backoff;	/* set with sv_set_backoff() */

	/* state */
	enum sv_state state;
	bool to_stop;			/* marked by the parent's current operation */
	bool to_start;
	bool removed;			/* temporary child that ended: stays down until its supervisor restarts */
	bool timer_armed;
	bool timed_out;			/* killed for missing start_timeout */
	bool killed;			/* SIGKILL sent while stopping */
	bool pending;			/* exited while the parent was busy */
	struct sv_exit pending_exit;
	bool held;			/* stopped by the operator: stays down until started */
	bool op_start;			/* started by the operator: a failed start holds it down */
	bool own_why;			/* marked to stop for .why, not for its parent's reason */
	enum sv_stop_why why;
	bool waiting;			/* its restart waits for backoff until .due */
	int64_t due;
	long delay_ms;			/* the backoff delay of its last restart */
	int64_t up_since;		/* when it was last ready; -1 while not up */
	int64_t ran_ms;			/* how long it was up before it last ended; -1: never ready */
	unsigned restarts;		/* times its supervisor restarted it after it failed */
	bool has_ended;
	struct sv_exit last_exit;	/* how it last ended, if has_ended */

	/* reload (reload.h) */
	bool changed;			/* in a new tree: the caller says only a restart applies its spec */
	bool retiring;			/* leaves the tree once down */
	bool adopted;			/* from a new tree, waiting to be installed */
	bool start_on_install;
	struct sv_node *twin;		/* while a reload is prepared: its namesake in the other tree */
	struct sv_node *awaits;		/* adopted: starts only once this namesake has left */
	struct sv_node *successor;	/* retiring: the namesake that awaits it */
	struct sv_node *dead_next;	/* retired: freed at the next call into the tree */

	/* supervisors only */
	enum sv_strategy strategy;
	struct sv_intensity intensity;
	struct sv_node **children;
	unsigned nchildren;
	enum sv_phase phase;
	bool booting;			/* starting for the first time in this incarnation */
	bool exit_after_stop;		/* the stop phase ends with this supervisor down */
	struct sv_exit exit_reason;	/* ...for this reason */
	enum sv_stop_why stop_why;	/* why children are being stopped */
	const struct sv_node *stop_cause;
	struct sv_reshape *reshape;	/* children to install once the retiring ones are down */
	unsigned *pendq;		/* FIFO of child indexes with a pending exit */
	unsigned pendq_head, pendq_len;
	bool stepping, restep;		/* re-entry guard of the operation loop */
	/* where a step looks, so that starting a pool of thousands one
	 * child at a time, or restarting one child beside thousands, is not
	 * a scan of every child: the children to start lie in [start_from,
	 * nchildren - start_clear_tail), those to stop in [stop_clear_head,
	 * nchildren - stop_clear_tail) (marking widens these, scans narrow
	 * them, zeros know nothing), and started_plus1 - 1 is the child a
	 * step started last, the only one that can be starting and still
	 * to start */
	unsigned start_from, start_clear_tail, stop_clear_head, stop_clear_tail, started_plus1;
	int64_t timer_due;		/* its timer (timer_armed) releases children waiting until then */
};

enum sv_action_kind {
	SV_DO_SPAWN,		/* start the actor; feed READY (exec) or EXIT */
	SV_DO_SIGNAL,		/* send .sig to the actor's process group */
	SV_DO_TIMER,		/* arm the node's one timer for .ms; .ms < 0 disarms. An
				 * actor's times its start or stop; a supervisor's, the
				 * backoff of children waiting to restart */
	SV_DO_REPORT,		/* a lifecycle event to log */
	SV_DO_TREE_READY,	/* the root is up */
	SV_DO_TREE_DOWN,	/* the root is down; .exit says why: SV_EXIT_SHUTDOWN,
				 * SV_EXIT_START_FAILED or SV_EXIT_GAVE_UP */
	SV_DO_RETIRE,		/* .node (down) left the tree: release what is kept for it.
				 * The node stays readable until the next call into the tree */
};

enum sv_report {
	SV_REPORT_START,	/* supervisor .node starts its children (actors: the process layer reports start) */
	SV_REPORT_READY,
	SV_REPORT_RESTART,	/* .node restarts after .exit, in .ms (backoff; 0: at once) */
	SV_REPORT_STOP,		/* .node is being stopped because .why (.cause) */
	SV_REPORT_GIVE_UP,	/* supervisor .node exceeded intensity after .cause's .exit */
	SV_REPORT_ESCALATE,	/* supervisor .node is down: its parent decides */
	SV_REPORT_OPERATOR,	/* an operator asked for .op (.sig) on .node */
	SV_REPORT_RELOADED,	/* every supervisor has its new children (root); starts may follow */
};

struct sv_action {
	enum sv_action_kind kind;
	struct sv_node *node;
	int sig;
	long ms;
	enum sv_report report;
	struct sv_exit exit;
	enum sv_stop_why why;
	const struct sv_node *cause;
	enum sv_op op;
};

enum sv_event_kind {
	SV_EV_BOOT,		/* start the tree */
	SV_EV_READY,		/* actor .node is ready */
	SV_EV_EXIT,		/* actor .node's process ended (.exit) */
	SV_EV_TIMER,		/* .node's timer fired */
	SV_EV_SHUTDOWN,		/* stop the whole tree */
	SV_EV_OPERATOR,		/* .op on .node (.sig for a kill); see sv_operator_check() */
	SV_EV_RELOAD,		/* apply the reload sv_reload_prepare() made ready */
};

struct sv_event {
	enum sv_event_kind kind;
	struct sv_node *node;
	struct sv_exit exit;
	enum sv_op op;
	int sig;
};

struct sv_tree {
	struct sv_node *root;
	struct sv_node **nodes;		/* by id */
	unsigned nnodes, cap_nodes;
	unsigned *free_ids;		/* ids of freed nodes (room for cap_nodes) */
	unsigned nfree;
	struct sv_action *acts;		/* sized at seal and reload; reused for every event */
	size_t nacts, cap_acts;
	bool sealed;
	bool down;			/* TREE_DOWN was emitted */
	struct sv_reload *reload;	/* prepared, not yet applied */
	unsigned reshapes;		/* supervisors yet to install their new children */
	struct sv_node *dead;		/* retired nodes, freed at the next call */
};

/* Building: at start-up only. Names are borrowed. Return NULL/-1 on ENOMEM. */
struct sv_tree *sv_tree_new(void);
struct sv_node *sv_add_supervisor(struct sv_tree *t, struct sv_node *parent,
				  const char *name, enum sv_strategy strategy,
				  unsigned intensity, long period_ms,
				  enum sv_restart restart);
struct sv_node *sv_add_actor(struct sv_tree *t, struct sv_node *parent,
			     const char *name, enum sv_restart restart,
			     long shutdown_ms, enum sv_ready ready,
			     long start_timeout_ms);
int sv_tree_seal(struct sv_tree *t);
void sv_tree_free(struct sv_tree *t);

/* The node of that name (an actor, "name#2" of a pool, or a supervisor);
 * NULL if none. */
struct sv_node *sv_find(const struct sv_tree *t, const char *name);

/* The decision function. The returned array is valid until the next call. */
size_t sv_handle(struct sv_tree *t, const struct sv_event *ev, int64_t now_ms,
		 const struct sv_action **out);

/* Text for logs: "exited with status 1", "killed by SIGKILL", ... */
void sv_exit_describe(const struct sv_exit *e, char *buf, size_t len);
/* SIG's name into BUF, as kill -l says it: "SIGKILL", "SIGRTMIN",
 * "SIGRTMIN+3", "SIGRTMAX"; "SIG70" for a number with none. Returns BUF. */
#define SV_SIGNAME_MAX 16
const char *sv_signal_name(int sig, char buf[SV_SIGNAME_MAX]);
bool sv_exit_is_normal(const struct sv_exit *e);
const char *sv_report_name(enum sv_report r);
const char *sv_stop_why_name(enum sv_stop_why w);

#endif
