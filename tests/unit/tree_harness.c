/* The fake process layer the tree suites share; see tree_harness.h. */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/operator.h"
#include "supervisor/reload.h"
#include "tests/unit/tree_harness.h"

struct sv_tree *T;
int64_t NOW;
bool DETAIL;		/* render reasons in reports */
bool AUTO_EXIT;		/* an actor dies as soon as it is signalled */
bool alive[MAXN], armed[MAXN];
bool tree_down_seen;
struct sv_tree *NT;		/* a new tree for a reload */
static struct sv_tree *running_tree;	/* T while NT is built */
static struct sv_plan PLAN;
static char out[32768];
static size_t outlen;
static struct sv_event queue[512];
static unsigned qhead, qlen;

void setup(void)
{
	T = sv_tree_new();
	ck_assert_ptr_nonnull(T);
	NOW = 0;
	DETAIL = AUTO_EXIT = tree_down_seen = false;
	memset(alive, 0, sizeof alive);
	memset(armed, 0, sizeof armed);
	qhead = qlen = 0;
}

void teardown(void)
{
	sv_plan_fini(&PLAN);
	sv_tree_free(NT);
	sv_tree_free(T);
	T = NT = NULL;
}

/* --- building --- */

struct sv_node *N(const char *name)
{
	struct sv_node *n = sv_find(T, name);

	ck_assert_msg(n != NULL, "no node %s", name);
	return n;
}

static struct sv_node *parent_of(const char *parent)
{
	return parent ? N(parent) : NULL;
}

struct sv_node *sup_r(const char *parent, const char *name, enum sv_strategy st,
			     unsigned intensity, long period_ms, enum sv_restart r)
{
	struct sv_node *n = sv_add_supervisor(T, parent_of(parent), name, st, intensity, period_ms, r);

	ck_assert_ptr_nonnull(n);
	ck_assert_uint_lt(n->id, MAXN);
	return n;
}

struct sv_node *sup(const char *parent, const char *name, enum sv_strategy st,
			   unsigned intensity, long period_ms)
{
	return sup_r(parent, name, st, intensity, period_ms, SV_PERMANENT);
}

struct sv_node *actor_full(const char *parent, const char *name, enum sv_restart r,
				  long shutdown_ms, enum sv_ready ready, long start_timeout_ms)
{
	struct sv_node *n = sv_add_actor(T, N(parent), name, r, shutdown_ms, ready, start_timeout_ms);

	ck_assert_ptr_nonnull(n);
	ck_assert_uint_lt(n->id, MAXN);
	return n;
}

/* exec-ready, 2000 ms shutdown */
struct sv_node *actor(const char *parent, const char *name, enum sv_restart r)
{
	return actor_full(parent, name, r, 2000, SV_READY_EXEC, 0);
}

/* notify-ready, 2000 ms shutdown */
struct sv_node *notify(const char *parent, const char *name, enum sv_restart r,
			      long start_timeout_ms)
{
	return actor_full(parent, name, r, 2000, SV_READY_NOTIFY, start_timeout_ms);
}

void seal(void)
{
	ck_assert_int_eq(sv_tree_seal(T), 0);
}

/* --- rendering --- */

static void put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void put(const char *fmt, ...)
{
	va_list ap;

	if (outlen)
		outlen += (size_t)snprintf(out + outlen, sizeof out - outlen, "; ");
	va_start(ap, fmt);
	outlen += (size_t)vsnprintf(out + outlen, sizeof out - outlen, fmt, ap);
	va_end(ap);
	ck_assert_uint_lt(outlen, sizeof out);
}

