/* The queue's pure parts: its options, its retry policy and its heap of
 * delayed messages, with a fake clock. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

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
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
