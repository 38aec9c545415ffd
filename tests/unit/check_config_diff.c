/* cfg_actor_diff: every field of an actor spec, changed alone, is seen as
 * exactly that field; what is only position (id, order, source place) and
 * pointer identity is not a change. The table below names every field of
 * struct cfg_actor, so one added to the struct and forgotten here (and so,
 * likely, in the diff) fails a test. Then two loads of a config, as a
 * reload compares them: what names the same thing is no change. */
#include <check.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/config/diff.h"
#include "src/config/loader.h"
#include "src/config/paths.h"
#include "tests/common/runner.h"

static char *argv_a[] = { "./srv", "--port", "80", NULL };
static char *env_a[] = { "A=1", "B=2", NULL };
static char *allow_a[] = { "ptrace", NULL };
static char *ro_a[] = { "/etc", NULL };
static char *secrets_a[] = { "db_password", NULL };
static gid_t groups_a[] = { 10, 20 };
static struct sb_rlimit limits_a[] = { { .resource = RLIMIT_NOFILE, .lim = { 64, 64 } } };
static struct cfg_actor service = { .name = "db" }, service2 = { .name = "cache" };
static struct cfg_binding bindings_a[] = { { .name = "DB", .service_name = "db", .service = &service } };
static struct cfg_queue queue_a = { .consumer_name = "worker" };

static struct cfg_actor base(void)
{
	return (struct cfg_actor){
		.name = "web", .id = 3, .order = 2, .argv = argv_a, .path = "/srv/web/srv",
		.env = env_a, .cwd = "/srv/web", .restart = SV_PERMANENT, .shutdown_ms = 5000,
		.ready = SV_READY_EXEC, .start_timeout_ms = 30000, .instances = 1,
		.profile = SB_PROFILE_SERVICE, .allow = allow_a, .nallow = 1,
		.limits = limits_a, .nlimits = 1, .cg_limits = { .tasks = 77 },
		.private_ipc = true, .read_only = ro_a, .nread_only = 1,
		.user = "www", .uid = 33, .gid = 33, .groups = groups_a, .ngroups = 2,
		.keep_caps = 1u << 10, .secrets = secrets_a, .nsecrets = 1,
		.bindings = bindings_a, .nbindings = 1,
		.backoff = { .initial_ms = 100, .max_ms = 30000, .reset_after_ms = 60000 },
		.queue = &queue_a,
	};
}

/* deep copies where the comparison must look at values, not pointers */
static char **strv_dup(char *const *v)
{
	size_t n = 0;
	char **c;

	while (v[n])
		n++;
	c = calloc(n + 1, sizeof *c);
	for (size_t i = 0; i < n; i++)
		c[i] = strdup(v[i]);
	return c;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

START_TEST(the_same_values_are_no_change)
{
	struct cfg_actor a = base(), b = base();
	char **argv = strv_dup(argv_a), **env = strv_dup(env_a);
	struct cfg_actor db2 = { .name = "db" };
	struct cfg_binding bb[] = { { .name = "DB", .service_name = "db", .service = &db2 } };
	struct cfg_queue q = queue_a;

	b.id = 9;
	b.order = 0;
	b.pos.line = 42;
	b.argv = argv;
	b.env = env;
	b.bindings = bb;
	b.queue = &q;
	b.capabilities = NULL;	/* the names as written; keep_caps is the value */
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), 0);
	strv_free(argv);
	strv_free(env);
}
END_TEST

/* Every field of struct cfg_actor, in the order declared, and the bit a
 * change of it alone sets; 0: not the spec's meaning (identity, where it
 * is written, names as written beside their value, the length of a
 * NULL-terminated vector compared whole). Members of a struct held by
 * value are listed one by one. */
struct field {
	const char *name;
	size_t off, size, align;
	uint32_t bit;
};

#define FIELD(f, b) { #f, offsetof(struct cfg_actor, f), sizeof(((struct cfg_actor *)0)->f), \
		      __alignof__(((struct cfg_actor *)0)->f), b }

