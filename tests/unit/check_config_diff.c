/* cfg_actor_diff: every field of an actor spec, changed alone, is seen as
 * exactly that field; what is only position (id, order, source place) and
 * pointer identity is not a change. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "src/config/diff.h"
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
		.limits = limits_a, .nlimits = 1, .read_only = ro_a, .nread_only = 1,
		.user = "www", .uid = 33, .gid = 33, .groups = groups_a, .ngroups = 2,
		.keep_caps = 1u << 10, .secrets = secrets_a, .nsecrets = 1,
		.bindings = bindings_a, .nbindings = 1, .queue = &queue_a,
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

/* Each case changes one field of a copy of the base. */
static void change(int i, struct cfg_actor *b)
{
	static char *argv_b[] = { "./srv", "--port", "81", NULL };
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
	}
}

static const uint32_t expected[] = {
	CFG_F_EXEC, CFG_F_EXEC, CFG_F_ENV, CFG_F_ENV, CFG_F_ENV, CFG_F_CWD, CFG_F_RESTART,
	CFG_F_SHUTDOWN, CFG_F_READY, CFG_F_START_TIMEOUT, CFG_F_INSTANCES, CFG_F_SANDBOX,
	CFG_F_SANDBOX, CFG_F_SANDBOX, CFG_F_SANDBOX, CFG_F_LIMITS, CFG_F_LIMITS, CFG_F_LIMITS,
	CFG_F_NAMESPACES, CFG_F_NAMESPACES, CFG_F_NAMESPACES, CFG_F_USER, CFG_F_USER, CFG_F_USER,
	CFG_F_USER, CFG_F_USER, CFG_F_USER, CFG_F_CAPABILITIES, CFG_F_SECRETS, CFG_F_SECRETS,
	CFG_F_BINDINGS, CFG_F_BINDINGS, CFG_F_BINDINGS, CFG_F_WATCHDOG, CFG_F_STATE, CFG_F_QUEUE,
	CFG_F_QUEUE, CFG_F_QUEUE, CFG_F_QUEUE,
};

START_TEST(each_field_alone)
{
	struct cfg_actor a = base(), b = base();

	change(_i, &b);
	ck_assert_msg(cfg_actor_diff(&a, &b) == expected[_i], "case %d: got %#x, expected %#x", _i,
		      (unsigned)cfg_actor_diff(&a, &b), (unsigned)expected[_i]);
	/* symmetric */
	ck_assert_uint_eq(cfg_actor_diff(&b, &a), expected[_i]);
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

START_TEST(in_place_fields)
{
	struct cfg_actor a = base(), b = base();

	for (int i = 6; i <= 10; i++)
		change(i, &b);
	ck_assert_uint_eq(cfg_actor_diff(&a, &b) & ~CFG_F_IN_PLACE, 0);
	ck_assert_uint_ne(cfg_actor_diff(&a, &b), 0);
}
END_TEST

START_TEST(field_names)
{
	ck_assert_str_eq(cfg_field_name(CFG_F_EXEC), "exec");
	ck_assert_str_eq(cfg_field_name(CFG_F_ENV | CFG_F_QUEUE), "env");
	ck_assert_str_eq(cfg_field_name(CFG_F_QUEUE), "queue");
	ck_assert_ptr_null(cfg_field_name(0));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("config_diff");
	TCase *tc = tcase_create("diff");

	tcase_add_test(tc, the_same_values_are_no_change);
	tcase_add_loop_test(tc, each_field_alone, 0, (int)(sizeof expected / sizeof *expected));
	tcase_add_test(tc, dynamic_users_ignore_ids);
	tcase_add_test(tc, several_fields_at_once);
	tcase_add_test(tc, in_place_fields);
	tcase_add_test(tc, field_names);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
