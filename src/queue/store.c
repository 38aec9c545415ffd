/* The queue's log on SQLite (store.h says which writes are synced). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/libprospero/db.h"
#include "src/queue/grow.h"
#include "src/queue/reserve.h"
#include "src/queue/store.h"

#define STORE_VERSION 1

/* ids are never reused, even once the table is empty, so a consumer may
 * remember which it has seen: the highest given is kept in meta. */
static const char schema[] =
	"CREATE TABLE IF NOT EXISTS messages ("
	" id INTEGER PRIMARY KEY,"
	" body BLOB NOT NULL,"
	" enqueued_ms INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" not_before_ms INTEGER NOT NULL DEFAULT 0,"
	" wait_ms INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;";

enum {
	S_INSERT, S_SET_LAST, S_DELETE, S_RESCHEDULE, S_SCAN, S_READY, S_FETCH, S_FIRST, S_FIRST_READY, S_WAITING,
	S_COUNT, S_LAST, S_EXPIRE, S_EXPIRE_STEP, S_BEGIN, S_COMMIT, S_ROLLBACK, S_FREELIST, S_AUTO_VACUUM, S_N
};

static const char *const sql[S_N] = {
	[S_INSERT] = "INSERT INTO messages (id, body, enqueued_ms) VALUES (?1, ?2, ?3)",
	[S_SET_LAST] = "INSERT INTO meta (key, value) VALUES ('last_id', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[S_DELETE] = "DELETE FROM messages WHERE id = ?1",
	[S_RESCHEDULE] = "UPDATE messages SET attempts = ?2, not_before_ms = ?3, wait_ms = ?4 WHERE id = ?1",
	[S_SCAN] = "SELECT id, enqueued_ms, attempts, body FROM messages"
		   " WHERE id > ?1 AND id <= ?2 AND not_before_ms <= ?3 ORDER BY id LIMIT ?4",
	[S_READY] = "SELECT count(*) FROM (SELECT 1 FROM messages"
		    " WHERE id > ?1 AND id <= ?2 AND not_before_ms <= ?3 LIMIT ?4)",
	[S_FETCH] = "SELECT id, enqueued_ms, attempts, body FROM messages WHERE id = ?1",
	[S_FIRST] = "SELECT enqueued_ms FROM messages WHERE id > ?1 ORDER BY id LIMIT 1",
	[S_FIRST_READY] = "SELECT max(enqueued_ms, not_before_ms), id FROM messages"
			  " WHERE id > ?1 AND not_before_ms <= ?2 ORDER BY id LIMIT 1",
	[S_WAITING] = "SELECT id, enqueued_ms, attempts, not_before_ms, wait_ms FROM messages WHERE not_before_ms > ?1",
	[S_COUNT] = "SELECT count(*) FROM messages",
	[S_LAST] = "SELECT max(coalesce((SELECT max(id) FROM messages), 0),"
		   " coalesce((SELECT value FROM meta WHERE key = 'last_id'), 0))",
	[S_EXPIRE] = "DELETE FROM messages WHERE id > ?1 AND id <= ?2 AND enqueued_ms < ?3",
	/* the last id of S_EXPIRE's first ?4 rows: NULL for none */
	[S_EXPIRE_STEP] = "SELECT max(id) FROM (SELECT id FROM messages"
			  " WHERE id > ?1 AND id <= ?2 AND enqueued_ms < ?3 ORDER BY id LIMIT ?4)",
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_FREELIST] = "PRAGMA freelist_count",
	[S_AUTO_VACUUM] = "PRAGMA auto_vacuum",
};

#define AUTO_VACUUM_INCREMENTAL 2

/* Remember SQLite's message, keeping errno; -1 for "return failed(s)". */
static int failed(struct pq_store *s)
{
	int e = errno;

	/* SQLite's words for an I/O error are the same for all: the system's say which */
	if (s->db && (sqlite3_errcode(s->db) & 0xff) == SQLITE_IOERR && e != EIO)
		snprintf(s->msg, sizeof s->msg, "%s: %s", sqlite3_errmsg(s->db), strerror(e));
	else
		snprintf(s->msg, sizeof s->msg, "%s", s->db ? sqlite3_errmsg(s->db) : strerror(e));
	errno = e;
	return -1;
}

/* Set with sqlite3_exec each time, never kept prepared: SQLite applies
 * PRAGMA synchronous when the statement is prepared, so a prepared
 * NORMAL would have left every later commit unsynced. */