static const struct field fields[] = {
	FIELD(name, 0), FIELD(id, 0), FIELD(order, 0), FIELD(pos, 0),
	FIELD(argv, CFG_F_EXEC), FIELD(path, CFG_F_EXEC), FIELD(env, CFG_F_ENV), FIELD(cwd, CFG_F_CWD),
	FIELD(restart, CFG_F_RESTART), FIELD(shutdown_ms, CFG_F_SHUTDOWN), FIELD(ready, CFG_F_READY),
	FIELD(start_timeout_ms, CFG_F_START_TIMEOUT), FIELD(instances, CFG_F_INSTANCES),
	FIELD(profile, CFG_F_SANDBOX), FIELD(allow, CFG_F_SANDBOX), FIELD(deny, CFG_F_SANDBOX),
	FIELD(nallow, 0), FIELD(ndeny, 0), FIELD(on_violation, CFG_F_SANDBOX),
	FIELD(limits, CFG_F_LIMITS), FIELD(limit_pos, 0), FIELD(nlimits, CFG_F_LIMITS),
	FIELD(cg_limits.memory, CFG_F_LIMITS), FIELD(cg_limits.tasks, CFG_F_LIMITS),
	FIELD(cg_limits.cpu_weight, CFG_F_LIMITS), FIELD(cg_limit_pos, 0),
	FIELD(private_tmp, CFG_F_NAMESPACES), FIELD(private_network, CFG_F_NAMESPACES),
	FIELD(private_tmp_pos, 0), FIELD(private_network_pos, 0), FIELD(read_only_pos, 0),
	FIELD(private_ipc, CFG_F_NAMESPACES),
	FIELD(read_only, CFG_F_NAMESPACES), FIELD(nread_only, 0),
	FIELD(user, CFG_F_USER), FIELD(user_pos, 0), FIELD(caps_pos, 0), FIELD(uid, CFG_F_USER),
	FIELD(gid, CFG_F_USER), FIELD(groups, CFG_F_USER), FIELD(ngroups, CFG_F_USER),
	FIELD(capabilities, 0), FIELD(keep_caps, CFG_F_CAPABILITIES),
	FIELD(secrets, CFG_F_SECRETS), FIELD(nsecrets, 0), FIELD(secrets_env, CFG_F_SECRETS),
	FIELD(bindings, CFG_F_BINDINGS), FIELD(nbindings, CFG_F_BINDINGS),
	FIELD(watchdog_ms, CFG_F_WATCHDOG),
	FIELD(backoff.initial_ms, CFG_F_BACKOFF), FIELD(backoff.max_ms, CFG_F_BACKOFF),
	FIELD(backoff.reset_after_ms, CFG_F_BACKOFF), FIELD(backoff_pos, 0),
	FIELD(state, CFG_F_STATE), FIELD(queue, CFG_F_QUEUE),
};
#define NFIELDS (sizeof fields / sizeof *fields)

static size_t align_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

/* Laid out as the table says: each field where the one before ends, or
 * past only the padding its alignment needs, and the struct ends with the
 * last. A field the table lacks leaves a hole (unless it fits in padding:
 * hence the note at struct cfg_actor). */
START_TEST(the_table_covers_the_struct)
{
	size_t end = 0;

	for (size_t i = 0; i < NFIELDS; i++) {
		ck_assert_msg(fields[i].off == align_up(end, fields[i].align),
			      "struct cfg_actor has a field before %s that this table lacks", fields[i].name);
		end = fields[i].off + fields[i].size;
	}
	ck_assert_msg(align_up(end, __alignof__(struct cfg_actor)) == sizeof(struct cfg_actor),
		      "struct cfg_actor has a field after %s that this table lacks", fields[NFIELDS - 1].name);
}
END_TEST

static const struct field *field(const char *name)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	ck_abort_msg("no field %s in the table", name);
	return NULL;
}

