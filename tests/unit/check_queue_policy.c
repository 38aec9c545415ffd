/* The queue's pure parts: its options, its retry policy and its heap of
 * delayed messages, with a fake clock. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "src/queue/clock.h"
#include "src/queue/delayed.h"
#include "src/queue/reserve.h"
#include "src/queue/settings.h"
#include "tests/common/runner.h"

static struct pq_options o;
static char err[256];

static int parse(const char *const *argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	pq_options_default(&o);
	return pq_options_parse(&o, argc, (char *const *)argv, err, sizeof err);
}

#define ARGV(...) ((const char *const[]){ "prospero-queue", __VA_ARGS__, NULL })

START_TEST(the_defaults_are_the_documented_ones)
{
	ck_assert_int_eq(parse((const char *const[]){ "prospero-queue", NULL }), 0);
	ck_assert_int_eq(o.v[PQ_MAX_BATCH_SIZE], 10);
	ck_assert_int_eq(o.v[PQ_MAX_BATCH_TIMEOUT], 5000);
	ck_assert_int_eq(o.v[PQ_MAX_RETRIES], 3);
	ck_assert_int_eq(o.v[PQ_RETRY_DELAY], 0);
	ck_assert_int_eq(o.v[PQ_RETRY_BACKOFF], 1);
	ck_assert_int_eq(o.v[PQ_MAX_MESSAGE_SIZE], 131072);
	ck_assert_int_eq(o.v[PQ_RETENTION], 345600);
	ck_assert_int_eq(o.v[PQ_DELIVERY_TIMEOUT], 30000);
	ck_assert_int_eq(o.v[PQ_MAX_CONCURRENCY], 1);
}
END_TEST

START_TEST(options_are_read_and_checked_at_their_bounds)
{
	ck_assert_int_eq(parse(ARGV("--max-batch-size=100", "--max-retries", "0")), 0);
	ck_assert_int_eq(o.v[PQ_MAX_BATCH_SIZE], 100);
	ck_assert_int_eq(o.v[PQ_MAX_RETRIES], 0);
	ck_assert_int_eq(parse(ARGV("--max-batch-size=1")), 0);
	ck_assert_int_eq(parse(ARGV("--max-batch-size=101")), -1);
	ck_assert_str_eq(err, "--max-batch-size: \"101\": expected an integer from 1 to 100 (messages)");
	ck_assert_int_eq(parse(ARGV("--max-batch-size=0")), -1);
	ck_assert_int_eq(parse(ARGV("--max-batch-size=1x")), -1);
	ck_assert_int_eq(parse(ARGV("--max-batch-size=")), -1);
	ck_assert_int_eq(parse(ARGV("--max-batch-size")), -1);
	ck_assert_str_eq(err, "--max-batch-size needs a value");
	ck_assert_int_eq(parse(ARGV("--max-batch")), -1);
	ck_assert_str_eq(err, "unknown argument \"--max-batch\"");
	ck_assert_int_eq(parse(ARGV("extra")), -1);
	ck_assert_int_eq(parse(ARGV("--retention=59")), -1);
	ck_assert_int_eq(parse(ARGV("--max-message-size=16777216")), 0);
	ck_assert_int_eq(parse(ARGV("--max-message-size=16777217")), -1);
}
END_TEST

START_TEST(every_setting_has_an_option_and_a_sane_range)
{
	for (int i = 0; i < PQ_NSETTINGS; i++) {
		const struct pq_setting *s = &pq_settings[i];

		ck_assert_ptr_nonnull(s->key);
		ck_assert_ptr_nonnull(s->option);
		ck_assert_int_le(s->min, s->def);
		ck_assert_int_le(s->def, s->max);
		/* the option is the key with '-' for '_' */
		ck_assert_uint_eq(strlen(s->key), strlen(s->option));
		for (size_t k = 0; s->key[k]; k++)
			ck_assert_int_eq(s->key[k] == '_' ? '-' : s->key[k], s->option[k]);
	}
}
END_TEST

