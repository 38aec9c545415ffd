/* Allocation failure, swept: for K = 1, 2, ... the K-th allocation an
 * operation makes fails (tests/common/failalloc.h), until a run fails
 * none. Each run must succeed as the unarmed run did, or fail cleanly:
 * the documented error (ENOMEM), nothing half-built, no leak (a leak
 * check after each run names the K), no crash. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/config/config.h"
#include "src/config/diff.h"
#include "src/config/faults.h"
#include "src/control/protocol.h"
#include "src/control/status.h"
#include "src/control/stream.h"
#include "src/libprospero/prospero.h"
#include "src/libprospero/prospero_queue.h"
#include "src/libprospero/prospero_state.h"
#include "src/proto/queue.h"
#include "src/queue/store.h"
#include "tests/common/failalloc.h"
#include "tests/common/runner.h"
#include "tests/common/scratch.h"

/* after this many K one by one, every STRIDE-th */
#define FULL 400
#define STRIDE 7

static void setup(void)
{
	fa_route_jansson();
	scratch_enter("enomem");
}

static void teardown(void)
{
	scratch_leave();
}

/* FROM (under $EXAMPLES, or the source tree's systemd/) copied to TO. */
static void copy_in(const char *from, const char *to)
{
	const char *src = getenv("SRCDIR");
	char path[4096], *text;
	FILE *f;
	long n;

	ck_assert_msg(src != NULL, "SRCDIR is not set: run under make check");
	snprintf(path, sizeof path, "%s/%s", src, from);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	ck_assert_int_ge(n = ftell(f), 0);
	rewind(f);
	ck_assert_ptr_nonnull(text = calloc(1, (size_t)n + 1));
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	scratch_put(to, text);
	free(text);
}

/* --- the config loader --- */

#define FILES(...) ((char *const[]){ __VA_ARGS__ })

struct load_case {
	char *const *files;
	size_t nfiles;
	const char *faults;	/* a fault plan loaded against the tree, or NULL */
	bool jansson;		/* fail jansson's allocations, not ours */
	/* the unarmed run */
	struct cfg *want;
	struct cfg_diag want_diag;
	struct fault_plan *want_plan;
	struct cfg_diag want_plan_diag;
};

/* The whole of both, when they differ: one line seldom says why. */
static void say_diags(const struct cfg_diag *a, const struct cfg_diag *b, unsigned long k)
{
	for (size_t i = 0; i < a->n; i++)
		fprintf(stderr, "k=%lu: %s\n", k, a->lines[i]);
	for (size_t i = 0; i < b->n; i++)
		fprintf(stderr, "unarmed: %s\n", b->lines[i]);
}

static void same_diag(const struct cfg_diag *a, const struct cfg_diag *b, unsigned long k)
{
	bool same = a->n == b->n && a->nerrors == b->nerrors;

	for (size_t i = 0; same && i < a->n; i++)
		same = strcmp(a->lines[i], b->lines[i]) == 0;
	if (!same)
		say_diags(a, b, k);
	ck_assert_msg(a->n == b->n && a->nerrors == b->nerrors,
		      "k=%lu: %zu lines (%zu errors), not %zu (%zu), the first \"%s\"", k, a->n, a->nerrors, b->n,
		      b->nerrors, a->n ? a->lines[0] : "");
	for (size_t i = 0; i < a->n; i++)
		ck_assert_msg(strcmp(a->lines[i], b->lines[i]) == 0, "k=%lu: line %zu is \"%s\", not \"%s\"", k, i,
			      a->lines[i], b->lines[i]);
}

/* Deep sameness, field by field: cfg_actor_diff compares what an actor
 * runs as, these also what the loader placed and linked (positions, ids,
 * start order, order as written, the supervisors), so that a failure
 * swallowed on the way shows as another tree. */
