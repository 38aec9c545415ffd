/* Opening a state database durably, and SQLite's results as errno. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/libprospero/db.h"
#include "src/proto/fds.h"

/* A writer waits this long for a reader (say, an operator's sqlite3
 * shell) that holds the lock, then fails with EBUSY. */
#define PR_DB_BUSY_MS 1000

int pr_db_errno(sqlite3 *db, int rc)
{
	int kept = pr_db_vfs_take_errno(), sys = db ? sqlite3_system_errno(db) : 0;

	if (rc == SQLITE_CANTOPEN_SYMLINK)
		return ELOOP;
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return EBUSY;
	case SQLITE_FULL:
		return ENOSPC;
	case SQLITE_READONLY:
		return EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return EACCES;
	case SQLITE_TOOBIG:
		return EMSGSIZE;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return EBADMSG;
	case SQLITE_MISUSE:
	case SQLITE_RANGE:
	case SQLITE_MISMATCH:
	case SQLITE_CONSTRAINT:
		return EINVAL;
	case SQLITE_CANTOPEN:
		return sys ? sys : ENOENT;
	case SQLITE_IOERR:
		return kept ? kept : sys ? sys : EIO;
	default:
		return sys ? sys : EIO;
	}
}

int pr_db_exec(sqlite3 *db, const char *sql)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	errno = pr_db_errno(db, rc);
	return -1;
}

int pr_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt)
{
	int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);

	if (rc == SQLITE_OK)
		return 0;
	errno = pr_db_errno(db, rc);
	return -1;
}

int pr_db_step_done(sqlite3 *db, sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return 0;
	errno = pr_db_errno(db, rc);
	return -1;
}

/* One integer from SQL into *V: 0, or -1 with errno. */
static int one_int(sqlite3 *db, const char *sql, int *v)
{
	sqlite3_stmt *st;
	int rc;

	if (pr_db_prepare(db, sql, &st) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	errno = pr_db_errno(db, rc);
	return -1;
}

/* PRAGMA user_version: VERSION, or 0 for a new database (*FRESH), one
 * that holds nothing yet. At 0 with TABLE in it, the caller's own table
 * made by hand, its shape is the caller's to judge; another version, or a
 * database at 0 holding only others' tables (another program's), is
 * EBADMSG. Reads only, so what is refused is left as it was. */
static int check_version(sqlite3 *db, int version, const char *table, bool *fresh)
{
	char sql[128];
	int v, objects, mine;

	*fresh = false;
	if (one_int(db, "PRAGMA user_version", &v) < 0)
		return -1;
	if (v == version)
		return 0;
	if (v != 0) {
		errno = EBADMSG;
		return -1;
	}
	snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'", table);
	if (one_int(db, "SELECT count(*) FROM sqlite_master", &objects) < 0 || one_int(db, sql, &mine) < 0)
		return -1;
	if (objects != 0 && !mine) {
		errno = EBADMSG;
		return -1;
	}
	*fresh = objects == 0;
	return 0;
}

/* DIR/FILE in a fresh allocation; DIR NULL: $STATE_DIRECTORY's first
 * path. NULL with errno. */
static char *db_path(const char *dir, const char *file)
{
	const char *env = dir ? dir : getenv(PP_ENV_STATE_DIRECTORY);
	size_t n = env ? strcspn(env, dir ? "" : ":") : 0;
	char *path;

	if (n == 0) {
		errno = ENOENT;
		return NULL;
	}
	if (asprintf(&path, "%.*s/%s", (int)n, env, file) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	return path;
}

/* WAL: a commit appends to the log and syncs it once, and readers (an
 * operator's shell) do not block the writer. synchronous=FULL in WAL mode
 * syncs at every commit; NORMAL would leave the last commits to the next
 * checkpoint, and a power cut could take them. */
static int make_durable(sqlite3 *db)
{
	sqlite3_stmt *st;
	int rc, wal;

	if (pr_db_prepare(db, "PRAGMA journal_mode=WAL", &st) < 0)
		return -1;
	rc = sqlite3_step(st);
	wal = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		errno = pr_db_errno(db, rc);
		return -1;
	}
	if (!wal) {
		errno = EOPNOTSUPP;	/* e.g. a file system without shared memory */
		return -1;
	}
	return pr_db_exec(db, "PRAGMA synchronous=FULL");
}

int pr_db_open(const char *dir, const char *file, int version, const char *table, sqlite3 **db)
{
	char set[64];
	bool fresh;
	/* NOFOLLOW: the directory is the actor's own, but a link there must
	 * not send its state elsewhere. NOMUTEX: one connection, one thread. */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
	char *path = db_path(dir, file);
	struct stat st;
	int rc, e;

	*db = NULL;
	if (!path)
		return -1;
	/* SQLite would say only "unable to open": the directory's own
	 * error is the useful one */
	if (stat(path, &st) < 0 && errno != ENOENT) {
		e = errno;
		free(path);
		errno = e;
		return -1;
	}
	rc = sqlite3_open_v2(path, db, flags, pr_db_vfs());
	free(path);
	if (rc != SQLITE_OK) {
		e = pr_db_errno(*db, *db ? sqlite3_extended_errcode(*db) : rc);
		goto fail;
	}
	sqlite3_extended_result_codes(*db, 1);
	sqlite3_busy_timeout(*db, PR_DB_BUSY_MS);
	if (check_version(*db, version, table, &fresh) == 0 && make_durable(*db) == 0) {
		if (!fresh)
			return 0;
		snprintf(set, sizeof set, "PRAGMA user_version = %d", version);
		if (pr_db_exec(*db, set) == 0)
			return 0;
	}
	e = errno;
fail:
	sqlite3_close_v2(*db);
	*db = NULL;
	errno = e;
	return -1;
}
