/* An SQLite database in a state directory, opened durable: WAL, and
 * synchronous=FULL so a commit that returned is on disk. What the state
 * API and prospero-queue's log share. Not installed. */
#ifndef PROSPERO_LIB_DB_H
#define PROSPERO_LIB_DB_H

#include <sqlite3.h>

/* Open DIR/FILE, creating it (DIR NULL: the first path of
 * $STATE_DIRECTORY), with a busy timeout, in WAL mode, synchronous=FULL,
 * at user_version VERSION (a new database, one with nothing in it, gets
 * it; one at 0 with TABLE, the caller's own, is the caller's to judge).
 * -1 with errno (ENOENT: no directory; EBADMSG: not a database, another
 * version, or another program's), nothing held, and a database refused
 * is left as it was. */
int pr_db_open(const char *dir, const char *file, int version, const char *table, sqlite3 **db);
/* errno for SQLite's result RC on DB: the system's when SQLite had one. */
int pr_db_errno(sqlite3 *db, int rc);

/* db_vfs.c: the default VFS under this name, with the errno of the last
 * failed file call kept for pr_db_errno; NULL where it cannot be had
 * (SQLite's default is used then). */
#define PR_DB_VFS "prospero-errno"
const char *pr_db_vfs(void);
/* That errno, once: 0 when none was kept since the last take. */
int pr_db_vfs_take_errno(void);
/* Run SQL (no result rows): 0, or -1 with errno from pr_db_errno. */
int pr_db_exec(sqlite3 *db, const char *sql);
/* Prepare SQL for reuse: 0, or -1 with errno. */
int pr_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt);
/* Step a statement that returns no rows, then reset it: 0 or -1 errno. */
int pr_db_step_done(sqlite3 *db, sqlite3_stmt *stmt);

#endif