#define SAME(x, what) ck_assert_msg(same && (x), "k=%lu: %s differs", k, what)

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool strv_same(char *const *a, char *const *b)
{
	size_t i = 0;

	for (; a && b && a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return !(a && a[i]) && !(b && b[i]);
}

static bool pos_same(const struct cfg_pos *a, const struct cfg_pos *b)
{
	return str_same(a->file, b->file) && a->line == b->line && a->col == b->col;
}

static unsigned id_of(const struct cfg_actor *a)
{
	return a ? a->id : UINT_MAX;
}

static void same_actor(const struct cfg_actor *a, const struct cfg_actor *b, unsigned long k)
{
	uint32_t d = cfg_actor_diff(a, b);
	bool same = true;

	ck_assert_msg(d == 0, "k=%lu: actor %s differs in %s", k, b->name, cfg_field_name(d));
	SAME(str_same(a->name, b->name) && a->id == b->id && a->order == b->order && pos_same(&a->pos, &b->pos),
	     b->name);
	/* cfg_actor_diff takes these as sets */
	SAME(strv_same(a->env, b->env), "env, in order");
	SAME(strv_same(a->allow, b->allow) && a->nallow == b->nallow, "allow");
	SAME(strv_same(a->deny, b->deny) && a->ndeny == b->ndeny, "deny");
	SAME(strv_same(a->read_only, b->read_only) && a->nread_only == b->nread_only, "read_only");
	SAME(strv_same(a->secrets, b->secrets) && a->nsecrets == b->nsecrets, "secrets, in order");
	SAME(strv_same(a->capabilities, b->capabilities), "capabilities as written");
	SAME(a->nlimits == b->nlimits, "nlimits");
	for (size_t i = 0; i < a->nlimits; i++)
		SAME(a->limits[i].resource == b->limits[i].resource && pos_same(&a->limit_pos[i], &b->limit_pos[i]),
		     "limits, in order");
	for (size_t i = 0; i < SB_CGROUP_NCTL; i++)
		SAME(pos_same(&a->cg_limit_pos[i], &b->cg_limit_pos[i]), "a cgroup limit's place");
	SAME(pos_same(&a->private_tmp_pos, &b->private_tmp_pos) &&
	     pos_same(&a->private_network_pos, &b->private_network_pos) &&
	     pos_same(&a->read_only_pos, &b->read_only_pos) && pos_same(&a->user_pos, &b->user_pos) &&
	     pos_same(&a->caps_pos, &b->caps_pos) && pos_same(&a->backoff_pos, &b->backoff_pos),
	     "a key's place");
	for (size_t i = 0; i < a->nbindings; i++)
		SAME(str_same(a->bindings[i].service_name, b->bindings[i].service_name) &&
		     id_of(a->bindings[i].service) == id_of(b->bindings[i].service) &&
		     pos_same(&a->bindings[i].pos, &b->bindings[i].pos), "a binding");
	SAME(!a->queue == !b->queue, "queue");
	if (a->queue)
		SAME(id_of(a->queue->consumer) == id_of(b->queue->consumer) &&
		     id_of(a->queue->dead_letter) == id_of(b->queue->dead_letter) &&
		     pos_same(&a->queue->consumer_pos, &b->queue->consumer_pos) &&
		     pos_same(&a->queue->dead_letter_pos, &b->queue->dead_letter_pos), "a queue's links");
}

static void same_sup(const struct cfg_supervisor *a, const struct cfg_supervisor *b, unsigned long k)
{
	bool same = true;

	SAME(str_same(a->name, b->name) && pos_same(&a->pos, &b->pos), b->name);
	SAME(a->strategy == b->strategy && a->intensity == b->intensity && a->period_s == b->period_s &&
	     a->restart == b->restart, "a supervisor's settings");
	SAME(a->backoff.initial_ms == b->backoff.initial_ms && a->backoff.max_ms == b->backoff.max_ms &&
	     a->backoff.reset_after_ms == b->backoff.reset_after_ms && pos_same(&a->backoff_pos, &b->backoff_pos),
	     "a supervisor's backoff");
	SAME(a->nchildren == b->nchildren, "a supervisor's children");
	for (size_t i = 0; i < a->nchildren; i++) {
		const struct cfg_child *x = &a->children[i], *y = &b->children[i];

		SAME(x->kind == y->kind && (x->kind == CFG_CHILD_ACTOR ? x->u.actor->id == y->u.actor->id
								   : str_same(x->u.sup->name, y->u.sup->name)),
		     "a child");
	}
}

static void same_cfg(const struct cfg *a, const struct cfg *b, unsigned long k)
{
	bool same = true;

	SAME(a->nactors == b->nactors && a->nsups == b->nsups && a->nfiles == b->nfiles, "the tree's size");
	SAME(a->root && b->root && str_same(a->root->name, b->root->name), "the root");
	for (size_t i = 0; i < a->nfiles; i++)
		SAME(str_same(a->files[i], b->files[i]), "the files");
	for (size_t i = 0; i < a->nactors; i++)
		same_actor(a->actors[i], b->actors[i], k);
	for (size_t i = 0; i < a->nsups; i++)
		same_sup(a->sups[i], b->sups[i], k);
}

static void same_plan(const struct fault_plan *a, const struct fault_plan *b, unsigned long k)
{
	bool same = true;

	SAME(str_same(a->file, b->file) && a->has_seed == b->has_seed && a->seed == b->seed && a->n == b->n,
	     "the plan");
	for (size_t i = 0; i < a->n; i++) {
		const struct fault *x = &a->faults[i], *y = &b->faults[i];

		SAME(x->kind == y->kind && x->line == y->line && x->col == y->col &&
		     x->window.from_ms == y->window.from_ms && x->window.to_ms == y->window.to_ms &&
		     x->ntargets == y->ntargets, "a fault");
		for (size_t j = 0; j < x->ntargets; j++)
			SAME(str_same(x->targets[j].name, y->targets[j].name) && x->targets[j].actor == y->targets[j].actor &&
			     x->targets[j].order == y->targets[j].order && x->targets[j].index == y->targets[j].index,
			     "a fault's target");
		switch (x->kind) {
		case FAULT_KILL:
		case FAULT_STALL:
			SAME(x->u.proc.pick == y->u.proc.pick && x->u.proc.signal == y->u.proc.signal &&
			     x->u.proc.stall_ms == y->u.proc.stall_ms && x->u.proc.every_ms == y->u.proc.every_ms &&
			     x->u.proc.jitter_ms == y->u.proc.jitter_ms && x->u.proc.nat == y->u.proc.nat &&
			     (!x->u.proc.nat ||
			      memcmp(x->u.proc.at_ms, y->u.proc.at_ms, x->u.proc.nat * sizeof *x->u.proc.at_ms) == 0),
			     "a process fault");
			break;
		case FAULT_EDGE:
			SAME(x->u.edge.nedges == y->u.edge.nedges && x->u.edge.dir == y->u.edge.dir &&
			     x->u.edge.delay_lo_ms == y->u.edge.delay_lo_ms &&
			     x->u.edge.delay_hi_ms == y->u.edge.delay_hi_ms && x->u.edge.drop == y->u.edge.drop &&
			     x->u.edge.duplicate == y->u.edge.duplicate &&
			     x->u.edge.npartitions == y->u.edge.npartitions, "an edge fault");
			for (size_t j = 0; j < x->u.edge.nedges; j++) {
				const struct fault_edge_ref *e = &x->u.edge.edges[j], *f = &y->u.edge.edges[j];

				SAME(e->client == f->client && e->client_order == f->client_order &&
				     e->client_instances == f->client_instances && e->binding == f->binding &&
				     str_same(e->client_name, f->client_name) &&
				     str_same(e->service_name, f->service_name) &&
				     str_same(e->binding_name, f->binding_name), "an edge");
			}
			for (size_t j = 0; j < x->u.edge.npartitions; j++)
				SAME(x->u.edge.partitions[j].from_ms == y->u.edge.partitions[j].from_ms &&
				     x->u.edge.partitions[j].to_ms == y->u.edge.partitions[j].to_ms, "a partition");
			break;
		case FAULT_SYSCALL:
			SAME(strcmp(x->u.sys.name, y->u.sys.name) == 0 && x->u.sys.err == y->u.sys.err &&
			     x->u.sys.probability == y->u.sys.probability && x->u.sys.after == y->u.sys.after &&
			     x->u.sys.every == y->u.sys.every && x->u.sys.has_arg == y->u.sys.has_arg &&
			     x->u.sys.arg_index == y->u.sys.arg_index && x->u.sys.arg_mask == y->u.sys.arg_mask &&
			     x->u.sys.arg_value == y->u.sys.arg_value, "a syscall fault");
			break;
		}
	}
}

/* One load, and the fault plan against it, with K armed (counted over
 * both): each as unarmed, or NULL, ENOMEM and no diagnostic. */
static void load_once(unsigned long k, void *arg)
{
	struct load_case *c = arg;
	struct cfg_diag diag;
	struct cfg *cfg;
	struct fault_plan *plan;
	int err;

	if (c->jansson)
		fa_arm_jansson(k);
	else
		fa_arm(k);
	cfg = cfg_load(c->files, c->nfiles, &diag);
	err = errno;
	fa_pause(true);
	if (!cfg && diag.n == 0) {
		ck_assert_msg(fa_failed(), "k=%lu: the load failed with no allocation failed", k);
		ck_assert_msg(err == ENOMEM, "k=%lu: errno %s, not ENOMEM", k, strerror(err));
		return;
	}
	same_diag(&diag, &c->want_diag, k);
	cfg_diag_free(&diag);
	ck_assert_msg(!cfg == !c->want, "k=%lu: %s", k, cfg ? "a tree, not a failure" : "no tree");
	if (!cfg)
		return;
	same_cfg(cfg, c->want, k);
	if (c->faults) {
		bool before = fa_failed();

		fa_pause(false);
		plan = cfg_faults_load(c->faults, cfg, &diag);
		err = errno;
		fa_pause(true);
		if (!plan && diag.n == 0) {
			ck_assert_msg(fa_failed() && !before, "k=%lu: the plan failed with no allocation failed", k);
			ck_assert_msg(err == ENOMEM, "k=%lu: plan errno %s, not ENOMEM", k, strerror(err));
		} else {
			same_diag(&diag, &c->want_plan_diag, k);
			ck_assert_msg(!plan == !c->want_plan, "k=%lu: %s", k, plan ? "a plan, not a failure" : "no plan");
			if (plan)
				same_plan(plan, c->want_plan, k);
		}
		cfg_diag_free(&diag);
		fault_plan_free(plan);
	}
	cfg_free(cfg);
}

/* FAULTS, if any, loads unarmed unless PLAN_ERRORS. */
static void sweep_load(char *const *files, size_t nfiles, const char *faults, bool plan_errors)
{
	struct load_case c = { .files = files, .nfiles = nfiles, .faults = faults };
	unsigned long tried;

	c.want = cfg_load(files, nfiles, &c.want_diag);
	for (size_t i = 0; i < c.want_diag.n; i++)
		fprintf(stderr, "%s\n", c.want_diag.lines[i]);
	ck_assert_ptr_nonnull(c.want);
	if (faults) {
		c.want_plan = cfg_faults_load(faults, c.want, &c.want_plan_diag);
		for (size_t i = 0; i < c.want_plan_diag.n; i++)
			fprintf(stderr, "%s\n", c.want_plan_diag.lines[i]);
		if (plan_errors)
			ck_assert_msg(!c.want_plan && c.want_plan_diag.nerrors > 3, "%s: too few errors", faults);
		else
			ck_assert_msg(c.want_plan != NULL, "%s: not a plan unarmed", faults);
	}
	tried = fa_sweep(load_once, &c, FULL, STRIDE);
	fprintf(stderr, "%s: %lu runs\n", files[0], tried);
	fault_plan_free(c.want_plan);
	cfg_diag_free(&c.want_plan_diag);
	cfg_free(c.want);
	cfg_diag_free(&c.want_diag);
}

/* jansson's allocations failed: memory, never a syntax error */
START_TEST(jansson_runs_out)
{
	static const char text[] = "{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"w\", \"exec\": [\"./w\"],\n"
				   "  \"env\": { \"A_LONGER_NAME_THAN_THE_FIRST_BUFFER\": \"and a value longer still than it\" } } ],\n"
				   /* a number after the strings: jansson's lexer sets errno to 0 before one */
				   "  \"intensity\": 5 }\n";
	struct load_case c = { .files = FILES("root.jsonc"), .nfiles = 1, .jansson = true };

	scratch_put_exec("w");
	scratch_put("root.jsonc", text);
	c.want = cfg_load(c.files, 1, &c.want_diag);
	ck_assert_ptr_nonnull(c.want);
	fprintf(stderr, "jansson: %lu runs\n", fa_sweep(load_once, &c, FULL, 1));
	cfg_free(c.want);
	cfg_diag_free(&c.want_diag);
}
END_TEST

static const char *const orders_programs[] = {
	"user-manager", "order-processor", "inventory-tracker", "payment", "driver", "shipper", "returns", NULL,
};

START_TEST(the_orders_example)
{
	ck_assert_int_eq(mkdir("orders", 0755), 0);
	copy_in("examples/orders/prospero.jsonc", "orders/prospero.jsonc");
	copy_in("examples/orders/faults.jsonc", "orders/faults.jsonc");
	for (size_t i = 0; orders_programs[i]; i++) {
		char path[128];

		snprintf(path, sizeof path, "orders/%s", orders_programs[i]);
		scratch_put_exec(path);
	}
	sweep_load(FILES("orders/prospero.jsonc"), 1, "orders/faults.jsonc", false);
}
END_TEST

START_TEST(the_coordinator_example)
{
	static const char *const programs[] = { "research", "analysis", "synthesis", "coordinator", "asker", NULL };

	ck_assert_int_eq(mkdir("coordinator", 0755), 0);
	copy_in("examples/coordinator/prospero.jsonc", "coordinator/prospero.jsonc");
	for (size_t i = 0; programs[i]; i++) {
		char path[128];

		snprintf(path, sizeof path, "coordinator/%s", programs[i]);
		scratch_put_exec(path);
	}
	sweep_load(FILES("coordinator/prospero.jsonc"), 1, NULL, false);
}
END_TEST

START_TEST(the_starter_config)
{
	copy_in("systemd/prospero.jsonc", "prospero.jsonc");
	sweep_load(FILES("prospero.jsonc"), 1, NULL, false);
}
END_TEST

/* every key there is, over seven files, and a plan with every kind of
 * fault and each of its keys */
static const char every_key_root[] =
	"// the root\n"
	"{ \"supervisor\": \"top\", \"strategy\": \"rest_for_one\", \"intensity\": 4, \"period\": 9,\n"
	"  \"backoff\": { \"initial\": 10, \"max\": 1000, \"reset_after\": 5000 },\n"
	"  \"children\": [\n"
	"    { \"supervisor\": \"inner\", \"strategy\": \"one_for_all\", \"restart\": \"transient\",\n"
	"      \"backoff\": { \"initial\": 5, \"max\": 50 },\n"
	"      \"children\": [ \"db\", \"cache\" ] },\n"
	"    { \"actor\": \"web\", \"exec\": [\"./web\", \"--port\", \"80\"], \"restart\": \"transient\",\n"
	"      \"shutdown\": \"brutal_kill\", \"ready\": \"notify\", \"start_timeout\": 2000, \"instances\": 3,\n"
	"      \"env\": { \"A\": \"1\", \"B\": \"two\" }, \"cwd\": \"sub\",\n"
	"      \"sandbox\": { \"profile\": \"service\", \"allow\": [\"@io-event\", \"ptrace\"], \"deny\": [\"mount\"],\n"
	"                   \"on_violation\": \"kill\" },\n"
	"      \"limits\": { \"nofile\": 256, \"core\": 0, \"memory\": 67108864, \"tasks\": 64, \"cpu_weight\": 50 },\n"
	"      \"private_tmp\": true, \"private_network\": false, \"private_ipc\": false,\n"
	"      \"read_only\": [\"/etc\", \"/usr\"], \"capabilities\": [\"CAP_NET_BIND_SERVICE\"],\n"
	"      \"secrets\": [\"db_password\", \"api_key\"], \"secrets_env\": true,\n"
	"      \"bindings\": { \"DB\": \"db\", \"CACHE\": \"cache\", \"JOBS\": \"jobs\" },\n"
	"      \"watchdog\": 1000, \"state\": true,\n"
	"      \"backoff\": { \"initial\": 100, \"max\": 30000, \"reset_after\": 60000 } },\n"
	"    \"jobs\", \"worker\", \"graveyard\", \"undertaker\",\n"
	"  ],\n"
	"}\n";

/* one definition a file */
static const char *const every_key_more[][2] = {
	{ "db.jsonc", "{ \"actor\": \"db\", \"exec\": [\"./db\"], \"shutdown\": \"infinity\", \"user\": \"nobody\" }" },
	{ "cache.jsonc", "{ \"actor\": \"cache\", \"exec\": [\"./db\", \"--cache\"], \"shutdown\": 0 }" },
	{ "jobs.jsonc",
	  "{ \"queue\": \"jobs\", \"consumer\": \"worker\", \"dead_letter_queue\": \"graveyard\",\n"
	  "  \"restart\": \"permanent\", \"shutdown\": 3000, \"max_batch_size\": 20, \"max_batch_timeout\": 100,\n"
	  "  \"max_retries\": 2, \"retry_delay\": 10, \"retry_backoff\": 2, \"max_message_size\": 4096,\n"
	  "  \"retention\": 600, \"delivery_timeout\": 1000, \"max_concurrency\": 2 }" },
	{ "worker.jsonc", "{ \"actor\": \"worker\", \"exec\": [\"./db\", \"--work\"] }" },
	{ "graveyard.jsonc", "{ \"queue\": \"graveyard\", \"consumer\": \"undertaker\" }" },
	{ "undertaker.jsonc", "{ \"actor\": \"undertaker\", \"exec\": [\"./db\", \"--bury\"], \"ready\": \"notify\" }" },
};

static const char every_fault[] =
	"{ \"seed\": 7, \"faults\": [\n"
	"  { \"kill\": \"inner\", \"signal\": \"SIGTERM\", \"every\": 3000, \"jitter\": 1000, \"pick\": \"all\",\n"
	"    \"window\": [1000, 60000] },\n"
	"  { \"stall\": [\"db\", \"web#2\"], \"for\": 200, \"at\": [7000, 9000] },\n"
	"  { \"syscall\": \"write\", \"target\": \"*\", \"errno\": \"EIO\", \"probability\": 0.5, \"after\": 3,\n"
	"    \"every\": 2, \"arg\": { \"index\": 0, \"equals\": 1, \"mask\": 255 }, \"window\": [0, 5000] },\n"
	"  { \"edge\": \"web -> db\", \"direction\": \"to_service\", \"delay\": [5, 10], \"drop\": 0.1,\n"
	"    \"duplicate\": 0.1, \"window\": [0, 9000] },\n"
	"  { \"edge\": [\"CACHE\", \"JOBS\"], \"partition\": [[100, 200], [300, 400]] },\n"
	"] }\n";

/* a hint wherever a plan gives one */
static const char every_plan_error[] =
	"{ \"seed\": 7, \"faults\": [\n"
	"  { \"kil\": \"web\" },\n"
	"  { \"kill\": \"wbe\", \"signal\": \"SIGTREM\", \"every\": 1000 },\n"
	"  { \"syscall\": \"wirte\", \"target\": \"web\", \"errno\": \"EIOO\" },\n"
	"  { \"edge\": \"web -> dbb\", \"drop\": 0.1 },\n"
	"  { \"edge\": \"CACH\", \"drop\": 0.1 },\n"
	"] }\n";

static void every_key_tree(const char *plan, bool plan_errors)
{
	scratch_put_exec("web");
	scratch_put_exec("db");
	ck_assert_int_eq(mkdir("sub", 0755), 0);
	scratch_put("root.jsonc", every_key_root);
	for (size_t i = 0; i < sizeof every_key_more / sizeof *every_key_more; i++)
		scratch_put(every_key_more[i][0], every_key_more[i][1]);
	scratch_put("faults.jsonc", plan);
	sweep_load(FILES("root.jsonc", "db.jsonc", "cache.jsonc", "jobs.jsonc", "worker.jsonc", "graveyard.jsonc",
			 "undertaker.jsonc"), 7, "faults.jsonc", plan_errors);
}

START_TEST(every_key)
{
	every_key_tree(every_fault, false);
}
END_TEST

START_TEST(every_fault_error)
{
	every_key_tree(every_plan_error, true);
}
END_TEST

/* errors are built as they are found: their text under allocation failure */
START_TEST(every_error)
{
	scratch_put_exec("web");
	scratch_put("root.jsonc",
	    "{ \"supervisor\": \"top\", \"strategi\": \"x\", \"intensity\": -1,\n"
	    "  \"children\": [ { \"actor\": \"web\", \"exec\": [\"./nope\"], \"restar\": 1, \"bindings\": { \"db\": \"dbb\" },\n"
	    "    \"sandbox\": { \"allow\": [\"ptrac\", \"@io-evnt\"] }, \"limits\": { \"nofil\": 1, \"core\": \"infinit\" },\n"
	    "    \"capabilities\": [\"CAP_NET_BIND_SERVIC\"], \"shutdown\": \"brutal_kil\", \"ready\": \"notfy\" },\n"
	    "    \"missing\", \"webb\", { \"queue\": \"q\", \"consumer\": \"wbe\" } ] }\n");
	struct cfg_diag want;
	struct load_case c = { .files = FILES("root.jsonc"), .nfiles = 1 };

	ck_assert_ptr_null(cfg_load(c.files, 1, &want));
	ck_assert_uint_gt(want.nerrors, 3);
	c.want_diag = want;
	fprintf(stderr, "every_error: %lu runs\n", fa_sweep(load_once, &c, FULL, STRIDE));
	cfg_diag_free(&c.want_diag);
}
END_TEST

/* --- libprospero: a client and a service in one loop --- */

/* A call's answers: how many, the last code and body. */
struct answer {
	int n, err;
	char body[64];
};

static void got(int err, const void *body, size_t len, void *arg)
{
	struct answer *a = arg;

	a->n++;
	a->err = err;
	snprintf(a->body, sizeof a->body, "%.*s", (int)len, (const char *)body);
}

static int casts;
static struct prospero_request *held;
static bool defer_failed;

static void echo(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	(void)arg;
	if (!req)
		casts++;
	else
		prospero_reply(req, body, len);
}

/* kept, answered by the loop's next turn: or, memory short, not kept,
 * and then answered internal by the library */
static void later(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	(void)body;
	(void)len;
	(void)arg;
	if (!(held = prospero_defer(req)))
		defer_failed = errno == ENOMEM;
}

/* A step's outcome: true if it went, false if it failed of memory, which
 * ends the run; anything else fails the test. */
static bool went(bool ok, const char *what, unsigned long k)
{
	int err = errno;

	if (ok)
		return true;
	fa_pause(true);
	ck_assert_msg(fa_failed() && err == ENOMEM, "k=%lu: %s failed: %s", k, what, strerror(err));
	fa_pause(false);
	return false;
}

/* What a call's answer may be: its reply, once, or, when an allocation
 * failed on the service's side, INTERNAL once. */
static void answered(const struct answer *a, const char *want, bool internal_ok, unsigned long k)
{
	ck_assert_msg(a->n == 1, "k=%lu: %d answers", k, a->n);
	if (a->err == PROSPERO_E_INTERNAL && internal_ok)
		return;
	ck_assert_msg(a->err == PROSPERO_OK, "k=%lu: error %d (%s)", k, a->err, a->body);
	ck_assert_str_eq(a->body, want);
}

static void lib_once(unsigned long k, void *arg)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct prospero *client = NULL, *service = NULL;
	struct prospero_binding *inv;
	struct answer a = { 0 }, b = { 0 };
	int sv[2], sent_a = 0, sent_b = 0, cast = 0;

	(void)arg;
	ck_assert_ptr_nonnull(loop);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	casts = 0;
	held = NULL;
	defer_failed = false;
	fa_arm(k);
	if (!went((client = prospero_new(loop)) != NULL, "prospero_new", k) ||
	    !went((service = prospero_new(loop)) != NULL, "prospero_new", k))
		goto out;
	if (!went(prospero_adopt(client, "INVENTORY", sv[0]) == 0, "adopt", k))
		goto out;
	sv[0] = -1;
	if (!went(prospero_adopt(service, "serve:client", sv[1]) == 0, "adopt serve", k))
		goto out;
	sv[1] = -1;
	inv = prospero_binding(client, "INVENTORY");
	fa_pause(true);
	ck_assert_ptr_nonnull(inv);
	fa_pause(false);
	if (!went(prospero_handle(service, "echo", echo, NULL) == 0, "handle", k) ||
	    !went(prospero_handle(service, "later", later, NULL) == 0, "handle", k) ||
	    !went(prospero_serve(service) == 0, "serve", k))
		goto out;
	sent_a = went(prospero_call(inv, "echo", "{\"n\":1}", 7, 10, got, &a) == 0, "call", k);
	sent_b = went(prospero_call(inv, "later", "{}", 2, 10, got, &b) == 0, "call", k);
	cast = went(prospero_cast(inv, "echo", "{\"c\":1}", 7) == 0, "cast", k);
	while ((sent_a && !a.n) || (sent_b && !b.n) || (cast && !casts)) {
		ev_run(loop, EVRUN_ONCE);
		if (held) {
			struct prospero_request *r = held;

			held = NULL;
			/* a reply this small is sent at once: nothing to allocate */
			fa_pause(true);
			ck_assert_int_eq(prospero_reply(r, "done", 4), 0);
			fa_pause(false);
		}
	}
	fa_pause(true);
	if (sent_a)
		answered(&a, "{\"n\":1}", false, k);
	if (sent_b)
		answered(&b, "done", defer_failed, k);
	ck_assert_int_eq(casts, cast);
	fa_pause(false);
out:
	prospero_close(client);
	prospero_close(service);
	fa_pause(true);
	for (int i = 0; i < 2; i++)
		if (sv[i] >= 0)
			close(sv[i]);
	ev_loop_destroy(loop);
}