static const char *exit_str(const struct sv_exit *e, char *buf, size_t len)
{
	switch (e->kind) {
	case SV_EXIT_STATUS: snprintf(buf, len, "status %d", e->value); break;
	case SV_EXIT_SIGNAL: snprintf(buf, len, "signal %d", e->value); break;
	case SV_EXIT_EXEC_FAILED: snprintf(buf, len, "exec_failed"); break;
	case SV_EXIT_START_TIMEOUT: snprintf(buf, len, "start_timeout"); break;
	case SV_EXIT_SHUTDOWN: snprintf(buf, len, "shutdown"); break;
	case SV_EXIT_GAVE_UP: snprintf(buf, len, "gave_up"); break;
	case SV_EXIT_START_FAILED: snprintf(buf, len, "start_failed"); break;
	}
	if (e->before_ready && e->kind != SV_EXIT_START_TIMEOUT) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, " before_ready");
	}
	return buf;
}

static const char *why_str(enum sv_stop_why w)
{
	switch (w) {
	case SV_WHY_SHUTDOWN: return "shutdown";
	case SV_WHY_SIBLING: return "sibling";
	case SV_WHY_GIVE_UP: return "give_up";
	case SV_WHY_START_FAILED: return "start_failed";
	case SV_WHY_START_TIMEOUT: return "start_timeout";
	case SV_WHY_OPERATOR: return "operator";
	case SV_WHY_RELOAD: return "reload";
	}
	return "?";
}

static const char *signame(int sig)
{
	static char buf[16];

	switch (sig) {
	case SIGTERM: return "TERM";
	case SIGKILL: return "KILL";
	}
	snprintf(buf, sizeof buf, "%d", sig);
	return buf;
}

static void push(struct sv_event ev)
{
	ck_assert_uint_lt(qlen, sizeof queue / sizeof queue[0]);
	queue[(qhead + qlen++) % (sizeof queue / sizeof queue[0])] = ev;
}

/* N left the tree: what was queued for it goes too, as the process
 * layer releases what it kept for it (its id may be a new node's next). */
static void forget(const struct sv_node *n)
{
	const unsigned cap = sizeof queue / sizeof queue[0];
	unsigned kept = 0;

	for (unsigned i = 0; i < qlen; i++) {
		struct sv_event e = queue[(qhead + i) % cap];

		if (e.node != n)
			queue[(qhead + kept++) % cap] = e;
	}
	qlen = kept;
}

static void render_report(const struct sv_action *a, const char *name)
{
	char e[64];

	if (a->report == SV_REPORT_OPERATOR && a->op == SV_OP_KILL) {
		put("operator kill %s %s", name, signame(a->sig));
		return;
	}
	if (a->report == SV_REPORT_OPERATOR) {
		put("operator %s %s", sv_op_name(a->op), name);
		return;
	}
	if (a->report == SV_REPORT_RESTART && a->ms > 0 && DETAIL) {
		put("restart %s (%s) after %ld", name, exit_str(&a->exit, e, sizeof e), a->ms);
		return;
	}
	if (a->report == SV_REPORT_RESTART && a->ms > 0) {
		put("restart %s after %ld", name, a->ms);
		return;
	}
	if (!DETAIL) {
		put("%s %s", sv_report_name(a->report), name);
		return;
	}
	switch (a->report) {
	case SV_REPORT_RESTART:
		put("restart %s (%s)", name, exit_str(&a->exit, e, sizeof e));
		break;
	case SV_REPORT_STOP:
		if (a->cause)
			put("stop %s (%s %s)", name, why_str(a->why), a->cause->name);
		else
			put("stop %s (%s)", name, why_str(a->why));
		break;
	case SV_REPORT_GIVE_UP:
		put("give_up %s (%s %s)", name, a->cause ? a->cause->name : "?",
		    exit_str(&a->exit, e, sizeof e));
		break;
	case SV_REPORT_ESCALATE:
		put("escalate %s (%s)", name, exit_str(&a->exit, e, sizeof e));
		break;
	default:
		put("%s %s", sv_report_name(a->report), name);
	}
}