/* Each case changes one field of a copy of the base. */
static void change(int i, struct cfg_actor *b)
{
	/* the program: the base is a queue too, whose options are "queue" */
	static char *argv_b[] = { "./srv2", "--port", "80", NULL };
	static char *env_b[] = { "A=1", NULL };
	static char *env_c[] = { "A=1", "B=2", "C=3", NULL };
	static char *deny_b[] = { "mount", NULL };
	static char *ro_b[] = { "/usr", NULL };
	static char *secrets_b[] = { "api_key", NULL };
	static gid_t groups_b[] = { 10, 21 };
	static struct sb_rlimit limits_b[] = { { .resource = RLIMIT_NOFILE, .lim = { 65, 65 } } };
	static struct sb_rlimit limits_c[] = { { .resource = RLIMIT_NPROC, .lim = { 64, 64 } } };
	static struct cfg_binding bindings_b[] = { { .name = "STORE", .service_name = "db", .service = &service } };
	static struct cfg_binding bindings_c[] = { { .name = "DB", .service_name = "cache", .service = &service2 } };
	static struct cfg_queue queue_b = { .consumer_name = "other" };
	static struct cfg_queue queue_c = { .consumer_name = "worker", .dead_letter_name = "dlq" };
	static struct cfg_queue queue_d = { .consumer_name = "worker", .opt.v[0] = 7 };

	switch (i) {
	case 0: b->argv = argv_b; break;
	case 1: b->path = "/srv/web/other"; break;
	case 2: b->env = env_b; break;
	case 3: b->env = env_c; break;
	case 4: b->env = NULL; break;
	case 5: b->cwd = "/srv"; break;
	case 6: b->restart = SV_TRANSIENT; break;
	case 7: b->shutdown_ms = 0; break;
	case 8: b->ready = SV_READY_NOTIFY; break;
	case 9: b->start_timeout_ms = 1000; break;
	case 10: b->instances = 2; break;
	case 11: b->profile = SB_PROFILE_MINIMAL; break;
	case 12: b->allow = NULL; b->nallow = 0; break;
	case 13: b->deny = deny_b; b->ndeny = 1; break;
	case 14: b->on_violation = b->on_violation == SB_ON_VIOLATION_KILL ? SB_ON_VIOLATION_ERRNO : SB_ON_VIOLATION_KILL; break;
	case 15: b->limits = limits_b; break;
	case 16: b->limits = limits_c; break;
	case 17: b->nlimits = 0; break;
	case 18: b->private_tmp = true; break;
	case 19: b->private_network = true; break;
	case 20: b->read_only = ro_b; break;
	case 21: b->user = "nobody"; break;
	case 22: b->user = NULL; break;
	case 23: b->uid = 34; break;
	case 24: b->gid = 34; break;
	case 25: b->groups = groups_b; break;
	case 26: b->ngroups = 1; break;
	case 27: b->keep_caps = 0; break;
	case 28: b->secrets = secrets_b; break;
	case 29: b->secrets_env = true; break;
	case 30: b->bindings = bindings_b; break;
	case 31: b->bindings = bindings_c; break;
	case 32: b->nbindings = 0; break;
	case 33: b->watchdog_ms = 1000; break;
	case 34: b->state = true; break;
	case 35: b->queue = &queue_b; break;
	case 36: b->queue = &queue_c; break;
	case 37: b->queue = &queue_d; break;
	case 38: b->queue = NULL; break;
	case 39: b->cg_limits.memory = 100000000; break;
	case 40: b->cg_limits.tasks = 55; break;
	case 41: b->cg_limits.tasks = 0; break;
	case 42: b->cg_limits.cpu_weight = 200; break;
	case 43: b->private_ipc = false; break;
	case 44: b->backoff.initial_ms = 200; break;
	case 45: b->backoff.max_ms = 60000; break;
	case 46: b->backoff.reset_after_ms = 0; break;
	}
}

/* The field each case changes; what it must be seen as is the table's. */
static const char *const changed[] = {
	"argv", "path", "env", "env", "env", "cwd", "restart", "shutdown_ms", "ready",
	"start_timeout_ms", "instances", "profile", "allow", "deny", "on_violation", "limits",
	"limits", "nlimits", "private_tmp", "private_network", "read_only", "user", "user", "uid",
	"gid", "groups", "ngroups", "keep_caps", "secrets", "secrets_env", "bindings", "bindings",
	"nbindings", "watchdog_ms", "state", "queue", "queue", "queue", "queue",
	"cg_limits.memory", "cg_limits.tasks", "cg_limits.tasks", "cg_limits.cpu_weight",
	"private_ipc", "backoff.initial_ms", "backoff.max_ms", "backoff.reset_after_ms",
};
#define NCASES ((int)(sizeof changed / sizeof *changed))

