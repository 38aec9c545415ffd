/* Config loading: defaults, merging, path resolution, and the exact
 * message for every class of error. Each test writes its files into a
 * fresh directory and loads them by relative name, so messages are
 * stable. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/config/config.h"
#include "tests/common/runner.h"
#include "tests/common/scratch.h"

static const char *dir;

static void setup(void)
{
	dir = scratch_enter("cfg");
}

static void teardown(void)
{
	scratch_leave();
}

/* Load FILES (NULL-terminated) expecting failure; the diagnostics joined
 * by newlines. */
static char *load_fail(const char *const *files)
{
	struct cfg_diag diag;
	size_t n = 0, len = 0;
	char *out;

	while (files[n])
		n++;
	ck_assert_ptr_null(cfg_load((char *const *)files, n, &diag));
	ck_assert_uint_gt(diag.nerrors, 0);
	for (size_t i = 0; i < diag.n; i++)
		len += strlen(diag.lines[i]) + 1;
	out = calloc(1, len + 1);
	for (size_t i = 0; i < diag.n; i++) {
		strcat(out, diag.lines[i]);
		strcat(out, "\n");
	}
	cfg_diag_free(&diag);
	return out;
}

static struct cfg *load_ok(const char *const *files, size_t nwarnings)
{
	struct cfg_diag diag;
	size_t n = 0;
	struct cfg *cfg;

	while (files[n])
		n++;
	cfg = cfg_load((char *const *)files, n, &diag);
	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "%s\n", diag.lines[i]);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.nerrors, 0);
	ck_assert_uint_eq(diag.n, nwarnings);
	cfg_diag_free(&diag);
	return cfg;
}

#define FILES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* One file, one expected diagnostic output. */
static void expect(const char *text, const char *want)
{
	char *got;

	scratch_put("root.jsonc", text);
	got = load_fail(FILES("root.jsonc"));
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(defaults_are_otp_defaults)
{
	struct cfg *cfg;
	const struct cfg_actor *a;

	scratch_put_exec("w");
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"w\", \"exec\": [\"./w\"] } ] }");
	cfg = load_ok(FILES("root.jsonc"), 0);
	ck_assert_str_eq(cfg->root->name, "top");
	ck_assert_int_eq(cfg->root->strategy, SV_ONE_FOR_ONE);
	ck_assert_uint_eq(cfg->root->intensity, 1);
	ck_assert_uint_eq(cfg->root->period_s, 5);
	ck_assert_uint_eq(cfg->root->nchildren, 1);
	ck_assert_int_eq(cfg->root->children[0].kind, CFG_CHILD_ACTOR);
	a = cfg->root->children[0].u.actor;
	ck_assert_str_eq(a->name, "w");
	ck_assert_int_eq(a->restart, SV_PERMANENT);
	ck_assert_int_eq(a->shutdown_ms, 5000);
	ck_assert_int_eq(a->ready, SV_READY_EXEC);
	ck_assert_int_eq(a->start_timeout_ms, 30000);
	ck_assert_uint_eq(a->instances, 1);
	ck_assert_str_eq(a->cwd, dir);
	ck_assert_ptr_null(a->env);
	cfg_free(cfg);
}
END_TEST

START_TEST(every_field_is_read)
{
	struct cfg *cfg;
	const struct cfg_actor *a;
	const struct cfg_supervisor *s;
	char want[128];

	ck_assert_int_eq(mkdir("sub", 0755), 0);
	ck_assert_int_eq(mkdir("sub/work", 0755), 0);
	scratch_put_exec("sub/w");
	scratch_put("root.jsonc",
	    "// a comment\n"
	    "{ \"supervisor\": \"top\", \"strategy\": \"rest_for_one\", \"intensity\": 3, \"period\": 7,\n"
	    "  \"children\": [\n"
	    "    { \"supervisor\": \"inner\", \"strategy\": \"one_for_all\", \"restart\": \"transient\",\n"
	    "      \"children\": [\"w\"], },  /* trailing commas */\n"
	    "  ],\n"
	    "}\n");
	scratch_put("sub/w.jsonc",
	    "{ \"actor\": \"w\", \"exec\": [\"./w\", \"--fast\"], \"restart\": \"temporary\",\n"
	    "  \"shutdown\": \"brutal_kill\", \"ready\": \"notify\", \"start_timeout\": 250,\n"
	    "  \"instances\": 4, \"env\": {\"K\": \"V\", \"E\": \"\"}, \"cwd\": \"work\" }\n");
	cfg = load_ok(FILES("root.jsonc", "sub/w.jsonc"), 0);
	ck_assert_int_eq(cfg->root->strategy, SV_REST_FOR_ONE);
	ck_assert_uint_eq(cfg->root->intensity, 3);
	ck_assert_uint_eq(cfg->root->period_s, 7);
	ck_assert_int_eq(cfg->root->children[0].kind, CFG_CHILD_SUPERVISOR);
	s = cfg->root->children[0].u.sup;
	ck_assert_str_eq(s->name, "inner");
	ck_assert_int_eq(s->strategy, SV_ONE_FOR_ALL);
	ck_assert_int_eq(s->restart, SV_TRANSIENT);
	a = s->children[0].u.actor;
	ck_assert_str_eq(a->argv[0], "./w");
	ck_assert_str_eq(a->argv[1], "--fast");
	ck_assert_ptr_null(a->argv[2]);
	snprintf(want, sizeof want, "%s/sub/w", dir);
	ck_assert_str_eq(a->path, want);	/* relative to the file that names it */
	snprintf(want, sizeof want, "%s/sub/work", dir);
	ck_assert_str_eq(a->cwd, want);
	ck_assert_int_eq(a->restart, SV_TEMPORARY);
	ck_assert_int_eq(a->shutdown_ms, SV_SHUTDOWN_BRUTAL_KILL);
	ck_assert_int_eq(a->ready, SV_READY_NOTIFY);
	ck_assert_int_eq(a->start_timeout_ms, 250);
	ck_assert_uint_eq(a->instances, 4);
	ck_assert_str_eq(a->env[0], "K=V");
	ck_assert_str_eq(a->env[1], "E=");
	ck_assert_ptr_null(a->env[2]);
	ck_assert_str_eq(a->pos.file, "sub/w.jsonc");
	ck_assert_uint_eq(a->pos.line, 1);
	ck_assert_uint_eq(a->pos.col, 3);
	cfg_free(cfg);
}
END_TEST

START_TEST(a_bare_command_is_found_in_path)
{
	struct cfg *cfg;

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"s\", \"exec\": [\"sh\", \"-c\", \"true\"], \"shutdown\": \"infinity\" } ] }");
	setenv("PATH", "/nonexistent:/bin:/usr/bin", 1);
	cfg = load_ok(FILES("root.jsonc"), 0);
	ck_assert_str_eq(cfg->actors[0]->path, "/bin/sh");
	ck_assert_int_eq(cfg->actors[0]->shutdown_ms, SV_SHUTDOWN_INFINITY);
	cfg_free(cfg);
}
END_TEST

/* ".//w" is "./w": the "./" was dropped and "/w" left, at the root. A
 * cwd is kept without "." components or a trailing '/' (a reload
 * compares it as a string); ".." stays, as the file system resolves it. */
START_TEST(paths_relative_to_the_file_keep_their_place)
{
	struct cfg *cfg;
	char want[128];

	ck_assert_int_eq(mkdir("sub", 0755), 0);
	scratch_put_exec("w");
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [\n"
			  "  { \"actor\": \"a\", \"exec\": [\".//w\"], \"cwd\": \".//sub/./\" },\n"
			  "  { \"actor\": \"b\", \"exec\": [\"./w\"], \"cwd\": \".\" },\n"
			  "  { \"actor\": \"c\", \"exec\": [\"./w\"], \"cwd\": \"sub/..\" } ] }");
	cfg = load_ok(FILES("root.jsonc"), 0);
	snprintf(want, sizeof want, "%s/w", dir);
	ck_assert_str_eq(cfg->actors[0]->path, want);
	snprintf(want, sizeof want, "%s/sub", dir);
	ck_assert_str_eq(cfg->actors[0]->cwd, want);
	ck_assert_str_eq(cfg->actors[1]->cwd, dir);
	snprintf(want, sizeof want, "%s/sub/..", dir);
	ck_assert_str_eq(cfg->actors[2]->cwd, want);
	cfg_free(cfg);
}
END_TEST

/* shutdown 0 is OTP's: SIGTERM, then SIGKILL at once; backoff fills in
 * what it does not say. */
START_TEST(shutdown_0_and_backoff_are_read)
{
	struct cfg *cfg;

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"intensity\": 50, \"backoff\": { \"initial\": 40000 },\n"
	    "  \"children\": [ { \"actor\": \"s\", \"exec\": [\"/bin/true\"], \"shutdown\": 0,\n"
	    "  \"backoff\": { \"initial\": 100, \"max\": 400, \"reset_after\": 0 } } ] }");
	cfg = load_ok(FILES("root.jsonc"), 1);	/* the root's: read, and said to do nothing */
	ck_assert_int_eq(cfg->actors[0]->shutdown_ms, 0);
	ck_assert_int_eq(cfg->actors[0]->backoff.initial_ms, 100);
	ck_assert_int_eq(cfg->actors[0]->backoff.max_ms, 400);
	ck_assert_int_eq(cfg->actors[0]->backoff.reset_after_ms, 0);
	ck_assert_int_eq(cfg->root->backoff.initial_ms, 40000);
	ck_assert_int_eq(cfg->root->backoff.max_ms, 40000);	/* the default cap, raised to initial */
	ck_assert_int_eq(cfg->root->backoff.reset_after_ms, 60000);
	cfg_free(cfg);
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"backoff\": 5 } ] }",
	       "root.jsonc:1:88: error: \"backoff\": expected an object {\"initial\": ms, \"max\": ms, \"reset_after\": ms}, got an integer\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"backoff\": { \"max\": 5 } } ] }",
	       "root.jsonc:1:88: error: \"backoff\": needs \"initial\", the delay of the first restart in ms\n");
	/* one mistake does not hide another (max < initial was said only
	 * once reset_after was right) */
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/bin/true\"], "
	       "\"backoff\": { \"max\": 5, \"initial\": 10, \"reset_after\": -1 } } ] }",
	       "root.jsonc:1:97: error: \"backoff\": \"max\" (5) is less than \"initial\" (10)\n"
	       "root.jsonc:1:130: error: \"reset_after\" is -1: expected an integer from 0 to 86400000\n");
}
END_TEST

START_TEST(an_unnamed_actor_is_a_warning)
{
	struct cfg *cfg;
	struct cfg_diag diag;

	scratch_put_exec("w");
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [] }");
	scratch_put("extra.jsonc", "{ \"actor\": \"lonely\", \"exec\": [\"./w\"] }");
	cfg = cfg_load((char *const *)FILES("root.jsonc", "extra.jsonc"), 2, &diag);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.n, 1);
	ck_assert_uint_eq(diag.nerrors, 0);
	ck_assert_str_eq(diag.lines[0], "extra.jsonc:1:3: warning: actor \"lonely\" is defined but no supervisor names it as a child; it will not run");
	cfg_diag_free(&diag);
	cfg_free(cfg);
}
END_TEST

/* "restart" and "backoff" say how a parent restarts a supervisor: on the
 * root, which has none, they were taken and did nothing, unsaid. Under
 * another supervisor they are what they say. */
START_TEST(restart_and_backoff_on_the_root_are_warnings)
{
	struct cfg *cfg;
	struct cfg_diag diag;

	scratch_put_exec("w");
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"restart\": \"transient\",\n"
		    "  \"backoff\": { \"initial\": 100, \"max\": 1000 },\n"
		    "  \"children\": [ { \"supervisor\": \"mid\", \"restart\": \"transient\",\n"
		    "    \"backoff\": { \"initial\": 100, \"max\": 1000 },\n"
		    "    \"children\": [ { \"actor\": \"a\", \"exec\": [\"./w\"] } ] } ] }\n");
	cfg = cfg_load((char *const *)FILES("root.jsonc"), 1, &diag);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.nerrors, 0);
	ck_assert_uint_eq(diag.n, 2);
	ck_assert_str_eq(diag.lines[0], "root.jsonc:1:35: warning: \"restart\" of the root supervisor \"top\" does "
			 "nothing: it says how a parent restarts a supervisor, and the root has none; remove it");
	ck_assert_str_eq(diag.lines[1], "root.jsonc:2:14: warning: \"backoff\" of the root supervisor \"top\" does "
			 "nothing: it says how a parent restarts a supervisor, and the root has none; remove it");
	cfg_diag_free(&diag);
	cfg_free(cfg);
}
END_TEST

/* A pool's instances fail at once, each after its own delay: 4 restarts
 * of 2 instances fit in one 2500 ms delay, and the supervisor gives up
 * (it warned that it never would). One instance does not fit. */
START_TEST(a_pools_backoff_is_weighed_by_its_instances)
{
	struct cfg *cfg;
	struct cfg_diag diag;

	scratch_put_exec("w");
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"intensity\": 3, \"period\": 5, \"children\": [\n"
		    "  { \"actor\": \"z\", \"exec\": [\"./w\"], \"instances\": 2, \"backoff\": { \"initial\": 2500, \"max\": 2500 } } ] }\n");
	cfg = cfg_load((char *const *)FILES("root.jsonc"), 1, &diag);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.n, 0);
	cfg_diag_free(&diag);
	cfg_free(cfg);
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"intensity\": 3, \"period\": 5, \"children\": [\n"
		    "  { \"actor\": \"z\", \"exec\": [\"./w\"], \"instances\": 2, \"backoff\": { \"initial\": 6000 } } ] }\n");
	cfg = cfg_load((char *const *)FILES("root.jsonc"), 1, &diag);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.n, 1);
	ck_assert_str_eq(diag.lines[0], "root.jsonc:2:63: warning: \"backoff\" of \"z\": 4 restarts take at least 6000 ms "
			 "with this backoff (6000 ms doubling to 30000 ms, reset after 60000 ms up), its 2 instances "
			 "failing at once, more than the 5000 ms period: intensity 3 is never exceeded, so the "
			 "supervisor never gives up on a crash loop");
	cfg_diag_free(&diag);
	cfg_free(cfg);
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"intensity\": 3, \"period\": 5, \"children\": [\n"
		    "  { \"actor\": \"z\", \"exec\": [\"./w\"], \"backoff\": { \"initial\": 2500, \"max\": 2500 } } ] }\n");
	cfg = cfg_load((char *const *)FILES("root.jsonc"), 1, &diag);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.n, 1);
	ck_assert_msg(strstr(diag.lines[0], "4 restarts take at least 7500 ms"), "%s", diag.lines[0]);
	cfg_diag_free(&diag);
	cfg_free(cfg);
}
END_TEST

/* chdir comes before the mounts: under "private_tmp" a cwd in /tmp is
 * the host's, which the old loader did not say */
