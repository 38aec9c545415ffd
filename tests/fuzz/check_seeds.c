/* tests/fuzz/seeds.py, which README "Fuzzing" says made the seed corpora,
 * reads every test file it is given as C string literals: one literal it
 * could not read (a `\u` escape, which C has) stopped it with nothing
 * written. Run on this tree, it writes seeds for each target. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/runner.h"

/* How many seed-* files DIR holds. */
static int seeds_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_msg(d, "%s: no such directory", dir);
	while ((e = readdir(d)))
		n += strncmp(e->d_name, "seed-", 5) == 0;
	closedir(d);
	return n;
}

START_TEST(the_seed_script_reads_this_tree)
{
	static const char *const targets[] = { "config", "frame", "notify", "control", "devvars" };
	const char *src = getenv("SRCDIR");
	char out[] = "/tmp/prospero-test.seeds.XXXXXX", cmd[1024], dir[128];

	ck_assert_msg(src, "SRCDIR must be set");
	ck_assert(mkdtemp(out));
	snprintf(cmd, sizeof cmd, "python3 '%s/tests/fuzz/seeds.py' '%s' '%s'", src, src, out);
	ck_assert_int_eq(system(cmd), 0);
	for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
		snprintf(dir, sizeof dir, "%s/%s", out, targets[i]);
		ck_assert_msg(seeds_in(dir) > 0, "no seeds for %s", targets[i]);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static int before(int argc, char **argv)
{
	return system("python3 -c '' 2>/dev/null") == 0 ? -1 : 77;	/* no python3: skipped */
}

static Suite *suite(void)
{
	Suite *s = suite_create("seeds");
	TCase *tc = tcase_create("seeds");

	tcase_add_test(tc, the_seed_script_reads_this_tree);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite, .before = before };