static void render(const struct sv_action *a)
{
	const char *name = a->node ? a->node->name : "?";
	unsigned id = a->node ? a->node->id : 0;
	char e[64];

	switch (a->kind) {
	case SV_DO_SPAWN:
		ck_assert_msg(a->node->kind == SV_NODE_ACTOR, "spawn of supervisor %s", name);
		ck_assert_msg(!alive[id], "spawn of %s, which is running", name);
		alive[id] = true;
		put("spawn %s", name);
		if (a->node->ready == SV_READY_EXEC)
			push((struct sv_event){ .kind = SV_EV_READY, .node = a->node });
		break;
	case SV_DO_SIGNAL:
		ck_assert_msg(a->node->kind == SV_NODE_ACTOR, "signal to supervisor %s", name);
		ck_assert_msg(alive[id], "SIG%s to %s, which is not running",
			      signame(a->sig), name);
		put("SIG%s %s", signame(a->sig), name);
		if (AUTO_EXIT)
			push((struct sv_event){ .kind = SV_EV_EXIT, .node = a->node,
				.exit = { .kind = SV_EXIT_SIGNAL, .value = a->sig } });
		break;
	case SV_DO_TIMER:
		/* a supervisor's timer is for backoff: it has no process */
		if (a->ms >= 0) {
			ck_assert_msg(alive[id] || a->node->kind == SV_NODE_SUPERVISOR,
				      "timer for %s, which is not running", name);
			armed[id] = true;
			put("timer %s %ld", name, a->ms);
		} else {
			armed[id] = false;
			put("timer %s off", name);
		}
		break;
	case SV_DO_REPORT:
		render_report(a, name);
		break;
	case SV_DO_TREE_READY:
		put("TREE_READY");
		break;
	case SV_DO_RETIRE:
		ck_assert_msg(!alive[id] && !armed[id], "%s retired while running", name);
		ck_assert_msg(a->node->state == SV_DOWN, "%s retired in state %d", name, a->node->state);
		put("retire %s", name);
		forget(a->node);
		break;
	case SV_DO_TREE_DOWN:
		for (unsigned i = 0; i < T->nnodes; i++)
			ck_assert_msg(!alive[i], "TREE_DOWN with node %u still running", i);
		ck_assert_msg(!tree_down_seen, "TREE_DOWN twice");
		tree_down_seen = true;
		put("TREE_DOWN %s", exit_str(&a->exit, e, sizeof e));
		break;
	}
}

/* Feed ev and everything it causes; return the rendered actions. */
const char *run(struct sv_event ev)
{
	const char *name = ev.node ? ev.node->name : "-";	/* the node may be retired by then */

	outlen = 0;
	out[0] = '\0';
	push(ev);
	while (qlen > 0) {
		struct sv_event e = queue[qhead];
		const struct sv_action *acts;
		size_t n;

		qhead = (qhead + 1) % (sizeof queue / sizeof queue[0]);
		qlen--;
		if (e.node && e.node->kind == SV_NODE_ACTOR && e.kind != SV_EV_OPERATOR) {
			/* what the process layer knows about its processes */
			if (!alive[e.node->id])
				continue;	/* a queued event outlived its process */
			if (e.kind == SV_EV_EXIT)
				alive[e.node->id] = armed[e.node->id] = false;
		}
		n = sv_handle(T, &e, NOW, &acts);
		for (size_t i = 0; i < n; i++)
			render(&acts[i]);
	}
	if (getenv("TREE_TRACE"))
		fprintf(stderr, "ev %d %s op %d -> %s\n", ev.kind, name, ev.op, out);
	return out;
}

const char *boot(void)
{
	return run((struct sv_event){ .kind = SV_EV_BOOT });
}

const char *shutdown_tree(void)
{
	return run((struct sv_event){ .kind = SV_EV_SHUTDOWN });
}

struct sv_node *running(const char *name)
{
	struct sv_node *n = N(name);

	ck_assert_msg(alive[n->id], "test error: %s is not running", name);
	return n;
}