START_TEST(a_cwd_in_tmp_under_private_tmp_is_a_warning)
{
	struct cfg *cfg;
	struct cfg_diag diag;

	scratch_put_exec("w");
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"./w\"],\n"
	    "  \"cwd\": \"/var/tmp\", \"private_tmp\": true } ] }");
	cfg = cfg_load((char *const *)FILES("root.jsonc"), 1, &diag);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.nerrors, 0);
	ck_assert_uint_eq(diag.n, 1);
	/* it named /tmp for a cwd in /var/tmp */
	ck_assert_str_eq(diag.lines[0], "root.jsonc:2:37: warning: actor \"a\": \"private_tmp\" gives it a /var/tmp of its "
			 "own, but its cwd /var/tmp stays in the host's: give it a \"cwd\" outside /var/tmp");
	cfg_diag_free(&diag);
	cfg_free(cfg);
}
END_TEST

START_TEST(an_unnamed_queue_is_a_warning_that_says_queue)
{
	struct cfg *cfg;
	struct cfg_diag diag;

	scratch_put_exec("w");
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [\"a\"] }");
	scratch_put("a.jsonc", "{ \"actor\": \"a\", \"exec\": [\"./w\"] }");
	scratch_put("q.jsonc", "{ \"queue\": \"qo\", \"consumer\": \"a\" }");
	cfg = cfg_load((char *const *)FILES("root.jsonc", "a.jsonc", "q.jsonc"), 3, &diag);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.nerrors, 0);
	ck_assert_uint_eq(diag.n, 1);
	ck_assert_str_eq(diag.lines[0], "q.jsonc:1:3: warning: queue \"qo\" is defined but no supervisor names it as a child; it will not run");
	cfg_diag_free(&diag);
	cfg_free(cfg);
}
END_TEST

START_TEST(syntax_error)
{
	/* at the start of the token jansson names, as every diagnostic */
	expect("{ \"supervisor\": \"top\" \"children\": [] }\n",
	       "root.jsonc:1:23: error: '}' expected near '\"children\"'\n");
	expect("{ \"supervisor\": \"top\", \"intensity\": 12abc, \"children\": [] }\n",
	       "root.jsonc:1:39: error: '}' expected near 'abc'\n");
	expect("{ \"supervisor\": \"top\", \"children\": [] } x",
	       "root.jsonc:1:41: error: end of file expected near 'x': a file holds one "
	       "definition; give another a file of its own\n");
	/* the mistake this meets most: two definitions in one file */
	expect("{ \"supervisor\": \"top\", \"children\": [] }\n{ \"actor\": \"a\" }\n",
	       "root.jsonc:2:1: error: end of file expected near '{': a file holds one "
	       "definition; give another a file of its own\n");
	expect("{ \"supervisor\": \"top\", \"children\": [\n",
	       "root.jsonc:2:1: error: ']' expected near end of file\n");
	expect("{ \"supervisor\": \"top\", \"intensity\": 99999999999999999999, \"children\": [] }\n",
	       "root.jsonc:1:37: error: too big integer near '99999999999999999999': "
	       "no key takes a number that large\n");
	/* jansson names no token for this one, and points past it */
	expect("{ \"supervisor\": \"top\", \"intensity\": -99999999999999999999, \"children\": [] }\n",
	       "root.jsonc:1:37: error: too big negative integer near '-99999999999999999999': "
	       "no key takes a number that large\n");
	/* jansson quotes no token over 20 bytes, and points past it: the
	 * same place, key and fix as for a short one (the key was lost, the
	 * column was the ':' after it, or past the number) */
	expect("{ \"supervisor\": \"top\", \"a_key_that_is_rather_long\": 1, \"a_key_that_is_rather_long\": 2, "
	       "\"children\": [] }\n",
	       "root.jsonc:1:56: error: duplicate object key \"a_key_that_is_rather_long\": give each key once\n");
	expect("{ \"supervisor\": \"top\", \"intensity\": 100000000000000000000, \"children\": [] }\n",
	       "root.jsonc:1:37: error: too big integer near '100000000000000000000': "
	       "no key takes a number that large\n");
	expect("{ \"supervisor\": \"top\", \"intensity\": -9223372036854775809, \"children\": [] }\n",
	       "root.jsonc:1:37: error: too big negative integer near '-9223372036854775809': "
	       "no key takes a number that large\n");
	expect("{ \"supervisor\": \"top\", \"children\": [], \"x\": \"a long string value with a \\q in it\" }\n",
	       "root.jsonc:1:45: error: invalid escape near '\"a long string value with a \\q'\n");
	expect("{ \"supervisor\": \"top\", \"intensity\": 1e400, \"children\": [] }\n",
	       "root.jsonc:1:37: error: real number overflow near '1e400': "
	       "no key takes a number that large\n");
	/* the bound, not just that there is one */
	{
		char deep[64 + 2 * 2049];
		int n = snprintf(deep, sizeof deep, "{ \"supervisor\": \"top\", \"children\": [], \"x\": ");

		memset(deep + n, '[', 2049);
		memset(deep + n + 2049, ']', 2049);
		snprintf(deep + n + 2 * 2049, sizeof deep - (size_t)n - 2 * 2049, " }");
		expect(deep, "root.jsonc:1:2092: error: maximum parsing depth reached near '[': "
		       "arrays and objects nest at most 2048 deep\n");
	}
	/* a file saved in Latin-1, say: what to do about it */
	expect("{ \"supervisor\": \"caf\xe9\", \"children\": [] }\n",
	       "root.jsonc:1:17: error: unable to decode byte 0xe9 near '\"caf': "
	       "expected UTF-8 text; save the file as UTF-8\n");
}
END_TEST

START_TEST(a_nul_in_a_string)
{
	expect("{ \"supervisor\": \"top\", \"children\": [], \"x\": \"a\\u0000b\" }",
	       "root.jsonc:1:45: error: \\u0000 is not allowed in a string near '\"a\\u0000b\"'\n");
}
END_TEST

START_TEST(a_byte_order_mark_takes_no_column)
{
	expect("\xEF\xBB\xBF{ \"supervisor\": \"top\", \"colour\": 1, \"children\": [] }",
	       "root.jsonc:1:24: error: unknown key \"colour\" in a supervisor\n");
	expect("\xEF\xBB\xBF{ \"supervisor\": \"top\" \"children\": [] }",
	       "root.jsonc:1:23: error: '}' expected near '\"children\"'\n");
}
END_TEST

/* A comment is blanked byte by byte, but a column counts characters as
 * written: "é" in a comment is one column, as it is in a string. */
START_TEST(a_character_in_a_comment_takes_one_column)
{
	expect("{ \"supervisor\": \"top\", /* \xC3\xA9\xE2\x82\xAC */ \"colour\": 1, \"children\": [] }",
	       "root.jsonc:1:33: error: unknown key \"colour\" in a supervisor\n");
	expect("{ \"supervisor\": \"top\", // \xC3\xA9\n \"colour\": 1, \"children\": [] }",
	       "root.jsonc:2:2: error: unknown key \"colour\" in a supervisor\n");
	expect("{ \"supervisor\": \"top\", /* \xF0\x9F\x98\x80 */ \"children\": [] \"x\": 1 }",
	       "root.jsonc:1:47: error: '}' expected near '\"x\"'\n");
}
END_TEST

START_TEST(unterminated_comment_and_string)
{
	expect("{ \"supervisor\": \"top\", /* no end\n",
	       "root.jsonc:1:24: error: unterminated comment: \"/*\" without \"*/\"\n");
	expect("{ \"supervisor\": \"top\n\"}",
	       "root.jsonc:1:17: error: unterminated string (a string must end on the line it starts)\n");
}
END_TEST

START_TEST(unknown_key_suggests)
{
	expect("{ \"supervisor\": \"top\", \"stratgey\": \"one_for_one\", \"children\": [] }",
	       "root.jsonc:1:24: error: unknown key \"stratgey\" (did you mean \"strategy\"?)\n");
	expect("{ \"supervisor\": \"top\", \"colour\": 1, \"children\": [] }",
	       "root.jsonc:1:24: error: unknown key \"colour\" in a supervisor\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"children\": [] } ] }",
	       "root.jsonc:1:77: error: \"children\" applies to supervisors, not to actors\n");
}
END_TEST

START_TEST(wrong_types_and_ranges)
{
	expect("{ \"supervisor\": \"top\", \"intensity\": \"3\", \"children\": [] }",
	       "root.jsonc:1:37: error: \"intensity\": expected an integer from 0 to 100000, got a string\n");
	expect("{ \"supervisor\": \"top\", \"period\": 0, \"children\": [] }",
	       "root.jsonc:1:34: error: \"period\" is 0: expected an integer from 1 to 86400\n");
	expect("{ \"supervisor\": \"top\", \"children\": {} }",
	       "root.jsonc:1:36: error: \"children\": expected an array of names or definitions, got an object\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ 7 ] }",
	       "root.jsonc:1:38: error: \"children\"[0]: expected a name or an {\"actor\": ...}, {\"supervisor\": ...} or {\"queue\": ...} object, got an integer\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"instances\": 5000 } ] }",
	       "root.jsonc:1:90: error: \"instances\" is 5000: expected an integer from 1 to 4096\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"shutdown\": -1 } ] }",
	       "root.jsonc:1:89: error: \"shutdown\": expected milliseconds (0 to 86400000), \"brutal_kill\" or \"infinity\"\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"shutdown\": \"brutal-kill\" } ] }",
	       "root.jsonc:1:89: error: \"shutdown\": unknown value \"brutal-kill\" (did you mean \"brutal_kill\"?)\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"shutdown\": \"Infinity\" } ] }",
	       "root.jsonc:1:89: error: \"shutdown\": unknown value \"Infinity\" (did you mean \"infinity\"?)\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"env\": {\"K\": 1} } ] }",
	       "root.jsonc:1:90: error: \"env\": \"K\": expected a string value, got an integer\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [] } ] }",
	       "root.jsonc:1:62: error: \"exec\": expected a non-empty array of strings [\"program\", \"arg\", ...], got an empty array\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/bin/true\", 3] } ] }",
	       "root.jsonc:1:76: error: \"exec\"[1]: expected a string, got an integer\n");
}
END_TEST

START_TEST(bad_words_suggest)
{
	expect("{ \"supervisor\": \"top\", \"strategy\": \"one_for_none\", \"children\": [] }",
	       "root.jsonc:1:36: error: \"strategy\": unknown value \"one_for_none\" (did you mean \"one_for_one\"?)\n");
	expect("{ \"supervisor\": \"top\", \"strategy\": \"simple\", \"children\": [] }",
	       "root.jsonc:1:36: error: \"strategy\": unknown value \"simple\": expected \"one_for_one\", \"one_for_all\" or \"rest_for_one\"\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"ready\": true } ] }",
	       "root.jsonc:1:86: error: \"ready\": expected \"exec\" or \"notify\", got a boolean\n");
}
END_TEST

/* The parser reads the words from the same tables the messages spell
 * them from: each word, in its table's order, is its enum value. */
START_TEST(every_word_reads_as_its_value)
{
	char text[512];
	struct cfg *cfg;

	for (int i = 0; sv_strategy_names()[i]; i++)
		for (int j = 0; sv_restart_names()[j]; j++)
			for (int k = 0; sv_ready_names()[k]; k++) {
				snprintf(text, sizeof text,
					 "{ \"supervisor\": \"top\", \"strategy\": \"%s\", \"children\": [\n"
					 "  { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"restart\": \"%s\", \"ready\": \"%s\",\n"
					 "    \"sandbox\": { \"profile\": \"%s\", \"on_violation\": \"%s\" } } ] }",
					 sv_strategy_names()[i], sv_restart_names()[j], sv_ready_names()[k],
					 sb_profile_names()[(i + j + k) % 4], sb_on_violation_names()[(i + k) % 2]);
				scratch_put("root.jsonc", text);
				cfg = load_ok(FILES("root.jsonc"), (i + j + k) % 4 == SB_PROFILE_NONE);
				ck_assert_int_eq(cfg->root->strategy, i);
				ck_assert_int_eq(cfg->actors[0]->restart, j);
				ck_assert_int_eq(cfg->actors[0]->ready, k);
				ck_assert_int_eq(cfg->actors[0]->profile, (i + j + k) % 4);
				ck_assert_int_eq(cfg->actors[0]->on_violation, (i + k) % 2);
				cfg_free(cfg);
			}
	ck_assert_str_eq(sv_strategy_name(SV_REST_FOR_ONE), "rest_for_one");
	ck_assert_str_eq(sv_restart_name(SV_TEMPORARY), "temporary");
	ck_assert_str_eq(sb_on_violation_name(SB_ON_VIOLATION_ERRNO), "errno");
}
END_TEST

/* A diagnostic is one line, and a terminal's: what a string holds is
 * said as JSON writes it, not as raw control characters. */
START_TEST(control_characters_are_escaped)
{
	expect("{ \"supervisor\": \"top\", \"children\": [], \"k\\ny\": 1 }",
	       "root.jsonc:1:40: error: unknown key \"k\\ny\" in a supervisor\n");
	expect("{ \"supervisor\": \"a\\u001b[2J\\t\\r\\b\\f\\u007f\", \"children\": [] }",
	       "root.jsonc:1:17: error: \"supervisor\": invalid name \"a\\u001b[2J\\t\\r\\b\\f\\u007f\": use 1 to 64 letters, digits, '-', '_' or '.'\n");
	/* C1 controls too (U+0080..U+009F: CSI, NEL), escaped or raw; not
	 * the printable characters beside them (U+00A0, U+00E9) */
	expect("{ \"supervisor\": \"top\", \"children\": [], \"x\\u009b2J\\u0085\": 1 }",
	       "root.jsonc:1:40: error: unknown key \"x\\u009b2J\\u0085\" in a supervisor\n");
	expect("{ \"supervisor\": \"top\", \"children\": [], \"x\xC2\x9B" "2J\xC2\x80\xC2\x9F\xC2\xA0\xC3\xA9\": 1 }",
	       "root.jsonc:1:40: error: unknown key \"x\\u009b2J\\u0080\\u009f\xC2\xA0\xC3\xA9\" in a supervisor\n");
}
END_TEST

