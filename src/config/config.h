/* Config: JSONC files in, typed tree out.
 *
 * jansson never leaves this module: callers see only the structs below.
 * Every diagnostic is one line "FILE:LINE:COL: error: WHAT" (or "warning:").
 * Several files merge into one tree: exactly one supervisor is named by no
 * one else (the root); every string child names an actor or supervisor
 * defined in some file. */
#ifndef PROSPERO_CONFIG_H
#define PROSPERO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox/containment/cgroup_limits.h"
#include "sandbox/daemon/rlimits.h"
#include "sandbox/seccomp/profiles.h"
#include "src/queue/settings.h"
#include "supervisor/spec.h"

struct cfg_pos {
	const char *file;		/* as given on the command line; owned by struct cfg */
	unsigned line, col;		/* 1-based */
};

/* A service binding (README "Bindings"): the actor reaches SERVICE through
 * an fd it knows as NAME. */
struct cfg_binding {
	char *name;			/* [A-Z][A-Z0-9_]*, like an environment variable */
	char *service_name;		/* as written */
	struct cfg_actor *service;	/* resolved once every file is read */
	struct cfg_pos pos;		/* the service's name */
};

#define CFG_NOT_IN_TREE UINT32_MAX

struct cfg_queue;

/* A field added here: compare it in cfg_actor_diff (src/config/diff.c),
 * or reload keeps the old value, and list it in
 * tests/unit/check_config_diff.c. */
struct cfg_actor {
	char *name;
	unsigned id;			/* its index in cfg->actors */
	uint32_t order;			/* place in the start order (depth first, as declared), or CFG_NOT_IN_TREE */
	struct cfg_pos pos;		/* the "actor" key of its definition */
	char **argv;			/* NULL-terminated, argv[0] as written */
	char *path;			/* executable, resolved: absolute path */
	char **env;			/* NULL-terminated "KEY=VALUE" from "env" */
	char *cwd;			/* absolute; default: directory of the defining file */
	enum sv_restart restart;	/* default permanent */
	long shutdown_ms;		/* >= 0 ms, SV_SHUTDOWN_BRUTAL_KILL, SV_SHUTDOWN_INFINITY; default 5000 */
	enum sv_ready ready;		/* default exec */
	long start_timeout_ms;		/* default 30000 */
	unsigned instances;		/* default 1, at most CFG_MAX_INSTANCES */

	/* confinement (DESIGN.md section 3); names only, never secret values */
	enum sb_profile profile;	/* "sandbox": {"profile"}, default service */
	char **allow, **deny;		/* NULL-terminated syscalls and @groups, or NULL */
	size_t nallow, ndeny;
	enum sb_on_violation on_violation;	/* default kill */
	struct sb_rlimit *limits;	/* "limits", in the order written */
	struct cfg_pos *limit_pos;	/* where each of them is written */
	size_t nlimits;
	/* "limits" "memory", "tasks", "cpu_weight": the instance's cgroup */
	struct sb_cgroup_limits cg_limits;
	struct cfg_pos cg_limit_pos[SB_CGROUP_NCTL];	/* each one's key, by enum sb_cgroup_ctl */
	bool private_tmp, private_network;
	struct cfg_pos private_tmp_pos;	/* where "private_tmp" is written */
	struct cfg_pos private_network_pos, read_only_pos;	/* and these */
	bool private_ipc;		/* an IPC namespace and /dev/shm of its own; default true */
	char **read_only;		/* absolute paths, or NULL */
	size_t nread_only;
	char *user;			/* NULL: a dynamic uid when the daemon is root */
	struct cfg_pos user_pos, caps_pos;	/* where "user" and "capabilities" are written */
	uid_t uid;			/* with user: looked up when the config was read */
	gid_t gid;
	gid_t *groups;
	size_t ngroups;
	char **capabilities;		/* as written, for messages */
	uint64_t keep_caps;		/* bit i: capability i kept */
	char **secrets;			/* names, or NULL */
	size_t nsecrets;
	bool secrets_env;		/* also in the environment (legacy programs) */

	/* service bindings (DESIGN.md section 4), in the order declared */
	struct cfg_binding *bindings;
	size_t nbindings;
	long watchdog_ms;		/* 0: none; else WATCHDOG=1 at least this often once ready */
	struct sv_backoff backoff;	/* restart delays; initial_ms 0: none */
	struct cfg_pos backoff_pos;

	/* durable state (README "Durable state"): each instance gets a
	 * directory of its own that outlives it, named by $STATE_DIRECTORY */
	bool state;
	struct cfg_queue *queue;	/* a "queue" definition's; NULL for an actor */
};

/* A "queue" definition (README "Queues"): an actor that runs
 * prospero-queue with these settings, "state": true, one instance, its
 * consumer on binding CONSUMER and its dead-letter queue on DEAD_LETTER
 * (added to its bindings once the names are resolved). */
struct cfg_queue {
	struct pq_options opt;		/* every setting, defaults filled in */
	char *consumer_name;
	struct cfg_pos consumer_pos;
	struct cfg_actor *consumer;	/* resolved: an actor, not a queue */
	char *dead_letter_name;		/* NULL: none */
	struct cfg_pos dead_letter_pos;
	struct cfg_actor *dead_letter;	/* resolved: another queue */
};

/* The program a "queue" runs: $PROSPERO_QUEUE when set; else
 * prospero-queue under its installed name (configure's --program-prefix
 * and the like rename it: PROSPERO_QUEUE_PROGRAM) beside the running
 * program (/proc/self/exe), where both are installed; else under its
 * build-tree name beside a daemon of the build-tree name, as in the build
 * tree; else under its installed name in BINDIR. */