const char *ready(const char *name)
{
	return run((struct sv_event){ .kind = SV_EV_READY, .node = running(name) });
}

const char *ex(const char *name, int status)
{
	return run((struct sv_event){ .kind = SV_EV_EXIT, .node = running(name),
		.exit = { .kind = SV_EXIT_STATUS, .value = status } });
}

const char *killed(const char *name, int sig)
{
	return run((struct sv_event){ .kind = SV_EV_EXIT, .node = running(name),
		.exit = { .kind = SV_EXIT_SIGNAL, .value = sig } });
}

/* the actor's timer fires (the process layer only fires an armed one) */
const char *fire(const char *name)
{
	struct sv_node *n = N(name);

	ck_assert_msg(armed[n->id], "test error: no timer armed for %s", name);
	armed[n->id] = false;
	return run((struct sv_event){ .kind = SV_EV_TIMER, .node = n });
}

/* --- reloads --- */


void new_tree(void)
{
	ck_assert_ptr_null(running_tree);
	running_tree = T;
	T = sv_tree_new();
	ck_assert_ptr_nonnull(T);
}

void end_new_tree(void)
{
	NT = T;
	T = running_tree;
	running_tree = NULL;
}

void changed(const char *name)
{
	struct sv_node *n = sv_find(NT, name);

	ck_assert_msg(n != NULL, "no node %s in the new tree", name);
	n->changed = true;
}

/* "keep root; add x; ..." */
const char *plan(void)
{
	static char buf[4096];
	size_t len = 0;

	ck_assert_int_eq(sv_reload_plan(T, NT, &PLAN), 0);
	buf[0] = '\0';
	for (size_t i = 0; i < PLAN.n; i++) {
		const struct sv_plan_item *it = &PLAN.items[i];
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s %s", i ? "; " : "",
					sv_plan_kind_name(it->kind), (it->new ? it->new : it->old)->name);
		ck_assert_uint_lt(len, sizeof buf);
	}
	return buf;
}

const char *reload(void)
{
	const char *got;

	if (getenv("TREE_TRACE"))
		fprintf(stderr, "plan: %s\n", plan());
	else
		plan();
	ck_assert_int_eq(sv_reload_prepare(T, NT, &PLAN), 0);
	got = run((struct sv_event){ .kind = SV_EV_RELOAD });
	sv_plan_fini(&PLAN);
	sv_tree_free(NT);
	NT = NULL;
	return got;
}

const char *op(enum sv_op o, const char *name)
{
	return run((struct sv_event){ .kind = SV_EV_OPERATOR, .node = N(name), .op = o });
}

const char *op_kill(const char *name, int sig)
{
	return run((struct sv_event){ .kind = SV_EV_OPERATOR, .node = N(name), .op = SV_OP_KILL,
		.sig = sig });
}

static const char *state_str(const struct sv_node *c)
{
	static const char *const st[] = {
		[SV_DOWN] = "down", [SV_STARTING] = "starting",
		[SV_UP] = "up", [SV_STOPPING] = "stopping",
	};

	if (c->state == SV_DOWN && c->held)
		return "held";
	if (c->state == SV_DOWN && c->waiting)
		return "waiting";
	return st[c->state];
}

/* "a:up b:down c:held ..." for the children of a supervisor */
const char *states(const char *supname)
{
	static char buf[1024];
	struct sv_node *s = N(supname);
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < s->nchildren; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s:%s", i ? " " : "",
					s->children[i]->name, state_str(s->children[i]));
	return buf;
}

unsigned rnd(unsigned *seed, unsigned n)
{
	return (unsigned)rand_r(seed) % n;
}

void random_tree(unsigned *seed)
{
	random_tree_unsealed(seed);
	seal();
}