static int synchronous(struct pq_store *s, bool full)
{
	/* NORMAL may be in force from the moment it is asked for until FULL
	 * is had back, which can fail too (no memory to run the pragma) */
	if (!full)
		s->relaxed = true;
	if (pr_db_exec(s->db, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL") < 0)
		return failed(s);
	if (full)
		s->relaxed = false;
	return 0;
}

static int step_done(struct pq_store *s, int which)
{
	return pr_db_step_done(s->db, s->st[which]) < 0 ? failed(s) : 0;
}

/* The one integer a statement returns; -1 with errno. */
static int one_int(struct pq_store *s, int which, uint64_t *out)
{
	sqlite3_stmt *st = s->st[which];
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	errno = pr_db_errno(s->db, rc);
	return failed(s);
}

/* A log frees the pages of deleted messages only when pq_store_shrink
 * asks (auto_vacuum incremental), so that an emptied log can give a full
 * disk its room back. That is set as a log is made, before its first
 * page, which pr_db_open has already written (WAL); so a log that holds
 * no message, a new one or an older one, is rebuilt with it, which costs
 * nothing then. If that fails (no room), it does not shrink: no more. */
static int shrinkable(struct pq_store *s)
{
	uint64_t mode;

	if (one_int(s, S_AUTO_VACUUM, &mode) < 0)
		return -1;
	if (mode != AUTO_VACUUM_INCREMENTAL && s->depth == 0 &&
	    pr_db_exec(s->db, "PRAGMA temp_store=MEMORY") == 0 &&
	    pr_db_exec(s->db, "PRAGMA auto_vacuum=INCREMENTAL") == 0 && pr_db_exec(s->db, "VACUUM") == 0 &&
	    one_int(s, S_AUTO_VACUUM, &mode) < 0)
		return -1;
	s->can_shrink = mode == AUTO_VACUUM_INCREMENTAL;
	return 0;
}

/* A retry's wait (wait_ms) came later than the log's first version: an
 * older log gets the column, 0 (not known) in its rows, and a queue
 * that knows nothing of it leaves it 0 in those it writes. */
static int wait_column(struct pq_store *s)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "SELECT wait_ms FROM messages LIMIT 0", -1, &st, NULL);

	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		return 0;
	/* only "no such column" says it is missing: not a prepare that ran
	 * out of memory, whose ALTER would say "duplicate column" */
	if ((rc & 0xff) != SQLITE_ERROR) {
		errno = pr_db_errno(s->db, rc);
		return -1;
	}
	return pr_db_exec(s->db, "ALTER TABLE messages ADD COLUMN wait_ms INTEGER NOT NULL DEFAULT 0");
}

static int open_db(struct pq_store *s, const char *dir)
{
	if (!(s->st = calloc(S_N, sizeof *s->st)))
		return -1;
	if (pr_db_open(dir, PQ_STORE_FILE, STORE_VERSION, "messages", &s->db) < 0 || pr_db_exec(s->db, schema) < 0 ||
	    wait_column(s) < 0)
		return failed(s);
	/* an acked message is gone; zeroing its bytes on disk as well would
	 * double what a delete writes */
	if (pr_db_exec(s->db, "PRAGMA secure_delete=OFF") < 0)
		return failed(s);
	for (int i = 0; i < S_N; i++)
		if (pr_db_prepare(s->db, sql[i], &s->st[i]) < 0)
			return failed(s);
	if (one_int(s, S_LAST, &s->last_id) < 0 || one_int(s, S_COUNT, &s->depth) < 0)
		return -1;
	s->committed_id = s->last_id;
	return shrinkable(s);
}

int pq_store_open(struct pq_store *s, const char *dir)
{
	char msg[sizeof s->msg];
	int e;

	*s = (struct pq_store){ 0 };
	if (open_db(s, dir) == 0)
		return 0;
	e = errno;
	memcpy(msg, s->msg, sizeof msg);
	pq_store_close(s);
	memcpy(s->msg, msg, sizeof msg);
	errno = e;
	return -1;
}

void pq_store_close(struct pq_store *s)
{
	if (s->in_tx)
		pr_db_step_done(s->db, s->st[S_ROLLBACK]);
	for (int i = 0; s->st && i < S_N; i++)
		sqlite3_finalize(s->st[i]);
	free(s->st);
	free(s->changes);
	sqlite3_close_v2(s->db);
	*s = (struct pq_store){ 0 };
}

