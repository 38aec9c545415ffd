/* The state API: keys and values in one table of an SQLite database,
 * each write its own durable transaction unless the caller opened one. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/libprospero/db.h"
#include "src/libprospero/prospero_state.h"

/* The table's layout; user_version says which. A database of a later
 * version is refused rather than misread. */
#define STATE_VERSION 1
#define STATE_SCHEMA \
	"CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID"

enum { ST_GET, ST_PUT, ST_DELETE, ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_N };

static const char *const sql[ST_N] = {
	[ST_GET] = "SELECT value FROM state WHERE key = ?1",
	[ST_PUT] = "INSERT INTO state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[ST_DELETE] = "DELETE FROM state WHERE key = ?1",
	/* IMMEDIATE: take the write lock now, so a commit never finds
	 * another writer got in first */
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
};

struct prospero_state {
	sqlite3 *db;
	sqlite3_stmt *st[ST_N];
	/* listings by [lower bound exclusive][upper bound present], made
	 * when first used */
	sqlite3_stmt *list[2][2];
	bool in_tx;
	/* listings under way: their callbacks may read, not write */
	unsigned listing;
	/* why SQLite ended the open transaction itself, 0 while it has not */
	int tx_errno;
	char msg[256], tx_msg[256];
};

/* Remember why S failed: SQLite's message for RC, or errno E's. Returns
 * -1 with errno E, for "return fail(...)". */
static int fail_with(struct prospero_state *s, int e, const char *msg)
{
	snprintf(s->msg, sizeof s->msg, "%s", msg ? msg : strerror(e));
	/* SQLite rolls the whole transaction back on some errors (a full
	 * disk, an I/O error, no memory): remember the one that did */
	if (s->in_tx && !s->tx_errno && s->db && sqlite3_get_autocommit(s->db)) {
		s->tx_errno = e;
		memcpy(s->tx_msg, s->msg, sizeof s->tx_msg);
	}
	errno = e;
	return -1;
}

/* -1 when SQLite ended the open transaction: a write now would commit
 * on its own, so it fails as the write that ended it did. */
static int tx_ended(struct prospero_state *s)
{
	if (!s->in_tx || !sqlite3_get_autocommit(s->db))
		return 0;
	return s->tx_errno ? fail_with(s, s->tx_errno, s->tx_msg) : fail_with(s, EIO, NULL);
}

/* -1 inside a listing's callback: a write there would join the
 * listing's read, to be committed only when the listing ends, and one
 * past the cursor would be listed too. */
static int listing(struct prospero_state *s)
{
	return s->listing ? fail_with(s, EBUSY, "a listing is in progress") : 0;
}

/* No S to tell: EINVAL, for "return no_state()". */
static int no_state(void)
{
	errno = EINVAL;
	return -1;
}

static int fail_db(struct prospero_state *s, int rc)
{
	return fail_with(s, pr_db_errno(s->db, rc), sqlite3_errmsg(s->db));
}

static int fail_errno(struct prospero_state *s)
{
	int e = errno;

	return fail_with(s, e, s->db && e != EINVAL && e != ENOENT ? sqlite3_errmsg(s->db) : NULL);
}

struct prospero_state *prospero_state_open(const char *dir)
{
	struct prospero_state *s = calloc(1, sizeof *s);
	int e;

	if (!s)
		return NULL;
	if (pr_db_open(dir, PROSPERO_STATE_FILE, STATE_VERSION, "state", &s->db) < 0 ||
	    pr_db_exec(s->db, STATE_SCHEMA) < 0)
		goto fail;
	for (int i = 0; i < ST_N; i++)
		if (pr_db_prepare(s->db, sql[i], &s->st[i]) < 0)
			goto fail;
	return s;
fail:
	e = errno;
	prospero_state_close(s);
	errno = e;
	return NULL;
}

void prospero_state_close(struct prospero_state *s)
{
	if (!s)
		return;
	if (s->in_tx)
		pr_db_step_done(s->db, s->st[ST_ROLLBACK]);
	for (int i = 0; i < ST_N; i++)
		sqlite3_finalize(s->st[i]);
	for (int i = 0; i < 4; i++)
		sqlite3_finalize(s->list[i / 2][i % 2]);
	sqlite3_close_v2(s->db);
	free(s);
}

const char *prospero_state_errmsg(const struct prospero_state *s)
{
	return s && s->msg[0] ? s->msg : "no error";
}