void random_tree_unsealed(unsigned *seed)
{
	static char names[MAXN][16];
	unsigned nsup = 1, nnodes = 2 + rnd(seed, 12);
	const char *sups[8];

	snprintf(names[0], sizeof names[0], "root");
	sup(NULL, names[0], (enum sv_strategy)rnd(seed, 3), rnd(seed, 4), 1 + rnd(seed, 5000));
	sups[0] = names[0];
	for (unsigned i = 1; i < nnodes; i++) {
		const char *parent = sups[rnd(seed, nsup)];

		snprintf(names[i], sizeof names[i], "n%u", i);
		if (nsup < 8 && rnd(seed, 4) == 0) {
			sup_r(parent, names[i], (enum sv_strategy)rnd(seed, 3), rnd(seed, 4),
			      1 + rnd(seed, 5000), (enum sv_restart)rnd(seed, 3));
			sups[nsup++] = names[i];
		} else {
			static const long sd[] = { 2000, SV_SHUTDOWN_BRUTAL_KILL, SV_SHUTDOWN_INFINITY, 1, 0 };
			actor_full(parent, names[i], (enum sv_restart)rnd(seed, 3), sd[rnd(seed, 5)],
				   rnd(seed, 2) ? SV_READY_NOTIFY : SV_READY_EXEC,
				   rnd(seed, 3) ? 1000 : 0);
		}
	}
}

static void dump(void)
{
	if (!getenv("TREE_TRACE"))
		return;
	for (unsigned i = 0; i < T->nnodes; i++) {
		struct sv_node *n = T->nodes[i];
		if (n)
			fprintf(stderr, "  %s<%s st%d r%d phase%d start%d stop%d held%d wait%d ret%d rem%d pend%d\n",
				n->name, n->parent ? n->parent->name : "-", n->state, n->restart, n->phase,
				n->to_start, n->to_stop, n->held, n->waiting, n->retiring, n->removed,
				n->pending);
	}
}

void check_invariants(void)
{
	dump();
	for (unsigned i = 0; i < T->nnodes; i++) {
		struct sv_node *n = T->nodes[i];

		if (!n)
			continue;	/* retired */
		ck_assert_msg(!n->parent || n->parent->children[n->index] == n, "%s misplaced", n->name);
		/* a reload's marks last only until every supervisor has its new children */
		ck_assert_msg(!n->adopted && !n->twin, "%s: a reload's node", n->name);
		ck_assert_msg(T->reshapes || (!n->retiring && !n->awaits && !n->reshape),
			      "%s: reload marks after it", n->name);
		/* held: down, or its stop asked for (it may wait for a sibling's start) */
		ck_assert_msg(!n->held || ((n->state == SV_DOWN || n->to_stop) && !n->to_start),
			      "%s held but state %d, to_start %d", n->name, n->state, n->to_start);
		/* waiting: down (or its stop under way), its supervisor's timer set for it */
		ck_assert_msg(!n->waiting || ((n->state == SV_DOWN || n->to_stop) && !n->to_start &&
					      n->parent->timer_armed && n->parent->timer_due <= n->due),
			      "%s waiting, but state %d, to_start %d", n->name, n->state, n->to_start);
		ck_assert_msg(armed[i] == n->timer_armed, "%s: timer disagrees", n->name);
		if (n->kind == SV_NODE_ACTOR) {
			ck_assert_msg(alive[i] == (n->state != SV_DOWN),
				      "%s: process %s but state %d", n->name,
				      alive[i] ? "running" : "gone", n->state);
			continue;
		}
		if (T->down)
			ck_assert_msg(n->state == SV_DOWN, "%s not down at TREE_DOWN", n->name);
		/* a supervisor's timer is armed for a waiting child, and only then */
		bool for_one = false;
		for (unsigned j = 0; j < n->nchildren; j++)
			for_one |= n->children[j]->waiting && n->children[j]->due == n->timer_due;
		ck_assert_msg(n->timer_armed == for_one, "%s: timer %d, for a waiting child %d",
			      n->name, n->timer_armed, for_one);
		ck_assert_uint_le(n->pendq_len, n->nchildren);
		unsigned starting = 0;
		for (unsigned j = 0; j < n->nchildren; j++)
			starting += n->children[j]->state == SV_STARTING;
		ck_assert_msg(starting <= 1, "%s starts %u children at once", n->name, starting);
		if (n->state != SV_UP || n->phase != SV_PHASE_IDLE)
			continue;
		for (unsigned j = 0; j < n->nchildren; j++) {
			struct sv_node *c = n->children[j];

			ck_assert_msg(!c->pending, "%s idle with %s's exit pending", n->name, c->name);
			ck_assert_msg(!c->to_start && !c->to_stop, "%s idle with %s marked", n->name, c->name);
			ck_assert_msg(c->state == SV_UP || (c->state == SV_DOWN && c->restart != SV_PERMANENT) ||
				      (c->state == SV_DOWN && (c->held || c->waiting)) ||
				      (c->kind == SV_NODE_SUPERVISOR && c->state == SV_STOPPING),
				      "%s idle, child %s in state %d", n->name, c->name, c->state);
		}
	}
}