static int bind_ids(struct pq_store *s, sqlite3_stmt *st, uint64_t a, uint64_t b, uint64_t c)
{
	int rc = sqlite3_bind_int64(st, 1, (sqlite3_int64)a);

	if (rc == SQLITE_OK && sqlite3_bind_parameter_count(st) >= 2)
		rc = sqlite3_bind_int64(st, 2, (sqlite3_int64)b);
	if (rc == SQLITE_OK && sqlite3_bind_parameter_count(st) >= 3)
		rc = sqlite3_bind_int64(st, 3, (sqlite3_int64)c);
	if (rc == SQLITE_OK)
		return 0;
	errno = pr_db_errno(s->db, rc);
	return failed(s);
}

int pq_store_add(struct pq_store *s, const void *body, size_t len, uint64_t now_ms, uint64_t *id)
{
	sqlite3_stmt *st = s->st[S_INSERT];
	int rc;

	if (s->doomed) {
		errno = EIO;
		return -1;
	}
	if (!s->in_tx) {
		/* what the producers commit is synced before it is acked */
		if ((s->relaxed && synchronous(s, true) < 0) || step_done(s, S_BEGIN) < 0)
			goto doom;
		s->in_tx = true;
		s->tx_added = 0;
	}
	if (bind_ids(s, st, s->last_id + 1, 0, now_ms) < 0)
		goto doom;
	rc = len ? sqlite3_bind_blob(st, 2, body, (int)len, SQLITE_STATIC) : sqlite3_bind_zeroblob(st, 2, 0);
	if (rc != SQLITE_OK) {
		errno = pr_db_errno(s->db, rc);
		failed(s);
		goto doom;
	}
	if (step_done(s, S_INSERT) < 0)
		goto doom;
	*id = ++s->last_id;
	s->tx_added++;
	return 0;
doom:
	s->doomed = true;
	s->doom_errno = errno;
	return -1;
}

/* End the producers' transaction: ROLLBACK when it failed. */
static int rollback(struct pq_store *s)
{
	int e = errno;

	if (!sqlite3_get_autocommit(s->db))
		pr_db_step_done(s->db, s->st[S_ROLLBACK]);
	s->in_tx = s->doomed = false;
	s->last_id = s->committed_id;
	errno = e;
	return -1;
}

int pq_store_commit(struct pq_store *s)
{
	if (!s->in_tx)
		return 0;
	if (s->doomed) {
		errno = s->doom_errno;	/* what the failed write said */
		return rollback(s);
	}
	if (bind_ids(s, s->st[S_SET_LAST], s->last_id, 0, 0) < 0 || step_done(s, S_SET_LAST) < 0 ||
	    step_done(s, S_COMMIT) < 0)
		return rollback(s);
	s->in_tx = false;
	s->committed_id = s->last_id;
	s->depth += s->tx_added;
	s->syncs++;
	return 0;
}

static int change(struct pq_store *s, const struct pq_change *c)
{
	if (pq_grow(&s->changes, &s->capchanges, s->nchanges, sizeof *s->changes, 256) < 0)
		return -1;
	s->changes[s->nchanges++] = *c;
	return 0;
}

int pq_store_forget(struct pq_store *s, uint64_t id)
{
	return change(s, &(struct pq_change){ .id = id, .forget = true });
}

int pq_store_reschedule(struct pq_store *s, uint64_t id, uint32_t failed_n, uint64_t not_before_ms, uint32_t wait_ms)
{
	return change(s, &(struct pq_change){ .id = id, .failed = failed_n, .not_before_ms = not_before_ms,
					      .wait_ms = wait_ms });
}

static int apply_one(struct pq_store *s, const struct pq_change *c, long *deleted)
{
	int which = c->forget ? S_DELETE : S_RESCHEDULE;
	int rc;

	if (bind_ids(s, s->st[which], c->id, c->failed, c->not_before_ms) < 0)
		return -1;
	if (!c->forget && (rc = sqlite3_bind_int64(s->st[which], 4, c->wait_ms)) != SQLITE_OK) {
		errno = pr_db_errno(s->db, rc);
		return failed(s);
	}
	if (step_done(s, which) < 0)
		return -1;
	if (c->forget)
		*deleted += sqlite3_changes(s->db);
	return 0;
}

/* A write of the delivery side failed: its transaction undone, synced
 * again from now on, errno kept. SQLite may have rolled the transaction back
 * itself (a full disk does), and a COMMIT that failed may have left it
 * open. */