static int bind_key(struct prospero_state *s, sqlite3_stmt *st, int at, const char *key)
{
	int rc;

	if (!key)
		return fail_with(s, EINVAL, "no key");
	rc = sqlite3_bind_text(st, at, key, (int)strnlen(key, INT32_MAX), SQLITE_STATIC);
	return rc == SQLITE_OK ? 0 : fail_db(s, rc);
}

static int copy_value(struct prospero_state *s, sqlite3_stmt *st, void **value, size_t *len)
{
	const void *v = sqlite3_column_blob(st, 0);
	size_t n = (size_t)sqlite3_column_bytes(st, 0);
	char *copy;

	if (!v && n > 0)
		return fail_with(s, ENOMEM, NULL);
	if (len)
		*len = n;
	if (!value)
		return 0;
	if (!(copy = malloc(n + 1)))
		return fail_with(s, ENOMEM, NULL);
	if (n)
		memcpy(copy, v, n);
	copy[n] = '\0';
	*value = copy;
	return 0;
}

int prospero_state_get(struct prospero_state *s, const char *key, void **value, size_t *len)
{
	sqlite3_stmt *st;
	int rc, r, e;

	if (!s)
		return no_state();
	st = s->st[ST_GET];
	if (bind_key(s, st, 1, key) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r = copy_value(s, st, value, len);
	else if (rc == SQLITE_DONE)
		r = fail_with(s, ENOENT, "no such key");
	else
		r = fail_db(s, rc);
	e = errno;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	errno = e;
	return r;
}

/* One write statement ST, bound already: in the open transaction, or as
 * a transaction of its own (SQLite's autocommit, which syncs). */
static int write_one(struct prospero_state *s, sqlite3_stmt *st)
{
	int r = pr_db_step_done(s->db, st);

	sqlite3_clear_bindings(st);
	return r < 0 ? fail_errno(s) : 0;
}

int prospero_state_put(struct prospero_state *s, const char *key, const void *value, size_t len)
{
	sqlite3_stmt *st;
	int rc;

	if (!s)
		return no_state();
	if (listing(s) < 0)
		return -1;
	st = s->st[ST_PUT];
	if (len > INT32_MAX || (len && !value))
		return fail_with(s, len > INT32_MAX ? EMSGSIZE : EINVAL, NULL);
	if (tx_ended(s) < 0 || bind_key(s, st, 1, key) < 0)
		return -1;
	/* a zero-length blob, not NULL, for an empty value */
	rc = len ? sqlite3_bind_blob(st, 2, value, (int)len, SQLITE_STATIC) : sqlite3_bind_zeroblob(st, 2, 0);
	if (rc != SQLITE_OK) {
		sqlite3_clear_bindings(st);
		return fail_db(s, rc);
	}
	return write_one(s, st);
}

int prospero_state_delete(struct prospero_state *s, const char *key)
{
	if (!s)
		return no_state();
	if (listing(s) < 0 || tx_ended(s) < 0 || bind_key(s, s->st[ST_DELETE], 1, key) < 0 || write_one(s, s->st[ST_DELETE]) < 0)
		return -1;
	return sqlite3_changes(s->db) ? 0 : fail_with(s, ENOENT, "no such key");
}

int prospero_state_begin(struct prospero_state *s)
{
	if (!s)
		return no_state();
	if (listing(s) < 0)
		return -1;
	if (s->in_tx)
		return fail_with(s, EBUSY, "a transaction is open already");
	if (pr_db_step_done(s->db, s->st[ST_BEGIN]) < 0)
		return fail_errno(s);
	s->in_tx = true;
	s->tx_errno = 0;
	return 0;
}

int prospero_state_commit(struct prospero_state *s)
{
	int e;

	if (!s)
		return no_state();
	if (listing(s) < 0)
		return -1;
	if (!s->in_tx)
		return fail_with(s, EINVAL, "no transaction is open");
	if (tx_ended(s) < 0) {
		s->in_tx = false;
		return -1;
	}
	if (pr_db_step_done(s->db, s->st[ST_COMMIT]) == 0) {
		s->in_tx = false;
		return 0;
	}
	fail_errno(s);
	e = errno;
	/* a commit that failed keeps nothing: SQLite may have rolled back
	 * already; if it did not, do it, so the next write starts clean */
	if (!sqlite3_get_autocommit(s->db))
		pr_db_step_done(s->db, s->st[ST_ROLLBACK]);
	s->in_tx = false;
	errno = e;
	return -1;
}

int prospero_state_rollback(struct prospero_state *s)
{
	if (!s)
		return no_state();
	if (listing(s) < 0)
		return -1;
	if (!s->in_tx)
		return fail_with(s, EINVAL, "no transaction is open");
	s->in_tx = false;
	if (sqlite3_get_autocommit(s->db))
		return 0;	/* SQLite rolled it back itself, after an error */
	return pr_db_step_done(s->db, s->st[ST_ROLLBACK]) < 0 ? fail_errno(s) : 0;
}

/* --- listing --- */

/* The least string above every string that starts with PREFIX, in BUF
 * (PREFIX's length + 1): false when there is none (PREFIX is empty or all
 * 0xff bytes). */
static bool prefix_end(const char *prefix, char *buf)
{
	size_t n = strlen(prefix);

	while (n > 0 && (unsigned char)prefix[n - 1] == 0xff)
		n--;
	if (n == 0)
		return false;
	memcpy(buf, prefix, n);
	buf[n - 1] = (char)((unsigned char)buf[n - 1] + 1);
	buf[n] = '\0';
	return true;
}

/* The listing statement for these bounds; *OWN when it is a fresh one
 * the caller finalizes: a listing from inside another's callback, which
 * is stepping the cached one. */
static sqlite3_stmt *list_stmt(struct prospero_state *s, bool exclusive, bool upper, bool *own)
{
	sqlite3_stmt **st = &s->list[exclusive][upper], *fresh;
	char q[160];

	*own = false;
	if (*st && !sqlite3_stmt_busy(*st))
		return *st;
	snprintf(q, sizeof q, "SELECT key, value FROM state WHERE key %s ?1%s ORDER BY key LIMIT ?3",
		 exclusive ? ">" : ">=", upper ? " AND key < ?2" : "");
	if (pr_db_prepare(s->db, q, &fresh) < 0) {
		fail_errno(s);
		return NULL;
	}
	if (!*st)
		return *st = fresh;
	*own = true;
	return fresh;
}

/* The lower bound of R: its start or after, or the prefix when that
 * sorts later; *EXCLUSIVE when it is AFTER. */
static const char *lower_bound(const struct prospero_state_range *r, bool *exclusive)
{
	const char *from = r->start ? r->start : r->after ? r->after : "";

	*exclusive = r->after != NULL;
	if (r->prefix && strcmp(r->prefix, from) > 0) {
		*exclusive = false;
		return r->prefix;
	}
	return from;
}

static long list_rows(struct prospero_state *s, sqlite3_stmt *st, prospero_state_item_fn *fn, void *arg)
{
	long n = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		const void *v = sqlite3_column_blob(st, 1);
		int len = sqlite3_column_bytes(st, 1);

		n++;
		if (!key) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (fn(key, v ? v : "", (size_t)len, arg) != 0)
			return n;
	}
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : fail_db(s, rc);
}