START_TEST(bad_names)
{
	expect("{ \"supervisor\": \"my shop\", \"children\": [] }",
	       "root.jsonc:1:17: error: \"supervisor\": invalid name \"my shop\": use 1 to 64 letters, digits, '-', '_' or '.'\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"pool#1\", \"exec\": [\"/bin/true\"] } ] }",
	       "root.jsonc:1:49: error: \"actor\": invalid name \"pool#1\": use 1 to 64 letters, digits, '-', '_' or '.'\n");
	/* names become file names (credentials, state): "." and ".." would
	 * name another directory, and a leading dot hides a file */
	expect("{ \"supervisor\": \"..\", \"children\": [] }",
	       "root.jsonc:1:17: error: \"supervisor\": invalid name \"..\": a name cannot start with '.' (names become file names, where \".\" and \"..\" name other directories)\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \".\", \"exec\": [\"/bin/true\"] } ] }",
	       "root.jsonc:1:49: error: \"actor\": invalid name \".\": a name cannot start with '.' (names become file names, where \".\" and \"..\" name other directories)\n");
	expect("{ \"supervisor\": \"top\", \"children\": [\n  { \"actor\": \".hidden\", \"exec\": [\"/bin/true\"] } ] }",
	       "root.jsonc:2:14: error: \"actor\": invalid name \".hidden\": a name cannot start with '.' (names become file names, where \".\" and \"..\" name other directories)\n");
	/* a name far too long is said by its start and length */
	{
		char text[512], want[512], name[201];

		memset(name, 'a', 200);
		name[0] = 'b';
		memcpy(name + 63, "\xC3\xA9", 2);	/* cut before the character, not in it */
		name[200] = '\0';
		snprintf(text, sizeof text, "{ \"supervisor\": \"%s\", \"children\": [] }", name);
		snprintf(want, sizeof want, "root.jsonc:1:17: error: \"supervisor\": invalid name \"%.63s...\" (200 bytes): use 1 to 64 letters, digits, '-', '_' or '.'\n", name);
		expect(text, want);
	}
	/* a dot elsewhere is fine */
	scratch_put("root.jsonc", "{ \"supervisor\": \"top.level\", \"children\": [ { \"actor\": \"a..b.\", \"exec\": [\"/bin/true\"] } ] }");
	cfg_free(load_ok(FILES("root.jsonc"), 0));
	/* every character class at its ends: A-Z, a-z, 0-9, '-', '_' */
	scratch_put("root.jsonc", "{ \"supervisor\": \"AZaz09-_\", \"children\": [ { \"actor\": \"Z9_x-A0.\", \"exec\": [\"/bin/true\"] } ] }");
	cfg_free(load_ok(FILES("root.jsonc"), 0));
	/* 1 to 64: the empty name is none */
	expect("{ \"supervisor\": \"\", \"children\": [] }",
	       "root.jsonc:1:17: error: \"supervisor\": invalid name \"\": use 1 to 64 letters, digits, '-', '_' or '.'\n");
	expect("[1]", "root.jsonc:1:1: error: expected an object defining an actor ({\"actor\": NAME, \"exec\": [...]}), a supervisor ({\"supervisor\": NAME, \"children\": [...]}) or a queue ({\"queue\": NAME, \"consumer\": ACTOR}), got an array\n");
	/* what is not an object is said alike, a file with nothing in it too */
	expect(" \"x\"", "root.jsonc:1:2: error: expected an object defining an actor ({\"actor\": NAME, \"exec\": [...]}), a supervisor ({\"supervisor\": NAME, \"children\": [...]}) or a queue ({\"queue\": NAME, \"consumer\": ACTOR}), got a string\n");
	expect("", "root.jsonc:1:1: error: expected an object defining an actor ({\"actor\": NAME, \"exec\": [...]}), a supervisor ({\"supervisor\": NAME, \"children\": [...]}) or a queue ({\"queue\": NAME, \"consumer\": ACTOR}), got an empty file\n");
	expect("\xEF\xBB\xBF\n", "root.jsonc:2:1: error: expected an object defining an actor ({\"actor\": NAME, \"exec\": [...]}), a supervisor ({\"supervisor\": NAME, \"children\": [...]}) or a queue ({\"queue\": NAME, \"consumer\": ACTOR}), got an empty file\n");
	expect("// nothing\n/* yet */\n", "root.jsonc:3:1: error: expected an object defining an actor ({\"actor\": NAME, \"exec\": [...]}), a supervisor ({\"supervisor\": NAME, \"children\": [...]}) or a queue ({\"queue\": NAME, \"consumer\": ACTOR}), got only comments\n");
	expect("{ \"name\": \"x\" }", "root.jsonc:1:1: error: expected \"actor\", \"supervisor\" or \"queue\" to name this definition\n");
}
END_TEST

START_TEST(missing_required_fields)
{
	expect("{ \"supervisor\": \"top\" }",
	       "root.jsonc:1:3: error: supervisor \"top\" has no \"children\": list the actors and supervisors it runs\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\" } ] }",
	       "root.jsonc:1:40: error: actor \"a\" has no \"exec\": say what to run, e.g. \"exec\": [\"./a\"]\n");
}
END_TEST

START_TEST(missing_executable)
{
	char *got, want[512];

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\",\n  \"children\": [ { \"actor\": \"a\", \"exec\": [\"./nothere\"] } ] }");
	got = load_fail(FILES("root.jsonc"));
	snprintf(want, sizeof want, "root.jsonc:2:42: error: executable \"./nothere\" not found: %s/nothere: No such file or directory\n", dir);
	ck_assert_str_eq(got, want);
	free(got);

	scratch_put("plain", "data");
	ck_assert_int_eq(chmod("plain", 0644), 0);
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"plain\"] } ] }");
	setenv("PATH", "/nonexistent", 1);
	got = load_fail(FILES("root.jsonc"));
	ck_assert_str_eq(got, "root.jsonc:1:63: error: executable \"plain\" not found in $PATH; write a path (\"./plain\") to run a file beside root.jsonc\n");
	free(got);

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"./plain\"] } ] }");
	got = load_fail(FILES("root.jsonc"));
	snprintf(want, sizeof want, "root.jsonc:1:63: error: executable \"./plain\" is not executable (mode 0644): %s/plain; chmod +x it\n", dir);
	ck_assert_str_eq(got, want);
	free(got);

	/* a script whose interpreter is missing could only fail its start
	 * ("exec ./script: No such file or directory", of a file that is
	 * there): said as its own error */
	scratch_put("script", "#! /nonexistent/interp -x\nexit 0\n");
	ck_assert_int_eq(chmod("script", 0755), 0);
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"./script\"] } ] }");
	got = load_fail(FILES("root.jsonc"));
	snprintf(want, sizeof want, "root.jsonc:1:63: error: executable \"./script\" is a script whose interpreter "
		 "/nonexistent/interp (its #! line) is not found: No such file or directory\n");
	ck_assert_str_eq(got, want);
	free(got);
	scratch_put("script", "#!/bin/sh\nexit 0\n");
	cfg_free(load_ok(FILES("root.jsonc"), 0));
}
END_TEST

START_TEST(missing_cwd)
{
	char *got, want[512];

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"cwd\": \"gone\" } ] }");
	got = load_fail(FILES("root.jsonc"));
	snprintf(want, sizeof want, "root.jsonc:1:84: error: \"cwd\": \"gone\" not found: %s/gone: No such file or directory\n", dir);
	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

START_TEST(duplicate_name)
{
	char *got;

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [\n"
			  "  { \"actor\": \"a\", \"exec\": [\"/bin/true\"] } ] }\n");
	scratch_put("a.jsonc", "{ \"actor\": \"a\", \"exec\": [\"/bin/true\"] }");
	got = load_fail(FILES("root.jsonc", "a.jsonc"));
	ck_assert_str_eq(got, "a.jsonc:1:3: error: duplicate name \"a\": already defined at root.jsonc:2:5; names are unique across the tree\n");
	free(got);
	/* every copy points at the first */
	scratch_put("b.jsonc", "{ \"actor\": \"a\", \"exec\": [\"/bin/true\"] }");
	got = load_fail(FILES("root.jsonc", "a.jsonc", "b.jsonc"));
	ck_assert_str_eq(got, "a.jsonc:1:3: error: duplicate name \"a\": already defined at root.jsonc:2:5; names are unique across the tree\n"
			      "b.jsonc:1:3: error: duplicate name \"a\": already defined at root.jsonc:2:5; names are unique across the tree\n");
	free(got);
}
END_TEST

/* A file given twice (a glob that takes in the root again) is read once:
 * its definitions are not each other's duplicates. */
START_TEST(a_file_given_twice_is_read_once)
{
	struct cfg_diag diag;
	struct cfg *cfg;

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ \"a\" ] }");
	scratch_put("a.jsonc", "{ \"actor\": \"a\", \"exec\": [\"/bin/true\"] }");
	ck_assert_int_eq(mkdir("sub", 0755), 0);
	cfg = cfg_load((char *const *)FILES("root.jsonc", "a.jsonc", "./root.jsonc", "sub/../a.jsonc"), 4, &diag);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.nerrors, 0);
	ck_assert_uint_eq(diag.n, 2);
	ck_assert_str_eq(diag.lines[0], "./root.jsonc: warning: the file is given twice, as root.jsonc too: it is read once");
	ck_assert_str_eq(diag.lines[1], "sub/../a.jsonc: warning: the file is given twice, as a.jsonc too: it is read once");
	ck_assert_uint_eq(cfg->nactors, 1);
	ck_assert_uint_eq(cfg->nsups, 1);
	cfg_diag_free(&diag);
	cfg_free(cfg);
}
END_TEST

START_TEST(undefined_reference)
{
	expect("{ \"supervisor\": \"top\", \"children\": [ \"payment\" ] }",
	       "root.jsonc:1:38: error: \"payment\" is not defined: no file given defines an actor, queue or supervisor of that name; pass the file that defines it with -c\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"payment\", \"exec\": [\"/bin/true\"] }, \"paymnet\" ] }",
	       "root.jsonc:1:85: error: \"paymnet\" is not defined (did you mean \"payment\"?)\n");
	/* a slip of case, however long the name */
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"payment\", \"exec\": [\"/bin/true\"] }, \"PAYMENT\" ] }",
	       "root.jsonc:1:85: error: \"PAYMENT\" is not defined (did you mean \"payment\"?)\n");
	expect("{ \"supervisor\": \"top\", \"STRATEGY\": \"one_for_all\", \"children\": [] }",
	       "root.jsonc:1:24: error: unknown key \"STRATEGY\" (did you mean \"strategy\"?)\n");
}
END_TEST

/* A name whose file did not load is not missing from the command line:
 * the error says which file to mend instead. */
START_TEST(undefined_in_a_file_that_did_not_load)
{
	char *got;

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ \"a\", { \"queue\": \"q\", \"consumer\": \"b\" },\n"
			  "  { \"actor\": \"c\", \"exec\": [\"/bin/true\"], \"bindings\": { \"B\": \"d\" } } ] }");
	scratch_put("a.jsonc", "{ \"actor\": \"a\", \"exec\": [\"/bin/true\"] ");
	got = load_fail(FILES("root.jsonc", "a.jsonc"));
	ck_assert_str_eq(got, "root.jsonc:1:38: error: \"a\" is not defined: no file that loaded defines an actor, queue or supervisor of that name (a.jsonc did not)\n"
			      "root.jsonc:1:71: error: \"consumer\": actor \"b\" is not defined: no file that loaded defines it (a.jsonc did not)\n"
			      "root.jsonc:2:61: error: \"bindings\": \"B\": actor \"d\" is not defined: no file that loaded defines it (a.jsonc did not)\n"
			      "a.jsonc:1:39: error: '}' expected near end of file\n");
	free(got);
	/* nor is an actor that the root would name said to be left out */
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ \"a\" ] ");
	scratch_put("a.jsonc", "{ \"actor\": \"a\", \"exec\": [\"/bin/true\"] }");
	got = load_fail(FILES("root.jsonc", "a.jsonc"));
	ck_assert_str_eq(got, "root.jsonc:1:44: error: '}' expected near end of file\n");
	free(got);
}
END_TEST

START_TEST(named_twice)
{
	char *got;

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ \"a\", \"a\" ] }");
	scratch_put("a.jsonc", "{ \"actor\": \"a\", \"exec\": [\"/bin/true\"] }");
	got = load_fail(FILES("root.jsonc", "a.jsonc"));
	ck_assert_str_eq(got, "root.jsonc:1:43: error: \"a\" is already a child of \"top\" at root.jsonc:1:38: an actor or supervisor has one place in the tree\n");
	free(got);
	/* a name, then the same actor defined inline: the later one is the
	 * mistake (the name's place was said, citing the later one) */
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ \"a\", { \"actor\": \"a\", \"exec\": [\"/bin/true\"] } ] }");
	got = load_fail(FILES("root.jsonc"));
	ck_assert_str_eq(got, "root.jsonc:1:43: error: \"a\" is already a child of \"top\" at root.jsonc:1:38: an actor or supervisor has one place in the tree\n");
	free(got);
}
END_TEST

START_TEST(cycle)
{
	char *got;

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [] }");
	scratch_put("b.jsonc", "{ \"supervisor\": \"b\", \"children\": [ \"c\" ] }");
	scratch_put("c.jsonc", "{ \"supervisor\": \"c\", \"children\": [\n \"b\" ] }");
	got = load_fail(FILES("root.jsonc", "b.jsonc", "c.jsonc"));
	ck_assert_str_eq(got, "c.jsonc:2:2: error: cycle: \"b\" → \"c\" → \"b\": a supervisor cannot contain itself\n");
	free(got);
	expect("{ \"supervisor\": \"top\", \"children\": [ \"top\" ] }",
	       "root.jsonc:1:38: error: cycle: \"top\" → \"top\": a supervisor cannot contain itself\n");
	/* two cycles, one entered from a supervisor outside it: each once,
	 * from its first definition, in definition order */
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [] }");
	scratch_put("x.jsonc", "{ \"supervisor\": \"x\", \"children\": [] }");
	scratch_put("y.jsonc", "{ \"supervisor\": \"y\", \"children\": [ \"x\", \"z\" ] }");
	scratch_put("z.jsonc", "{ \"supervisor\": \"z\", \"children\": [ \"y\" ] }");
	scratch_put("w.jsonc", "{ \"supervisor\": \"w\", \"children\": [ \"w\" ] }");
	got = load_fail(FILES("root.jsonc", "x.jsonc", "y.jsonc", "z.jsonc", "w.jsonc"));
	ck_assert_str_eq(got, "z.jsonc:1:36: error: cycle: \"y\" → \"z\" → \"y\": a supervisor cannot contain itself\n"
			      "w.jsonc:1:36: error: cycle: \"w\" → \"w\": a supervisor cannot contain itself\n");
	free(got);
}
END_TEST

START_TEST(two_roots_and_no_root)
{
	char *got;

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [] }");
	scratch_put("other.jsonc", "{ \"supervisor\": \"other\", \"children\": [] }");
	got = load_fail(FILES("root.jsonc", "other.jsonc"));
	ck_assert_str_eq(got, "other.jsonc:1:3: error: supervisor \"other\" is not in the tree: no supervisor names it as a child, and \"top\" (root.jsonc:1:3) is already the root\n");
	free(got);

	scratch_put("a.jsonc", "{ \"actor\": \"a\", \"exec\": [\"/bin/true\"] }");
	got = load_fail(FILES("a.jsonc"));
	ck_assert_str_eq(got, "a.jsonc:1:1: error: no root supervisor: define one, e.g. {\"supervisor\": \"main\", \"children\": [...]}\n"
			      "a.jsonc:1:3: warning: actor \"a\" is defined but no supervisor names it as a child; it will not run\n");
	free(got);
}
END_TEST

