/* A fake process layer for the tree's suites: feed events with a fake
 * clock, get the actions back rendered as a compact string:
 *
 *   spawn a            SV_DO_SPAWN
 *   SIGTERM a          SV_DO_SIGNAL
 *   timer a 2000       SV_DO_TIMER (.ms >= 0), "timer a off" when disarmed
 *   start s, ready a, restart a, stop a, give_up s, escalate s
 *                      SV_DO_REPORT; with DETAIL the reasons are added:
 *                      "restart a (status 1)", "stop b (sibling a)",
 *                      "give_up s (a signal 9)"; an exit before ready
 *                      reads "status 0 before_ready" (start_timeout always is)
 *   TREE_READY, TREE_DOWN shutdown|gave_up|start_failed
 *
 * It plays the process layer the way src/daemon/dispatch.c does: events caused by
 * actions (READY after an exec-ready spawn, an exit after a signal when
 * AUTO_EXIT is on) are queued and fed after the current action list. It
 * also checks process-layer invariants on every action: no spawn of a
 * running actor, no signal or timer for a dead one, nothing left running
 * at TREE_DOWN. With TREE_TRACE set in the environment, every event and
 * its actions go to stderr. */
#ifndef PROSPERO_TESTS_TREE_HARNESS_H
#define PROSPERO_TESTS_TREE_HARNESS_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "supervisor/tree.h"

#define MAXN 1024		/* node ids: reloads take new ones */

extern struct sv_tree *T;
extern int64_t NOW;
extern bool DETAIL;		/* render reasons in reports */
extern bool AUTO_EXIT;		/* an actor dies as soon as it is signalled */
extern bool alive[MAXN], armed[MAXN];
extern bool tree_down_seen;
extern struct sv_tree *NT;

void setup(void);
void teardown(void);

/* building */
struct sv_node *N(const char *name);
struct sv_node *sup_r(const char *parent, const char *name, enum sv_strategy st,
		      unsigned intensity, long period_ms, enum sv_restart r);
struct sv_node *sup(const char *parent, const char *name, enum sv_strategy st,
		    unsigned intensity, long period_ms);
struct sv_node *actor_full(const char *parent, const char *name, enum sv_restart r,
			   long shutdown_ms, enum sv_ready ready, long start_timeout_ms);
struct sv_node *actor(const char *parent, const char *name, enum sv_restart r);	/* exec-ready, 2000 ms shutdown */
struct sv_node *notify(const char *parent, const char *name, enum sv_restart r,
		       long start_timeout_ms);	/* notify-ready, 2000 ms shutdown */
void seal(void);

/* feeding: each returns the rendered actions of the event and what it caused */
const char *run(struct sv_event ev);
const char *boot(void);
const char *shutdown_tree(void);
struct sv_node *running(const char *name);
const char *ready(const char *name);
const char *ex(const char *name, int status);
const char *killed(const char *name, int sig);
const char *fire(const char *name);	/* the node's armed timer fires */
const char *op(enum sv_op o, const char *name);	/* an operator's action */
const char *op_kill(const char *name, int sig);
const char *states(const char *supname);	/* "a:up b:down ..." */

/* reloads: the builders build NT between new_tree() and end_new_tree() */
void new_tree(void);
void end_new_tree(void);
void changed(const char *name);		/* in NT */
const char *plan(void);			/* "keep root; add x; change s; ..." */
const char *reload(void);		/* plan, prepare, SV_EV_RELOAD; frees NT */

/* random walks */
unsigned rnd(unsigned *seed, unsigned n);
void random_tree(unsigned *seed);
void random_tree_unsealed(unsigned *seed);	/* for a reload's new tree */
void check_invariants(void);
/* Random trees, each driven by random events with the invariants checked
 * after every one, then shut down. On some steps `more` (if not NULL) is
 * given a node to act on. */
void random_walk(unsigned seed, int trees, void (*more)(unsigned *seed, struct sv_node *n));

/* A test case of s with the harness's fixture. */
TCase *tree_tcase(Suite *s, const char *name);

#define EXPECT(call, str) ck_assert_str_eq((call), (str))

#endif