START_TEST(retries_wait_growing_and_then_dead_letter)
{
	ck_assert_int_eq(parse(ARGV("--max-retries=3", "--retry-delay=100", "--retry-backoff=2")), 0);
	ck_assert_int_eq(pq_retry_wait(&o, 1, 0), 100);
	ck_assert_int_eq(pq_retry_wait(&o, 2, 0), 200);
	ck_assert_int_eq(pq_retry_wait(&o, 3, 0), 400);
	/* attempt 4 was the last: max_retries 3 retries after the first */
	ck_assert_int_eq(pq_retry_wait(&o, 4, 0), -1);
	/* the consumer may ask for longer, never for shorter */
	ck_assert_int_eq(pq_retry_wait(&o, 1, 50), 100);
	ck_assert_int_eq(pq_retry_wait(&o, 1, 5000), 5000);
	ck_assert_int_eq(pq_retry_wait(&o, 1, 4000000000u), PQ_MAX_WAIT_MS);
	ck_assert_int_eq(parse(ARGV("--max-retries=0")), 0);
	ck_assert_int_eq(pq_retry_wait(&o, 1, 0), -1);
	/* growth stops at the cap */
	ck_assert_int_eq(parse(ARGV("--max-retries=1000", "--retry-delay=86400000", "--retry-backoff=10")), 0);
	ck_assert_int_eq(pq_retry_wait(&o, 1000, 0), PQ_MAX_WAIT_MS);
	/* and a wait that grows past the cap from below is cut to it */
	ck_assert_int_eq(parse(ARGV("--max-retries=5", "--retry-delay=50000000", "--retry-backoff=2")), 0);
	ck_assert_int_eq(pq_retry_wait(&o, 1, 0), 50000000);
	ck_assert_int_eq(pq_retry_wait(&o, 2, 0), PQ_MAX_WAIT_MS);
	ck_assert_int_eq(pq_retry_wait(&o, 5, 0), PQ_MAX_WAIT_MS);
}
END_TEST

static struct pq_item item(uint64_t id)
{
	return (struct pq_item){ .id = id, .enqueued_ms = id * 10, .failed = 1 };
}

START_TEST(the_heap_gives_what_is_due_first_then_by_id)
{
	struct pq_delayed d = { 0 };
	struct pq_item it;
	static const uint64_t due[] = { 50, 10, 30, 10, 70, 20, 30 };
	static const uint64_t want[] = { 2, 4, 6, 3, 7, 1, 5 };

	ck_assert_ptr_null(pq_delayed_top(&d));
	ck_assert_int_eq(pq_delayed_pop_due(&d, 1000, &it), 0);
	for (uint64_t i = 0; i < 7; i++) {
		struct pq_item x = item(i + 1);

		ck_assert_int_eq(pq_delayed_push(&d, due[i], &x), 0);
	}
	ck_assert_uint_eq(pq_delayed_top(&d)->due_ms, 10);
	ck_assert_uint_eq(pq_delayed_count_due(&d, 9, 100), 0);
	ck_assert_uint_eq(pq_delayed_count_due(&d, 30, 100), 5);
	ck_assert_uint_eq(pq_delayed_count_due(&d, 30, 3), 3);
	ck_assert_uint_eq(pq_delayed_count_due(&d, 100, 100), 7);
	ck_assert_int_eq(pq_delayed_pop_due(&d, 9, &it), 0);
	for (int i = 0; i < 7; i++) {
		ck_assert_int_eq(pq_delayed_pop_due(&d, 100, &it), 1);
		ck_assert_uint_eq(it.id, want[i]);
		ck_assert_uint_eq(it.enqueued_ms, want[i] * 10);
	}
	ck_assert_uint_eq(d.n, 0);
	pq_delayed_fini(&d);
}
END_TEST

START_TEST(the_heap_stays_ordered_under_churn)
{
	struct pq_delayed d = { 0 };
	unsigned seed = 7;
	uint64_t last = 0;
	struct pq_item it;

	for (int i = 0; i < 5000; i++) {
		struct pq_item x = item((uint64_t)i + 1);

		ck_assert_int_eq(pq_delayed_push(&d, (uint64_t)(rand_r(&seed) % 1000), &x), 0);
		if (i % 3 == 0)
			ck_assert_int_eq(pq_delayed_pop_due(&d, 2000, &it), 1);
	}
	/* what is left comes out in due order */
	while (pq_delayed_top(&d)) {
		uint64_t due = pq_delayed_top(&d)->due_ms;

		ck_assert_uint_ge(due, last);
		last = due;
		ck_assert_int_eq(pq_delayed_pop_due(&d, 2000, &it), 1);
	}
	pq_delayed_fini(&d);
}
END_TEST

static void count_taken(const struct pq_item *it, void *arg)
{
	uint64_t *sum = arg;

	ck_assert_uint_lt(it->enqueued_ms, 25000);
	*sum += it->id;
}

/* Taking out what was enqueued before a time (the retention sweep)
 * leaves a heap that still gives what is due first. */