START_TEST(a_call_and_a_cast)
{
	fprintf(stderr, "libprospero: %lu runs\n", fa_sweep(lib_once, NULL, FULL, 1));
}
END_TEST

/* The queue's side, played by the test: a send_batch of N is committed
 * as ids 1..N. */
static void fake_queue(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	struct pq_cursor c;
	const char *why;
	uint8_t sent[PQ_SENT_LEN];

	(void)arg;
	fa_pause(true);
	ck_assert_int_eq(pq_batch_check(body, len, &c, &why), 0);
	pq_sent_encode(sent, 1, c.left);
	ck_assert_int_eq(prospero_reply(req, sent, sizeof sent), 0);
	fa_pause(false);
}

static struct prospero_queue_batch *kept;
static bool keep_failed;

/* acks the first message now, keeps the batch and retries the second
 * on the loop's next turn */
static void consume(struct prospero_queue_batch *batch, const struct prospero_queue_message *msgs, size_t n,
		    void *arg)
{
	(void)msgs;
	(void)arg;
	fa_pause(true);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(prospero_queue_ack(batch, 0), 0);
	fa_pause(false);
	if (!(kept = prospero_queue_keep(batch)))
		keep_failed = errno == ENOMEM;
}

/* A send's answer: "1+2" for ids 1 and 2. */
static void sent_ids(int err, const void *body, size_t len, void *arg)
{
	struct answer *a = arg;
	uint64_t first;
	unsigned n;

	a->n++;
	a->err = err;
	a->body[0] = '\0';
	if (err == PROSPERO_OK && prospero_queue_sent(body, len, &first, &n) == 0)
		snprintf(a->body, sizeof a->body, "%llu+%u", (unsigned long long)first, n);
}