START_TEST(each_field_alone)
{
	struct cfg_actor a = base(), b = base();
	uint32_t expected = field(changed[_i])->bit;

	change(_i, &b);
	ck_assert_msg(cfg_actor_diff(&a, &b) == expected, "case %d (%s): got %#x, expected %#x", _i,
		      changed[_i], (unsigned)cfg_actor_diff(&a, &b), (unsigned)expected);
	/* symmetric */
	ck_assert_uint_eq(cfg_actor_diff(&b, &a), expected);
}
END_TEST

/* Each field that is part of the spec's meaning has a case above. */
START_TEST(every_field_that_counts_has_a_case)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		bool found = false;

		for (int c = 0; !found && c < NCASES; c++)
			found = strcmp(changed[c], fields[i].name) == 0;
		ck_assert_msg(found || !fields[i].bit, "no case changes %s", fields[i].name);
	}
}
END_TEST

START_TEST(dynamic_users_ignore_ids)
{
	struct cfg_actor a = base(), b = base();

	a.user = b.user = NULL;
	b.uid = 99;
	b.groups = NULL;
	b.ngroups = 0;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), 0);
}
END_TEST

START_TEST(several_fields_at_once)
{
	struct cfg_actor a = base(), b = base();

	change(2, &b);
	change(10, &b);
	change(33, &b);
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_ENV | CFG_F_INSTANCES | CFG_F_WATCHDOG);
	ck_assert_uint_ne(cfg_actor_diff(&a, &b) & ~CFG_F_IN_PLACE, 0);
}
END_TEST

/* What README "Reload" says applies in place: restart, shutdown, ready,
 * start_timeout, backoff; and instances, by members. */
START_TEST(in_place_fields)
{
	struct cfg_actor a = base(), b = base();

	ck_assert_uint_eq(CFG_F_IN_PLACE, CFG_F_RESTART | CFG_F_SHUTDOWN | CFG_F_READY |
					  CFG_F_START_TIMEOUT | CFG_F_BACKOFF | CFG_F_INSTANCES);
	for (int i = 0; i < NCASES; i++)
		if (field(changed[i])->bit & CFG_F_IN_PLACE)
			change(i, &b);
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_IN_PLACE);
}
END_TEST

/* "env" is an object: the same names and values in another order are
 * the same env (a reload restarted the actor for it); one value
 * changed, one more, one fewer are not. */
START_TEST(env_in_another_order_is_no_change)
{
	static char *abc[] = { "A=1", "B=2", "C=3", NULL };
	static char *cab[] = { "C=3", "A=1", "B=2", NULL };
	static char *cab4[] = { "C=3", "A=1", "B=4", NULL };
	static char *ca[] = { "C=3", "A=1", NULL };
	struct cfg_actor a = base(), b = base();

	a.env = abc;
	b.env = cab;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), 0);
	b.env = cab4;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_ENV);
	b.env = ca;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_ENV);
	ck_assert_uint_eq(cfg_actor_diff(&b, &a), CFG_F_ENV);
	b.env = NULL;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_ENV);
	a.env = NULL;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), 0);
}
END_TEST

START_TEST(secrets_in_another_order_are_no_change)
{
	static char *ab[] = { "A", "B", NULL }, *ba[] = { "B", "A", NULL }, *ac[] = { "A", "C", NULL };
	struct cfg_actor a = base(), b = base();

	a.secrets = ab;
	b.secrets = ba;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), 0);
	b.secrets = ac;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_SECRETS);
	b.secrets = NULL;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_SECRETS);
}
END_TEST

/* "allow", "deny" and "read_only" are sets (the filter and the mounts
 * are the same in any order or with a repeat), "limits" an object: in
 * another order they are no change; one member more or less is. */
