/* The Python actor (examples/python/pricing.py, no C library) and a C actor
 * on libprospero (tests/actors/quoter) in one tree on the real daemon. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/runner.h"
#include "tests/common/harness.h"

static struct h h;

static void setup(void) { h_init(&h); }
static void teardown(void) { h_fini(&h); }

START_TEST(c_calls_python_over_a_binding)
{
	static const char *const configs[] = { "root.jsonc", NULL };
	const char *quoter = getenv("QUOTER"), *examples = getenv("EXAMPLES");
	char conf[2048];

	ck_assert_msg(quoter && examples, "QUOTER and EXAMPLES must be set");
	snprintf(conf, sizeof conf,
		 "{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"children\": [\n"
		 "  { \"actor\": \"pricing\", \"exec\": [\"/usr/bin/python3\", \"%s/python/pricing.py\"],"
		 " \"ready\": \"notify\" },\n"
		 "  { \"actor\": \"quoter\", \"exec\": [\"%s\"], \"ready\": \"notify\","
		 " \"bindings\": { \"PRICING\": \"pricing\" } }\n"
		 "] }\n", examples, quoter);
	h_write(&h, "root.jsonc", conf);
	h_start(&h, configs);
	h_expect(&h, "ready", "quoter", NULL);
	for (int waited = 0; h_count_lines(&h, "out", "quoter: quote ") < 5; waited += 10) {
		ck_assert_msg(waited < H_TIMEOUT_MS, "quoter got fewer than 5 answers");
		h_sleep_ms(10);
	}
	ck_assert_int_eq(h_count_lines(&h, "out",
		"quoter: quote ok {\"sku\": \"apple\", \"qty\": 2, \"price_cents\": 100}"), 5);
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

/* The Python peer read PROSPERO_FDS with int(), which takes "+1" and
 * " 1", and took control named twice (the C library refuses both and
 * leaves fds and environment alone), and sent a reply over 64 MiB, which
 * the other end must refuse, rather than answering "internal". */
START_TEST(the_python_peer_keeps_the_c_librarys_limits)
{
	char script[4096], cmd[4096];

	snprintf(script, sizeof script,
		 "import os, socket, sys\n"
		 "sys.path.insert(0, %s)\n"
		 "import prospero_peer as pp\n"
		 "a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)\n"
		 "os.dup2(a.fileno(), 3)\n"
		 "os.dup2(b.fileno(), 4)\n"
		 "for bad, names in (('+1', 'control'), (' 1', 'control'), ('1x', 'control'), ('4097', 'control'),\n"
		 "                   ('', 'control'), ('2', 'control:control')):\n"
		 "    os.environ['PROSPERO_FDS'] = bad\n"
		 "    os.environ['PROSPERO_FDNAMES'] = names\n"
		 "    try:\n"
		 "        pp.Actor.from_env()\n"
		 "        sys.exit('PROSPERO_FDS=%%r PROSPERO_FDNAMES=%%r taken' %% (bad, names))\n"
		 "    except ValueError:\n"
		 "        pass\n"
		 "    os.fstat(3); os.fstat(4)  # left open\n"
		 "    if os.environ.get('PROSPERO_FDS') != bad:\n"
		 "        sys.exit('the environment changed')\n"
		 "a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)\n"
		 "actor = pp.Actor()\n"
		 "actor.handle('big', lambda body: b'x' * ((64 << 20) + 1))\n"
		 "actor._serve(pp.Channel('serve:x', a, True), pp.CALL, 7, b'big', b'')\n"
		 "kind, flags, ident, method, body, blen, end = pp.decode(b.recv(65536), 0)\n"
		 "if (kind, ident, method) != (pp.ERROR, 7, b'internal'):\n"
		 "    sys.exit('answered %%r' %% ((kind, ident, method),))\n",
		 "os.environ['EXAMPLES'] + '/python'");
	h_write(&h, "limits.py", script);
	snprintf(cmd, sizeof cmd, "python3 %s", h_path(&h, "limits.py"));
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static int before(int argc, char **argv)
{
	if (system("python3 -c 'import os; os.memfd_create' 2>/dev/null") != 0)
		return 77;	/* no suitable python3: skipped */
	return -1;
}

static Suite *suite(void)
{
	Suite *s = suite_create("python");
	TCase *tc = tcase_create("python");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, c_calls_python_over_a_binding);
	tcase_add_test(tc, the_python_peer_keeps_the_c_librarys_limits);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite, .before = before };