/* Bind RANGE's bounds to ST: FROM, UPPER (when HAS_UPPER) and the limit. */
static int bind_range(struct prospero_state *s, sqlite3_stmt *st, const char *from, const char *upper,
		      size_t limit)
{
	int rc;

	if (bind_key(s, st, 1, from) < 0 || (upper && bind_key(s, st, 2, upper) < 0))
		return -1;
	/* SQLite's LIMIT -1 is none: for 0, and for a limit past any count */
	rc = sqlite3_bind_int64(st, 3, limit && limit <= INT64_MAX ? (sqlite3_int64)limit : -1);
	return rc == SQLITE_OK ? 0 : fail_db(s, rc);
}

long prospero_state_list(struct prospero_state *s, const struct prospero_state_range *range,
			 prospero_state_item_fn *fn, void *arg)
{
	static const struct prospero_state_range all;
	const struct prospero_state_range *r = range ? range : &all;
	char *upper = NULL;
	bool exclusive, has_upper = false, own;
	const char *from;
	sqlite3_stmt *st;
	long n = -1;
	int e;

	if (!s)
		return no_state();
	if (!fn || (r->start && r->after))
		return fail_with(s, EINVAL, NULL);
	from = lower_bound(r, &exclusive);
	if (r->prefix) {
		if (!(upper = malloc(strlen(r->prefix) + 1)))
			return fail_with(s, ENOMEM, NULL);
		has_upper = prefix_end(r->prefix, upper);
	}
	st = list_stmt(s, exclusive, has_upper, &own);
	if (st && bind_range(s, st, from, has_upper ? upper : NULL, r->limit) == 0) {
		s->listing++;
		n = list_rows(s, st, fn, arg);
		s->listing--;
	}
	e = errno;
	if (st && own) {
		sqlite3_finalize(st);
	} else if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	free(upper);
	errno = e;
	return n;
}