START_TEST(sets_and_limits_in_another_order_are_no_change)
{
	static char *ab[] = { "ptrace", "mount", NULL }, *ba[] = { "mount", "ptrace", NULL };
	static char *aa[] = { "ptrace", "ptrace", NULL }, *abb[] = { "ptrace", "mount", "mount", NULL };
	static char *ro_ab[] = { "/etc", "/srv", NULL }, *ro_ba[] = { "/srv", "/etc", NULL };
	static char *ro_a2[] = { "/etc", "/etc", NULL };
	static struct sb_rlimit nofile_nproc[] = { { .resource = RLIMIT_NOFILE, .lim = { 64, 64 } },
						   { .resource = RLIMIT_NPROC, .lim = { 9, 9 } } };
	static struct sb_rlimit nproc_nofile[] = { { .resource = RLIMIT_NPROC, .lim = { 9, 9 } },
						   { .resource = RLIMIT_NOFILE, .lim = { 64, 64 } } };
	static struct sb_rlimit nproc_nofile65[] = { { .resource = RLIMIT_NPROC, .lim = { 9, 9 } },
						     { .resource = RLIMIT_NOFILE, .lim = { 65, 64 } } };
	static struct sb_rlimit nproc_core[] = { { .resource = RLIMIT_NPROC, .lim = { 9, 9 } },
						 { .resource = RLIMIT_CORE, .lim = { 64, 64 } } };
	struct cfg_actor a = base(), b = base();

	a.allow = ab;
	b.allow = ba;
	a.deny = ba;
	b.deny = ab;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), 0);
	b.allow = abb;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), 0);
	b.allow = aa;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_SANDBOX);
	ck_assert_uint_eq(cfg_actor_diff(&b, &a), CFG_F_SANDBOX);
	b.allow = ab;
	b.deny = aa;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_SANDBOX);

	b = base();
	a = base();
	a.read_only = ro_ab;
	b.read_only = ro_ba;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), 0);
	b.read_only = ro_a2;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_NAMESPACES);

	b = base();
	a = base();
	a.limits = nofile_nproc;
	a.nlimits = 2;
	b.limits = nproc_nofile;
	b.nlimits = 2;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), 0);
	b.limits = nproc_nofile65;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_LIMITS);
	b.limits = nproc_core;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_LIMITS);
	b.nlimits = 1;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_LIMITS);
}
END_TEST

START_TEST(field_names)
{
	ck_assert_str_eq(cfg_field_name(CFG_F_EXEC), "exec");
	ck_assert_str_eq(cfg_field_name(CFG_F_ENV | CFG_F_QUEUE), "env");
	ck_assert_str_eq(cfg_field_name(CFG_F_QUEUE), "queue");
	ck_assert_str_eq(cfg_field_name(CFG_F_BACKOFF), "backoff");
	ck_assert_ptr_null(cfg_field_name(0));
}
END_TEST

/* An actor's arguments are what it was told to run; a queue's are made
 * from its settings, which are "queue" (README "Reload": the reasons are
 * the keys' groups). They said "exec, queue". */
START_TEST(a_queues_options_are_its_settings)
{
	static char *ten[] = { "prospero-queue", "--max-batch-size=10", NULL };
	static char *twenty[] = { "prospero-queue", "--max-batch-size=20", NULL };
	static char *args_b[] = { "./srv", "--port", "81", NULL };
	struct cfg_queue qa = { .consumer_name = "worker" }, qb = qa;
	struct cfg_actor a = base(), b = base();

	a.queue = b.queue = NULL;
	b.argv = args_b;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_EXEC);
	qa.opt.v[PQ_MAX_BATCH_SIZE] = 10;
	qb.opt.v[PQ_MAX_BATCH_SIZE] = 20;
	a.queue = &qa;
	b.queue = &qb;
	a.argv = ten;
	b.argv = twenty;
	a.path = b.path = "/usr/bin/prospero-queue";
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_QUEUE);
	ck_assert_uint_eq(cfg_actor_diff(&b, &a), CFG_F_QUEUE);
	/* the program moved is exec */
	b.path = "/usr/local/bin/prospero-queue";
	ck_assert_uint_eq(cfg_actor_diff(&a, &b), CFG_F_EXEC | CFG_F_QUEUE);
	/* an actor become a queue of the same name */
	b = base();
	b.queue = NULL;
	ck_assert_uint_eq(cfg_actor_diff(&a, &b) & (CFG_F_EXEC | CFG_F_QUEUE), CFG_F_EXEC | CFG_F_QUEUE);
}
END_TEST