START_TEST(unreadable_file_and_duplicate_keys)
{
	char *got = load_fail(FILES("nothere.jsonc"));

	ck_assert_str_eq(got, "nothere.jsonc: error: cannot open: No such file or directory\n");
	free(got);
	expect("{ \"supervisor\": \"top\", \"supervisor\": \"again\", \"children\": [] }",
	       "root.jsonc:1:24: error: duplicate object key \"supervisor\": give each key once\n");
}
END_TEST

static void bind_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	close(fd);	/* the socket file stays */
}

/* A FIFO in a config's place would stop a daemon's reload until someone
 * wrote to it, and a device may never end: only regular files are read. */
START_TEST(a_fifo_directory_or_device_is_not_read)
{
	char *got;

	ck_assert_int_eq(mkfifo("fifo.jsonc", 0600), 0);
	got = load_fail(FILES("fifo.jsonc"));
	ck_assert_str_eq(got, "fifo.jsonc: error: cannot read: a FIFO, not a regular file\n");
	free(got);
	ck_assert_int_eq(mkdir("dir.jsonc", 0700), 0);
	got = load_fail(FILES("dir.jsonc"));
	ck_assert_str_eq(got, "dir.jsonc: error: cannot read: a directory, not a regular file\n");
	free(got);
	got = load_fail(FILES("/dev/zero"));
	ck_assert_str_eq(got, "/dev/zero: error: cannot read: a device, not a regular file\n");
	free(got);
	/* open() refuses a socket before it could be looked at */
	bind_socket("sock.jsonc");
	got = load_fail(FILES("sock.jsonc"));
	ck_assert_str_eq(got, "sock.jsonc: error: cannot read: a socket, not a regular file\n");
	free(got);
}
END_TEST

/* A log file or a sparse file given by mistake must not hold a daemon's
 * loop at a reload while it reads gigabytes, nor exhaust its memory: a
 * config larger than 16 MiB is refused before it is read. */
START_TEST(a_config_over_16_mib_is_not_read)
{
	char *got;

	scratch_put("big.jsonc", "");
	ck_assert_int_eq(truncate("big.jsonc", (off_t)16 << 20), 0);
	got = load_fail(FILES("big.jsonc"));	/* exactly 16 MiB: read (NULs) */
	ck_assert_str_eq(got, "big.jsonc:1:1: error: a NUL byte: this is not a text file\n");
	free(got);
	ck_assert_int_eq(truncate("big.jsonc", ((off_t)16 << 20) + 1), 0);
	got = load_fail(FILES("big.jsonc"));
	ck_assert_str_eq(got, "big.jsonc: error: cannot read: larger than 16 MiB, which no config needs\n");
	free(got);
	ck_assert_int_eq(truncate("big.jsonc", (off_t)1 << 40), 0);
	got = load_fail(FILES("big.jsonc"));
	ck_assert_str_eq(got, "big.jsonc: error: cannot read: larger than 16 MiB, which no config needs\n");
	free(got);
	unlink("big.jsonc");
}
END_TEST

START_TEST(all_errors_are_reported_at_once)
{
	char *got;
	size_t lines = 0;

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"strategy\": 1, \"intensity\": -1,\n"
			  "  \"children\": [ \"x\", { \"actor\": \"a\", \"exec\": [\"./none\"], \"ready\": \"now\" } ] }");
	got = load_fail(FILES("root.jsonc"));
	for (const char *p = got; (p = strchr(p, '\n')); p++)
		lines++;
	ck_assert_uint_eq(lines, 5);
	free(got);
}
END_TEST

/* Found key by key and pass by pass, said in the order of the files
 * given and of their text, as a compiler says them. */
START_TEST(errors_are_said_in_file_line_column_order)
{
	char *got, want[1024];

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"period\": 0, \"intensity\": -1,\n"
			  "  \"children\": [ \"x\", { \"restar\": 1, \"actor\": \"a\", \"exec\": [\"/bin/true\"] }, \"b\" ],\n"
			  "  \"strategy\": \"bogus\" }");
	scratch_put("b.jsonc", "{ \"actor\": \"b\", \"exec\": [\"./none\"], \"ready\": \"now\" }");
	got = load_fail(FILES("root.jsonc", "b.jsonc"));
	snprintf(want, sizeof want,
		 "root.jsonc:1:34: error: \"period\" is 0: expected an integer from 1 to 86400\n"
		 "root.jsonc:1:50: error: \"intensity\" is -1: expected an integer from 0 to 100000\n"
		 "root.jsonc:2:17: error: \"x\" is not defined: no file given defines an actor, queue or "
		 "supervisor of that name; pass the file that defines it with -c\n"
		 "root.jsonc:2:24: error: unknown key \"restar\" (did you mean \"restart\"?)\n"
		 "root.jsonc:3:15: error: \"strategy\": unknown value \"bogus\": expected \"one_for_one\", "
		 "\"one_for_all\" or \"rest_for_one\"\n"
		 "b.jsonc:1:26: error: executable \"./none\" not found: %s/none: No such file or directory\n"
		 "b.jsonc:1:46: error: \"ready\": unknown value \"now\": expected \"exec\" or \"notify\"\n", dir);
	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

#define ACTOR_A "{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/bin/true\"], "

START_TEST(confinement_defaults_and_fields)
{
	struct cfg *cfg;
	const struct cfg_actor *a;

	scratch_put_exec("w");
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"w\", \"exec\": [\"./w\"] } ] }");
	cfg = load_ok(FILES("root.jsonc"), 0);
	a = cfg->actors[0];
	/* confined by default: "none" has to be written out */
	ck_assert_int_eq(a->profile, SB_PROFILE_SERVICE);
	ck_assert_int_eq(a->on_violation, SB_ON_VIOLATION_KILL);
	ck_assert_ptr_null(a->user);
	ck_assert_uint_eq(a->keep_caps, 0);
	ck_assert_uint_eq(a->nsecrets, 0);
	ck_assert(!a->secrets_env && !a->private_tmp && !a->private_network);
	cfg_free(cfg);

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"w\", \"exec\": [\"./w\"],\n"
	    "  \"sandbox\": { \"profile\": \"network\", \"allow\": [\"@aio\"], \"deny\": [\"mkdir\"], \"on_violation\": \"errno\" },\n"
	    "  \"limits\": { \"nofile\": 64, \"core\": 0, \"as\": \"infinity\" }, \"private_tmp\": true, \"cwd\": \"/\",\n"
	    "  \"private_network\": true, \"read_only\": [\"/usr\"], \"user\": \"root\",\n"
	    "  \"capabilities\": [\"CAP_NET_BIND_SERVICE\", \"kill\"], \"secrets\": [\"API_KEY\", \"db.password\"] } ] }");
	cfg = load_ok(FILES("root.jsonc"), 1);	/* "user": "root" is warned of */
	a = cfg->actors[0];
	ck_assert_int_eq(a->profile, SB_PROFILE_NETWORK);
	ck_assert_int_eq(a->on_violation, SB_ON_VIOLATION_ERRNO);
	ck_assert_str_eq(a->allow[0], "@aio");
	ck_assert_str_eq(a->deny[0], "mkdir");
	ck_assert_uint_eq(a->nlimits, 3);
	ck_assert_int_eq(a->limits[0].resource, RLIMIT_NOFILE);
	ck_assert_uint_eq(a->limits[0].lim.rlim_cur, 64);
	ck_assert_uint_eq(a->limits[2].lim.rlim_max, RLIM_INFINITY);
	ck_assert(a->private_tmp && a->private_network);
	ck_assert_str_eq(a->read_only[0], "/usr");
	ck_assert_str_eq(a->user, "root");
	ck_assert_uint_eq(a->uid, 0);
	ck_assert_uint_eq(a->keep_caps, (1ULL << 10) | (1ULL << 5));	/* CAP_NET_BIND_SERVICE, CAP_KILL */
	ck_assert_uint_eq(a->nsecrets, 2);
	ck_assert_str_eq(a->secrets[1], "db.password");
	cfg_free(cfg);
}
END_TEST

START_TEST(confinement_warnings)
{
	struct cfg *cfg;
	struct cfg_diag diag;

	scratch_put("root.jsonc", ACTOR_A "\"sandbox\": { \"profile\": \"none\" }, \"secrets\": [\"K\"], \"secrets_env\": true,\n"
	    "  \"capabilities\": [] } ] }");
	cfg = cfg_load((char *const *)FILES("root.jsonc"), 1, &diag);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.nerrors, 0);
	ck_assert_uint_eq(diag.n, 2);
	ck_assert_str_eq(diag.lines[0], "root.jsonc:1:101: warning: actor \"a\" runs without a seccomp filter (\"profile\": \"none\"): any system call is allowed");
	ck_assert_str_eq(diag.lines[1], "root.jsonc:1:144: warning: actor \"a\" gets its secrets in the environment too (\"secrets_env\": true): every process it starts inherits them");
	cfg_diag_free(&diag);
	cfg_free(cfg);

	scratch_put("root.jsonc", ACTOR_A "\"sandbox\": { \"allow\": [\"ptrace\"] } } ] }");
	cfg = cfg_load((char *const *)FILES("root.jsonc"), 1, &diag);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.n, 1);
	ck_assert_str_eq(diag.lines[0], "root.jsonc:1:100: warning: \"allow\": \"ptrace\" reaches past the actor; no shipped profile allows it");
	cfg_diag_free(&diag);
	cfg_free(cfg);
}
END_TEST

/* With "secrets_env", a secret named like a variable the daemon sets is
 * an error at its name; one "env" sets too, a warning. */
START_TEST(secrets_env_names_against_the_environment)
{
	static const char env_warning[] = "warning: actor \"a\" gets its secrets in the environment too "
					  "(\"secrets_env\": true): every process it starts inherits them\n";
	struct cfg *cfg;
	struct cfg_diag diag;
	char want[1024];

	snprintf(want, sizeof want, "root.jsonc:1:89: error: \"secrets\"[0]: \"NOTIFY_SOCKET\" cannot go in the environment "
		 "(\"secrets_env\": true): the daemon sets NOTIFY_SOCKET itself; rename the secret\n"
		 "root.jsonc:1:127: %s", env_warning);
	expect(ACTOR_A "\"secrets\": [\"NOTIFY_SOCKET\", \"K\"], \"secrets_env\": true } ] }", want);
	snprintf(want, sizeof want, "root.jsonc:1:94: error: \"secrets\"[1]: \"CREDENTIALS_DIRECTORY\" cannot go in the environment "
		 "(\"secrets_env\": true): the daemon sets CREDENTIALS_DIRECTORY itself; rename the secret\n"
		 "root.jsonc:1:135: %s", env_warning);
	expect(ACTOR_A "\"secrets\": [\"K\", \"CREDENTIALS_DIRECTORY\"], \"secrets_env\": true } ] }", want);
	snprintf(want, sizeof want, "root.jsonc:1:89: error: \"secrets\"[0]: \"STATE_DIRECTORY\" cannot go in the environment "
		 "(\"secrets_env\": true): the daemon sets STATE_DIRECTORY itself; rename the secret\n"
		 "root.jsonc:1:124: %s", env_warning);
	expect(ACTOR_A "\"secrets\": [\"STATE_DIRECTORY\"], \"secrets_env\": true, \"state\": true } ] }", want);
	/* WATCHDOG_USEC, with a watchdog: it replaced the daemon's value */
	snprintf(want, sizeof want, "root.jsonc:1:89: error: \"secrets\"[0]: \"WATCHDOG_USEC\" cannot go in the environment "
		 "(\"secrets_env\": true): the daemon sets WATCHDOG_USEC itself; rename the secret\n"
		 "root.jsonc:1:122: %s", env_warning);
	expect(ACTOR_A "\"secrets\": [\"WATCHDOG_USEC\"], \"secrets_env\": true, \"watchdog\": 1000 } ] }", want);

	/* the daemon sets no STATE_DIRECTORY without "state"; nothing is in
	 * the environment without "secrets_env" */
	scratch_put("root.jsonc", ACTOR_A "\"secrets\": [\"STATE_DIRECTORY\", \"PROSPERO_OTHER\", \"WATCHDOG_USEC\"], \"secrets_env\": true } ] }");
	cfg_free(load_ok(FILES("root.jsonc"), 1));
	scratch_put("root.jsonc", ACTOR_A "\"secrets\": [\"NOTIFY_SOCKET\", \"PROSPERO_FDS\", \"MYVAR\"],\n"
	    "  \"env\": {\"MYVAR\": \"x\"} } ] }");
	cfg_free(load_ok(FILES("root.jsonc"), 0));

	scratch_put("root.jsonc", ACTOR_A "\"env\": {\"MYVAR\": \"x\", \"PATH\": \"/p\"},\n"
	    "  \"secrets\": [\"PATH\", \"MY\", \"MYVAR\"], \"secrets_env\": true } ] }");
	cfg = cfg_load((char *const *)FILES("root.jsonc"), 1, &diag);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.nerrors, 0);
	ck_assert_uint_eq(diag.n, 3);
	ck_assert_str_eq(diag.lines[0], "root.jsonc:2:15: warning: \"secrets\"[0]: \"PATH\" is set by \"env\" too: "
			 "with \"secrets_env\" the secret's value replaces it");
	ck_assert_str_eq(diag.lines[1], "root.jsonc:2:29: warning: \"secrets\"[2]: \"MYVAR\" is set by \"env\" too: "
			 "with \"secrets_env\" the secret's value replaces it");
	cfg_diag_free(&diag);
	cfg_free(cfg);
}
END_TEST

START_TEST(the_daemons_own_variables)
{
	struct cfg_actor a = { 0 };

	ck_assert(cfg_env_daemon_sets(&a, "NOTIFY_SOCKET", 13));
	ck_assert(cfg_env_daemon_sets(&a, "PROSPERO_INSTANCE=1", 17));
	ck_assert(cfg_env_daemon_sets(&a, "PROSPERO_FDNAMES", 16));
	ck_assert(!cfg_env_daemon_sets(&a, "NOTIFY_SOCKET", 6));	/* "NOTIFY" */
	ck_assert(!cfg_env_daemon_sets(&a, "NOTIFY_SOCKETS", 14));
	ck_assert(!cfg_env_daemon_sets(&a, "PROSPERO_OTHER", 14));
	ck_assert(!cfg_env_daemon_sets(&a, "PATH", 4));
	ck_assert(!cfg_env_daemon_sets(&a, "WATCHDOG_USEC", 13));
	ck_assert(!cfg_env_daemon_sets(&a, "CREDENTIALS_DIRECTORY", 21));
	ck_assert(!cfg_env_daemon_sets(&a, "STATE_DIRECTORY", 15));
	a.nsecrets = 1;
	a.state = true;
	ck_assert(cfg_env_daemon_sets(&a, "CREDENTIALS_DIRECTORY", 21));
	ck_assert(cfg_env_daemon_sets(&a, "STATE_DIRECTORY", 15));
}
END_TEST

