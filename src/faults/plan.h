/* A fault plan (README "Fault injection"), as the config module reads it
 * from `--faults FILE` and checks it against the loaded tree: every name
 * resolved to instances and edges of the tree, every value in range. The
 * decision core (decide.h) reads it; nothing here knows JSON.
 *
 * Times are milliseconds on the fault clock, which starts when the whole
 * tree is up (the root supervisor is ready), so no fault lands in the
 * middle of the first start. */
#ifndef PROSPERO_FAULTS_PLAN_H
#define PROSPERO_FAULTS_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest time or duration a plan may write: one day, in ms. */
#define FAULT_MAX_MS 86400000LL
/* Seeds stay exact in a JSON double (jq, JavaScript): below 2^53. */
#define FAULT_MAX_SEED ((UINT64_C(1) << 53) - 1)
#define FAULT_NEVER INT64_C(-1)
#define FAULT_SYSCALL_NAME_MAX 32

enum fault_kind { FAULT_KILL, FAULT_STALL, FAULT_EDGE, FAULT_SYSCALL };

/* [from, to) on the fault clock; to is INT64_MAX when open. */
struct fault_window {
	int64_t from_ms, to_ms;
};

/* An actor instance a fault may hit. Sorted by (order, index) in a
 * target list, so a pick does not depend on the order of -c files. */
struct fault_instance {
	char *name;			/* as the daemon names it: "payment", "pool#2" */
	unsigned actor;			/* cfg_actor id */
	uint32_t order;			/* the actor's place in start order */
	unsigned index;			/* 1-based, as the daemon counts instances */
};

/* A binding edge of the config: client actor, one of its bindings. A pool
 * client has one edge per instance at run time; all share this entry. */
struct fault_edge_ref {
	unsigned client;		/* cfg_actor id */
	uint32_t client_order;
	unsigned client_instances;
	size_t binding;			/* index in the client's "bindings" */
	char *client_name, *service_name, *binding_name;
};

enum fault_pick { FAULT_PICK_ONE, FAULT_PICK_ALL };

/* kill and stall: when, whom, how. */
struct fault_process {
	enum fault_pick pick;
	int signal;			/* kill: the signal; stall: SIGSTOP */
	int64_t stall_ms;		/* stall: SIGCONT after this long */
	int64_t every_ms;		/* 0: "at" instead */
	int64_t jitter_ms;		/* at most every_ms / 2 */
	int64_t *at_ms;			/* ascending */
	size_t nat;
};

enum fault_dir { FAULT_DIR_BOTH, FAULT_DIR_TO_SERVICE, FAULT_DIR_TO_CLIENT };

struct fault_edge {
	struct fault_edge_ref *edges;	/* sorted by (client order, binding) */
	size_t nedges;
	enum fault_dir dir;		/* which messages the fault touches */
	int64_t delay_lo_ms, delay_hi_ms;	/* uniform in [lo, hi]; 0, 0: none */
	double drop, duplicate;		/* probabilities */
	struct fault_window *partitions;	/* nothing passes inside one */
	size_t npartitions;
};

struct fault_syscall {
	char name[FAULT_SYSCALL_NAME_MAX];	/* "write" */
	int err;			/* the errno the call fails with */
	double probability;		/* of an eligible call failing; default 1 */
	uint64_t after;			/* calls 1..after never fail */
	uint64_t every;			/* 0: each eligible; N: every N-th after "after" */
	bool has_arg;			/* only calls with (args[arg_index] & mask) == value count */
	unsigned arg_index;
	uint64_t arg_mask, arg_value;
};

struct fault {
	enum fault_kind kind;
	unsigned line, col;		/* of its head key in the plan file */
	struct fault_window window;	/* outside it the fault injects nothing */
	struct fault_instance *targets;	/* kill, stall, syscall; sorted, each once */
	size_t ntargets;
	union {
		struct fault_process proc;	/* FAULT_KILL, FAULT_STALL */
		struct fault_edge edge;		/* FAULT_EDGE */
		struct fault_syscall sys;	/* FAULT_SYSCALL */
	} u;
};

struct fault_plan {
	char *file;			/* as given */
	bool has_seed;
	uint64_t seed;			/* with has_seed; at most FAULT_MAX_SEED */
	struct fault *faults;		/* in the order written */
	size_t n;
};

const char *fault_kind_name(enum fault_kind k);
const char *fault_dir_name(enum fault_dir d);

/* An edge written "CLIENT -> SERVICE", split at the arrow into CLIENT and
 * SERVICE (LEN bytes each, cut to fit), the spaces around each name
 * trimmed: false when S has no arrow (it is a binding name). One reading
 * for a plan's edges and a run-time fault's. */
bool fault_edge_split(const char *s, char *client, char *service, size_t len);

/* The seed of a run: --seed when given (OVERRIDE non-NULL), else the
 * plan's, else RANDOM (the daemon's getrandom draw), cut to FAULT_MAX_SEED
 * so any run's seed can be written back into a plan. */
uint64_t fault_plan_seed(const struct fault_plan *p, const uint64_t *override, uint64_t random);

/* The order of f->targets, by (order, index), and of an edge fault's
 * edges, by (client order, binding): for qsort and bsearch. */
int fault_instance_cmp(const void *a, const void *b);
int fault_edge_ref_cmp(const void *a, const void *b);

/* The target of F for instance INDEX of the actor at start ORDER: its
 * place in f->targets, or -1 if F does not hit it. O(log n). */
long fault_target_find(const struct fault *f, uint32_t order, unsigned index);

/* Which fault of P interposes edge BINDING of the client at start ORDER
 * in direction DIR (TO_SERVICE or TO_CLIENT): 0 with *fault and *edge set
 * (its index in that fault's edges), or -1 when none does: that edge stays
 * peer to peer. The loader lets one fault at most touch an edge in each
 * direction. */
int fault_plan_edge(const struct fault_plan *p, uint32_t order, size_t binding, enum fault_dir dir,
		    size_t *fault, size_t *edge);

void fault_plan_free(struct fault_plan *p);

#endif
