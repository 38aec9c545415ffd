/* The pure parts of containment: the kernel's cgroup text (mountinfo,
 * /proc/self/cgroup, flat-keyed and single-value files), finding the
 * hierarchies on pure v2, hybrid and container hosts, and cgroup names. */

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/containment/cgroup_hier.h"
#include "sandbox/containment/cgroup_name.h"
#include "sandbox/containment/cgroup_text.h"
#include "tests/common/runner.h"

START_TEST(mountinfo_lines)
{
	static const struct {
		const char *line, *root, *mnt, *fstype, *super;
	} ok[] = {
		{ "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:7 master:2 - cgroup2 cgroup2 rw",
		  "/", "/sys/fs/cgroup/unified", "cgroup2", "rw" },
		/* no optional fields; octal escapes in the paths */
		{ "32 31 0:29 /a\\040b /mnt/my\\011cg\\134x rw - cgroup cgroup rw,cpu,cpuacct",
		  "/a b", "/mnt/my\tcg\\x", "cgroup", "rw,cpu,cpuacct" },
	};
	struct sb_mountinfo_entry e;
	char line[128];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(line, sizeof(line), "%s", ok[i].line);
		ck_assert_int_eq(sb_mountinfo_parse_line(line, &e), 0);
		ck_assert_str_eq(e.root, ok[i].root);
		ck_assert_str_eq(e.mnt, ok[i].mnt);
		ck_assert_str_eq(e.fstype, ok[i].fstype);
		ck_assert_str_eq(e.super, ok[i].super);
	}
}
END_TEST

START_TEST(mountinfo_malformed)
{
	const char *bad[] = {
		"",
		"41 31 0:38 / /x rw",				/* no separator */
		"41 31 0:38 / /x rw - cgroup2",			/* no source */
		"41 31 0:38 / /x rw - cgroup2 cgroup2",		/* no options */
		"41 31 0:38",
	};
	struct sb_mountinfo_entry e;
	char line[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "%s", bad[i]);
		errno = 0;
		ck_assert_msg(sb_mountinfo_parse_line(line, &e) == -1, "accepted \"%s\"", bad[i]);
		ck_assert_int_eq(errno, EINVAL);
	}
}
END_TEST

START_TEST(proc_cgroup_lines)
{
	char v2[] = "0::/system.slice/prospero.service";
	char v1[] = "2:cpu,cpuacct:/user.slice";
	char colon[] = "4:memory:/odd:name";
	struct sb_proc_cgroup_entry e;

	ck_assert_int_eq(sb_proc_cgroup_parse_line(v2, &e), 0);
	ck_assert_uint_eq(e.id, 0);
	ck_assert_str_eq(e.controllers, "");
	ck_assert_str_eq(e.path, "/system.slice/prospero.service");
	ck_assert_int_eq(sb_proc_cgroup_parse_line(v1, &e), 0);
	ck_assert_uint_eq(e.id, 2);
	ck_assert_str_eq(e.controllers, "cpu,cpuacct");
	ck_assert_int_eq(sb_proc_cgroup_parse_line(colon, &e), 0);
	ck_assert_str_eq(e.path, "/odd:name");
}
END_TEST

START_TEST(proc_cgroup_malformed)
{
	const char *bad[] = { "", "0:", "0::", "x::/", ":memory:/", "1:memory", "1:memory:relative", "99999999::/" };
	struct sb_proc_cgroup_entry e;
	char line[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "%s", bad[i]);
		ck_assert_msg(sb_proc_cgroup_parse_line(line, &e) == -1, "accepted \"%s\"", bad[i]);
	}
}
END_TEST

START_TEST(lists)
{
	ck_assert(sb_cgroup_list_has("rw,cpu,cpuacct", ',', "cpu"));
	ck_assert(sb_cgroup_list_has("rw,cpu,cpuacct", ',', "cpuacct"));
	ck_assert(!sb_cgroup_list_has("rw,cpuacct", ',', "cpu"));
	ck_assert(!sb_cgroup_list_has("rw,cpuset", ',', "cpu"));
	ck_assert(sb_cgroup_list_has("cpuset cpu io memory pids\n", ' ', "pids"));
	ck_assert(sb_cgroup_list_has("memory", ' ', "memory"));
	ck_assert(!sb_cgroup_list_has("", ' ', "memory"));
	ck_assert(!sb_cgroup_list_has("memoryx pids", ' ', "memory"));
}
END_TEST