static int undo(struct pq_store *s)
{
	int e = errno;

	if (!sqlite3_get_autocommit(s->db))
		pr_db_step_done(s->db, s->st[S_ROLLBACK]);
	synchronous(s, true);
	errno = e;
	return -1;
}

/* By message, then in the order queued. */
static int by_id_then_order(const void *a, const void *b, void *arg)
{
	const struct pq_change *c = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (c[i].id != c[j].id)
		return c[i].id < c[j].id ? -1 : 1;
	return (i > j) - (i < j);
}

void pq_store_coalesce(struct pq_store *s)
{
	size_t *order = NULL, n = 0;
	struct pq_change *kept = NULL;

	if (s->nchanges < 2 || !(order = malloc(s->nchanges * sizeof *order)) ||
	    !(kept = malloc(s->nchanges * sizeof *kept)))
		goto out;
	for (size_t i = 0; i < s->nchanges; i++)
		order[i] = i;
	qsort_r(order, s->nchanges, sizeof *order, by_id_then_order, s->changes);
	for (size_t i = 0; i < s->nchanges; i++) {
		const struct pq_change *c = &s->changes[order[i]];

		/* each change sets all it sets, so a later one says it all;
		 * but a delete is final */
		if (n > 0 && kept[n - 1].id == c->id) {
			if (!kept[n - 1].forget)
				kept[n - 1] = *c;
		} else {
			kept[n++] = *c;
		}
	}
	memcpy(s->changes, kept, n * sizeof *kept);
	s->nchanges = n;
out:
	free(order);
	free(kept);
}

/* Changes C[0..N) in one transaction: 0, or -1 with errno and the log
 * as it was. */
