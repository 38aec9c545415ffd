/* The queue's log (src/queue/store.c) on a real file: ids, what the two
 * kinds of write keep, and that producers' commits are synced. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/queue/reserve.h"
#include "src/queue/store.h"
#include "tests/common/runner.h"

static char dir[64];
static struct pq_store s;

static void setup(void)
{
	strcpy(dir, "/tmp/prospero-store.XXXXXX");
	ck_assert(mkdtemp(dir) != NULL);
	ck_assert_msg(pq_store_open(&s, dir) == 0, "open: %s", s.msg);
}

static void teardown(void)
{
	char cmd[128];

	pq_store_close(&s);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void reopen(void)
{
	pq_store_close(&s);
	ck_assert_msg(pq_store_open(&s, dir) == 0, "open: %s", s.msg);
}

/* PRAGMA synchronous as the log's connection has it: 2 is FULL. */
static int synchronous(void)
{
	sqlite3_stmt *st;
	int v;

	ck_assert_int_eq(sqlite3_prepare_v2(s.db, "PRAGMA synchronous", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static uint64_t add(const char *body)
{
	uint64_t id;

	ck_assert_int_eq(pq_store_add(&s, body, strlen(body), 1000, &id), 0);
	return id;
}

struct rows {
	char seen[256];
	int n;
};

static int collect(const struct pq_row *r, void *arg)
{
	struct rows *w = arg;

	snprintf(w->seen + strlen(w->seen), sizeof w->seen - strlen(w->seen), "%llu:%.*s:%u;",
		 (unsigned long long)r->id, (int)r->len, (const char *)r->body, r->failed);
	w->n++;
	return 0;
}

static const char *scan(uint64_t after, uint64_t t0, unsigned limit)
{
	static struct rows w;

	memset(&w, 0, sizeof w);
	ck_assert_int_eq(pq_store_scan(&s, after, s.committed_id, t0, limit, collect, &w), w.n);
	return w.seen;
}

START_TEST(producers_commits_are_synced_whatever_came_before)
{
	uint64_t ms;

	ck_assert_int_eq(synchronous(), 2);
	add("a");
	ck_assert_int_eq(pq_store_commit(&s), 0);
	ck_assert_uint_eq(s.syncs, 1);
	ck_assert_int_eq(pq_store_forget(&s, 1), 0);
	ck_assert_int_eq(pq_store_apply(&s), 1);
	/* the delivery side's transaction is not synced; the next is */
	ck_assert_int_eq(synchronous(), 2);
	ck_assert_int_eq(pq_store_expire(&s, 0, 10, 5000), 0);
	ck_assert_int_eq(synchronous(), 2);
	ck_assert_int_eq(pq_store_first_after(&s, 0, &ms), 0);
}
END_TEST

START_TEST(reads_see_only_what_was_committed)
{
	uint64_t first = add("a");

	add("b");
	ck_assert_uint_eq(first, 1);
	ck_assert_str_eq(scan(0, 0, 10), "");	/* up to committed_id: none yet */
	ck_assert_int_eq(pq_store_commit(&s), 0);
	ck_assert_uint_eq(s.depth, 2);
	ck_assert_str_eq(scan(0, 0, 10), "1:a:0;2:b:0;");
	ck_assert_str_eq(scan(1, 0, 10), "2:b:0;");
	ck_assert_str_eq(scan(0, 0, 1), "1:a:0;");
}
END_TEST

START_TEST(a_failed_transaction_gives_its_ids_back)
{
	uint64_t id;

	add("a");
	ck_assert_int_eq(pq_store_commit(&s), 0);
	add("lost");
	s.doomed = true;	/* as after a failed insert, for want of room */
	s.doom_errno = ENOSPC;
	ck_assert_int_eq(pq_store_add(&s, "x", 1, 1, &id), -1);
	ck_assert_int_eq(pq_store_commit(&s), -1);
	ck_assert_int_eq(errno, ENOSPC);	/* what the queue tells a full disk by */
	ck_assert_uint_eq(s.last_id, 1);
	ck_assert_uint_eq(add("b"), 2);
	ck_assert_int_eq(pq_store_commit(&s), 0);
	ck_assert_str_eq(scan(0, 0, 10), "1:a:0;2:b:0;");
}
END_TEST

static int count_waiting(const struct pq_row *r, uint64_t not_before_ms, uint64_t wait_ms, void *arg)
{
	ck_assert_uint_eq(r->id, 2);
	ck_assert_uint_eq(r->failed, 1);
	ck_assert_uint_eq(not_before_ms, 9000);
	ck_assert_uint_eq(wait_ms, 8500);	/* the wait, for a restart to clamp */
	++*(int *)arg;
	return 0;
}

START_TEST(changes_survive_a_reopen_and_ids_are_never_reused)
{
	int waiting = 0;

	add("a");
	add("b");
	add("c");
	ck_assert_int_eq(pq_store_commit(&s), 0);
	ck_assert_int_eq(pq_store_forget(&s, 1), 0);
	ck_assert_int_eq(pq_store_reschedule(&s, 2, 1, 9000, 8500), 0);
	ck_assert_int_eq(pq_store_reschedule(&s, 3, 2, 10, 0), 0);
	ck_assert_int_eq(pq_store_apply(&s), 1);
	ck_assert_uint_eq(s.depth, 2);
	reopen();
	ck_assert_uint_eq(s.depth, 2);
	/* at a restart at 5000: 3 is due again, 2 still waits */
	ck_assert_str_eq(scan(0, 5000, 10), "3:c:2;");
	ck_assert_int_eq(pq_store_each_waiting(&s, 5000, count_waiting, &waiting), 1);
	ck_assert_int_eq(waiting, 1);
	ck_assert_int_eq(pq_store_forget(&s, 2), 0);
	ck_assert_int_eq(pq_store_forget(&s, 3), 0);
	ck_assert_int_eq(pq_store_apply(&s), 2);
	reopen();
	ck_assert_uint_eq(s.depth, 0);
	ck_assert_uint_eq(add("d"), 4);
}
END_TEST

START_TEST(expiry_takes_only_old_undelivered_ones)
{
	uint64_t id;

	ck_assert_int_eq(pq_store_add(&s, "old", 3, 100, &id), 0);
	ck_assert_int_eq(pq_store_add(&s, "old2", 4, 100, &id), 0);
	ck_assert_int_eq(pq_store_add(&s, "new", 3, 5000, &id), 0);
	/* not while the producers' transaction is open */
	ck_assert_int_eq(pq_store_expire(&s, 0, 3, 1000), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(pq_store_commit(&s), 0);
	/* id 1 was delivered already (AFTER 1): only 2 goes */
	ck_assert_int_eq(pq_store_expire(&s, 1, 3, 1000), 1);
	ck_assert_uint_eq(s.depth, 2);
	ck_assert_str_eq(scan(0, 0, 10), "1:old:0;3:new:0;");
}
END_TEST

/* The size of FILE in the log's directory; 0 when it is not there. */
static long long file_size(const char *file)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static long long pragma(const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	ck_assert_int_eq(sqlite3_prepare_v2(s.db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* What a full disk needs of the log (room.c): the room of acked
 * messages stays in the log until asked for, and then all of it, the
 * WAL's too, goes back to the file system. */
START_TEST(the_log_gives_the_room_of_deleted_messages_back_when_asked)
{
	static char body[8192];
	long long before;
	uint64_t id;

	memset(body, 'x', sizeof body);
	ck_assert_int_eq(pragma("PRAGMA auto_vacuum"), 2);	/* incremental */
	ck_assert(s.can_shrink);
	ck_assert_int_eq(pq_store_bound_wal(&s, 64 << 10), 0);
	ck_assert_uint_eq(s.wal_pages, 16);
	for (int i = 0; i < 50; i++)
		ck_assert_int_eq(pq_store_add(&s, body, sizeof body, 1000, &id), 0);
	ck_assert_int_eq(pq_store_commit(&s), 0);
	for (uint64_t i = 1; i <= 50; i++)
		ck_assert_int_eq(pq_store_forget(&s, i), 0);
	ck_assert_int_eq(pq_store_apply(&s), 50);
	ck_assert_int_gt(pragma("PRAGMA freelist_count"), 100);
	/* a step at a time, each at most the WAL's bound */
	ck_assert_int_eq(pq_store_shrink(&s, 1), 1);
	ck_assert_int_eq(pq_store_shrink(&s, 1000), 0);
	ck_assert_int_eq(pragma("PRAGMA freelist_count"), 0);
	ck_assert_int_eq(file_size(PQ_STORE_FILE "-wal"), 0);
	ck_assert_int_lt(file_size(PQ_STORE_FILE), 64 << 10);
	/* and nothing else went: the ids go on */
	before = file_size(PQ_STORE_FILE);
	ck_assert_uint_eq(add("after"), 51);
	ck_assert_int_eq(pq_store_commit(&s), 0);
	reopen();
	ck_assert_str_eq(scan(0, 0, 10), "51:after:0;");
	ck_assert_int_ge(file_size(PQ_STORE_FILE), before);
}
END_TEST

/* On a full disk (room.c) the acks that piled up go in transactions
 * small enough for the reserve: the WAL, checkpointed at its bound,
 * never holds much more than that bound. In one transaction, these
 * 5000 changes took a WAL of over a megabyte. */
START_TEST(kept_changes_are_applied_in_steps_the_wal_s_bound_takes)
{
	static char body[200];
	uint64_t id;

	memset(body, 'x', sizeof body);
	ck_assert_int_eq(pq_store_bound_wal(&s, 64 << 10), 0);
	for (int i = 0; i < 5000; i++)
		ck_assert_int_eq(pq_store_add(&s, body, sizeof body, 1000, &id), 0);
	ck_assert_int_eq(pq_store_commit(&s), 0);
	ck_assert_int_eq(pq_store_shrink(&s, 1), 0);
	ck_assert_int_eq(file_size(PQ_STORE_FILE "-wal"), 0);
	for (uint64_t i = 1; i <= 5000; i++)
		ck_assert_int_eq(i % 2 ? pq_store_forget(&s, i) : pq_store_reschedule(&s, i, 1, 7000, 250), 0);
	ck_assert_int_eq(pq_store_apply_in_steps(&s), 2500);
	ck_assert_uint_eq(s.nchanges, 0);
	ck_assert_uint_eq(s.depth, 2500);
	ck_assert_int_le(file_size(PQ_STORE_FILE "-wal"), 2 * (64 << 10));
	ck_assert_int_eq(synchronous(), 2);	/* FULL again for the producers */
	reopen();
	ck_assert_uint_eq(s.depth, 2500);
	ck_assert_str_eq(scan(0, 5000, 1), "");	/* the rest wait until 7000 */
	ck_assert_int_eq(pq_store_count_ready(&s, 0, 5000, 7000, 10000), 2500);
}
END_TEST

/* A log made without auto_vacuum (as pr_db_open makes one: WAL before
 * the store can ask) is rebuilt with it when it holds no message; one
 * that holds messages is left as it is, and shrinking it only empties
 * its WAL. */
START_TEST(a_log_made_without_auto_vacuum_gets_it_once_empty)
{
	add("a");
	ck_assert_int_eq(pq_store_commit(&s), 0);
	ck_assert_int_eq(sqlite3_exec(s.db, "PRAGMA auto_vacuum=NONE; VACUUM", NULL, NULL, NULL), SQLITE_OK);
	reopen();
	ck_assert_int_eq(pragma("PRAGMA auto_vacuum"), 0);
	ck_assert(!s.can_shrink);
	ck_assert_uint_eq(s.depth, 1);
	ck_assert_int_eq(pq_store_shrink(&s, 1000), 0);
	ck_assert_int_eq(pq_store_forget(&s, 1), 0);
	ck_assert_int_eq(pq_store_apply(&s), 1);
	reopen();
	ck_assert_int_eq(pragma("PRAGMA auto_vacuum"), 2);
	ck_assert(s.can_shrink);
	ck_assert_uint_eq(add("b"), 2);	/* the ids go on */
}
END_TEST

START_TEST(the_reserve_holds_real_blocks_and_goes_when_freed)
{
	char path[128];
	struct stat st, again;

	snprintf(path, sizeof path, "%s/%s", dir, PQ_RESERVE_FILE);
	ck_assert_int_eq(pq_reserve_make(path, 256 << 10), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 256 << 10);
	ck_assert_int_ge((long long)st.st_blocks * 512, 256 << 10);	/* not sparse */
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* one already there is kept, one of another size is made anew */
	ck_assert_int_eq(pq_reserve_make(path, 256 << 10), 0);
	ck_assert_int_eq(stat(path, &again), 0);
	ck_assert_int_eq(again.st_mtim.tv_nsec, st.st_mtim.tv_nsec);
	ck_assert_int_eq(pq_reserve_make(path, 64 << 10), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 64 << 10);
	ck_assert_int_eq(pq_reserve_free(path), 0);
	ck_assert_int_eq(stat(path, &st), -1);
	ck_assert_int_eq(pq_reserve_free(path), 0);	/* none: nothing to give */
	ck_assert(pq_no_room(ENOSPC) && pq_no_room(EDQUOT) && !pq_no_room(EIO) && !pq_no_room(0));
}
END_TEST

/* Changes kept while the disk is full come down to one a message: its
 * last, or its delete, which no later change undoes. */
START_TEST(kept_changes_come_down_to_one_a_message)
{
	struct pq_store kept = { 0 };

	ck_assert_int_eq(pq_store_reschedule(&kept, 7, 1, 100, 10), 0);
	ck_assert_int_eq(pq_store_reschedule(&kept, 3, 1, 100, 10), 0);
	ck_assert_int_eq(pq_store_reschedule(&kept, 7, 2, 200, 20), 0);
	ck_assert_int_eq(pq_store_forget(&kept, 3), 0);
	ck_assert_int_eq(pq_store_reschedule(&kept, 3, 2, 300, 30), 0);
	ck_assert_int_eq(pq_store_reschedule(&kept, 9, 1, 400, 40), 0);
	pq_store_coalesce(&kept);
	ck_assert_uint_eq(kept.nchanges, 3);
	ck_assert(kept.changes[0].id == 3 && kept.changes[0].forget);
	ck_assert(kept.changes[1].id == 7 && !kept.changes[1].forget && kept.changes[1].failed == 2 &&
		  kept.changes[1].not_before_ms == 200 && kept.changes[1].wait_ms == 20);
	ck_assert(kept.changes[2].id == 9 && kept.changes[2].failed == 1);
	free(kept.changes);
}
END_TEST

/* A disk with room for ROOM_ROWS deletes a transaction, and none for
 * ids from NO_ROOM_FROM on: room(id), run by a trigger on each delete,
 * fails as a write that finds no room does. */
static int room_rows, tx_rows;
static uint64_t no_room_from;

static void room(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	if (++tx_rows > room_rows || (uint64_t)sqlite3_value_int64(argv[0]) >= no_room_from)
		sqlite3_result_error_code(ctx, SQLITE_FULL);
	else
		sqlite3_result_null(ctx);
}

static int tx_committed(void *arg)
{
	tx_rows = 0;
	return 0;
}

static void tx_rolled_back(void *arg)
{
	tx_rows = 0;
}

/* On a full disk (status.c's sweep) a backlog past its retention is
 * deleted in steps of as many as the applied changes' (4 for this
 * bound), halved when one finds no room; a step that finds none even for
 * one message leaves it and those after it, and what the steps before
 * took stays deleted and counted. */
START_TEST(expiry_on_a_full_disk_goes_in_steps)
{
	uint64_t id, upto;
	long n;

	ck_assert_int_eq(pq_store_bound_wal(&s, 64 << 10), 0);
	for (int i = 1; i <= 20; i++)
		ck_assert_int_eq(pq_store_add(&s, "m", 1, i == 6 ? 5000 : 100, &id), 0);
	ck_assert_int_eq(pq_store_commit(&s), 0);
	ck_assert_int_eq(sqlite3_create_function(s.db, "room", 1, SQLITE_UTF8, NULL, room, NULL, NULL), SQLITE_OK);
	sqlite3_commit_hook(s.db, tx_committed, NULL);
	sqlite3_rollback_hook(s.db, tx_rolled_back, NULL);
	ck_assert_int_eq(sqlite3_exec(s.db, "CREATE TEMP TRIGGER room BEFORE DELETE ON messages"
					    " BEGIN SELECT room(old.id); END", NULL, NULL, NULL), SQLITE_OK);
	/* room for 3 a transaction: 2..9 but the young 6, in steps of 2 */
	room_rows = 3;
	no_room_from = UINT64_MAX;
	upto = 9;
	ck_assert_int_eq(pq_store_expire_in_steps(&s, 1, &upto, 1000, &n), 0);
	ck_assert_int_eq(n, 7);
	ck_assert_uint_eq(upto, 9);
	ck_assert_uint_eq(s.depth, 13);
	/* no room from 15 on: 10..13 in a step, 14 alone, and 15 not */
	no_room_from = 15;
	upto = 20;
	ck_assert_int_eq(pq_store_expire_in_steps(&s, 9, &upto, 1000, &n), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(n, 5);
	ck_assert_uint_eq(upto, 14);
	ck_assert_uint_eq(s.depth, 8);
	ck_assert_int_eq(synchronous(), 2);	/* FULL again for the producers */
	ck_assert_str_eq(scan(0, 0, 20), "1:m:0;6:m:0;15:m:0;16:m:0;17:m:0;18:m:0;19:m:0;20:m:0;");
	/* the next sweep takes the rest */
	no_room_from = UINT64_MAX;
	upto = 20;
	ck_assert_int_eq(pq_store_expire_in_steps(&s, 14, &upto, 1000, &n), 0);
	ck_assert_int_eq(n, 6);
	ck_assert_uint_eq(s.depth, 2);
	reopen();
	ck_assert_uint_eq(s.depth, 2);
	ck_assert_str_eq(scan(0, 0, 20), "1:m:0;6:m:0;");
}
END_TEST

static Suite *suite(void)
{
	Suite *su = suite_create("queue_store");
	TCase *tc = tcase_create("queue_store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, producers_commits_are_synced_whatever_came_before);
	tcase_add_test(tc, reads_see_only_what_was_committed);
	tcase_add_test(tc, a_failed_transaction_gives_its_ids_back);
	tcase_add_test(tc, changes_survive_a_reopen_and_ids_are_never_reused);
	tcase_add_test(tc, expiry_takes_only_old_undelivered_ones);
	tcase_add_test(tc, the_log_gives_the_room_of_deleted_messages_back_when_asked);
	tcase_add_test(tc, kept_changes_are_applied_in_steps_the_wal_s_bound_takes);
	tcase_add_test(tc, a_log_made_without_auto_vacuum_gets_it_once_empty);
	tcase_add_test(tc, the_reserve_holds_real_blocks_and_goes_when_freed);
	tcase_add_test(tc, kept_changes_come_down_to_one_a_message);
	tcase_add_test(tc, expiry_on_a_full_disk_goes_in_steps);
	suite_add_tcase(su, tc);
	return su;
}

const struct test_suite test_suite = { .suite = suite };