START_TEST(flat_keyed)
{
	const char *events = "populated 1\nfrozen 0\n";
	uint64_t v = 7;

	ck_assert_int_eq(sb_cgroup_kv_u64(events, "populated", &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(sb_cgroup_kv_u64(events, "frozen", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(sb_cgroup_kv_u64("usage_usec 18446744073709551615", "usage_usec", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	errno = 0;
	ck_assert_int_eq(sb_cgroup_kv_u64(events, "popul", &v), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(sb_cgroup_kv_u64("xpopulated 1\n", "populated", &v), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(sb_cgroup_kv_u64("oom 1\noom_kill 3\n", "oom_kill", &v), 0);
	ck_assert_uint_eq(v, 3);
	ck_assert_int_eq(sb_cgroup_kv_u64("populated x\n", "populated", &v), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sb_cgroup_kv_u64("populated 1x\n", "populated", &v), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sb_cgroup_kv_u64("usage_usec 18446744073709551616\n", "usage_usec", &v), -1);
	ck_assert_int_eq(errno, ERANGE);
}
END_TEST

START_TEST(single_values)
{
	uint64_t v;

	ck_assert_int_eq(sb_cgroup_parse_u64("0\n", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(sb_cgroup_parse_u64("67108864", &v), 0);
	ck_assert_uint_eq(v, 67108864);
	ck_assert_int_eq(sb_cgroup_parse_u64("max\n", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(sb_cgroup_parse_u64("18446744073709551615\n", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(sb_cgroup_parse_u64("18446744073709551616", &v), -1);
	ck_assert_int_eq(errno, ERANGE);
	const char *bad[] = { "", "\n", "-1", "1 2", "1\n\n", "maxi", " 1", "0x10" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_msg(sb_cgroup_parse_u64(bad[i], &v) == -1 && errno == EINVAL, "accepted \"%s\"", bad[i]);
	}
}
END_TEST

/* This VM: hybrid, the daemon in a v1 memory cgroup of its own. */
static const char hybrid_mounts[] =
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char hybrid_self[] =
	"9:name=systemd:/\n8:pids:/\n4:memory:/process_api/52ae\n2:cpuacct:/\n1:cpu:/\n0::/\n";

static void parse(struct sb_cgroup_hier *h, const char *mounts, const char *self, int want)
{
	char *m = strdup(mounts), *c = strdup(self);

	ck_assert_int_eq(sb_cgroup_hier_parse(h, m, c), want);
	free(m);
	free(c);
}

START_TEST(hier_hybrid)
{
	struct sb_cgroup_hier h;

	parse(&h, hybrid_mounts, hybrid_self, 0);
	ck_assert_str_eq(h.v2.mnt, "/sys/fs/cgroup/unified");
	ck_assert_str_eq(h.v2.own, "/sys/fs/cgroup/unified");
	ck_assert_str_eq(h.v1[SB_CGROUP_MEMORY].mnt, "/sys/fs/cgroup/memory");
	ck_assert_str_eq(h.v1[SB_CGROUP_MEMORY].own, "/sys/fs/cgroup/memory/process_api/52ae");
	ck_assert_str_eq(h.v1[SB_CGROUP_PIDS].own, "/sys/fs/cgroup/pids");
	/* "cpuacct" alone is not the cpu controller */
	ck_assert_str_eq(h.v1[SB_CGROUP_CPU].mnt, "/sys/fs/cgroup/cpu");
}
END_TEST

START_TEST(hier_pure_v2_under_systemd)
{
	struct sb_cgroup_hier h;

	parse(&h, "29 22 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n",
	      "0::/system.slice/prospero.service\n", 0);
	ck_assert_str_eq(h.v2.mnt, "/sys/fs/cgroup");
	ck_assert_str_eq(h.v2.own, "/sys/fs/cgroup/system.slice/prospero.service");
	for (int c = 0; c < SB_CGROUP_NCTL; c++)
		ck_assert_str_eq(h.v1[c].mnt, "");
}
END_TEST

START_TEST(hier_comounted_and_first_mount_wins)
{
	struct sb_cgroup_hier h;

	parse(&h,
	      "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	      "50 31 0:29 / /mnt/again rw - cgroup cgroup rw,cpu,cpuacct\n"
	      "41 31 0:38 / /a rw - cgroup2 cgroup2 rw\n"
	      "42 31 0:38 / /b rw - cgroup2 cgroup2 rw\n",
	      "3:cpu,cpuacct:/x\n0::/y\n", 0);
	ck_assert_str_eq(h.v1[SB_CGROUP_CPU].own, "/sys/fs/cgroup/cpu,cpuacct/x");
	ck_assert_str_eq(h.v2.mnt, "/a");
	ck_assert_str_eq(h.v2.own, "/a/y");
}
END_TEST

/* A container's mount of part of the hierarchy, and a process outside it. */
START_TEST(hier_mounted_subtree)
{
	struct sb_cgroup_hier h;

	parse(&h, "41 31 0:38 /machine/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
	      "0::/machine/c1/app\n", 0);
	ck_assert_str_eq(h.v2.own, "/sys/fs/cgroup/app");
	parse(&h, "41 31 0:38 /machine/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
	      "0::/machine/c10\n", 0);
	ck_assert_str_eq(h.v2.mnt, "/sys/fs/cgroup");
	ck_assert_str_eq(h.v2.own, "");
	parse(&h, "41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/../../elsewhere\n", 0);
	ck_assert_str_eq(h.v2.own, "");
}
END_TEST

START_TEST(hier_none_and_malformed)
{
	struct sb_cgroup_hier h;

	parse(&h, "22 1 0:21 / /proc rw - proc proc rw\n", "0::/\n", 0);
	ck_assert_str_eq(h.v2.mnt, "");
	parse(&h, "22 1 0:21 / /proc rw\n", "0::/\n", -1);
	parse(&h, hybrid_mounts, "garbage\n", -1);
}
END_TEST

START_TEST(hier_of_this_process)
{
	struct sb_cgroup_hier h;

	/* whatever this host is, reading it works */
	ck_assert_int_eq(sb_cgroup_hier_read(&h), 0);
}
END_TEST

START_TEST(instance_names)
{
	char out[SB_CGROUP_NAME_MAX];

	ck_assert_int_eq(sb_cgroup_inst_name("payment", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "payment.actor");
	ck_assert_int_eq(sb_cgroup_inst_name("research#2", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "research#2.actor");
	ck_assert_int_eq(sb_cgroup_inst_name("a.b_c-d", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a.b_c-d.actor");
	/* what could collide, hide or climb */
	ck_assert_int_eq(sb_cgroup_inst_name("..", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "%2E..actor");
	ck_assert_int_eq(sb_cgroup_inst_name("a/b c%", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a%2Fb%20c%25.actor");
	ck_assert_int_eq(sb_cgroup_inst_name("\n\xff", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "%0A%FF.actor");
	ck_assert(sb_cgroup_is_inst_name("payment.actor"));
	ck_assert(!sb_cgroup_is_inst_name(".actor"));
	ck_assert(!sb_cgroup_is_inst_name("daemon"));
	ck_assert(!sb_cgroup_is_inst_name("payment.actors"));
	errno = 0;
	ck_assert_int_eq(sb_cgroup_inst_name("", out, sizeof(out)), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(instance_name_lengths)
{
	char in[300], out[SB_CGROUP_NAME_MAX];
	size_t fit = NAME_MAX - strlen(SB_CGROUP_INST_SUFFIX);

	memset(in, 'a', sizeof(in));
	in[fit] = '\0';
	ck_assert_int_eq(sb_cgroup_inst_name(in, out, sizeof(out)), 0);
	ck_assert_uint_eq(strlen(out), NAME_MAX);
	in[fit] = 'a';
	in[fit + 1] = '\0';
	ck_assert_int_eq(sb_cgroup_inst_name(in, out, sizeof(out)), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	/* an escape that would cross the end does not fit either */
	in[fit - 1] = ' ';
	in[fit] = '\0';
	ck_assert_int_eq(sb_cgroup_inst_name(in, out, sizeof(out)), -1);
	/* nor anything into a buffer too small */
	ck_assert_int_eq(sb_cgroup_inst_name("payment", out, 13), -1);
	ck_assert_int_eq(sb_cgroup_inst_name("payment", out, 14), 0);
}
END_TEST

START_TEST(subtree_names)
{
	char a[SB_CGROUP_SUBTREE_NAME_LEN], b[SB_CGROUP_SUBTREE_NAME_LEN], c[SB_CGROUP_SUBTREE_NAME_LEN];

	sb_cgroup_subtree_name("/run/prospero", a);
	sb_cgroup_subtree_name("/run/prospero", b);
	sb_cgroup_subtree_name("/run/prospero2", c);
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	ck_assert_uint_eq(strlen(a), SB_CGROUP_SUBTREE_NAME_LEN - 1);
	ck_assert(strncmp(a, "prospero-", 9) == 0);
	ck_assert(!sb_cgroup_is_inst_name(a));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cgroup_text");
	TCase *text = tcase_create("text"), *hier = tcase_create("hier"), *names = tcase_create("names");

	tcase_add_test(text, mountinfo_lines);
	tcase_add_test(text, mountinfo_malformed);
	tcase_add_test(text, proc_cgroup_lines);
	tcase_add_test(text, proc_cgroup_malformed);
	tcase_add_test(text, lists);
	tcase_add_test(text, flat_keyed);
	tcase_add_test(text, single_values);
	tcase_add_test(hier, hier_hybrid);
	tcase_add_test(hier, hier_pure_v2_under_systemd);
	tcase_add_test(hier, hier_comounted_and_first_mount_wins);
	tcase_add_test(hier, hier_mounted_subtree);
	tcase_add_test(hier, hier_none_and_malformed);
	tcase_add_test(hier, hier_of_this_process);
	tcase_add_test(names, instance_names);
	tcase_add_test(names, instance_name_lengths);
	tcase_add_test(names, subtree_names);
	suite_add_tcase(s, text);
	suite_add_tcase(s, hier);
	suite_add_tcase(s, names);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