/* The consumer's answer: "a" for an ack, "r" for a retry, in order. */
static void verdicts(int err, const void *body, size_t len, void *arg)
{
	struct answer *a = arg;
	struct pq_cursor c;
	struct pq_verdict v;
	const char *why;

	a->n++;
	a->err = err;
	a->body[0] = '\0';
	if (err != PROSPERO_OK || pq_answer_check(body, len, &c, &why) < 0)
		return;
	while (c.left) {
		pq_answer_next(&c, &v);
		snprintf(a->body + strlen(a->body), sizeof a->body - strlen(a->body), "%c%llu",
			 v.verdict == PQ_ACK ? 'a' : 'r', (unsigned long long)v.id);
	}
}

static void queue_once(unsigned long k, void *arg)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct prospero *client = NULL, *service = NULL;
	struct prospero_queue_consumer *consumer = NULL;
	struct prospero_binding *q;
	struct answer a = { 0 }, d = { 0 };
	struct iovec msgs[2] = { { "one", 3 }, { "two", 3 } };
	uint8_t deliver[PQ_COUNT_LEN + 2 * (PQ_MSG_HEAD + 3)];
	int sv[2], sent_a = 0, sent_d = 0;

	(void)arg;
	ck_assert_ptr_nonnull(loop);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	pq_count_encode(deliver, 2);
	for (int i = 0; i < 2; i++)
		pq_msg_encode(deliver + PQ_COUNT_LEN + (size_t)i * (PQ_MSG_HEAD + 3),
			      &(struct pq_msg){ .id = (uint64_t)i + 1, .enqueued_ms = 1, .attempt = 1,
						.body = msgs[i].iov_base, .len = 3 });
	kept = NULL;
	keep_failed = false;
	fa_arm(k);
	if (!went((client = prospero_new(loop)) != NULL, "prospero_new", k) ||
	    !went((service = prospero_new(loop)) != NULL, "prospero_new", k))
		goto out;
	if (!went(prospero_adopt(client, "Q", sv[0]) == 0, "adopt", k))
		goto out;
	sv[0] = -1;
	if (!went(prospero_adopt(service, "serve:client", sv[1]) == 0, "adopt serve", k))
		goto out;
	sv[1] = -1;
	q = prospero_binding(client, "Q");
	if (!went(prospero_handle(service, PQ_SEND_BATCH, fake_queue, NULL) == 0, "handle", k) ||
	    !went((consumer = prospero_queue_consume(service, consume, NULL)) != NULL, "consume", k) ||
	    !went(prospero_serve(service) == 0, "serve", k))
		goto out;
	sent_a = went(prospero_queue_send_batch(q, msgs, 2, 10, sent_ids, &a) == 0, "send_batch", k);
	sent_d = went(prospero_call(q, PQ_DELIVER, deliver, sizeof deliver, 10, verdicts, &d) == 0, "deliver", k);
	while ((sent_a && !a.n) || (sent_d && !d.n)) {
		ev_run(loop, EVRUN_ONCE);
		if (kept) {
			struct prospero_queue_batch *b = kept;

			kept = NULL;
			fa_pause(true);
			ck_assert_int_eq(prospero_queue_retry(b, 1, 5), 0);
			fa_pause(false);
			/* its answer may find no memory: answered internal */
			prospero_queue_done(b);
		}
	}
	fa_pause(true);
	if (sent_a)
		ck_assert_msg(a.n == 1 && a.err == PROSPERO_OK && strcmp(a.body, "1+2") == 0,
			      "k=%lu: send_batch answered %d times, error %d, \"%s\"", k, a.n, a.err, a.body);
	/* as unarmed; or the batch not kept, the second left to be retried;
	 * or no batch, or no answer, to be had: internal */
	if (sent_d) {
		ck_assert_msg(d.n == 1, "k=%lu: deliver answered %d times", k, d.n);
		if (d.err != PROSPERO_E_INTERNAL || !fa_failed())
			ck_assert_msg(d.err == PROSPERO_OK &&
				      strcmp(d.body, keep_failed ? "a1" : "a1r2") == 0,
				      "k=%lu: deliver answered %d \"%s\"", k, d.err, d.body);
	}
	fa_pause(false);