START_TEST(the_heap_gives_up_what_is_older_and_stays_ordered)
{
	struct pq_delayed d = { 0 };
	unsigned seed = 11;
	uint64_t last = 0, sum = 0, want = 0;
	struct pq_item it;

	ck_assert_uint_eq(pq_delayed_oldest(&d), 0);
	ck_assert_uint_eq(pq_delayed_take_older(&d, 1000, count_taken, &sum), 0);
	for (uint64_t i = 1; i <= 5000; i++) {
		struct pq_item x = item(i);	/* enqueued at i * 10 */

		ck_assert_int_eq(pq_delayed_push(&d, (uint64_t)(rand_r(&seed) % 1000), &x), 0);
		want += i < 2500 ? i : 0;
	}
	ck_assert_uint_eq(pq_delayed_oldest(&d), 10);
	ck_assert_uint_eq(pq_delayed_take_older(&d, 25000, count_taken, &sum), 2499);
	ck_assert_uint_eq(sum, want);
	ck_assert_uint_eq(d.n, 2501);
	ck_assert_uint_eq(pq_delayed_oldest(&d), 25000);
	while (pq_delayed_top(&d)) {
		uint64_t due = pq_delayed_top(&d)->due_ms;

		ck_assert_uint_ge(due, last);
		last = due;
		ck_assert_int_eq(pq_delayed_pop_due(&d, 2000, &it), 1);
		ck_assert_uint_ge(it.enqueued_ms, 25000);
	}
	pq_delayed_fini(&d);
}
END_TEST

/* A sixteenth of the file system, from 64 KiB to 16 MiB, in pages. */
/* The queue's two clocks as a test says they are: the wall clock at WALL,
 * the monotonic one at MONO (past 2 * PQ_WAIT_MAX, as pq_clocks'). */
#define BASE (2ull * PQ_WAIT_MAX)
#define AT(w, m) ((struct pq_now){ .wall = (w), .mono = BASE + (m) })
#define HOUR 3600000ull

/* A message committed in this run: when it was committed on the
 * monotonic clock, whatever the wall clock did after, forth or back. */
START_TEST(a_commit_time_in_this_run_follows_no_step)
{
	struct pq_clock c;
	struct pq_now t0 = AT(1000 * HOUR, 0);

	pq_clock_start(&c, t0, 10);
	pq_clock_stamp(&c, AT(1000 * HOUR + 500, 500), 11);	/* id 11 at mono 500 */
	/* the wall stepped back an hour, then id 12 at mono 800 */
	pq_clock_stamp(&c, AT(1000 * HOUR - HOUR + 800, 800), 12);
	ck_assert_uint_eq(c.n, 2);
	/* read at mono 2000 with the wall an hour back, or two hours on */
	ck_assert_uint_eq(pq_clock_committed(&c, 11, 1000 * HOUR + 500, AT(1000 * HOUR - HOUR + 2000, 2000)), BASE + 500);
	ck_assert_uint_eq(pq_clock_committed(&c, 12, 1000 * HOUR - HOUR + 800, AT(1000 * HOUR + 2 * HOUR, 2000)), BASE + 800);
	/* jitter under PQ_STEP_MS is no step */
	pq_clock_stamp(&c, AT(1000 * HOUR - HOUR + 900 + PQ_STEP_MS, 900), 13);
	ck_assert_uint_eq(c.n, 2);
	/* the cursor past them all, the last epoch stays: new messages are
	 * stamped in it */
	pq_clock_forget(&c, 20);
	ck_assert_uint_eq(c.n, 2);
	/* the cursor past 12 with a step at 14: 12's epoch goes */
	pq_clock_stamp(&c, AT(1000 * HOUR + 1000, 1000), 14);
	ck_assert_uint_eq(c.n, 3);
	pq_clock_forget(&c, 13);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_uint_eq(c.e[1].first_id, 14);
}
END_TEST

/* An earlier run's message counts as committed when its stamp says, by
 * the wall clock at this run's start: long ago, it is due at once; in
 * the future (the clock stepped back while the queue was down), at the
 * start, never later: it waits max_batch_timeout at most. */
START_TEST(an_earlier_runs_commit_time_is_clamped_at_the_start)
{
	struct pq_clock c;
	struct pq_now t0 = AT(1000 * HOUR, 5000);

	pq_clock_start(&c, t0, 10);
	ck_assert_uint_eq(pq_clock_committed(&c, 7, 1000 * HOUR - 3000, t0), BASE + 2000);
	ck_assert_uint_eq(pq_clock_committed(&c, 7, 1000 * HOUR + HOUR, AT(1000 * HOUR + 100, 5100)), BASE + 5000);
	/* a year ago is as good as two days */
	ck_assert_uint_eq(pq_clock_committed(&c, 7, 1000 * HOUR - 365 * 24 * HOUR, t0), BASE + 5000 - BASE);
	/* a step after the start changes none of it */
	ck_assert_uint_eq(pq_clock_committed(&c, 7, 1000 * HOUR - 3000, AT(1000 * HOUR - HOUR, 9000)), BASE + 2000);
}
END_TEST