START_TEST(sandbox_errors)
{
	expect(ACTOR_A "\"sandbox\": 1 } ] }",
	       "root.jsonc:1:88: error: \"sandbox\": expected an object {\"profile\": ..., \"allow\": [...], \"deny\": [...], \"on_violation\": ...}, got an integer\n");
	expect(ACTOR_A "\"sandbox\": { \"profle\": \"service\" } } ] }",
	       "root.jsonc:1:90: error: \"sandbox\": unknown key \"profle\" (did you mean \"profile\"?)\n");
	expect(ACTOR_A "\"sandbox\": { \"colour\": 1 } } ] }",
	       "root.jsonc:1:90: error: \"sandbox\": unknown key \"colour\": expected \"profile\", \"allow\", \"deny\" or \"on_violation\"\n");
	expect(ACTOR_A "\"sandbox\": { \"profile\": \"servce\" } } ] }",
	       "root.jsonc:1:101: error: \"profile\": unknown value \"servce\" (did you mean \"service\"?)\n");
	expect(ACTOR_A "\"sandbox\": { \"profile\": \"strict\" } } ] }",
	       "root.jsonc:1:101: error: \"profile\": unknown value \"strict\": expected \"none\", \"minimal\", \"service\" or \"network\"\n");
	expect(ACTOR_A "\"sandbox\": { \"on_violation\": \"eperm\" } } ] }",
	       "root.jsonc:1:106: error: \"on_violation\": unknown value \"eperm\": expected \"kill\" or \"errno\"\n");
	expect(ACTOR_A "\"sandbox\": { \"allow\": \"ptrace\" } } ] }",
	       "root.jsonc:1:99: error: \"allow\": expected an array of system calls or @groups, got a string\n");
	expect(ACTOR_A "\"sandbox\": { \"allow\": [\"@netwrok-io\"] } } ] }",
	       "root.jsonc:1:100: error: \"allow\"[0]: unknown syscall group \"@netwrok-io\" (did you mean \"@network-io\"?)\n");
	expect(ACTOR_A "\"sandbox\": { \"deny\": [\"ptrac\"] } } ] }",
	       "root.jsonc:1:99: error: \"deny\"[0]: unknown syscall \"ptrac\" (did you mean \"ptrace\"?)\n");
	/* at the element, as every other one; it was said of "sandbox" */
	expect(ACTOR_A "\"sandbox\": { \"deny\": [\"execve\"] } } ] }",
	       "root.jsonc:1:99: error: \"deny\"[0]: \"execve\" cannot be denied: the actor is started with it after the filter is loaded\n");
	expect(ACTOR_A "\"sandbox\": { \"deny\": [\"@ipc\", \"execve\", \"sendmsg\"] } } ] }",
	       "root.jsonc:1:107: error: \"deny\"[1]: \"execve\" cannot be denied: the actor is started with it after the filter is loaded\n"
	       "root.jsonc:1:117: error: \"deny\"[2]: \"sendmsg\" cannot be denied: the actor is started with it after the filter is loaded\n");
}
END_TEST

/* "none" loads no filter: an "allow" or "deny" is refused for being
 * there, at the key, empty too. An empty list was accepted. */
START_TEST(none_takes_no_allow_or_deny_even_empty)
{
	expect(ACTOR_A "\"sandbox\": { \"profile\": \"none\", \"allow\": [] } } ] }",
	       "root.jsonc:1:101: warning: actor \"a\" runs without a seccomp filter (\"profile\": \"none\"): any system call is allowed\n"
	       "root.jsonc:1:109: error: \"sandbox\": profile \"none\" takes no allow or deny: it loads no filter\n");
	expect(ACTOR_A "\"sandbox\": { \"deny\": [], \"profile\": \"none\", \"allow\": [\"read\"] } } ] }",
	       "root.jsonc:1:90: error: \"sandbox\": profile \"none\" takes no allow or deny: it loads no filter\n"
	       "root.jsonc:1:113: warning: actor \"a\" runs without a seccomp filter (\"profile\": \"none\"): any system call is allowed\n"
	       "root.jsonc:1:121: error: \"sandbox\": profile \"none\" takes no allow or deny: it loads no filter\n");
}
END_TEST

START_TEST(limits_errors)
{
	expect(ACTOR_A "\"limits\": 5 } ] }",
	       "root.jsonc:1:87: error: \"limits\": expected an object {\"nofile\": 1024, \"core\": 0, ...}, got an integer\n");
	expect(ACTOR_A "\"limits\": { \"nofiles\": 10 } } ] }",
	       "root.jsonc:1:89: error: \"limits\": unknown limit \"nofiles\" (did you mean \"nofile\"?)\n");
	expect(ACTOR_A "\"limits\": { \"rss\": 10 } } ] }",
	       "root.jsonc:1:96: error: \"limits\": limit \"rss\" is not enforced by Linux; use \"as\" or \"data\"\n");
	expect(ACTOR_A "\"limits\": { \"core\": \"lots\" } } ] }",
	       "root.jsonc:1:97: error: \"limits\": limit \"core\": expected a number >= 0 or \"infinity\"\n");
	/* nice takes no infinity, and its error does not offer it */
	expect(ACTOR_A "\"limits\": { \"nice\": -1 } } ] }",
	       "root.jsonc:1:97: error: \"limits\": limit \"nice\": expected a number from 0 to 40\n");
	expect(ACTOR_A "\"limits\": { \"rtprio\": true } } ] }",
	       "root.jsonc:1:99: error: \"limits\": \"rtprio\": expected a number from 0 to 99, got a boolean\n");
	expect(ACTOR_A "\"limits\": { \"core\": \"Infinity\" } } ] }",
	       "root.jsonc:1:97: error: \"limits\": \"core\": unknown value \"Infinity\" (did you mean \"infinity\"?)\n");
	expect(ACTOR_A "\"limits\": { \"stack\": true } } ] }",
	       "root.jsonc:1:98: error: \"limits\": \"stack\": expected a number >= 0 or \"infinity\", got a boolean\n");
	expect(ACTOR_A "\"limits\": { \"nice\": 99 } } ] }",
	       "root.jsonc:1:97: error: \"limits\": limit \"nice\" is at most 40\n");
}
END_TEST

START_TEST(namespace_user_and_capability_errors)
{
	expect(ACTOR_A "\"private_tmp\": \"yes\" } ] }",
	       "root.jsonc:1:92: error: \"private_tmp\": expected true or false, got a string\n");
	expect(ACTOR_A "\"read_only\": [\"relative/path\"] } ] }",
	       "root.jsonc:1:91: error: read_only \"relative/path\": expected an absolute path without \".\" or \"..\"\n");
	expect(ACTOR_A "\"cwd\": \"/\", \"private_tmp\": true, \"read_only\": [\"/tmp\"] } ] }",
	       "root.jsonc:1:124: error: read_only \"/tmp\" is inside /tmp, which private_tmp replaces\n");
	/* "//tmp/" is /tmp too (it was let through); "/file/" names no file */
	expect(ACTOR_A "\"cwd\": \"/\", \"private_tmp\": true, \"read_only\": [\"//tmp/\", \"/etc/passwd/\"] } ] }",
	       "root.jsonc:1:124: error: read_only \"/tmp\" is inside /tmp, which private_tmp replaces\n"
	       "root.jsonc:1:134: error: read_only \"/etc/passwd/\": Not a directory\n");
	/* the same of /dev/shm, which "private_ipc" (on by default) mounts
	 * afresh over the read-only one: it was taken, and stayed writable */
	expect(ACTOR_A "\"read_only\": [\"/dev/shm\"] } ] }",
	       "root.jsonc:1:91: error: read_only \"/dev/shm\" is inside /dev/shm, which private_ipc replaces "
	       "(\"private_ipc\": false keeps the host's)\n");
	scratch_put("root.jsonc", ACTOR_A "\"read_only\": [\"/dev/shm\"], \"private_ipc\": false } ] }");
	cfg_free(load_ok(FILES("root.jsonc"), 0));
	/* each path at its place, every one reported */
	expect(ACTOR_A "\"read_only\": [\"/usr\", \"/a/../b\", \"/no/such/dir-x\"] } ] }",
	       "root.jsonc:1:99: error: read_only \"/a/../b\": expected an absolute path without \".\" or \"..\"\n"
	       "root.jsonc:1:110: error: read_only \"/no/such/dir-x\": No such file or directory\n");
	expect(ACTOR_A "\"user\": 5 } ] }",
	       "root.jsonc:1:85: error: \"user\": expected a user name (a non-empty string), got an integer\n");
	expect(ACTOR_A "\"user\": \"nosuchuser-x\" } ] }",
	       "root.jsonc:1:85: error: \"user\": no such user \"nosuchuser-x\"\n");
	expect(ACTOR_A "\"capabilities\": [\"CAP_NET_BIND_SERVCE\"] } ] }",
	       "root.jsonc:1:94: error: \"capabilities\"[0]: unknown capability \"CAP_NET_BIND_SERVCE\" (did you mean \"CAP_NET_BIND_SERVICE\"?)\n");
}
END_TEST

START_TEST(secrets_errors)
{
	expect(ACTOR_A "\"secrets\": \"K\" } ] }",
	       "root.jsonc:1:88: error: \"secrets\": expected an array of secret names, got a string\n");
	expect(ACTOR_A "\"secrets\": [\"\"] } ] }",
	       "root.jsonc:1:89: error: \"secrets\"[0]: expected a non-empty string, got an empty string\n");
	expect(ACTOR_A "\"secrets\": [\"9bad\"] } ] }",
	       "root.jsonc:1:89: error: \"secrets\"[0]: invalid secret name \"9bad\": use a letter or '_', then up to 127 letters, digits, '_', '.' or '-'\n");
	expect(ACTOR_A "\"secrets\": [\"K\", \"K\"] } ] }",
	       "root.jsonc:1:94: error: \"secrets\"[1]: \"K\" is already listed\n");
	/* each later place once, however often the name came before */
	expect(ACTOR_A "\"secrets\": [\"K\", \"K\", \"K\", \"J\", \"K\"] } ] }",
	       "root.jsonc:1:94: error: \"secrets\"[1]: \"K\" is already listed\n"
	       "root.jsonc:1:99: error: \"secrets\"[2]: \"K\" is already listed\n"
	       "root.jsonc:1:109: error: \"secrets\"[4]: \"K\" is already listed\n");
	expect(ACTOR_A "\"secret\": [\"K\"] } ] }",
	       "root.jsonc:1:77: error: unknown key \"secret\" (did you mean \"secrets\"?)\n");
	expect(ACTOR_A "\"secrets_env\": 1 } ] }",
	       "root.jsonc:1:92: error: \"secrets_env\": expected true or false, got an integer\n");
}
END_TEST

/* A bad element does not hide the ones after it: each is reported at
 * its place, whatever was wrong with those before. */
START_TEST(every_element_of_an_array_is_checked)
{
	expect(ACTOR_A "\"secrets\": [\"\", \"1bad\"] } ] }",
	       "root.jsonc:1:89: error: \"secrets\"[0]: expected a non-empty string, got an empty string\n"
	       "root.jsonc:1:93: error: \"secrets\"[1]: invalid secret name \"1bad\": use a letter or '_', then up to 127 letters, digits, '_', '.' or '-'\n");
	expect(ACTOR_A "\"secrets\": [5, \"1bad\", \"K\", \"K\"] } ] }",
	       "root.jsonc:1:89: error: \"secrets\"[0]: expected a non-empty string, got an integer\n"
	       "root.jsonc:1:92: error: \"secrets\"[1]: invalid secret name \"1bad\": use a letter or '_', then up to 127 letters, digits, '_', '.' or '-'\n"
	       "root.jsonc:1:105: error: \"secrets\"[3]: \"K\" is already listed\n");
	expect(ACTOR_A "\"read_only\": [\"\", \"rel\"] } ] }",
	       "root.jsonc:1:91: error: \"read_only\"[0]: expected a non-empty string, got an empty string\n"
	       "root.jsonc:1:95: error: read_only \"rel\": expected an absolute path without \".\" or \"..\"\n");
	expect(ACTOR_A "\"capabilities\": [\"\", \"CAP_NOPE\"] } ] }",
	       "root.jsonc:1:94: error: \"capabilities\"[0]: expected a non-empty string, got an empty string\n"
	       "root.jsonc:1:98: error: \"capabilities\"[1]: unknown capability \"CAP_NOPE\"\n");
	expect(ACTOR_A "\"sandbox\": { \"allow\": [\"\", \"ptrac\"], \"deny\": [null, \"@ipcc\"] } } ] }",
	       "root.jsonc:1:100: error: \"allow\"[0]: expected a non-empty string, got an empty string\n"
	       "root.jsonc:1:104: error: \"allow\"[1]: unknown syscall \"ptrac\" (did you mean \"ptrace\"?)\n"
	       "root.jsonc:1:123: error: \"deny\"[0]: expected a non-empty string, got null\n"
	       "root.jsonc:1:129: error: \"deny\"[1]: unknown syscall group \"@ipcc\" (did you mean \"@ipc\"?)\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"\", 3, true] } ] }",
	       "root.jsonc:1:63: error: \"exec\"[0]: expected the program to run (a non-empty string), got an empty string\n"
	       "root.jsonc:1:67: error: \"exec\"[1]: expected a string, got an integer\n"
	       "root.jsonc:1:70: error: \"exec\"[2]: expected a string, got a boolean\n");
	/* the program is still looked for when an argument is wrong */
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"actor\": \"a\", \"exec\": [\"/no/such/prog\", 3] } ] }",
	       "root.jsonc:1:63: error: executable \"/no/such/prog\" not found: /no/such/prog: No such file or directory\n"
	       "root.jsonc:1:80: error: \"exec\"[1]: expected a string, got an integer\n");
	expect(ACTOR_A "\"env\": { \"A=B\": \"x\", \"K\": 1, \"L\": \"ok\", \"\": \"y\" } } ] }",
	       "root.jsonc:1:86: error: \"env\": invalid variable name \"A=B\": it must be non-empty and contain no '='\n"
	       "root.jsonc:1:103: error: \"env\": \"K\": expected a string value, got an integer\n"
	       "root.jsonc:1:117: error: \"env\": invalid variable name \"\": it must be non-empty and contain no '='\n");
}
END_TEST

/* The three naming keys have no hint from the keys of any one kind: the
 * kind is not known until one of them is found. */