out:
	prospero_close(client);
	prospero_close(service);
	prospero_queue_consumer_free(consumer);
	fa_pause(true);
	for (int i = 0; i < 2; i++)
		if (sv[i] >= 0)
			close(sv[i]);
	ev_loop_destroy(loop);
}

START_TEST(a_queue_produced_to_and_consumed_from)
{
	fprintf(stderr, "libprospero queue: %lu runs\n", fa_sweep(queue_once, NULL, FULL, 1));
}
END_TEST

/* --- the control protocol: a request encoded by the CLI, decoded by
 * the daemon --- */

static const struct ctl_request requests[] = {
	{ .verb = CTL_KILL, .name = "web2", .sig = SIGKILL },
	{ .verb = CTL_LOGS, .name = "payment#2", .lines = 20, .has_lines = true, .follow = true },
	{ .verb = CTL_FAULT, .name = "web -> db", .fault = "edge", .ms = 250, .drop = 0.5 },
};

struct request_case {
	const struct ctl_request *r;
	bool jansson;
};

/* Encoded and decoded with K armed: the same request, or ENOMEM from
 * either end; never another request. */
static void request_once(unsigned long k, void *arg)
{
	struct request_case *c = arg;
	struct ctl_request got;
	char *line, err[256];
	int rc, e;

	if (c->jansson)
		fa_arm_jansson(k);
	else
		fa_arm(k);
	line = ctl_request_encode(c->r);
	e = errno;
	if (!line) {
		fa_pause(true);
		ck_assert_msg(fa_failed() && e == ENOMEM, "k=%lu: not encoded: %s", k, strerror(e));
		return;
	}
	rc = ctl_request_decode(line, strlen(line) - 1, &got, err, sizeof err);
	e = errno;
	fa_pause(true);
	free(line);
	if (rc < 0) {
		ck_assert_msg(fa_failed() && e == ENOMEM, "k=%lu: refused: %s", k, err);
		return;
	}
	ck_assert_msg(got.verb == c->r->verb && strcmp(got.name, c->r->name) == 0 && got.sig == c->r->sig &&
		      got.follow == c->r->follow && got.has_lines == c->r->has_lines && got.lines == c->r->lines &&
		      strcmp(got.fault, c->r->fault) == 0 && got.ms == c->r->ms && got.drop == c->r->drop,
		      "k=%lu: another request: \"%s\" signal %d", k, got.name, got.sig);
}

