/* Policies resolved and filters built once per distinct sandbox: which
 * actors count as the same (policy_memo.h), and which of them the
 * daemon's generation lets share one compiled filter. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/config/config.h"
#include "src/config/policy_memo.h"
#include "src/daemon/generation.h"
#include "tests/common/runner.h"
#include "tests/common/scratch.h"

static void setup(void)
{
	scratch_enter("memo");
}

static void teardown(void)
{
	scratch_leave();
}

static struct cfg *load(const char *text)
{
	char *files[] = { "root.jsonc" };
	struct cfg_diag diag;
	struct cfg *cfg;

	scratch_put(files[0], text);
	cfg = cfg_load(files, 1, &diag);
	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "%s\n", diag.lines[i]);
	ck_assert_ptr_nonnull(cfg);
	cfg_diag_free(&diag);
	return cfg;
}

static const struct cfg_actor *actor(const struct cfg *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nactors; i++)
		if (strcmp(cfg->actors[i]->name, name) == 0)
			return cfg->actors[i];
	ck_abort_msg("no actor %s", name);
	return NULL;
}

#define SANDBOX(name, extra) \
	"{ \"actor\": \"" name "\", \"exec\": [\"/bin/true\"]" extra " }"

static const char tree[] =
	"{ \"supervisor\": \"s\", \"children\": [\n"
	SANDBOX("a", ", \"sandbox\": {\"profile\": \"service\", \"allow\": [\"@network-io\", \"@aio\"]}") ",\n"
	SANDBOX("b", ", \"sandbox\": {\"profile\": \"service\", \"allow\": [\"@network-io\", \"@aio\"]}") ",\n"
	SANDBOX("reordered", ", \"sandbox\": {\"profile\": \"service\", \"allow\": [\"@aio\", \"@network-io\"]}") ",\n"
	SANDBOX("errno", ", \"sandbox\": {\"profile\": \"service\", \"allow\": [\"@network-io\", \"@aio\"], "
		"\"on_violation\": \"errno\"}") ",\n"
	SANDBOX("denies", ", \"sandbox\": {\"profile\": \"service\", \"allow\": [\"@network-io\", \"@aio\"], "
		"\"deny\": [\"@aio\"]}") ",\n"
	SANDBOX("keeps", ", \"state\": true, \"sandbox\": {\"profile\": \"service\", "
		"\"allow\": [\"@network-io\", \"@aio\"]}") ",\n"
	SANDBOX("d1", "") ",\n" SANDBOX("d2", "") ",\n"
	SANDBOX("client", ", \"bindings\": {\"X\": \"d2\"}") ",\n"
	SANDBOX("none", ", \"sandbox\": {\"profile\": \"none\"}") "\n"
	"] }\n";

START_TEST(the_same_inputs_are_one_entry)
{
	struct cfg *cfg = load(tree);
	struct cfg_policy_memo m = { 0 };
	const struct cfg_actor *a = actor(cfg, "a");

	ck_assert_ptr_null(cfg_policy_memo_find(&m, a, 0));
	ck_assert_int_eq(cfg_policy_memo_add(&m, a, 0), 0);
	ck_assert_ptr_eq(cfg_policy_memo_find(&m, actor(cfg, "b"), 0), a);
	/* each input is part of the key, and so is the caller's tag */
	ck_assert_ptr_null(cfg_policy_memo_find(&m, actor(cfg, "b"), 1));
	ck_assert_ptr_null(cfg_policy_memo_find(&m, actor(cfg, "reordered"), 0));
	ck_assert_ptr_null(cfg_policy_memo_find(&m, actor(cfg, "errno"), 0));
	ck_assert_ptr_null(cfg_policy_memo_find(&m, actor(cfg, "denies"), 0));
	ck_assert_ptr_null(cfg_policy_memo_find(&m, actor(cfg, "keeps"), 0));
	ck_assert_ptr_null(cfg_policy_memo_find(&m, actor(cfg, "d1"), 0));
	/* a second add of the same key keeps the first */
	ck_assert_int_eq(cfg_policy_memo_add(&m, actor(cfg, "b"), 0), 0);
	ck_assert_uint_eq(m.n, 1);
	/* past its first size: every entry is still found */
	for (size_t i = 0; i < cfg->nactors; i++)
		for (unsigned tag = 0; tag < 8; tag++)
			ck_assert_int_eq(cfg_policy_memo_add(&m, cfg->actors[i], tag), 0);
	for (size_t i = 0; i < cfg->nactors; i++)
		for (unsigned tag = 0; tag < 8; tag++) {
			const struct cfg_actor *found = cfg_policy_memo_find(&m, cfg->actors[i], tag);

			ck_assert_ptr_nonnull(found);
			ck_assert_int_eq(found->profile, cfg->actors[i]->profile);
		}
	cfg_policy_memo_free(&m);
	cfg_free(cfg);
}
END_TEST

static const struct sb_filter *filter(struct generation *g, const struct cfg *cfg, const char *name)
{
	char msg[256];
	bool ok;
	const struct sb_filter *f = generation_filter(g, actor(cfg, name), &ok, msg, sizeof msg);

	ck_assert_msg(ok, "%s", msg);
	return f;
}

/* One program for actors whose filters would be the same; never for two
 * whose filters differ, in their rules or in the fds they guard. */
START_TEST(a_generation_shares_a_filter_only_where_it_is_the_same)
{
	struct cfg *cfg = load(tree);
	struct generation *g = generation_new(cfg, true, NULL);
	const struct sb_filter *a, *b, *d1, *d2, *client;

	ck_assert_ptr_nonnull(g);
	a = filter(g, cfg, "a");
	b = filter(g, cfg, "b");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(a->insns, b->insns);
	ck_assert_ptr_ne(filter(g, cfg, "reordered")->insns, a->insns);
	ck_assert_ptr_ne(filter(g, cfg, "errno")->insns, a->insns);
	ck_assert_int_eq(filter(g, cfg, "errno")->on_violation, SB_ON_VIOLATION_ERRNO);
	ck_assert_ptr_ne(filter(g, cfg, "denies")->insns, a->insns);
	ck_assert_ptr_ne(filter(g, cfg, "keeps")->insns, a->insns);
	/* d2 serves an edge and client holds one: their guards start past
	 * those fds, d1's does not */
	d1 = filter(g, cfg, "d1");
	d2 = filter(g, cfg, "d2");
	client = filter(g, cfg, "client");
	ck_assert_ptr_ne(d1->insns, d2->insns);
	ck_assert_ptr_ne(d1->insns, client->insns);
	ck_assert_ptr_null(filter(g, cfg, "none"));
	/* asked again, the same */
	ck_assert_ptr_eq(filter(g, cfg, "b"), b);
	generation_unref(g);	/* frees each program once, and the cfg */
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy_memo");
	TCase *tc = tcase_create("memo");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, the_same_inputs_are_one_entry);
	tcase_add_test(tc, a_generation_shares_a_filter_only_where_it_is_the_same);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