/* Steps without end keep PQ_EPOCHS, the oldest of this run merged with
 * the larger offset: their messages count as committed earlier, never
 * later, so none waits longer than asked. */
START_TEST(many_steps_merge_the_oldest_epochs)
{
	struct pq_clock c;

	pq_clock_start(&c, AT(1000 * HOUR, 0), 0);
	for (unsigned i = 1; i <= 3 * PQ_EPOCHS; i++)
		pq_clock_stamp(&c, AT(1000 * HOUR + (i % 2 ? HOUR : 0) + i, i), i);
	ck_assert_uint_eq(c.n, PQ_EPOCHS);
	ck_assert_uint_le(pq_clock_committed(&c, 1, 1000 * HOUR + HOUR + 1, AT(1000 * HOUR, 1000)), BASE + 1);
	/* the newest are exact */
	ck_assert_uint_eq(pq_clock_committed(&c, 3 * PQ_EPOCHS, 1000 * HOUR + 3 * PQ_EPOCHS,
					     AT(1000 * HOUR, 1000)), BASE + 3 * PQ_EPOCHS);
}
END_TEST

/* A retry read from the log at a restart: due when its wall-clock time
 * says, at once if that is past, but never later than its wait from now
 * (the clock stepped back meanwhile); a wait not known (an older log)
 * is at most PQ_WAIT_MAX. */
START_TEST(a_retry_read_at_a_restart_waits_no_longer_than_asked)
{
	struct pq_now now = AT(1000 * HOUR, 7000);

	ck_assert_uint_eq(pq_clock_restore(now, 1000 * HOUR + 1500, 2000), BASE + 8500);
	ck_assert_uint_eq(pq_clock_restore(now, 1000 * HOUR - 1, 2000), BASE + 7000);
	ck_assert_uint_eq(pq_clock_restore(now, 1000 * HOUR + HOUR + 1500, 2000), BASE + 7000 + 2001);
	ck_assert_uint_eq(pq_clock_restore(now, 1000 * HOUR + 30 * 24 * HOUR, 0), BASE + 7000 + PQ_WAIT_MAX + 1);
}
END_TEST

START_TEST(the_reserve_is_sized_by_its_file_system)
{
	ck_assert_uint_eq(pq_reserve_size(0), 64 << 10);
	ck_assert_uint_eq(pq_reserve_size(1 << 20), 64 << 10);
	ck_assert_uint_eq(pq_reserve_size((16 << 16) - 1), 64 << 10);
	ck_assert_uint_eq(pq_reserve_size(2 << 20), 128 << 10);
	ck_assert_uint_eq(pq_reserve_size((2 << 20) + 65535), 128 << 10);	/* whole pages */
	ck_assert_uint_eq(pq_reserve_size((2 << 20) + 65536), (128 << 10) + 4096);
	ck_assert_uint_eq(pq_reserve_size(256 << 20), 16 << 20);
	ck_assert_uint_eq(pq_reserve_size((uint64_t)1 << 40), 16 << 20);
	ck_assert_uint_eq(pq_reserve_size(UINT64_MAX), 16 << 20);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("queue_policy");
	TCase *tc = tcase_create("queue_policy");

	tcase_add_test(tc, the_defaults_are_the_documented_ones);
	tcase_add_test(tc, options_are_read_and_checked_at_their_bounds);
	tcase_add_test(tc, every_setting_has_an_option_and_a_sane_range);
	tcase_add_test(tc, retries_wait_growing_and_then_dead_letter);
	tcase_add_test(tc, the_heap_gives_what_is_due_first_then_by_id);
	tcase_add_test(tc, the_heap_stays_ordered_under_churn);
	tcase_add_test(tc, the_heap_gives_up_what_is_older_and_stays_ordered);
	tcase_add_test(tc, the_reserve_is_sized_by_its_file_system);
	tcase_add_test(tc, a_commit_time_in_this_run_follows_no_step);
	tcase_add_test(tc, an_earlier_runs_commit_time_is_clamped_at_the_start);
	tcase_add_test(tc, many_steps_merge_the_oldest_epochs);
	tcase_add_test(tc, a_retry_read_at_a_restart_waits_no_longer_than_asked);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