START_TEST(a_request_there_and_back)
{
	struct request_case c = { .r = &requests[_i % 3], .jansson = _i >= 3 };

	fa_route_jansson();
	fprintf(stderr, "request %d: %lu runs\n", _i, fa_sweep(request_once, &c, FULL, 1));
}
END_TEST

/* --- the control answers: encoded by the daemon, decoded by the CLI --- */

static struct ctl_node status_nodes[] = {
	{ .name = "root", .supervisor = true, .state = CTL_STATE_READY, .should_run = true, .restarts = 1,
	  .uptime_ms = 5000, .strategy = "one_for_one", .window_restarts = 1, .intensity = 3, .period_ms = 5000,
	  .uid = -1, .memory_bytes = -1, .cpu_ms = -1 },
	{ .name = "web", .depth = 1, .state = CTL_STATE_READY, .should_run = true, .uptime_ms = 4000,
	  .period_ms = -1, .pid = 4242, .status = "listening on :8080", .uid = 1000, .profile = "network",
	  .memory_bytes = 1 << 20, .cpu_ms = 12, .queue = false },
	{ .name = "db", .depth = 1, .state = CTL_STATE_BACKING_OFF, .should_run = true, .restarts = 2,
	  .last_exit = "exited with status 1", .uptime_ms = -1, .backoff_until = 1700000000.5, .period_ms = -1,
	  .uid = -1, .memory_bytes = -1, .cpu_ms = -1, .queue = true },
};
static struct ctl_edge status_edges[] = { { "web", "db", "db" } };
static char status_faults[] = "kill web: 1";
static const struct ctl_status a_status = { .now = 1700000001.25, .actors = 2, .running = 1, .not_running = 1,
					    .nodes = status_nodes, .n = 3, .edges = status_edges, .nedges = 1,
					    .faults = status_faults };

/* What a decoder made of a line, to compare with the unarmed run. */
struct decoded {
	int rc, e;
	char text[1024];	/* each field as read, one after another */
};

__attribute__((format(printf, 2, 3))) static void say(struct decoded *d, const char *fmt, ...)
{
	size_t n = strlen(d->text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->text + n, sizeof d->text - n, fmt, ap);
	va_end(ap);
}

static void said_text(const char *text, void *arg)
{
	say(arg, "[%s]", text);
}

/* Which answer, encoded and decoded: the line into LINE (NULL if not
 * encoded), what was read of it into D. */
static void answer_encode(int which, char **line)
{
	struct ctl_lines *l;

	switch (which) {
	case 0: *line = ctl_status_encode(&a_status); break;
	/* no escape in it: jansson 2.14 short of memory reading one asserts
	 * (lex_scan_string, load.c:442) */
	case 1: *line = ctl_answer_error(ENOENT, "no actor or supervisor named web3"); break;
	case 2: *line = ctl_answer_ok(); break;
	case 3: *line = ctl_events_answer("/run/prospero/events", 4096); break;
	case 4:
		*line = NULL;
		if (!(l = ctl_lines_new()))
			break;
		ctl_lines_add(l, "one", 3);
		ctl_lines_add(l, "two \xff", 5);
		ctl_lines_add(l, "three", 5);
		*line = ctl_lines_answer(l);
		break;
	case 5: *line = ctl_line_encode("web", "GET / 200", 9); break;
	default:
		/* an event line as the events file has it */
		*line = strdup("{\"time\":1.5,\"event\":\"injected\",\"target\":\"web#2\",\"fault\":\"kill\"}\n");
		break;
	}
}

static void answer_decode(int which, const char *line, struct decoded *d)
{
	size_t len = strlen(line) - 1;
	struct ctl_status st;
	char err[256] = "", path[256] = "";
	int64_t offset = -1;
	bool ok = false;

	errno = 0;
	switch (which) {
	case 0:
		d->rc = ctl_status_decode(line, len, &st, err, sizeof err);
		d->e = errno;
		if (d->rc < 0)
			break;
		say(d, "%.2f %u %u %u %zu %zu %s|", st.now, st.actors, st.running, st.not_running, st.n, st.nedges,
		    st.faults ? st.faults : "-");
		for (size_t i = 0; i < st.n; i++) {
			const struct ctl_node *n = &st.nodes[i];

			say(d, "%s %d %u %d %d %u %s %lld %.1f %s %u %u %lld %d %s %lld %s %lld %lld %d|", n->name,
			    n->supervisor, n->depth, n->state, n->should_run, n->restarts, n->last_exit,
			    (long long)n->uptime_ms, n->backoff_until, n->strategy, n->window_restarts, n->intensity,
			    (long long)n->period_ms, n->pid, n->status, (long long)n->uid, n->profile,
			    (long long)n->memory_bytes, (long long)n->cpu_ms, n->queue);
		}
		for (size_t i = 0; i < st.nedges; i++)
			say(d, "%s>%s:%s|", st.edges[i].from, st.edges[i].to, st.edges[i].label);
		ctl_status_free(&st);
		return;
	case 1:
	case 2:
		d->rc = ctl_answer_decode(line, len, &ok, err, sizeof err);
		d->e = errno;
		say(d, "%d %s", ok, err);
		return;
	case 3:
		d->rc = ctl_events_decode(line, len, path, sizeof path, &offset);
		d->e = errno;
		say(d, "%s %lld", path, (long long)offset);
		return;
	case 4:
	case 5:
		d->rc = ctl_lines_decode(line, len, said_text, d);
		d->e = errno;
		return;
	default:
		d->rc = ctl_event_name(line, len, path, sizeof path);
		d->e = errno;
		say(d, "%s", path);
		return;
	}
}

struct answer_case {
	int which;
	bool jansson;
	char *want_line;
	struct decoded want;
};