START_TEST(paths_are_cleaned_lexically)
{
	static const char *const cases[][2] = {
		{ "/", "/" }, { "//", "/" }, { "/.", "/" }, { "/./", "/" }, { "/srv/", "/srv" },
		{ "//srv//", "/srv" }, { "/srv/.", "/srv" }, { "/srv/./www/", "/srv/www" },
		{ "/srv/..", "/srv/.." }, { "/a/../b/", "/a/../b" }, { "/.srv/..x/", "/.srv/..x" },
		{ ".", "." }, { "./", "." }, { "./.", "." }, { "a/./b", "a/b" }, { "./a", "a" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char buf[64];

		snprintf(buf, sizeof buf, "%s", cases[i][0]);
		path_clean(buf);
		ck_assert_msg(strcmp(buf, cases[i][1]) == 0, "\"%s\": got \"%s\", expected \"%s\"",
			      cases[i][0], buf, cases[i][1]);
	}
}
END_TEST

/* --- two loads of a config, as a reload compares them --- */

static char dir[64], real[PATH_MAX];

static void setup(void)
{
	strcpy(dir, "/tmp/prospero-diff.XXXXXX");
	ck_assert(mkdtemp(dir) != NULL);
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_ptr_nonnull(realpath(dir, real));
	ck_assert_int_eq(mkdir("sub", 0755), 0);
}

static void teardown(void)
{
	char cmd[128];

	ck_assert_int_eq(chdir("/"), 0);
	snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* "a" and its consumer "c" with A's keys MORE ("" for none), loaded. */
static struct cfg *load_a(const char *kind, const char *more)
{
	char *files[] = { "root.jsonc", NULL };
	struct cfg_diag diag;
	struct cfg *cfg;
	FILE *f = fopen("root.jsonc", "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "{ \"supervisor\": \"top\", \"children\": [\n"
		   "  { \"actor\": \"c\", \"exec\": [\"/bin/true\"] },\n"
		   "  { \"%s\": \"a\"%s } ] }\n", kind, more);
	ck_assert_int_eq(fclose(f), 0);
	cfg = cfg_load(files, 1, &diag);
	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "%s\n", diag.lines[i]);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.nerrors, 0);
	cfg_diag_free(&diag);
	return cfg;
}

static const struct cfg_actor *actor_a(const struct cfg *cfg)
{
	return cfg->root->children[1].u.actor;
}

/* A's keys as WAS, then as IS: the fields that differ. */
static uint32_t diff_of(const char *kind, const char *was, const char *is)
{
	struct cfg *a = load_a(kind, was), *b = load_a(kind, is);
	uint32_t d = cfg_actor_diff(actor_a(a), actor_a(b));

	cfg_free(a);
	cfg_free(b);
	return d;
}

#define EXEC ", \"exec\": [\"/bin/true\"]"

/* README: a relative cwd resolves against the file, whose directory is
 * the default: "." is that directory, and a reload from one to the other
 * is no change. "." was kept as "DIR/.", a restart (cwd). */
START_TEST(a_cwd_spelt_otherwise_is_the_same_cwd)
{
	static const char *const same[] = { "\".\"", "\"./\"", "\"./.\"", "\".//\"" };
	static const char *const in_sub[] = { "\"sub/\"", "\"./sub//.\"", "\"sub/./\"" };
	char more[PATH_MAX + 64];
	struct cfg *cfg;

	cfg = load_a("actor", EXEC ", \"cwd\": \".\"");
	ck_assert_str_eq(actor_a(cfg)->cwd, real);
	cfg_free(cfg);
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		snprintf(more, sizeof more, EXEC ", \"cwd\": %s", same[i]);
		ck_assert_msg(diff_of("actor", EXEC, more) == 0, "cwd %s", same[i]);
	}
	snprintf(more, sizeof more, EXEC ", \"cwd\": \"%s/\"", real);
	ck_assert_uint_eq(diff_of("actor", EXEC, more), 0);
	for (size_t i = 0; i < sizeof in_sub / sizeof *in_sub; i++) {
		snprintf(more, sizeof more, EXEC ", \"cwd\": %s", in_sub[i]);
		ck_assert_msg(diff_of("actor", EXEC ", \"cwd\": \"sub\"", more) == 0, "cwd %s", in_sub[i]);
	}
	/* another directory is still a change; ".." is not resolved here */
	ck_assert_uint_eq(diff_of("actor", EXEC, EXEC ", \"cwd\": \"sub\""), CFG_F_CWD);
	ck_assert_uint_eq(diff_of("actor", EXEC, EXEC ", \"cwd\": \"sub/..\""), CFG_F_CWD);
}
END_TEST

