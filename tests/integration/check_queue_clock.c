/* prospero-queue under the real daemon while its wall clock is stepped
 * (README "Queues", "Clocks"): within a run a retry's wait and
 * max_batch_timeout follow the monotonic clock, so a step back or forth
 * moves neither; across a restart a wait follows the wall clock, but
 * never past the wait asked for. The machine's clock is left alone: the
 * queue runs with tests/common/clockshift.so preloaded ($CLOCKSHIFT), its
 * CLOCK_REALTIME moved by the offset the test writes to the file
 * "shift". It runs as a plain actor, as README "Queues" allows, since a
 * "queue" definition takes no "env". The consumer is
 * tests/actors/queueactor.c, which stamps each delivery on the monotonic
 * clock, as the test reads it. */
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/common/harness.h"
#include "tests/common/runner.h"

#define HOUR_MS (3600LL * 1000)

static struct h h;
static char statedir[512];

static void setup(void)
{
	h_init(&h);
	snprintf(statedir, sizeof statedir, "%s", h_path(&h, "state"));
	h_link(&h, "QUEUEACTOR", "qa");
	h_link(&h, "PROSPERO_QUEUE", "pq");
	h_link(&h, "CLOCKSHIFT", "clockshift.so");
}

static void teardown(void) { h_fini(&h); }

/* The queue's wall clock is the machine's plus MS from now on. */
static void shift(long long ms)
{
	int64_t v = ms;
	int fd = open(h_path(&h, "shift"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, &v, sizeof v, 0), (ssize_t)sizeof v);
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	close(fd);
}

static void shared_file(const char *name)
{
	h_write(&h, name, "");
	ck_assert(chmod(h_path(&h, name), 0666) == 0);
}

/* A queue "q" with OPTIONS delivering to consumer "c" (queueactor consume
 * with CONSUME_ARGS), producer "p" sending COUNT messages TAG:I, and
 * producer "wake" sending one, "fill:1", once wake_the_queue() says. */
static void start(const char *options, const char *consume_args, const char *tag, int count)
{
	char text[2048];

	snprintf(text, sizeof text,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"c\", \"exec\": [\"@DIR@/qa\", \"consume\", \"@DIR@/c.rec\"%s] },\n"
		 "  { \"actor\": \"q\", \"exec\": [\"@DIR@/pq\", %s], \"state\": true,\n"
		 "    \"env\": { \"LD_PRELOAD\": \"@DIR@/clockshift.so\", \"CLOCKSHIFT_FILE\": \"@DIR@/shift\" },\n"
		 "    \"bindings\": { \"CONSUMER\": \"c\" } },\n"
		 "  { \"actor\": \"p\", \"exec\": [\"@DIR@/qa\", \"produce\", \"@DIR@/p.acked\", \"%s\", \"%d\"],\n"
		 "    \"bindings\": { \"Q\": \"q\" } },\n"
		 "  { \"actor\": \"wake\", \"exec\": [\"@DIR@/qa\", \"fill\", \"@DIR@/wake.rec\", \"32\", \"1\",\n"
		 "    \"@DIR@/go\", \"@DIR@/more\"], \"bindings\": { \"Q\": \"q\" } } ] }\n",
		 consume_args, options, tag, count);
	h_write(&h, "root.jsonc", text);
	shift(0);
	shared_file("c.rec");
	shared_file("p.acked");
	shared_file("wake.rec");
	h_start_with(&h, (const char *const[]){ "root.jsonc", NULL },
		     (const char *const[]){ "--state-dir", statedir, NULL });
}

static char file_buf[1 << 16];

static char *slurp(const char *name)
{
	int n = h_read(&h, name, file_buf, sizeof file_buf - 1);

	file_buf[n > 0 ? n : 0] = '\0';
	return file_buf;
}

/* The monotonic ms the consumer stamped on delivery ATTEMPT of TAG:1,
 * waiting for it up to WITHIN_MS; -1 if it did not come. */