/* Encoded with K armed: the unarmed line, or NULL with ENOMEM; the
 * unarmed line decoded with K armed: read as unarmed, or -1 with ENOMEM,
 * never a field taken as absent. */
static void answer_once(unsigned long k, void *arg)
{
	struct answer_case *c = arg;
	struct decoded d = { 0 };
	char *line;
	int e;

	if (c->jansson)
		fa_arm_jansson(k);
	else
		fa_arm(k);
	errno = 0;
	answer_encode(c->which, &line);
	e = errno;
	fa_pause(true);
	if (!line) {
		ck_assert_msg(fa_failed() && e == ENOMEM, "k=%lu: not encoded: %s", k, strerror(e));
	} else {
		ck_assert_msg(strcmp(line, c->want_line) == 0, "k=%lu: %s, not %s", k, line, c->want_line);
		free(line);
	}
	fa_pause(false);
	if (fa_failed())
		return;	/* the next run fails the decoder's allocations */
	answer_decode(c->which, c->want_line, &d);
	fa_pause(true);
	if (d.rc < 0 && c->want.rc == 0)
		ck_assert_msg(fa_failed() && d.e == ENOMEM, "k=%lu: not decoded: %s (%s)", k, strerror(d.e), d.text);
	else
		ck_assert_msg(d.rc == c->want.rc && strcmp(d.text, c->want.text) == 0, "k=%lu: read as %d \"%s\", not \"%s\"",
			      k, d.rc, d.text, c->want.text);
}

START_TEST(an_answer_there_and_back)
{
	struct answer_case c = { .which = _i % 7, .jansson = _i >= 7 };

	fa_route_jansson();
	answer_encode(c.which, &c.want_line);
	ck_assert_ptr_nonnull(c.want_line);
	answer_decode(c.which, c.want_line, &c.want);
	ck_assert_int_eq(c.want.rc, 0);
	fprintf(stderr, "answer %d: %lu runs\n", _i, fa_sweep(answer_once, &c, FULL, 1));
	free(c.want_line);
}
END_TEST

/* --- the queue's log on SQLite, whose allocations fail with ours --- */

static int dump_row(const struct pq_row *r, void *arg)
{
	say(arg, "%llu/%llu/%u/%.*s ", (unsigned long long)r->id, (unsigned long long)r->enqueued_ms, r->failed,
	    (int)r->len, (const char *)r->body);
	return 0;
}

static int dump_wait(const struct pq_row *r, uint64_t not_before_ms, uint64_t wait_ms, void *arg)
{
	say(arg, "w%llu@%llu+%llu ", (unsigned long long)r->id, (unsigned long long)not_before_ms,
	    (unsigned long long)wait_ms);
	return 0;
}

/* The whole log in WHERE as text, read by a store of its own. */
static void dump_log(const char *where, struct decoded *d)
{
	struct pq_store s;

	d->text[0] = 0;
	ck_assert_msg(pq_store_open(&s, where) == 0, "reopen: %s", s.msg);
	say(d, "last %llu: ", (unsigned long long)s.last_id);
	ck_assert_int_ge(pq_store_scan(&s, 0, INT64_MAX, INT64_MAX, 100, dump_row, d), 0);
	ck_assert_int_ge(pq_store_each_waiting(&s, 0, dump_wait, d), 0);
	pq_store_close(&s);
}

/* A log of three messages in "template", made once. */
static void three_messages(void)
{
	struct pq_store s;
	uint64_t id;

	ck_assert_int_eq(mkdir("template", 0700), 0);
	ck_assert_msg(pq_store_open(&s, "template") == 0, "%s", s.msg);
	ck_assert_int_eq(pq_store_add(&s, "one", 3, 1000, &id), 0);
	ck_assert_int_eq(pq_store_add(&s, "two", 3, 2000, &id), 0);
	ck_assert_int_eq(pq_store_add(&s, "three", 5, 3000, &id), 0);
	ck_assert_int_eq(pq_store_commit(&s), 0);
	pq_store_close(&s);
}

/* A copy of it in WHERE: a log made afresh syncs, a copy need not */
static void copy_log(const char *where)
{
	char cmd[256];

	snprintf(cmd, sizeof cmd, "mkdir %s && cp template/" PQ_STORE_FILE " %s/", where, where);
	ck_assert_int_eq(system(cmd), 0);
}

static int synchronous_of(void *arg, int n, char **v, char **names)
{
	(void)names;
	*(int *)arg = n == 1 && v[0] ? atoi(v[0]) : -1;
	return 0;
}

enum { OP_ADD, OP_FETCH, OP_SCAN, OP_APPLY, OP_EXPIRE, OP_OPEN, OP_N };

static int store_op(int op, struct pq_store *s, struct decoded *out)
{
	uint64_t id;

	switch (op) {
	case OP_ADD:
		if (pq_store_add(s, "four", 4, 4000, &id) < 0 || pq_store_add(s, "five", 4, 5000, &id) < 0) {
			int e = errno;

			pq_store_commit(s);	/* rolls the doomed transaction back */
			errno = e;
			return -1;
		}
		return pq_store_commit(s);
	case OP_FETCH: return pq_store_fetch(s, 2, dump_row, out) < 0 ? -1 : 0;
	case OP_SCAN: return pq_store_scan(s, 0, 3, 9000, 10, dump_row, out) < 0 ? -1 : 0;
	case OP_APPLY:
		if (pq_store_reschedule(s, 1, 1, 7000, 250) < 0 || pq_store_forget(s, 3) < 0)
			return -1;
		return pq_store_apply(s) < 0 ? -1 : 0;
	case OP_EXPIRE: return pq_store_expire(s, 0, 3, 2500) < 0 ? -1 : 0;
	default: return 0;	/* the open is the operation */
	}
}

struct store_case {
	int op;
	struct decoded before, want_log, want_out;
};

/* Open and OP with K armed on a log of three: as unarmed, or -1 with
 * ENOMEM and the log as before (read again by a store of its own); and
 * either way the store's next producers' commit is synced. */
static void store_once(unsigned long k, void *arg)
{
	struct store_case *c = arg;
	struct decoded out = { 0 }, log;
	struct pq_store s;
	char where[64];
	int rc, e, opened, sync = -1;

	snprintf(where, sizeof where, "log%lu", k);
	copy_log(where);
	/* the open is swept once, on its own */
	if (c->op == OP_OPEN)
		fa_arm(k);
	opened = pq_store_open(&s, where);
	fa_pause(true);
	ck_assert_msg(opened == 0 || c->op == OP_OPEN, "not opened unarmed: %s", s.msg);
	fa_pause(false);
	if (c->op != OP_OPEN)
		fa_arm(k);
	rc = opened < 0 ? -1 : store_op(c->op, &s, &out);
	e = errno;
	fa_pause(true);
	fa_disarm();
	if (rc < 0)
		ck_assert_msg(fa_failed() && e == ENOMEM, "k=%lu: %s (%s)", k, strerror(e), s.msg);
	else
		ck_assert_msg(strcmp(out.text, c->want_out.text) == 0, "k=%lu: read \"%s\", not \"%s\"", k, out.text,
			      c->want_out.text);
	dump_log(where, &log);
	if (rc < 0)
		ck_assert_msg(strcmp(log.text, c->before.text) == 0, "k=%lu: failed, and the log is \"%s\", not \"%s\"",
			      k, log.text, c->before.text);
	else
		ck_assert_msg(strcmp(log.text, c->want_log.text) == 0, "k=%lu: the log is \"%s\", not \"%s\"", k,
			      log.text, c->want_log.text);
	if (opened == 0) {
		/* a producers' commit after it is synced, as store.h says */
		uint64_t id;

		ck_assert_msg(pq_store_add(&s, "six", 3, 6000, &id) == 0, "k=%lu: no add after: %s", k, s.msg);
		ck_assert_int_eq(sqlite3_exec(s.db, "PRAGMA synchronous", synchronous_of, &sync, NULL), SQLITE_OK);
		ck_assert_msg(sync == 2, "k=%lu: the next commit is made with synchronous=%d, not FULL", k, sync);
		ck_assert_int_eq(pq_store_commit(&s), 0);
		pq_store_close(&s);
	}
	fa_pause(false);
}