START_TEST(a_misspelt_naming_key_gets_a_hint)
{
	expect("{ \"superviser\": \"r\", \"children\": [] }",
	       "root.jsonc:1:3: error: unknown key \"superviser\" (did you mean \"supervisor\"?)\n");
	expect("{ \"supervisor\": \"top\", \"children\": [\n  { \"exec\": [\"/bin/true\"], \"actr\": \"a\" } ] }",
	       "root.jsonc:2:28: error: unknown key \"actr\" (did you mean \"actor\"?)\n");
	expect("{ \"supervisor\": \"top\", \"children\": [ { \"qeue\": \"q\", \"consumer\": \"c\" } ] }",
	       "root.jsonc:1:40: error: unknown key \"qeue\" (did you mean \"queue\"?)\n");
	/* a key of some kind that happens to be near none of them */
	expect("{ \"strategy\": \"one_for_all\", \"children\": [] }",
	       "root.jsonc:1:1: error: expected \"actor\", \"supervisor\" or \"queue\" to name this definition\n");
}
END_TEST

/* JSON does not tell 1000 from 1e3 or 1000.0: a whole number counts
 * wherever an integer is read. */
START_TEST(a_whole_number_may_have_an_exponent)
{
	struct cfg *cfg;
	const struct cfg_actor *a;

	scratch_put_exec("w");
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"intensity\": 3.0, \"period\": 1e2, \"children\": [\n"
	    "  { \"actor\": \"w\", \"exec\": [\"./w\"], \"shutdown\": 2.5e3, \"instances\": 2E0,\n"
	    "    \"limits\": { \"data\": 1e9, \"memory\": 1e9, \"nice\": -0.0 },\n"
	    "    \"backoff\": { \"initial\": 1e2 } },\n"
	    "  { \"queue\": \"q\", \"consumer\": \"w\", \"max_message_size\": 1e4 } ] }");
	cfg = load_ok(FILES("root.jsonc"), 0);
	ck_assert_uint_eq(cfg->root->intensity, 3);
	ck_assert_uint_eq(cfg->root->period_s, 100);
	a = cfg->actors[0];
	ck_assert_int_eq(a->shutdown_ms, 2500);
	ck_assert_uint_eq(a->instances, 2);
	ck_assert_uint_eq(a->nlimits, 2);
	ck_assert_int_eq(a->limits[0].resource, RLIMIT_DATA);
	ck_assert_uint_eq(a->limits[0].lim.rlim_cur, 1000000000);
	ck_assert_int_eq(a->limits[1].resource, RLIMIT_NICE);
	ck_assert_uint_eq(a->limits[1].lim.rlim_cur, 0);
	ck_assert_uint_eq(a->cg_limits.memory, 1000000000);
	ck_assert_int_eq(a->backoff.initial_ms, 100);
	ck_assert_int_eq(cfg->actors[1]->queue->opt.v[PQ_MAX_MESSAGE_SIZE], 10000);
	cfg_free(cfg);
}
END_TEST

START_TEST(a_fraction_is_still_refused)
{
	expect("{ \"supervisor\": \"top\", \"intensity\": 1.5, \"children\": [] }",
	       "root.jsonc:1:37: error: \"intensity\": expected an integer from 0 to 100000, got a number with a fraction\n");
	/* whole, but out of range: said as for an integer */
	expect("{ \"supervisor\": \"top\", \"intensity\": 1e6, \"children\": [] }",
	       "root.jsonc:1:37: error: \"intensity\" is 1000000: expected an integer from 0 to 100000\n");
	expect("{ \"supervisor\": \"top\", \"intensity\": -1e30, \"children\": [] }",
	       "root.jsonc:1:37: error: \"intensity\" is -1e+30: expected an integer from 0 to 100000\n");
	expect(ACTOR_A "\"limits\": { \"data\": 1.5 } } ] }",
	       "root.jsonc:1:97: error: \"limits\": \"data\": expected a number >= 0 or \"infinity\", got a number with a fraction\n");
	expect(ACTOR_A "\"shutdown\": 0.5 } ] }",
	       "root.jsonc:1:89: error: \"shutdown\": expected milliseconds (0 to 86400000), \"brutal_kill\" or \"infinity\"\n");
	/* beyond 2^53 a double skips integers: only digits say which */
	expect(ACTOR_A "\"limits\": { \"data\": 1e17, \"memory\": 1e17 } } ] }",
	       "root.jsonc:1:97: error: \"limits\": \"data\": expected a number >= 0 or \"infinity\", got a number of 2^53 or more written with an exponent or a fraction\n"
	       "root.jsonc:1:113: error: \"memory\": expected an integer from 4096 to 9223372036854775807, got a number of 2^53 or more written with an exponent or a fraction\n");
}
END_TEST

/* Bindings: a tree of three actors, w1 w2 w3 in start order, and a
 * supervisor "sub"; each case adds keys to them. */
static void bind_tree(const char *w1, const char *w2, const char *w3)
{
	char text[2048];

	scratch_put_exec("w");
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"top\", \"children\": [\n"
		 "  { \"actor\": \"w1\", \"exec\": [\"./w\"]%s },\n"
		 "  { \"supervisor\": \"sub\", \"children\": [\n"
		 "    { \"actor\": \"w2\", \"exec\": [\"./w\"]%s } ] },\n"
		 "  { \"actor\": \"w3\", \"exec\": [\"./w\"]%s } ] }\n",
		 w1, w2, w3);
	scratch_put("root.jsonc", text);
}

static void expect_bind(const char *w1, const char *w2, const char *w3, const char *want)
{
	char *got;

	bind_tree(w1, w2, w3);
	got = load_fail(FILES("root.jsonc"));
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(bindings_are_read)
{
	struct cfg *cfg;
	const struct cfg_actor *w1, *w2, *w3;

	bind_tree(", \"bindings\": { \"STORE\": \"w2\", \"LOG\": \"w3\" }, \"watchdog\": 250",
		  ", \"bindings\": { \"LOG\": \"w3\" }", "");
	cfg = load_ok(FILES("root.jsonc"), 0);
	w1 = cfg->root->children[0].u.actor;
	w2 = cfg->root->children[1].u.sup->children[0].u.actor;
	w3 = cfg->root->children[2].u.actor;
	ck_assert_uint_eq(w1->order, 0);
	ck_assert_uint_eq(w2->order, 1);
	ck_assert_uint_eq(w3->order, 2);
	ck_assert_uint_eq(w1->nbindings, 2);
	ck_assert_str_eq(w1->bindings[0].name, "STORE");
	ck_assert_ptr_eq(w1->bindings[0].service, w2);
	ck_assert_str_eq(w1->bindings[1].name, "LOG");
	ck_assert_ptr_eq(w1->bindings[1].service, w3);
	ck_assert_int_eq(w1->watchdog_ms, 250);
	ck_assert_uint_eq(w2->nbindings, 1);
	ck_assert_uint_eq(w3->nbindings, 0);
	ck_assert_int_eq(w3->watchdog_ms, 0);
	cfg_free(cfg);
}
END_TEST

START_TEST(binding_errors)
{
	expect_bind(", \"bindings\": [\"w2\"]", "", "",
		    "root.jsonc:2:49: error: \"bindings\": expected an object {\"NAME\": \"actor\", ...}, got an array\n");
	expect_bind(", \"bindings\": { \"store\": \"w2\" }", "", "",
		    "root.jsonc:2:51: error: \"bindings\": invalid binding name \"store\": use an upper-case letter, then up to 63 upper-case letters, digits or '_' (like an environment variable)\n");
	expect_bind(", \"bindings\": { \"9X\": \"w2\", \"A-B\": \"w2\" }", "", "",
		    "root.jsonc:2:51: error: \"bindings\": invalid binding name \"9X\": use an upper-case letter, then up to 63 upper-case letters, digits or '_' (like an environment variable)\n"
		    "root.jsonc:2:63: error: \"bindings\": invalid binding name \"A-B\": use an upper-case letter, then up to 63 upper-case letters, digits or '_' (like an environment variable)\n");
	expect_bind(", \"bindings\": { \"STORE\": 2 }", "", "",
		    "root.jsonc:2:60: error: \"bindings\": \"STORE\": expected the name of an actor (a string), got an integer\n");
	expect_bind(", \"bindings\": { \"STORE\": \"w22\" }", "", "",
		    "root.jsonc:2:60: error: \"bindings\": \"STORE\": actor \"w22\" is not defined (did you mean \"w2\"?)\n");
	/* an instance's name, as status and PROSPERO_FDNAMES write it */
	expect_bind(", \"bindings\": { \"STORE\": \"w2#1\" }", "", "",
		    "root.jsonc:2:60: error: \"bindings\": \"STORE\": actor \"w2#1\" is not defined (did you mean \"w2\"?)\n");
	expect_bind(", \"bindings\": { \"STORE\": \"inventory\" }", "", "",
		    "root.jsonc:2:60: error: \"bindings\": \"STORE\": actor \"inventory\" is not defined: no file given defines it; pass the file that defines it with -c\n");
	expect_bind(", \"bindings\": { \"STORE\": \"sub\" }", "", "",
		    "root.jsonc:2:60: error: \"bindings\": \"STORE\": \"sub\" is a supervisor: a binding names the actor that serves it\n");
	expect_bind(", \"bindings\": { \"ME\": \"w1\" }", "", "",
		    "root.jsonc:2:57: error: \"bindings\": \"ME\": actor \"w1\" cannot bind to itself\n");
	expect_bind(", \"watchdog\": 0", "", "",
		    "root.jsonc:2:49: error: \"watchdog\" is 0: expected an integer from 1 to 86400000\n");
	expect_bind(", \"watchdg\": 10", "", "",
		    "root.jsonc:2:37: error: unknown key \"watchdg\" (did you mean \"watchdog\"?)\n");
}
END_TEST

/* An explicit "nofile" is the soft limit too: below the fds the actor is
 * given (and its seccomp listener) it passed check and failed every start
 * ("load the seccomp filter (...): Too many open files"). w3 serves 3
 * instances of w1 and w2: 4 edges, 8 fds, 9 with the listener. */
START_TEST(a_nofile_below_the_fds_an_actor_is_given)
{
	struct cfg *cfg;

	expect_bind(", \"instances\": 3, \"bindings\": { \"A\": \"w2\", \"B\": \"w3\" }, \"limits\": { \"nofile\": 6 }",
		    ", \"bindings\": { \"B\": \"w3\" }", ", \"limits\": { \"nofile\": 8 }",
		    "root.jsonc:2:113: error: \"limits\": \"nofile\" 6 cannot hold the 6 fds actor \"w1\" is given (0-2, its control channel, 2 bindings, 0 edges it serves) and its seccomp listener: raise it to at least 7\n"
		    "root.jsonc:5:59: error: \"limits\": \"nofile\" 8 cannot hold the 8 fds actor \"w3\" is given (0-2, its control channel, 0 bindings, 4 edges it serves) and its seccomp listener: raise it to at least 9\n");
	/* w2: 1 binding, 1 edge it serves */
	expect_bind(", \"bindings\": { \"A\": \"w2\" }", ", \"bindings\": { \"B\": \"w3\" }, \"limits\": { \"nofile\": 0 }", "",
		    "root.jsonc:4:88: error: \"limits\": \"nofile\" 0 cannot hold the 6 fds actor \"w2\" is given (0-2, its control channel, 1 binding, 1 edge it serves) and its seccomp listener: raise it to at least 7\n");
	/* no profile, no listener */
	expect_bind("", "", ", \"sandbox\": { \"profile\": \"none\" }, \"limits\": { \"nofile\": 3 }",
		    "root.jsonc:5:61: warning: actor \"w3\" runs without a seccomp filter (\"profile\": \"none\"): any system call is allowed\n"
		    "root.jsonc:5:93: error: \"limits\": \"nofile\" 3 cannot hold the 4 fds actor \"w3\" is given (0-2, its control channel, 0 bindings, 0 edges it serves): raise it to at least 4\n");
	bind_tree(", \"instances\": 3, \"bindings\": { \"B\": \"w3\" }", ", \"bindings\": { \"B\": \"w3\" }",
		  ", \"limits\": { \"nofile\": 9 }");
	cfg = load_ok(FILES("root.jsonc"), 0);
	cfg_free(cfg);
	bind_tree("", "", ", \"sandbox\": { \"profile\": \"none\" }, \"limits\": { \"nofile\": 4 }");
	cfg = load_ok(FILES("root.jsonc"), 1);
	cfg_free(cfg);
}
END_TEST

START_TEST(a_binding_to_an_actor_outside_the_tree)
{
	char *got;

	scratch_put_exec("w");
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [\n"
			  "  { \"actor\": \"w1\", \"exec\": [\"./w\"], \"bindings\": { \"S\": \"loose\" } } ] }\n");
	scratch_put("loose.jsonc", "{ \"actor\": \"loose\", \"exec\": [\"./w\"] }\n");
	got = load_fail(FILES("root.jsonc", "loose.jsonc"));
	ck_assert_str_eq(got,
			 "root.jsonc:2:56: error: \"bindings\": \"S\": actor \"loose\" is not in the tree (no supervisor names it), so nothing would serve this binding\n"
			 "loose.jsonc:1:3: warning: actor \"loose\" is defined but no supervisor names it as a child; it will not run\n");
	free(got);
}
END_TEST

/* a queue outside the tree is called a queue, as its own warning calls it */
START_TEST(a_binding_to_a_queue_outside_the_tree)
{
	char *got;

	scratch_put_exec("w");
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [\n"
			  "  { \"actor\": \"w1\", \"exec\": [\"./w\"], \"bindings\": { \"Q\": \"loose\" } },\n"
			  "  { \"actor\": \"c\", \"exec\": [\"./w\"] } ] }\n");
	scratch_put("loose.jsonc", "{ \"queue\": \"loose\", \"consumer\": \"c\" }\n");
	got = load_fail(FILES("root.jsonc", "loose.jsonc"));
	ck_assert_str_eq(got,
			 "root.jsonc:2:56: error: \"bindings\": \"Q\": queue \"loose\" is not in the tree (no supervisor names it), so nothing would serve this binding\n"
			 "loose.jsonc:1:3: warning: queue \"loose\" is defined but no supervisor names it as a child; it will not run\n");
	free(got);
}
END_TEST

/* A service's PROSPERO_FDNAMES names every edge it serves; past the
 * 131072 bytes (its NUL included) the kernel takes for one environment
 * string, every start of it would fail "Argument list too long". 1800
 * instances of a 64-byte name are 135717 bytes with the variable's name:
 * an error where the service is defined; 1700 are 128117, fine. */
START_TEST(a_service_whose_fd_names_overflow_an_environment_string)
{
	char text[512], want[512];
	struct cfg *cfg;
	const char *name = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

	scratch_put_exec("w");
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"svc\", \"exec\": [\"./w\"] },\n"
		 "  { \"actor\": \"%s\", \"exec\": [\"./w\"], \"instances\": %d, \"bindings\": { \"A\": \"svc\" } } ] }\n",
		 name, 1800);
	snprintf(want, sizeof want, "root.jsonc:2:5: error: actor \"svc\": the names of its fds (PROSPERO_FDNAMES, one per binding and per edge it serves) take 135717 bytes, more than the 131071 an environment string may have: bind fewer client instances to it, or give them shorter names\n");
	expect(text, want);
	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"svc\", \"exec\": [\"./w\"] },\n"
		 "  { \"actor\": \"%s\", \"exec\": [\"./w\"], \"instances\": %d, \"bindings\": { \"A\": \"svc\" } } ] }\n",
		 name, 1700);
	scratch_put("root.jsonc", text);
	cfg = load_ok(FILES("root.jsonc"), 0);
	cfg_free(cfg);
}
END_TEST