#define CFG_ENV_QUEUE_PROGRAM "PROSPERO_QUEUE"
#define CFG_QUEUE_PROGRAM "prospero-queue"
#define CFG_DAEMON_PROGRAM "prospero"

struct cfg_supervisor;

enum cfg_child_kind { CFG_CHILD_ACTOR, CFG_CHILD_SUPERVISOR };

struct cfg_child {
	enum cfg_child_kind kind;
	union {
		struct cfg_actor *actor;
		struct cfg_supervisor *sup;
	} u;
};

struct cfg_supervisor {
	char *name;
	struct cfg_pos pos;
	enum sv_strategy strategy;	/* default one_for_one, as in OTP */
	unsigned intensity;		/* default 1 */
	unsigned period_s;		/* default 5, >= 1 */
	enum sv_restart restart;	/* as a child of its parent; default permanent */
	struct cfg_pos restart_pos;	/* where given; line 0: not given */
	struct sv_backoff backoff;	/* its own restart delays; initial_ms 0: none */
	struct cfg_pos backoff_pos;
	struct cfg_child *children;
	size_t nchildren;
};

struct cfg {
	struct cfg_supervisor *root;
	/* everything the tree points at is owned here */
	struct cfg_actor **actors;
	size_t nactors;
	struct cfg_supervisor **sups;
	size_t nsups;
	char **files;			/* copies of the paths given */
	size_t nfiles;
};

/* Diagnostics collected while loading; cfg_load leaves them in the order
 * of the files given, then of line and column (a file's line without a
 * place first). */
struct cfg_diag {
	char **lines;			/* each "FILE:LINE:COL: error: ..." without newline */
	struct cfg_pos *at;		/* where each points; its file is the adder's string */
	size_t n;
	size_t nerrors;			/* lines that are errors, not warnings */
};

#define CFG_MAX_INSTANCES 4096
#define CFG_MAX_NAME 64

/* Load and merge FILES. Returns a tree, or NULL with diag->nerrors > 0.
 * Warnings may be present either way. On NULL with errno ENOMEM and no
 * diagnostic, memory ran out. */
struct cfg *cfg_load(char *const *files, size_t nfiles, struct cfg_diag *diag);
/* The same, saying EMFILE_NOTE in parentheses after a file's "cannot
 * open: Too many open files": the caller knows whose limit it is. */
struct cfg *cfg_load_noting(char *const *files, size_t nfiles, struct cfg_diag *diag, const char *emfile_note);
void cfg_free(struct cfg *cfg);
void cfg_diag_free(struct cfg_diag *diag);

/* Dynamic uids, which a daemon running as root gives each actor instance
 * that names no "user": how many the tree needs. */
size_t cfg_dynamic_uids(const struct cfg *cfg);

/* Whether the uid range [FIRST, LAST] (0, 0: the default, systemd's
 * DynamicUser= range) holds the dynamic uids CFG needs, leaving out the
 * NTAKEN ids of TAKEN (sorted: those passwd and group use and systemd's
 * dynamic users, which the pool skips; sb_uid_host_ids). 0 if it does; else -1 with errno ENOSPC and an
 * error in DIAG at the root supervisor that says how to widen
 * --uid-range, or ENOMEM and no line. */
int cfg_check_uid_range(const struct cfg *cfg, uid_t first, uid_t last, const uid_t *taken, size_t ntaken,
			struct cfg_diag *diag);

/* What the daemon keeps open beside its instances: about 45 of its own
 * (stdio, sockets, signalfd, epoll, inotify, the events file, locks, the
 * cgroup subtree, the fds a start stages), one for each of the 64
 * control connections it takes (CTL_MAX_CLIENTS), and room for a start. */
#define CFG_DAEMON_BASE_FDS 128

/* Add to NSERVED (by actor id, zeroed by the caller) the edges each actor
 * serves: one per client instance and binding to it, whose end a pool's
 * instances share; the number of edges. An instance's fds are 0-2, the
 * control channel, then one per binding and one per edge it serves. */
size_t cfg_count_served(const struct cfg *cfg, size_t *nserved);

/* The open files a daemon holds to run CFG, about; CGROUPS: an instance
 * has a cgroup of its own (a root daemon's). */
size_t cfg_daemon_fds(const struct cfg *cfg, bool cgroups);

/* Whether LIMIT (the hard RLIMIT_NOFILE: the daemon raises its own to
 * it) holds them. 0 if it does; else -1 with errno EMFILE and a finding
 * in DIAG (an error if ERROR, else a warning) that says how to raise it,
 * or ENOMEM and none. */
int cfg_check_fd_limit(const struct cfg *cfg, bool cgroups, unsigned long long limit, bool error,
		       struct cfg_diag *diag);

/* Whether the daemon sets the variable NAME (LEN bytes) of A's
 * environment itself (README "Fds and environment"): then its value is
 * the daemon's, whatever "env" or a secret with "secrets_env" says. */
bool cfg_env_daemon_sets(const struct cfg_actor *a, const char *name, size_t len);

/* The syscall group an actor with "state": true is allowed on top of its
 * profile (sandbox/seccomp/profiles.h). */
#define CFG_STATE_GROUP "@state"

/* The effective seccomp policy of A: its profile widened by "allow" (and
 * CFG_STATE_GROUP with "state") and narrowed by "deny" (profiles.h). -1 with errno and errmsg on error;
 * a loaded config has none but ENOMEM. Free with sb_policy_free. */
int cfg_actor_policy(const struct cfg_actor *a, struct sb_policy *out, char *errmsg, size_t errlen);

#endif