/* A node of the tree, at random (ids of retired nodes are never reused). */
static struct sv_node *pick_node(unsigned *seed)
{
	struct sv_node *n;

	while (!(n = T->nodes[rnd(seed, T->nnodes)]))
		;
	return n;
}

static const char *fire_node(struct sv_node *n)
{
	armed[n->id] = false;
	return run((struct sv_event){ .kind = SV_EV_TIMER, .node = n });
}

static const char *exit_node(struct sv_node *n, struct sv_exit e)
{
	return run((struct sv_event){ .kind = SV_EV_EXIT, .node = n, .exit = e });
}

/* The process layer carries a stop out: timers fire, processes die. */
static void drain(unsigned *seed)
{
	for (int step = 0; step < 10000 && !tree_down_seen; step++) {
		struct sv_node *n = pick_node(seed);

		if (armed[n->id] && rnd(seed, 2))
			fire_node(n);
		else if (alive[n->id])
			exit_node(n, (struct sv_exit){ SV_EXIT_SIGNAL, SIGTERM, false });
		check_invariants();
	}
}

static void random_step(unsigned *seed, void (*more)(unsigned *seed, struct sv_node *n))
{
	struct sv_node *n = pick_node(seed);

	switch (rnd(seed, more ? 8 : 6)) {
	case 0: NOW += rnd(seed, 3000); break;
	case 1: case 2:
		/* mostly exits of running ones: boots should often succeed */
		if (alive[n->id] && (n->state != SV_STARTING || rnd(seed, 8) == 0))
			exit_node(n, rnd(seed, 2) ?
				  (struct sv_exit){ SV_EXIT_STATUS, (int)rnd(seed, 2), false } :
				  (struct sv_exit){ SV_EXIT_SIGNAL, SIGKILL, false });
		break;
	case 3: case 4:
		if (alive[n->id])
			run((struct sv_event){ .kind = SV_EV_READY, .node = n });
		break;
	case 5:
		if (armed[n->id])
			fire_node(n);
		break;
	default:
		more(seed, n);
	}
}

void random_walk(unsigned seed, int trees, void (*more)(unsigned *seed, struct sv_node *n))
{
	for (int tree = 0; tree < trees; tree++) {
		teardown();
		setup();
		random_tree(&seed);
		AUTO_EXIT = rnd(&seed, 2);
		boot();
		check_invariants();
		for (int step = 0; step < 400 && !tree_down_seen; step++) {
			random_step(&seed, more);
			check_invariants();
		}
		if (!tree_down_seen)
			shutdown_tree();
		drain(&seed);
		ck_assert_msg(tree_down_seen, "tree %d never went down", tree);
		check_invariants();
	}
}

TCase *tree_tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	suite_add_tcase(s, tc);
	return tc;
}