static long long delivery(const char *tag, unsigned attempt, long long within_ms)
{
	char head[64];
	int n = snprintf(head, sizeof head, "%s:1 ", tag);

	for (long long waited = 0;; waited += 20) {
		char *save = NULL;

		for (char *l = strtok_r(slurp("c.rec"), "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			unsigned long long id;
			unsigned a;
			long long ms;

			if (strncmp(l, head, (size_t)n) == 0 && sscanf(l + n, "%llu %u %lld", &id, &a, &ms) == 3 &&
			    a == attempt)
				return ms;
		}
		if (waited >= within_ms)
			return -1;
		h_sleep_ms(20);
	}
}

/* Until the queue's STATUS= holds NEEDLE (its counters: "retried=1 "). */
static void wait_status(const char *needle)
{
	char out[8192] = "";

	for (int waited = 0;; waited += 50) {
		int n;

		ck_assert_int_eq(h_run(&h, (const char *const[]){ "status", "q", "--runtime-dir", h.rundir, NULL }), 0);
		n = h_read(&h, "run.out", out, sizeof out - 1);
		out[n > 0 ? n : 0] = '\0';
		if (strstr(out, needle))
			return;
		ck_assert_msg(waited < H_TIMEOUT_MS, "no \"%s\" in the queue's status: %s", needle, out);
		h_sleep_ms(50);
	}
}

/* A message from "wake": the queue's loop wakes, and looks at the time.
 * A queue that is idle until a wait's timer fires would not see a step
 * of its clock before; a busy one would. */
static void wake_the_queue(void)
{
	h_write(&h, "go", "");
	for (int waited = 0; !strstr(slurp("wake.rec"), "fill:1\n"); waited += 10) {
		ck_assert_msg(waited < H_TIMEOUT_MS, "\"wake\" never acknowledged");
		h_sleep_ms(10);
	}
}

/* Until the producer's record holds its TAG:1, acknowledged: committed. */
static void wait_acked(const char *tag)
{
	char line[64];

	snprintf(line, sizeof line, "%s:1\n", tag);
	for (int waited = 0; !strstr(slurp("p.acked"), line); waited += 10) {
		ck_assert_msg(waited < H_TIMEOUT_MS, "%s never acknowledged", line);
		h_sleep_ms(10);
	}
}

/* A poison message's first attempt, then its retry of 3 s decided (its
 * due time set: STATUS= says so within a second or so), then the queue's
 * wall clock stepped by STEP_MS: how long after the first attempt the
 * retry came, or -1 if not within 10 s. */
static long long retry_after_a_step(long long step_ms)
{
	long long first, second;

	start("\"--max-batch-timeout=0\", \"--retry-delay=3000\"", ", \"poison\"", "poison", 1);
	ck_assert_int_ge(first = delivery("poison", 1, 3 * H_TIMEOUT_MS), 0);
	wait_status(" retried=1 ");
	ck_assert_int_eq(delivery("poison", 2, 0), -1);	/* and not over */
	shift(step_ms);
	wake_the_queue();
	second = delivery("poison", 2, 10000);
	return second < 0 ? -1 : second - first;
}

/* Stepped back an hour, the retry comes about 3 s after the first
 * attempt. The old queue kept the due time on the wall clock and waited
 * an hour more. */
START_TEST(a_retry_waits_its_delay_after_a_step_back)
{
	long long gap = retry_after_a_step(-HOUR_MS);

	ck_assert_msg(gap >= 0, "no retry within 10 s of a 3 s retry_delay after a step back of an hour");
	ck_assert_int_ge(gap, 3000);
	ck_assert_int_lt(gap, 6000);
	h_stop(&h);
}
END_TEST

/* Stepped forward an hour instead, the retry still waits its delay: a
 * wait within a run moves with no step, forth or back (so never early:
 * the old queue sent it at once). */
START_TEST(a_retry_is_not_early_after_a_step_forward)
{
	long long gap = retry_after_a_step(HOUR_MS);

	ck_assert_int_ge(gap, 0);
	ck_assert_msg(gap >= 3000, "retried %lld ms after the first attempt, not 3000", gap);
	ck_assert_int_lt(gap, 6000);
	h_stop(&h);
}
END_TEST

/* A lone message waits max_batch_timeout (1.5 s) for a batch to fill,
 * from its commit, whatever the wall clock does meanwhile: back an
 * hour, it does not wait an hour more; ... */
START_TEST(a_partial_batch_waits_its_timeout_after_a_step_back)
{
	long long acked, got;

	start("\"--max-batch-size=10\", \"--max-batch-timeout=1500\"", "", "lone", 1);
	wait_acked("lone");
	acked = h_now_ms();
	shift(-HOUR_MS);
	wake_the_queue();
	got = delivery("lone", 1, 8000);
	ck_assert_msg(got >= 0, "a partial batch not sent within 8 s of a 1.5 s max_batch_timeout after a step back");
	ck_assert_int_lt(got - acked, 4000);
	h_stop(&h);
}
END_TEST

/* ... forward an hour, it does not go at once. */
START_TEST(a_partial_batch_is_not_early_after_a_step_forward)
{
	long long got, before;

	start("\"--max-batch-size=10\", \"--max-batch-timeout=2000\"", "", "lone", 1);
	before = h_now_ms();	/* before its commit */
	wait_acked("lone");
	shift(HOUR_MS);
	wake_the_queue();
	ck_assert_int_ge(got = delivery("lone", 1, 8000), 0);
	/* its commit came after BEFORE, and the wait counts from it; the
	 * acknowledgement may reach the record well after it */
	ck_assert_msg(got - before >= 2000 - 500, "sent %lld ms after the send began, not 2000", got - before);
	h_stop(&h);
}
END_TEST

/* Across a restart a retry's wait follows the wall clock (what was
 * persisted); stepped back an hour while the queue was down, it waits no
 * longer than its delay asked: the old queue waited the hour too. */
START_TEST(a_retry_waits_no_longer_than_asked_across_a_restart_and_a_step_back)
{
	long long first, second;
	struct h_event e;

	start("\"--max-batch-timeout=0\", \"--retry-delay=4000\"", ", \"poison\"", "poison", 1);
	ck_assert_int_ge(first = delivery("poison", 1, 3 * H_TIMEOUT_MS), 0);
	wait_status(" retried=1 ");
	ck_assert_int_eq(delivery("poison", 2, 0), -1);	/* it waits as the queue stops */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "stop", "--runtime-dir", h.rundir, "q", NULL }), 0);
	h_expect(&h, "exit", "q", &e);
	shift(-HOUR_MS);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "start", "--runtime-dir", h.rundir, "q", NULL }), 0);
	second = delivery("poison", 2, 12000);
	ck_assert_msg(second >= 0, "no retry within 12 s of a 4 s retry_delay, stepped back across a restart");
	ck_assert_int_ge(second - first, 4000);
	ck_assert_int_lt(second - first, 4000 + 6000);
	h_stop(&h);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("queue_clock");
	TCase *tc = tcase_create("queue_clock");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_retry_waits_its_delay_after_a_step_back);
	tcase_add_test(tc, a_retry_is_not_early_after_a_step_forward);
	tcase_add_test(tc, a_partial_batch_waits_its_timeout_after_a_step_back);
	tcase_add_test(tc, a_partial_batch_is_not_early_after_a_step_forward);
	tcase_add_test(tc, a_retry_waits_no_longer_than_asked_across_a_restart_and_a_step_back);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