static int apply_tx(struct pq_store *s, const struct pq_change *c, size_t n, long *deleted)
{
	int e;

	*deleted = 0;
	if (step_done(s, S_BEGIN) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (apply_one(s, &c[i], deleted) < 0)
			goto fail;
	if (step_done(s, S_COMMIT) == 0)
		return 0;
fail:
	e = errno;
	if (!sqlite3_get_autocommit(s->db))
		pr_db_step_done(s->db, s->st[S_ROLLBACK]);
	errno = e;
	return -1;
}

/* The queued changes in transactions of at most STEP changes each: on a
 * full disk, a step that finds no room is tried again in halves, down to
 * one change, since the room a failed one took stays the WAL's and the
 * smaller ones can use it. */
static long apply(struct pq_store *s, size_t step, bool halve)
{
	size_t done = 0;
	long deleted = 0, gone;
	int r = 0;

	if (s->nchanges == 0)
		return 0;
	if (synchronous(s, false) < 0)
		return undo(s);
	while (done < s->nchanges) {
		size_t n = s->nchanges - done < step ? s->nchanges - done : step;

		if ((r = apply_tx(s, s->changes + done, n, &gone)) == 0) {
			done += n;
			deleted += gone;
			s->depth -= (uint64_t)gone;
		} else if (halve && n > 1 && pq_no_room(errno)) {
			step = n / 2;
		} else {
			break;
		}
	}
	memmove(s->changes, s->changes + done, (s->nchanges - done) * sizeof *s->changes);
	s->nchanges -= done;
	if (r < 0)
		return undo(s);
	/* applied: if FULL is not had back now, the next producers' begin
	 * asks again (-1 here would say the changes were not made) */
	synchronous(s, true);
	return deleted;
}

long pq_store_apply(struct pq_store *s)
{
	return apply(s, s->nchanges, false);
}

/* A quarter of the WAL's bound in changes: four pages each, room to
 * spare for a delete's (its row's leaf, a sibling it may merge with, and
 * for a page freed the freelist's trunk, the pointer map and the header). */
static size_t step_changes(const struct pq_store *s)
{
	return s->wal_pages / 4 ? s->wal_pages / 4 : 1;
}

long pq_store_apply_in_steps(struct pq_store *s)
{
	return apply(s, step_changes(s), true);
}

int pq_store_bound_wal(struct pq_store *s, size_t bytes)
{
	sqlite3_stmt *st;
	char pragma[64];
	long page = 0;

	if (pr_db_prepare(s->db, "PRAGMA page_size", &st) < 0)
		return failed(s);
	if (sqlite3_step(st) == SQLITE_ROW)
		page = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (page <= 0) {
		errno = EIO;
		return failed(s);
	}
	s->wal_pages = bytes / (size_t)page > 0 ? (unsigned)(bytes / (size_t)page) : 1;
	snprintf(pragma, sizeof pragma, "PRAGMA wal_autocheckpoint=%u", s->wal_pages);
	return pr_db_exec(s->db, pragma) < 0 ? failed(s) : 0;
}

/* Checkpoint it all and cut the WAL to nothing. */
static int truncate_wal(struct pq_store *s)
{
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	errno = pr_db_errno(s->db, rc);
	return failed(s);
}

/* Each step moves at most wal_pages pages (the last in use into free
 * ones nearer the start) and cuts as many off the end, then the
 * checkpoint writes them and empties the WAL: the WAL never holds more
 * than the bound the reserve was sized for. */
int pq_store_shrink(struct pq_store *s, unsigned steps)
{
	uint64_t free_pages = 0;
	char vacuum[64];

	if (s->in_tx) {
		errno = EBUSY;	/* only between turns */
		return -1;
	}
	snprintf(vacuum, sizeof vacuum, "PRAGMA incremental_vacuum(%u)", s->wal_pages ? s->wal_pages : 1);
	for (unsigned i = 0; i < steps; i++) {
		if (truncate_wal(s) < 0)
			return -1;
		if (!s->can_shrink)
			return 0;
		if (one_int(s, S_FREELIST, &free_pages) < 0)
			return -1;
		if (free_pages == 0)
			return 0;
		if (pr_db_exec(s->db, vacuum) < 0)
			return failed(s);
	}
	return 1;
}

const char *pq_store_file(const struct pq_store *s)
{
	return sqlite3_db_filename(s->db, "main");
}

/* The current row of ST (id, enqueued_ms, attempts, body) to FN. */
static int row_to(sqlite3_stmt *st, pq_row_fn *fn, void *arg)
{
	struct pq_row r = {
		.id = (uint64_t)sqlite3_column_int64(st, 0),
		.enqueued_ms = (uint64_t)sqlite3_column_int64(st, 1),
		.failed = (uint32_t)sqlite3_column_int64(st, 2),
		.body = sqlite3_column_blob(st, 3),
		.len = (size_t)sqlite3_column_bytes(st, 3),
	};

	return fn(&r, arg);
}

/* Step ST, row by row to FN, until done, FN says stop, or an error: how
 * many rows FN saw, or -1. */
static long walk(struct pq_store *s, sqlite3_stmt *st, pq_row_fn *fn, void *arg)
{
	long n = 0;
	int rc, e;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (row_to(st, fn, arg))
			break;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return n;
	e = pr_db_errno(s->db, rc);
	errno = e;
	return failed(s);
}

long pq_store_scan(struct pq_store *s, uint64_t after, uint64_t upto, uint64_t t0_ms, unsigned limit,
		   pq_row_fn *fn, void *arg)
{
	sqlite3_stmt *st = s->st[S_SCAN];

	if (bind_ids(s, st, after, upto, t0_ms) < 0)
		return -1;
	if (sqlite3_bind_int64(st, 4, limit) != SQLITE_OK) {
		errno = EINVAL;
		return failed(s);
	}
	return walk(s, st, fn, arg);
}

long pq_store_count_ready(struct pq_store *s, uint64_t after, uint64_t upto, uint64_t t0_ms, unsigned limit)
{
	sqlite3_stmt *st = s->st[S_READY];
	long n = 0;
	int rc;

	if (bind_ids(s, st, after, upto, t0_ms) < 0)
		return -1;
	if (sqlite3_bind_int64(st, 4, limit) != SQLITE_OK) {
		errno = EINVAL;
		return failed(s);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return n;
	errno = pr_db_errno(s->db, rc);
	return failed(s);
}

int pq_store_fetch(struct pq_store *s, uint64_t id, pq_row_fn *fn, void *arg)
{
	long n;

	if (bind_ids(s, s->st[S_FETCH], id, 0, 0) < 0)
		return -1;
	n = walk(s, s->st[S_FETCH], fn, arg);
	return n < 0 ? -1 : n > 0;
}

static int first(struct pq_store *s, sqlite3_stmt *st, uint64_t after, uint64_t t0_ms, uint64_t *ms, uint64_t *id)
{
	int rc;

	if (bind_ids(s, st, after, t0_ms, 0) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ms = (uint64_t)sqlite3_column_int64(st, 0);
	if (rc == SQLITE_ROW && id)
		*id = (uint64_t)sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc == SQLITE_ROW;
	errno = pr_db_errno(s->db, rc);
	return failed(s);
}

int pq_store_first_after(struct pq_store *s, uint64_t after, uint64_t *ms)
{
	return first(s, s->st[S_FIRST], after, 0, ms, NULL);
}

int pq_store_first_ready(struct pq_store *s, uint64_t after, uint64_t t0_ms, uint64_t *ms, uint64_t *id)
{
	return first(s, s->st[S_FIRST_READY], after, t0_ms, ms, id);
}

long pq_store_each_waiting(struct pq_store *s, uint64_t t0_ms, pq_wait_fn *fn, void *arg)
{
	sqlite3_stmt *st = s->st[S_WAITING];
	long n = 0;
	int rc;

	if (bind_ids(s, st, t0_ms, 0, 0) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pq_row r = {
			.id = (uint64_t)sqlite3_column_int64(st, 0),
			.enqueued_ms = (uint64_t)sqlite3_column_int64(st, 1),
			.failed = (uint32_t)sqlite3_column_int64(st, 2),
		};

		n++;
		if (fn(&r, (uint64_t)sqlite3_column_int64(st, 3), (uint64_t)sqlite3_column_int64(st, 4), arg))
			break;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return n;
	errno = pr_db_errno(s->db, rc);
	return failed(s);
}

/* The id ending the first STEP messages S_EXPIRE would take in *END:
 * 1, 0 for none, -1 with errno. */
static int expire_step_end(struct pq_store *s, uint64_t after, uint64_t upto, uint64_t cutoff_ms, size_t step,
			   uint64_t *end)
{
	sqlite3_stmt *st = s->st[S_EXPIRE_STEP];
	int rc, none;

	if (bind_ids(s, st, after, upto, cutoff_ms) < 0)
		return -1;
	if ((rc = sqlite3_bind_int64(st, 4, (sqlite3_int64)step)) != SQLITE_OK) {
		errno = pr_db_errno(s->db, rc);
		return failed(s);
	}
	rc = sqlite3_step(st);
	none = rc != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL;
	if (!none)
		*end = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return !none;
	errno = pr_db_errno(s->db, rc);
	return failed(s);
}

/* Messages AFTER < id <= END enqueued before CUTOFF_MS, in one
 * transaction: how many, or -1 with errno and the log as it was. */
static long expire_tx(struct pq_store *s, uint64_t after, uint64_t end, uint64_t cutoff_ms)
{
	int e;

	if (bind_ids(s, s->st[S_EXPIRE], after, end, cutoff_ms) == 0 && step_done(s, S_EXPIRE) == 0)
		return sqlite3_changes(s->db);
	e = errno;
	if (!sqlite3_get_autocommit(s->db))
		pr_db_step_done(s->db, s->st[S_ROLLBACK]);
	errno = e;
	return -1;
}

/* In id order, so what is done is all up to an id; like apply's, a step
 * that finds no room is tried again in halves. */
int pq_store_expire_in_steps(struct pq_store *s, uint64_t after, uint64_t *upto, uint64_t cutoff_ms, long *n)
{
	size_t step = step_changes(s);
	uint64_t end = 0;
	long gone;
	int r;

	*n = 0;
	if (s->in_tx) {
		errno = EBUSY;	/* only between turns */
		goto fail;
	}
	if (synchronous(s, false) < 0)
		goto fail_undo;
	while ((r = expire_step_end(s, after, *upto, cutoff_ms, step, &end)) == 1) {
		if ((gone = expire_tx(s, after, end, cutoff_ms)) >= 0) {
			*n += gone;
			s->depth -= (uint64_t)gone;
			after = end;
		} else if (step > 1 && pq_no_room(errno)) {
			step /= 2;
		} else {
			goto fail_undo;
		}
	}
	if (r < 0)
		goto fail_undo;
	synchronous(s, true);	/* as pq_store_apply: done, FULL again later if not now */
	return 0;
fail_undo:
	undo(s);
fail:
	*upto = after;
	return -1;
}

long pq_store_expire(struct pq_store *s, uint64_t after, uint64_t upto, uint64_t cutoff_ms)
{
	long n;

	if (s->in_tx) {
		errno = EBUSY;	/* only between turns */
		return -1;
	}
	if (synchronous(s, false) < 0)
		return undo(s);
	if (bind_ids(s, s->st[S_EXPIRE], after, upto, cutoff_ms) < 0 || step_done(s, S_EXPIRE) < 0)
		return undo(s);
	n = sqlite3_changes(s->db);
	synchronous(s, true);	/* as pq_store_apply: done, FULL again later if not now */
	if (n > 0)
		s->depth -= (uint64_t)n;
	return n;
}