/* The rule (README "Bindings"): a start waits for READY=1 only with
 * "notify", so only a notify client needs its services started first. A
 * cycle of such needs is an error; a need the declared order breaks is a
 * warning. */
START_TEST(binding_cycles_that_could_deadlock)
{
	struct cfg *cfg;

	/* both notify: whichever starts first waits for the other */
	expect_bind(", \"ready\": \"notify\", \"bindings\": { \"B\": \"w2\" }",
		    ", \"ready\": \"notify\", \"bindings\": { \"A\": \"w1\" }", "",
		    "root.jsonc:4:77: error: binding cycle \"w1\" → \"w2\" → \"w1\" among actors with \"ready\": \"notify\": each waits for the next before it is ready, so no start order works; make one of them \"ready\": \"exec\"\n");
	/* three long, one of them exec only as a service */
	expect_bind(", \"ready\": \"notify\", \"bindings\": { \"B\": \"w2\" }",
		    ", \"ready\": \"notify\", \"bindings\": { \"C\": \"w3\" }",
		    ", \"ready\": \"notify\", \"bindings\": { \"A\": \"w1\" }",
		    "root.jsonc:5:75: error: binding cycle \"w1\" → \"w2\" → \"w3\" → \"w1\" among actors with \"ready\": \"notify\": each waits for the next before it is ready, so no start order works; make one of them \"ready\": \"exec\"\n");

	/* a cycle through an exec actor can be ordered: declared well, silent */
	bind_tree(", \"bindings\": { \"B\": \"w2\" }", ", \"ready\": \"notify\", \"bindings\": { \"A\": \"w1\" }", "");
	cfg = load_ok(FILES("root.jsonc"), 0);
	cfg_free(cfg);
	/* declared badly (the notify client first): a warning */
	bind_tree(", \"ready\": \"notify\", \"bindings\": { \"B\": \"w2\" }", ", \"bindings\": { \"A\": \"w1\" }", "");
	cfg = load_ok(FILES("root.jsonc"), 1);
	cfg_free(cfg);
	/* a notify client of a later service without any cycle: a warning too */
	bind_tree(", \"ready\": \"notify\", \"bindings\": { \"LOG\": \"w3\" }", "", "");
	cfg = load_ok(FILES("root.jsonc"), 1);
	cfg_free(cfg);
}
END_TEST

START_TEST(a_late_service_warning_says_what_to_do)
{
	struct cfg_diag diag;
	struct cfg *cfg;

	bind_tree(", \"ready\": \"notify\", \"bindings\": { \"LOG\": \"w3\" }", "", "");
	cfg = cfg_load((char *const *)FILES("root.jsonc"), 1, &diag);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(diag.n, 1);
	ck_assert_str_eq(diag.lines[0],
			 "root.jsonc:2:77: warning: \"bindings\": \"LOG\": \"w3\" starts after \"w1\", which is \"ready\": \"notify\": a call to it before READY=1 would wait until the start timeout; declare \"w3\" first");
	cfg_diag_free(&diag);
	cfg_free(cfg);
}
END_TEST

/* Dynamic uids: one per instance of each actor in the tree that names no
 * "user"; more than the range holds is an error that says how to widen it. */
