/* libprospero's state API: an actor's keys and values, kept durably in an
 * SQLite database in its state directory ($STATE_DIRECTORY, which the
 * daemon gives an actor with "state": true), the way a Durable Object
 * keeps its storage.
 *
 * The file is DIR/state.db, an ordinary SQLite database in WAL mode with
 * one table (README.md, "Durable state"):
 *
 *     CREATE TABLE state (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID
 *
 * Every write is a transaction, or part of one opened with
 * prospero_state_begin, and is on disk when the call that commits it
 * returns (WAL, synchronous=FULL): a crash at any instant, of the process
 * or of the machine, loses no committed transaction and keeps nothing of
 * an uncommitted one. Calls block on the disk; one object per thread.
 *
 * Functions return 0 (or an object) on success and -1 (or NULL) with
 * errno set on failure (EINVAL for a NULL S or key); prospero_state_errmsg
 * says more. Nothing here logs. */
#ifndef PROSPERO_STATE_H
#define PROSPERO_STATE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROSPERO_STATE_FILE "state.db"

struct prospero_state;

/* Open DIR/state.db, creating it; DIR NULL: $STATE_DIRECTORY (its first
 * path when it holds several, ':'-separated, as systemd may set it).
 * errno: ENOENT (no such directory, or $STATE_DIRECTORY unset), ENOTDIR
 * (a file where a directory of the path should be), EISDIR, ESPIPE, ENXIO
 * (a state.db that is a directory, a FIFO, a socket), EOPNOTSUPP (a file
 * system where WAL cannot work), EACCES, ELOOP (a symbolic link anywhere
 * in the path), EBADMSG (not a state database, or a newer version's),
 * ENOMEM, EIO (also a state table of another shape). */
struct prospero_state *prospero_state_open(const char *dir);
/* Roll back an open transaction and close. */
void prospero_state_close(struct prospero_state *s);

/* KEY's value: a malloc'ed copy in *VALUE (with a NUL after its *LEN
 * bytes, so a string value is a C string; free it), or -1 with errno
 * ENOENT when KEY has none. VALUE may be NULL to ask only whether KEY is
 * there. Keys are C strings; any bytes but NUL. */
int prospero_state_get(struct prospero_state *s, const char *key, void **value, size_t *len);
/* Set KEY to the LEN bytes at VALUE: EMSGSIZE when key and value
 * together pass SQLite's limit on a row (SQLITE_MAX_LENGTH, 10^9 bytes
 * unless the system's SQLite was built with another). */
int prospero_state_put(struct prospero_state *s, const char *key, const void *value, size_t len);
/* Remove KEY: -1 with errno ENOENT when it was not there. */
int prospero_state_delete(struct prospero_state *s, const char *key);

/* Which keys prospero_state_list visits, in key order (bytewise, as
 * strcmp): those starting with PREFIX (NULL: any), from START (inclusive)
 * or AFTER (exclusive; at most one of the two: both is EINVAL), at most
 * LIMIT of them (0: no limit). */
struct prospero_state_range {
	const char *prefix;
	const char *start;
	const char *after;
	size_t limit;
};

/* Called for each key in the range; VALUE (LEN bytes) and KEY are valid
 * during the call only, which may read and list S but not write it (a
 * put, delete, begin, commit or rollback there fails with EBUSY).
 * Nonzero stops the listing. */
typedef int prospero_state_item_fn(const char *key, const void *value, size_t len, void *arg);

/* The keys of RANGE (NULL: all), in order: how many FN was called for,
 * or -1 with errno. */
long prospero_state_list(struct prospero_state *s, const struct prospero_state_range *range,
			 prospero_state_item_fn *fn, void *arg);

/* A transaction: the puts and deletes until prospero_state_commit take
 * effect together, on disk when commit returns, or not at all (rollback,
 * a failed commit, a crash, or close). Reads in it see its writes. One at
 * a time: EBUSY when one is open; commit or rollback without one: EINVAL.
 * A write that SQLite fails with the whole transaction (no room, an I/O
 * error, no memory) ends it: later writes and the commit fail as it did. */
int prospero_state_begin(struct prospero_state *s);
int prospero_state_commit(struct prospero_state *s);
int prospero_state_rollback(struct prospero_state *s);

/* What the last failed call of S said: SQLite's message when SQLite
 * refused it, the library's own words when one of its checks did ("no
 * such key", "no transaction is open", ...), else strerror(errno); "no
 * error" while none has failed, and for S NULL. A success leaves it. */
const char *prospero_state_errmsg(const struct prospero_state *s);

#ifdef __cplusplus
}
#endif

#endif