START_TEST(a_queue_log)
{
	struct store_case c = { .op = _i };
	struct pq_store s;
	unsigned long runs;

	fa_route_sqlite();
	three_messages();
	copy_log("unarmed");
	dump_log("unarmed", &c.before);
	ck_assert_int_eq(pq_store_open(&s, "unarmed"), 0);
	ck_assert_int_eq(store_op(c.op, &s, &c.want_out), 0);
	pq_store_close(&s);
	dump_log("unarmed", &c.want_log);
	runs = fa_sweep(store_once, &c, FULL, STRIDE);
	fprintf(stderr, "queue log %d: %lu runs\n", _i, runs);
}
END_TEST

/* --- the durable state API's store, the same way --- */

static int dump_item(const char *key, const void *value, size_t len, void *arg)
{
	say(arg, "%s=%.*s ", key, (int)len, (const char *)value);
	return 0;
}

static void dump_state(const char *where, struct decoded *d)
{
	struct prospero_state *s = prospero_state_open(where);

	d->text[0] = 0;
	ck_assert_ptr_nonnull(s);
	ck_assert_int_ge(prospero_state_list(s, NULL, dump_item, d), 0);
	prospero_state_close(s);
}

enum { SOP_TX, SOP_PUT, SOP_GET, SOP_LIST, SOP_OPEN, SOP_N };

static int state_op(int op, struct prospero_state *s, struct decoded *out)
{
	struct prospero_state_range r = { .prefix = "b" };
	void *v = NULL;
	size_t len;
	int e;

	switch (op) {
	case SOP_TX:
		if (prospero_state_begin(s) < 0)
			return -1;
		if (prospero_state_put(s, "b2", "new", 3) < 0 || prospero_state_delete(s, "a") < 0 ||
		    prospero_state_put(s, "c", "sea", 3) < 0 || prospero_state_commit(s) < 0) {
			e = errno;
			prospero_state_rollback(s);	/* EINVAL after a failed commit */
			errno = e;
			return -1;
		}
		return 0;
	case SOP_PUT: return prospero_state_put(s, "a", "replaced", 8);
	case SOP_GET:
		if (prospero_state_get(s, "b1", &v, &len) < 0)
			return -1;
		say(out, "%.*s", (int)len, (const char *)v);
		free(v);
		return 0;
	case SOP_LIST: return prospero_state_list(s, &r, dump_item, out) < 0 ? -1 : 0;
	default: return 0;
	}
}

static void state_once(unsigned long k, void *arg)
{
	struct store_case *c = arg;
	struct decoded out = { 0 }, log;
	struct prospero_state *s;
	char where[64], cmd[192];
	int rc, e;

	snprintf(where, sizeof where, "state%lu", k);
	snprintf(cmd, sizeof cmd, "mkdir %s && cp state-template/" PROSPERO_STATE_FILE " %s/", where, where);
	ck_assert_int_eq(system(cmd), 0);
	if (c->op == SOP_OPEN)
		fa_arm(k);
	s = prospero_state_open(where);
	e = errno;
	fa_pause(true);
	ck_assert_msg(s || c->op == SOP_OPEN, "not opened unarmed");
	fa_pause(false);
	if (c->op != SOP_OPEN)
		fa_arm(k);
	rc = s ? state_op(c->op, s, &out) : -1;
	if (s)
		e = errno;
	fa_pause(true);
	fa_disarm();
	if (rc < 0)
		ck_assert_msg(fa_failed() && e == ENOMEM, "k=%lu: %s (%s)", k, strerror(e), prospero_state_errmsg(s));
	else
		ck_assert_msg(strcmp(out.text, c->want_out.text) == 0, "k=%lu: read \"%s\", not \"%s\"", k, out.text,
			      c->want_out.text);
	dump_state(where, &log);
	ck_assert_msg(strcmp(log.text, rc < 0 ? c->before.text : c->want_log.text) == 0,
		      "k=%lu: %s, and the store holds \"%s\", not \"%s\"", k, rc < 0 ? "failed" : "done", log.text,
		      rc < 0 ? c->before.text : c->want_log.text);
	if (s) {
		/* and it takes a write after */
		ck_assert_msg(prospero_state_put(s, "z", "", 0) == 0, "k=%lu: then %s", k, prospero_state_errmsg(s));
		prospero_state_close(s);
	}
	fa_pause(false);
}

START_TEST(a_state_store)
{
	struct store_case c = { .op = _i };
	struct prospero_state *s;

	fa_route_sqlite();
	ck_assert_int_eq(mkdir("state-template", 0700), 0);
	ck_assert_ptr_nonnull(s = prospero_state_open("state-template"));
	ck_assert_int_eq(prospero_state_put(s, "a", "one", 3), 0);
	ck_assert_int_eq(prospero_state_put(s, "b1", "two", 3), 0);
	prospero_state_close(s);
	ck_assert_int_eq(system("mkdir unarmed && cp state-template/" PROSPERO_STATE_FILE " unarmed/"), 0);
	dump_state("unarmed", &c.before);
	ck_assert_ptr_nonnull(s = prospero_state_open("unarmed"));
	ck_assert_int_eq(state_op(c.op, s, &c.want_out), 0);
	prospero_state_close(s);
	dump_state("unarmed", &c.want_log);
	fprintf(stderr, "state %d: %lu runs\n", _i, fa_sweep(state_once, &c, FULL, STRIDE));
}
END_TEST

static Suite *suite(void)
{
	/* before SQLite is first used, which initializes it */
	fa_route_sqlite();
	Suite *s = suite_create("enomem");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, the_orders_example);
	tcase_add_test(tc, the_coordinator_example);
	tcase_add_test(tc, the_starter_config);
	tcase_add_test(tc, every_error);
	tcase_add_test(tc, jansson_runs_out);
	tcase_add_test(tc, every_key);
	tcase_add_test(tc, every_fault_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("libprospero");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_call_and_a_cast);
	tcase_add_test(tc, a_queue_produced_to_and_consumed_from);
	suite_add_tcase(s, tc);
	tc = tcase_create("control");
	tcase_add_loop_test(tc, a_request_there_and_back, 0, 6);
	tcase_add_loop_test(tc, an_answer_there_and_back, 0, 14);
	suite_add_tcase(s, tc);
	tc = tcase_create("sqlite");
	tcase_add_checked_fixture(tc, setup, teardown);
	/* hundreds of commits, each synced: 15 s alone, over 120 s beside
	 * other disk-bound suites on a loaded 2-CPU machine */
	tcase_set_timeout(tc, 360);
	tcase_add_loop_test(tc, a_queue_log, 0, OP_N);
	tcase_add_loop_test(tc, a_state_store, 0, SOP_N);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