/* "/srv/" and "/srv" are one directory to mount read-only: they were a
 * restart (namespaces). */
START_TEST(a_read_only_path_spelt_otherwise_is_the_same_path)
{
	static const char *const same[] = { "/usr/", "//usr", "/usr//", "//usr//" };
	char more[256];
	struct cfg *cfg;

	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		snprintf(more, sizeof more, EXEC ", \"read_only\": [\"%s\"]", same[i]);
		cfg = load_a("actor", more);
		ck_assert_str_eq(actor_a(cfg)->read_only[0], "/usr");
		cfg_free(cfg);
		ck_assert_msg(diff_of("actor", EXEC ", \"read_only\": [\"/usr\"]", more) == 0, "read_only %s",
			      same[i]);
	}
	ck_assert_uint_eq(diff_of("actor", EXEC ", \"read_only\": [\"/usr\"]", EXEC ", \"read_only\": [\"/etc\"]"),
			  CFG_F_NAMESPACES);
}
END_TEST

/* README: a queue's settings are the reason "queue". Its options are
 * made from them: it said "exec, queue". */
START_TEST(a_queue_setting_changed_is_queue_alone)
{
	ck_assert_ptr_nonnull(getenv(CFG_ENV_QUEUE_PROGRAM));
	ck_assert_uint_eq(diff_of("queue", ", \"consumer\": \"c\", \"max_batch_size\": 10",
				  ", \"consumer\": \"c\", \"max_batch_size\": 20"), CFG_F_QUEUE);
	ck_assert_uint_eq(diff_of("queue", ", \"consumer\": \"c\"", ", \"consumer\": \"c\", \"retention\": 60"),
			  CFG_F_QUEUE);
	ck_assert_uint_eq(diff_of("queue", ", \"consumer\": \"c\", \"max_batch_size\": 10",
				  ", \"consumer\": \"c\", \"max_batch_size\": 10"), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("config_diff");
	TCase *tc = tcase_create("diff");

	tcase_add_test(tc, the_same_values_are_no_change);
	tcase_add_test(tc, the_table_covers_the_struct);
	tcase_add_loop_test(tc, each_field_alone, 0, NCASES);
	tcase_add_test(tc, every_field_that_counts_has_a_case);
	tcase_add_test(tc, dynamic_users_ignore_ids);
	tcase_add_test(tc, several_fields_at_once);
	tcase_add_test(tc, in_place_fields);
	tcase_add_test(tc, field_names);
	tcase_add_test(tc, env_in_another_order_is_no_change);
	tcase_add_test(tc, secrets_in_another_order_are_no_change);
	tcase_add_test(tc, sets_and_limits_in_another_order_are_no_change);
	tcase_add_test(tc, a_queues_options_are_its_settings);
	tcase_add_test(tc, paths_are_cleaned_lexically);
	suite_add_tcase(s, tc);
	tc = tcase_create("loaded");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_cwd_spelt_otherwise_is_the_same_cwd);
	tcase_add_test(tc, a_read_only_path_spelt_otherwise_is_the_same_path);
	tcase_add_test(tc, a_queue_setting_changed_is_queue_alone);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