START_TEST(dynamic_uids_needed_against_the_range)
{
	struct cfg_diag diag = { 0 };
	struct cfg *cfg;

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [\n"
	    "  { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"instances\": 4096 },\n"
	    "  { \"supervisor\": \"inner\", \"children\": [\n"
	    "    { \"actor\": \"b\", \"exec\": [\"/bin/true\"], \"instances\": 240 },\n"
	    "    { \"actor\": \"r\", \"exec\": [\"/bin/true\"], \"instances\": 7, \"user\": \"root\" } ] } ] }\n");
	scratch_put("extra.jsonc", "{ \"actor\": \"unused\", \"exec\": [\"/bin/true\"], \"instances\": 9 }");
	cfg = load_ok(FILES("root.jsonc", "extra.jsonc"), 2);	/* and "user": "root" */
	/* "r" runs as root, "unused" not at all */
	ck_assert_uint_eq(cfg_dynamic_uids(cfg), 4336);

	/* the default range holds 61184-65519: 4336 */
	ck_assert_int_eq(cfg_check_uid_range(cfg, 0, 0, NULL, 0, &diag), 0);
	ck_assert_int_eq(cfg_check_uid_range(cfg, 61184, 65519, NULL, 0, &diag), 0);
	ck_assert_uint_eq(diag.n, 0);
	ck_assert_int_eq(cfg_check_uid_range(cfg, 61185, 65519, NULL, 0, &diag), -1);
	ck_assert_uint_eq(diag.n, 1);
	ck_assert_uint_eq(diag.nerrors, 1);
	ck_assert_str_eq(diag.lines[0], "root.jsonc:1:3: error: the tree needs 4336 dynamic uids, one per actor instance without \"user\", but --uid-range 61185-65519 holds 4335: widen it, e.g. --uid-range 61185-65520 (ids that passwd or group use are skipped too)");
	cfg_diag_free(&diag);
	/* the pool never gives out 65535: a range across it holds one less */
	ck_assert_int_eq(cfg_check_uid_range(cfg, 61300, 65636, NULL, 0, &diag), 0);
	ck_assert_int_eq(cfg_check_uid_range(cfg, 61300, 65635, NULL, 0, &diag), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_str_eq(diag.lines[0], "root.jsonc:1:3: error: the tree needs 4336 dynamic uids, one per actor instance without \"user\", but --uid-range 61300-65635 holds 4335: widen it, e.g. --uid-range 61300-65636 (ids that passwd or group use are skipped too)");
	cfg_diag_free(&diag);
	ck_assert_int_eq(cfg_check_uid_range(cfg, 100, 100, NULL, 0, &diag), -1);
	ck_assert_str_eq(diag.lines[0], "root.jsonc:1:3: error: the tree needs 4336 dynamic uids, one per actor instance without \"user\", but --uid-range 100-100 holds 1: widen it, e.g. --uid-range 100-4435 (ids that passwd or group use are skipped too)");
	cfg_diag_free(&diag);
	/* no range starting there can hold them */
	ck_assert_int_eq(cfg_check_uid_range(cfg, 4294967290u, 4294967294u, NULL, 0, &diag), -1);
	ck_assert_str_eq(diag.lines[0], "root.jsonc:1:3: error: the tree needs 4336 dynamic uids, one per actor instance without \"user\", but --uid-range 4294967290-4294967294 holds 5: widen it, e.g. --uid-range 61184-65519 (ids that passwd or group use are skipped too)");
	cfg_diag_free(&diag);
	cfg_free(cfg);
}
END_TEST

/* The ids passwd and group use are not the range's to give: check counts
 * them out as the pool skips them. The old check counted 1-1 as holding
 * one uid where uid 1 was "daemon", and run then found none. */
START_TEST(ids_passwd_and_group_use_are_counted_out)
{
	static const uid_t taken[] = { 0, 1, 2, 100, 101, 102, 65534, 65535 };
	const size_t n = sizeof taken / sizeof *taken;
	struct cfg_diag diag = { 0 };
	struct cfg *cfg;

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [\n"
	    "  { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"instances\": 3 } ] }\n");
	cfg = load_ok(FILES("root.jsonc"), 0);
	ck_assert_int_eq(cfg_check_uid_range(cfg, 1, 1, NULL, 0, &diag), -1);	/* needs 3 */
	cfg_diag_free(&diag);
	ck_assert_int_eq(cfg_check_uid_range(cfg, 1, 3, NULL, 0, &diag), 0);
	ck_assert_int_eq(cfg_check_uid_range(cfg, 1, 3, taken, n, &diag), -1);
	ck_assert_str_eq(diag.lines[0], "root.jsonc:1:3: error: the tree needs 3 dynamic uids, one per actor instance without \"user\", but --uid-range 1-3 holds 1: widen it, e.g. --uid-range 1-5 (ids that passwd or group use are skipped too)");
	cfg_diag_free(&diag);
	ck_assert_int_eq(cfg_check_uid_range(cfg, 1, 5, taken, n, &diag), 0);
	/* a skipped id inside the widened range widens it again */
	ck_assert_int_eq(cfg_check_uid_range(cfg, 99, 99, taken, n, &diag), -1);
	ck_assert_str_eq(diag.lines[0], "root.jsonc:1:3: error: the tree needs 3 dynamic uids, one per actor instance without \"user\", but --uid-range 99-99 holds 1: widen it, e.g. --uid-range 99-104 (ids that passwd or group use are skipped too)");
	cfg_diag_free(&diag);
	ck_assert_int_eq(cfg_check_uid_range(cfg, 99, 104, taken, n, &diag), 0);
	/* 65534 taken and 65535 never given: counted once each */
	ck_assert_int_eq(cfg_check_uid_range(cfg, 65533, 65537, taken, n, &diag), 0);
	ck_assert_int_eq(cfg_check_uid_range(cfg, 65533, 65536, taken, n, &diag), -1);
	ck_assert_str_eq(diag.lines[0], "root.jsonc:1:3: error: the tree needs 3 dynamic uids, one per actor instance without \"user\", but --uid-range 65533-65536 holds 2: widen it, e.g. --uid-range 65533-65537 (ids that passwd or group use are skipped too)");
	cfg_diag_free(&diag);
	cfg_free(cfg);
}
END_TEST

/* Open files: about 6 an instance (5 under profile "none"), 2 a binding,
 * and the daemon's own; more than the hard limit is an error for run, a
 * warning for check, that says how to raise it. */
START_TEST(open_files_needed_against_the_limit)
{
	struct cfg_diag diag = { 0 };
	struct cfg *cfg;

	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [\n"
	    "  { \"actor\": \"svc\", \"exec\": [\"/bin/true\"], \"instances\": 10 },\n"
	    "  { \"actor\": \"c\", \"exec\": [\"/bin/true\"], \"instances\": 3, \"bindings\": { \"SVC\": \"svc\" },\n"
	    "    \"sandbox\": { \"profile\": \"none\" } } ] }\n");
	cfg = load_ok(FILES("root.jsonc"), 1);
	/* 10 x 6 + 3 x (5 + 2 x 1) */
	ck_assert_uint_eq(cfg_daemon_fds(cfg, true), CFG_DAEMON_BASE_FDS + 60 + 21);
	ck_assert_int_eq(cfg_check_fd_limit(cfg, true, CFG_DAEMON_BASE_FDS + 81, true, &diag), 0);
	ck_assert_uint_eq(diag.n, 0);
	ck_assert_int_eq(cfg_check_fd_limit(cfg, true, CFG_DAEMON_BASE_FDS + 80, false, &diag), -1);
	ck_assert_int_eq(errno, EMFILE);
	ck_assert_uint_eq(diag.n, 1);
	ck_assert_uint_eq(diag.nerrors, 0);
	ck_assert_msg(strstr(diag.lines[0], "root.jsonc:1:3: warning: the tree needs about 209 open files") &&
		      strstr(diag.lines[0], "the hard limit here is 208: raise it (LimitNOFILE="), "%s", diag.lines[0]);
	cfg_diag_free(&diag);
	ck_assert_int_eq(cfg_check_fd_limit(cfg, true, 100, true, &diag), -1);
	ck_assert_uint_eq(diag.nerrors, 1);
	cfg_diag_free(&diag);
	/* without cgroups (not root): one fewer an instance */
	ck_assert_uint_eq(cfg_daemon_fds(cfg, false), CFG_DAEMON_BASE_FDS + 50 + 18);
	cfg_free(cfg);
}
END_TEST

/* More than any one range can hold: the only fix is a "user". */
START_TEST(more_dynamic_uids_than_any_range_holds)
{
	enum { N = 4097 };
	struct cfg_actor a = { .name = "a", .instances = CFG_MAX_INSTANCES };
	struct cfg_child *children = calloc(N, sizeof *children);
	struct cfg_supervisor root = { .name = "top", .pos = { "big.jsonc", 2, 5 }, .children = children, .nchildren = N };
	struct cfg cfg = { .root = &root };
	struct cfg_diag diag = { 0 };

	ck_assert_ptr_nonnull(children);
	for (size_t i = 0; i < N; i++)
		children[i] = (struct cfg_child){ .kind = CFG_CHILD_ACTOR, .u.actor = &a };
	ck_assert_uint_eq(cfg_dynamic_uids(&cfg), (size_t)N * CFG_MAX_INSTANCES);
	ck_assert_int_eq(cfg_check_uid_range(&cfg, 0, 0, NULL, 0, &diag), -1);
	ck_assert_str_eq(diag.lines[0], "big.jsonc:2:5: error: the tree needs 16781312 dynamic uids, one per actor instance without \"user\", but --uid-range 61184-65519 holds 4336, and no range holds more than 16777216: give some actors a \"user\"");
	cfg_diag_free(&diag);
	free(children);
}
END_TEST


/* --- durable state and queues --- */

START_TEST(state_is_read)
{
	struct cfg *cfg;

	scratch_put_exec("w");
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [\n"
			  "  { \"actor\": \"a\", \"exec\": [\"./w\"], \"state\": true },\n"
			  "  { \"actor\": \"b\", \"exec\": [\"./w\"] } ] }");
	cfg = load_ok(FILES("root.jsonc"), 0);
	ck_assert(cfg->root->children[0].u.actor->state);
	ck_assert(!cfg->root->children[1].u.actor->state);
	ck_assert_ptr_null(cfg->root->children[0].u.actor->queue);
	cfg_free(cfg);
	expect("{ \"supervisor\": \"top\", \"children\": [\n"
	       "  { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"state\": \"yes\" } ] }",
	       "root.jsonc:2:51: error: \"state\": expected true or false, got a string\n");
	expect("{ \"supervisor\": \"top\", \"children\": [\n"
	       "  { \"actor\": \"a\", \"exec\": [\"/bin/true\"], \"stat\": true } ] }",
	       "root.jsonc:2:42: error: unknown key \"stat\" (did you mean \"state\"?)\n");
}
END_TEST

START_TEST(a_queue_is_an_actor_running_prospero_queue)
{
	const char *program = getenv(CFG_ENV_QUEUE_PROGRAM);
	const struct cfg_actor *q, *dlq, *shipper, *producer;
	struct cfg *cfg;

	ck_assert_msg(program != NULL, "PROSPERO_QUEUE must name prospero-queue");
	scratch_put_exec("w");
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [\n"
			  "  { \"actor\": \"shipper\", \"exec\": [\"./w\"] },\n"
			  "  { \"queue\": \"shipments-dlq\", \"consumer\": \"shipper\" },\n"
			  "  { \"queue\": \"shipments\", \"consumer\": \"shipper\", \"max_batch_size\": 100,\n"
			  "    \"max_batch_timeout\": 0, \"max_retries\": 5, \"retry_delay\": 1000, \"retry_backoff\": 2,\n"
			  "    \"max_message_size\": 1024, \"retention\": 3600, \"delivery_timeout\": 9000,\n"
			  "    \"max_concurrency\": 4, \"dead_letter_queue\": \"shipments-dlq\",\n"
			  "    \"restart\": \"transient\", \"shutdown\": 100 },\n"
			  "  { \"actor\": \"producer\", \"exec\": [\"./w\"], \"bindings\": { \"SHIPMENTS\": \"shipments\" } } ] }");
	cfg = load_ok(FILES("root.jsonc"), 0);
	shipper = cfg->root->children[0].u.actor;
	dlq = cfg->root->children[1].u.actor;
	q = cfg->root->children[2].u.actor;
	producer = cfg->root->children[3].u.actor;
	ck_assert_ptr_nonnull(q->queue);
	ck_assert_str_eq(q->path, program);
	ck_assert_str_eq(q->argv[0], "prospero-queue");
	ck_assert_str_eq(q->argv[1], "--max-batch-size=100");
	ck_assert_str_eq(q->argv[2], "--max-batch-timeout=0");
	ck_assert_str_eq(q->argv[3], "--max-retries=5");
	ck_assert_str_eq(q->argv[4], "--retry-delay=1000");
	ck_assert_str_eq(q->argv[5], "--retry-backoff=2");
	ck_assert_str_eq(q->argv[6], "--max-message-size=1024");
	ck_assert_str_eq(q->argv[7], "--retention=3600");
	ck_assert_str_eq(q->argv[8], "--delivery-timeout=9000");
	ck_assert_str_eq(q->argv[9], "--max-concurrency=4");
	ck_assert_ptr_null(q->argv[10]);
	ck_assert(q->state && dlq->state && !shipper->state);
	ck_assert_uint_eq(q->instances, 1);
	ck_assert_int_eq(q->profile, SB_PROFILE_MINIMAL);
	ck_assert_uint_eq(q->nallow, 2);
	ck_assert_str_eq(q->allow[0], "@io-event");
	ck_assert_str_eq(q->allow[1], "eventfd2");
	ck_assert_ptr_null(q->allow[2]);
	/* SQLite's writes come with "state", not with "minimal" */
	{
		struct cfg_actor stateless = *q;
		struct sb_policy pol;
		char msg[256];

		ck_assert_int_eq(cfg_actor_policy(q, &pol, msg, sizeof msg), 0);
		ck_assert_ptr_nonnull(sb_policy_find(&pol, "fdatasync"));
		ck_assert_int_eq(sb_policy_find(&pol, "openat")->cond, SB_COND_ALWAYS);
		sb_policy_free(&pol);
		stateless.state = false;
		ck_assert_int_eq(cfg_actor_policy(&stateless, &pol, msg, sizeof msg), 0);
		ck_assert_ptr_null(sb_policy_find(&pol, "fdatasync"));
		ck_assert_int_eq(sb_policy_find(&pol, "openat")->cond, SB_COND_RDONLY);
		sb_policy_free(&pol);
	}
	ck_assert_int_eq(q->restart, SV_TRANSIENT);
	ck_assert_int_eq(q->shutdown_ms, 100);
	ck_assert_uint_eq(q->nbindings, 2);
	ck_assert_str_eq(q->bindings[0].name, "CONSUMER");
	ck_assert_ptr_eq(q->bindings[0].service, shipper);
	ck_assert_str_eq(q->bindings[1].name, "DEAD_LETTER");
	ck_assert_ptr_eq(q->bindings[1].service, dlq);
	ck_assert_ptr_eq(q->queue->consumer, shipper);
	ck_assert_ptr_eq(q->queue->dead_letter, dlq);
	/* the defaults, and no dead-letter queue */
	ck_assert_uint_eq(dlq->nbindings, 1);
	ck_assert_str_eq(dlq->argv[1], "--max-batch-size=10");
	ck_assert_str_eq(dlq->argv[2], "--max-batch-timeout=5000");
	ck_assert_str_eq(dlq->argv[3], "--max-retries=3");
	ck_assert_str_eq(dlq->argv[6], "--max-message-size=131072");
	ck_assert_int_eq(dlq->restart, SV_PERMANENT);
	/* a producer binds to a queue as to any actor */
	ck_assert_ptr_eq(producer->bindings[0].service, q);
	cfg_free(cfg);
}
END_TEST

START_TEST(queue_errors)
{
	expect("{ \"supervisor\": \"top\", \"children\": [\n"
	       "  { \"actor\": \"shipper\", \"exec\": [\"/bin/true\"] },\n"
	       "  { \"queue\": \"q1\", \"consumer\": \"shiper\", \"max_batch_size\": 101, \"exec\": [\"x\"], \"max_retry\": 3 },\n"
	       "  { \"queue\": \"q2\", \"consumer\": \"q1\", \"dead_letter_queue\": \"q2\", \"max_message_size\": 100 },\n"
	       "  { \"queue\": \"q3\", \"consumer\": \"top\", \"dead_letter_queue\": \"q2\" },\n"
	       "  { \"queue\": \"q4\", \"consumer\": \"shipper\", \"dead_letter_queue\": \"shipper\" },\n"
	       "  { \"queue\": \"q5\", \"consumer\": \"shipper\", \"dead_letter_queue\": \"q22\" },\n"
	       "  { \"queue\": \"q6\" } ] }",
	       "root.jsonc:3:32: error: \"consumer\": actor \"shiper\" is not defined (did you mean \"shipper\"?)\n"
	       "root.jsonc:3:60: error: \"max_batch_size\" is 101: expected an integer from 1 to 100\n"
	       "root.jsonc:3:65: error: \"exec\" applies to actors, not to queues\n"
	       "root.jsonc:3:80: error: unknown key \"max_retry\" (did you mean \"max_retries\"?)\n"
	       "root.jsonc:4:32: error: \"consumer\": \"q1\" is a queue: a queue delivers to an actor, which answers its batches\n"
	       "root.jsonc:4:59: error: \"dead_letter_queue\": queue \"q2\" cannot be its own dead-letter queue\n"
	       "root.jsonc:5:32: error: \"consumer\": \"top\" is a supervisor: a queue delivers to an actor, which answers its batches\n"
	       "root.jsonc:5:60: error: \"dead_letter_queue\": \"q2\" takes messages of up to 100 bytes, fewer than \"q3\" holds (131072): its dead letters would not fit; raise its \"max_message_size\"\n"
	       "root.jsonc:6:64: error: \"dead_letter_queue\": \"shipper\" is an actor, not a queue: dead letters go to another \"queue\"\n"
	       "root.jsonc:7:64: error: \"dead_letter_queue\": queue \"q22\" is not defined (did you mean \"q2\"?)\n"
	       "root.jsonc:8:5: error: queue \"q6\" has no \"consumer\": name the actor it delivers to, e.g. \"consumer\": \"shipper\"\n");
	expect("{ \"supervisor\": \"top\", \"children\": [\n"
	       "  { \"queue\": \"q\", \"actor\": \"a\", \"consumer\": \"x\" } ] }",
	       "root.jsonc:2:3: error: an object has both \"actor\" and \"queue\": it must be one or the other\n");
}
END_TEST

START_TEST(a_queue_without_its_program_is_an_error)
{
	const char *was = getenv(CFG_ENV_QUEUE_PROGRAM);
	char *saved = was ? strdup(was) : NULL, *got;

	setenv(CFG_ENV_QUEUE_PROGRAM, "/nonexistent/prospero-queue", 1);
	scratch_put("root.jsonc", "{ \"supervisor\": \"top\", \"children\": [\n"
			  "  { \"actor\": \"c\", \"exec\": [\"/bin/true\"] },\n"
			  "  { \"queue\": \"q\", \"consumer\": \"c\" } ] }");
	got = load_fail(FILES("root.jsonc"));
	/* a path the config never wrote: said to come from the variable */
	ck_assert_str_eq(got, "root.jsonc:3:5: error: $PROSPERO_QUEUE: /nonexistent/prospero-queue: No such file or "
			      "directory: point it at prospero-queue, or unset it\n");
	free(got);
	if (saved)
		setenv(CFG_ENV_QUEUE_PROGRAM, saved, 1);
	free(saved);
}
END_TEST

/* One argument or variable over the kernel's limit (MAX_ARG_STRLEN,
 * 131072 bytes with its NUL) passed check and failed every start with
 * E2BIG; both are refused where they are written. At the limit is fine. */
START_TEST(an_argument_or_variable_the_kernel_refuses_is_refused)
{
	size_t big = 131072, n = 4 * big + 256;
	char *text = malloc(n), *got;
	char *arg = malloc(big + 1);
	int len;

	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(arg);
	scratch_put_exec("a.sh");
	memset(arg, 'x', big);
	arg[big] = 0;
	len = snprintf(text, n, "{ \"supervisor\": \"r\", \"children\": [ { \"actor\": \"a\",\n"
				"  \"exec\": [\"./a.sh\", \"%s\"],\n  \"env\": { \"BIG\": \"%s\" } } ] }\n",
		       arg, arg + 4);
	ck_assert_int_lt(len, (int)n);
	scratch_put("root.jsonc", text);
	got = load_fail(FILES("root.jsonc"));
	ck_assert_msg(strstr(got, "root.jsonc:2:22: error: \"exec\"[1]: 131072 bytes; the kernel takes at most "
				  "131071 in one argument (MAX_ARG_STRLEN): pass it in a file the actor reads\n"),
		      "%s", got);
	ck_assert_msg(strstr(got, "root.jsonc:3:19: error: \"env\": \"BIG\": 131072 bytes as BIG=value; the kernel "
				  "takes at most 131071 in one variable (MAX_ARG_STRLEN): pass it in a file the "
				  "actor reads\n"),
		      "%s", got);
	free(got);

	/* one byte less each: the kernel takes them */
	arg[big - 1] = 0;
	snprintf(text, n, "{ \"supervisor\": \"r\", \"children\": [ { \"actor\": \"a\",\n"
			  "  \"exec\": [\"./a.sh\", \"%s\"],\n  \"env\": { \"BIG\": \"%s\" } } ] }\n",
		 arg, arg + 5);
	scratch_put("root.jsonc", text);
	cfg_free(load_ok(FILES("root.jsonc"), 0));
	free(arg);
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults_are_otp_defaults);
	tcase_add_test(tc, every_field_is_read);
	tcase_add_test(tc, a_bare_command_is_found_in_path);
	tcase_add_test(tc, paths_relative_to_the_file_keep_their_place);
	tcase_add_test(tc, shutdown_0_and_backoff_are_read);
	tcase_add_test(tc, an_unnamed_actor_is_a_warning);
	tcase_add_test(tc, restart_and_backoff_on_the_root_are_warnings);
	tcase_add_test(tc, a_pools_backoff_is_weighed_by_its_instances);
	tcase_add_test(tc, an_unnamed_queue_is_a_warning_that_says_queue);
	tcase_add_test(tc, a_cwd_in_tmp_under_private_tmp_is_a_warning);
	tcase_add_test(tc, ids_passwd_and_group_use_are_counted_out);
	tcase_add_test(tc, syntax_error);
	tcase_add_test(tc, a_nul_in_a_string);
	tcase_add_test(tc, a_byte_order_mark_takes_no_column);
	tcase_add_test(tc, a_character_in_a_comment_takes_one_column);
	tcase_add_test(tc, unterminated_comment_and_string);
	tcase_add_test(tc, unknown_key_suggests);
	tcase_add_test(tc, wrong_types_and_ranges);
	tcase_add_test(tc, bad_words_suggest);
	tcase_add_test(tc, every_word_reads_as_its_value);
	tcase_add_test(tc, bad_names);
	tcase_add_test(tc, control_characters_are_escaped);
	tcase_add_test(tc, missing_required_fields);
	tcase_add_test(tc, missing_executable);
	tcase_add_test(tc, missing_cwd);
	tcase_add_test(tc, duplicate_name);
	tcase_add_test(tc, a_file_given_twice_is_read_once);
	tcase_add_test(tc, undefined_reference);
	tcase_add_test(tc, undefined_in_a_file_that_did_not_load);
	tcase_add_test(tc, named_twice);
	tcase_add_test(tc, cycle);
	tcase_add_test(tc, two_roots_and_no_root);
	tcase_add_test(tc, unreadable_file_and_duplicate_keys);
	tcase_add_test(tc, a_fifo_directory_or_device_is_not_read);
	tcase_add_test(tc, a_config_over_16_mib_is_not_read);
	tcase_add_test(tc, all_errors_are_reported_at_once);
	tcase_add_test(tc, errors_are_said_in_file_line_column_order);
	tcase_add_test(tc, confinement_defaults_and_fields);
	tcase_add_test(tc, confinement_warnings);
	tcase_add_test(tc, sandbox_errors);
	tcase_add_test(tc, none_takes_no_allow_or_deny_even_empty);
	tcase_add_test(tc, limits_errors);
	tcase_add_test(tc, namespace_user_and_capability_errors);
	tcase_add_test(tc, secrets_errors);
	tcase_add_test(tc, every_element_of_an_array_is_checked);
	tcase_add_test(tc, a_misspelt_naming_key_gets_a_hint);
	tcase_add_test(tc, a_whole_number_may_have_an_exponent);
	tcase_add_test(tc, a_fraction_is_still_refused);
	tcase_add_test(tc, secrets_env_names_against_the_environment);
	tcase_add_test(tc, the_daemons_own_variables);
	tcase_add_test(tc, bindings_are_read);
	tcase_add_test(tc, binding_errors);
	tcase_add_test(tc, a_binding_to_an_actor_outside_the_tree);
	tcase_add_test(tc, a_binding_to_a_queue_outside_the_tree);
	tcase_add_test(tc, a_nofile_below_the_fds_an_actor_is_given);
	tcase_add_test(tc, binding_cycles_that_could_deadlock);
	tcase_add_test(tc, a_service_whose_fd_names_overflow_an_environment_string);
	tcase_add_test(tc, a_late_service_warning_says_what_to_do);
	tcase_add_test(tc, dynamic_uids_needed_against_the_range);
	tcase_add_test(tc, open_files_needed_against_the_limit);
	tcase_add_test(tc, more_dynamic_uids_than_any_range_holds);
	tcase_add_test(tc, state_is_read);
	tcase_add_test(tc, a_queue_is_an_actor_running_prospero_queue);
	tcase_add_test(tc, queue_errors);
	tcase_add_test(tc, a_queue_without_its_program_is_an_error);
	tcase_add_test(tc, an_argument_or_variable_the_kernel_refuses_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
