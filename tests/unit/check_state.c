/* The state API: keys and values, listings, transactions, the file a
 * Python actor shares, and what survives a SIGKILL at any moment. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "src/libprospero/prospero_state.h"
#include "tests/common/runner.h"

static char dir[64];
static struct prospero_state *st;

static void setup(void)
{
	strcpy(dir, "/tmp/prospero-state.XXXXXX");
	ck_assert(mkdtemp(dir) != NULL);
	st = prospero_state_open(dir);
	ck_assert_msg(st != NULL, "open: %s", strerror(errno));
}

static void teardown(void)
{
	char cmd[128];

	prospero_state_close(st);
	snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void put_str(const char *key, const char *value)
{
	ck_assert_msg(prospero_state_put(st, key, value, strlen(value)) == 0, "put %s: %s", key,
		      prospero_state_errmsg(st));
}

/* KEY's value as a string, or NULL when it has none; free it. */
static char *get_str(const char *key)
{
	void *v = NULL;
	size_t len = 0;

	if (prospero_state_get(st, key, &v, &len) < 0) {
		ck_assert_int_eq(errno, ENOENT);
		return NULL;
	}
	ck_assert_uint_eq(strlen(v), len);
	return v;
}

static void expect_value(const char *key, const char *want)
{
	char *got = get_str(key);

	if (!want) {
		ck_assert_msg(got == NULL, "%s: expected no value, got \"%s\"", key, got);
		return;
	}
	ck_assert_msg(got != NULL, "%s: no value", key);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(put_get_delete)
{
	static const char bin[] = { 'a', 0, (char)0xff, 'b' };
	void *v;
	size_t len;

	expect_value("apple", NULL);
	put_str("apple", "120");
	expect_value("apple", "120");
	put_str("apple", "119");
	expect_value("apple", "119");
	/* binary values come back whole, with a NUL after them */
	ck_assert_int_eq(prospero_state_put(st, "bin", bin, sizeof bin), 0);
	ck_assert_int_eq(prospero_state_get(st, "bin", &v, &len), 0);
	ck_assert_uint_eq(len, sizeof bin);
	ck_assert(memcmp(v, bin, sizeof bin) == 0 && ((char *)v)[len] == '\0');
	free(v);
	/* an empty value is a value */
	ck_assert_int_eq(prospero_state_put(st, "empty", NULL, 0), 0);
	ck_assert_int_eq(prospero_state_get(st, "empty", NULL, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(prospero_state_delete(st, "apple"), 0);
	expect_value("apple", NULL);
	ck_assert_int_eq(prospero_state_delete(st, "apple"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(prospero_state_errmsg(st), "no such key");
	ck_assert_int_eq(prospero_state_put(st, NULL, "x", 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* past SQLite's limit on a row: refused before a byte is read */
	ck_assert_int_eq(prospero_state_put(st, "big", bin, (size_t)INT32_MAX + 1), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	expect_value("big", NULL);
}
END_TEST

struct seen {
	char keys[1024];
	int stop_after;		/* 0: never */
	int n;
};

static int collect(const char *key, const void *value, size_t len, void *arg)
{
	struct seen *s = arg;

	strcat(s->keys, key);
	strcat(s->keys, "=");
	strncat(s->keys, value, len);
	strcat(s->keys, ";");
	return ++s->n == s->stop_after;
}

static const char *list(const char *prefix, const char *start, const char *after, size_t limit)
{
	static struct seen s;
	struct prospero_state_range r = { prefix, start, after, limit };
	long n;

	memset(&s, 0, sizeof s);
	n = prospero_state_list(st, &r, collect, &s);
	ck_assert_msg(n == s.n, "list returned %ld for %d keys: %s", n, s.n, prospero_state_errmsg(st));
	return s.keys;
}

START_TEST(list_in_key_order)
{
	static const char hi[] = { 'p', (char)0xff, 0 }, hi2[] = { 'p', (char)0xff, 'x', 0 };
	struct seen s = { .stop_after = 2 };

	put_str("stock/pear", "66");
	put_str("stock/apple", "119");
	put_str("order/7", "paid");
	put_str("stock/fig", "3");
	put_str("stocks", "x");
	put_str(hi, "1");
	put_str(hi2, "2");
	put_str("q", "3");
	ck_assert_str_eq(list("stock/", NULL, NULL, 0), "stock/apple=119;stock/fig=3;stock/pear=66;");
	ck_assert_str_eq(list("stock/", "stock/b", NULL, 0), "stock/fig=3;stock/pear=66;");
	ck_assert_str_eq(list("stock/", NULL, "stock/fig", 0), "stock/pear=66;");
	ck_assert_str_eq(list("stock/", NULL, NULL, 2), "stock/apple=119;stock/fig=3;");
	/* a limit past any count is no limit, not a bad argument */
	ck_assert_str_eq(list("stock/", NULL, NULL, SIZE_MAX), "stock/apple=119;stock/fig=3;stock/pear=66;");
	ck_assert_str_eq(list("stock/", "a", NULL, 1), "stock/apple=119;");
	ck_assert_str_eq(list(NULL, "stocks", NULL, 0), "stocks=x;");
	ck_assert_str_eq(list(NULL, NULL, "p", 2), "p\xff=1;p\xffx=2;");
	/* a prefix ending in 0xff bytes still ends where it should */
	ck_assert_str_eq(list(hi, NULL, NULL, 0), "p\xff=1;p\xffx=2;");
	ck_assert_str_eq(list("zzz", NULL, NULL, 0), "");
	ck_assert_int_eq(prospero_state_list(st, NULL, collect, &s), 2);
	ck_assert_str_eq(s.keys, "order/7=paid;p\xff=1;");
	ck_assert_int_eq(prospero_state_list(st, &(struct prospero_state_range){ .start = "a", .after = "b" },
					     collect, &s), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* For each order, its items: a listing from inside another's callback,
 * which may read S (only writing is ruled out). The old library shared
 * one statement between the two, and both failed with EINVAL. */
static int each_order(const char *key, const void *value, size_t len, void *arg)
{
	char prefix[64];

	(void)value, (void)len;
	snprintf(prefix, sizeof prefix, "item/%s/", key + strlen("order/"));
	ck_assert_msg(prospero_state_list(st, &(struct prospero_state_range){ .prefix = prefix }, collect, arg) >= 0,
		      "inner listing: %s", prospero_state_errmsg(st));
	return 0;
}

START_TEST(a_listing_may_list_inside_its_callback)
{
	struct seen s = { 0 };

	put_str("order/1", "");
	put_str("order/2", "");
	put_str("item/1/apple", "3");
	put_str("item/1/fig", "1");
	put_str("item/2/pear", "2");
	ck_assert_int_eq(prospero_state_list(st, &(struct prospero_state_range){ .prefix = "order/" }, each_order, &s),
			 2);
	ck_assert_str_eq(s.keys, "item/1/apple=3;item/1/fig=1;item/2/pear=2;");
	/* the statements are the cached ones again afterwards */
	ck_assert_str_eq(list("order/", NULL, NULL, 0), "order/1=;order/2=;");
}
END_TEST

/* A write from inside a listing's callback: each kind refused with
 * EBUSY, and the listing goes on. Taken, a put joined the listing's read
 * and was not on disk when it returned, and one past the cursor was
 * listed too. */
static int writes_inside(const char *key, const void *value, size_t len, void *arg)
{
	int *calls = arg;
	char next[64];

	(void)value, (void)len;
	snprintf(next, sizeof next, "%sz", key);
	ck_assert_int_eq(prospero_state_put(st, next, "x", 1), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_str_eq(prospero_state_errmsg(st), "a listing is in progress");
	ck_assert_int_eq(prospero_state_delete(st, key), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(prospero_state_begin(st), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(prospero_state_commit(st), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(prospero_state_rollback(st), -1);
	ck_assert_int_eq(errno, EBUSY);
	return ++*calls > 10;	/* a listing that met its own writes would not end */
}

START_TEST(a_listing_callback_may_not_write)
{
	int calls = 0;

	put_str("a", "1");
	put_str("b", "2");
	ck_assert_int_eq(prospero_state_list(st, NULL, writes_inside, &calls), 2);
	ck_assert_int_eq(calls, 2);
	ck_assert_str_eq(list(NULL, NULL, NULL, 0), "a=1;b=2;");
	/* a transaction open around the listing is refused its end inside
	 * it, and ends as usual after */
	ck_assert_int_eq(prospero_state_begin(st), 0);
	put_str("c", "3");
	calls = 0;
	ck_assert_int_eq(prospero_state_list(st, NULL, writes_inside, &calls), 3);
	ck_assert_int_eq(prospero_state_commit(st), 0);
	/* and writes work again once it has returned */
	put_str("d", "4");
	ck_assert_str_eq(list(NULL, NULL, NULL, 0), "a=1;b=2;c=3;d=4;");
}
END_TEST

START_TEST(a_transaction_is_all_or_nothing)
{
	put_str("a", "1");
	ck_assert_int_eq(prospero_state_begin(st), 0);
	put_str("a", "2");
	put_str("b", "2");
	ck_assert_int_eq(prospero_state_delete(st, "a"), 0);
	expect_value("a", NULL);	/* reads see the transaction's writes */
	expect_value("b", "2");
	ck_assert_int_eq(prospero_state_begin(st), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(prospero_state_rollback(st), 0);
	expect_value("a", "1");
	expect_value("b", NULL);
	ck_assert_int_eq(prospero_state_commit(st), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(prospero_state_rollback(st), -1);
	ck_assert_int_eq(errno, EINVAL);

	ck_assert_int_eq(prospero_state_begin(st), 0);
	put_str("c", "3");
	ck_assert_int_eq(prospero_state_commit(st), 0);
	/* closing with a transaction open keeps nothing of it */
	ck_assert_int_eq(prospero_state_begin(st), 0);
	put_str("d", "4");
	prospero_state_close(st);
	st = prospero_state_open(dir);
	ck_assert_ptr_nonnull(st);
	expect_value("c", "3");
	expect_value("d", NULL);
}
END_TEST

START_TEST(open_finds_its_directory)
{
	char path[128];
	int fd;

	prospero_state_close(st);
	unsetenv("STATE_DIRECTORY");
	ck_assert_ptr_null(prospero_state_open(NULL));
	ck_assert_int_eq(errno, ENOENT);
	/* systemd may list several directories; the first is ours */
	snprintf(path, sizeof path, "%s:/nonexistent", dir);
	setenv("STATE_DIRECTORY", path, 1);
	st = prospero_state_open(NULL);
	ck_assert_ptr_nonnull(st);
	put_str("k", "v");
	prospero_state_close(st);
	st = prospero_state_open(dir);
	expect_value("k", "v");
	ck_assert_ptr_null(prospero_state_open("/nonexistent/dir"));
	ck_assert_int_eq(errno, ENOENT);
	/* a file where the directory should be */
	snprintf(path, sizeof path, "%s/plain", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	errno = 0;
	ck_assert_ptr_null(prospero_state_open(path));
	ck_assert_int_eq(errno, ENOTDIR);

	/* not a database, or a link to one: refused */
	prospero_state_close(st);
	st = NULL;
	snprintf(path, sizeof path, "%s/other", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/other/state.db", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "not sqlite, but long enough to look at its header.....", 54), 54);
	close(fd);
	snprintf(path, sizeof path, "%s/other", dir);
	ck_assert_ptr_null(prospero_state_open(path));
	ck_assert_int_eq(errno, EBADMSG);
	snprintf(path, sizeof path, "%s/other/state.db", dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(symlink("../state.db", path), 0);
	snprintf(path, sizeof path, "%s/other", dir);
	ck_assert_ptr_null(prospero_state_open(path));
	ck_assert_int_eq(errno, ELOOP);
	st = prospero_state_open(dir);
	ck_assert_ptr_nonnull(st);
}
END_TEST

/* A state.db that is no file: each said as the documented errno. */
START_TEST(a_state_db_that_is_no_file_is_refused_by_its_kind)
{
	static const struct { const char *sub; int kind, err; } cases[] = {
		{ "d", S_IFDIR, EISDIR }, { "f", S_IFIFO, ESPIPE }, { "s", S_IFSOCK, ENXIO },
	};
	char path[600];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd;

		snprintf(path, sizeof path, "%s/%s", dir, cases[i].sub);
		ck_assert_int_eq(mkdir(path, 0700), 0);
		snprintf(path, sizeof path, "%s/%s/state.db", dir, cases[i].sub);
		if (cases[i].kind == S_IFDIR)
			ck_assert_int_eq(mkdir(path, 0700), 0);
		else if (cases[i].kind == S_IFIFO)
			ck_assert_int_eq(mkfifo(path, 0600), 0);
		else {
			ck_assert_uint_lt(strlen(path), sizeof sa.sun_path);
			strcpy(sa.sun_path, path);
			ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
			ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
			close(fd);
		}
		snprintf(path, sizeof path, "%s/%s", dir, cases[i].sub);
		errno = 0;
		ck_assert_ptr_null(prospero_state_open(path));
		ck_assert_msg(errno == cases[i].err, "%s: errno %d, not %d", cases[i].sub, errno, cases[i].err);
	}
}
END_TEST

/* prospero_state_errmsg: "no error" until a call fails; then the words
 * of whoever refused it, kept until the next failure. */
/* The child of the next test: a transaction whose second write runs out
 * of room (RLIMIT_FSIZE stands in for a full disk). What went wrong, as
 * bits of the exit status: 1 the first put failed; once the big one
 * failed, 4 the put after it passed or 16 the commit's errno was not the
 * big put's; 8 the commit passed; 32 rollback then begin failed. (Were
 * SQLite's cache larger than the big value, only the commit would fail.) */
static void out_of_room(void)
{
	struct prospero_state *s = prospero_state_open(dir);
	const struct rlimit fsize = { 256 << 10, 256 << 10 };
	size_t n = 16 << 20;	/* past SQLite's cache: written out mid-transaction */
	char *big = malloc(n);
	int code = 0, e;
	bool big_failed;

	if (!s || !big || signal(SIGXFSZ, SIG_IGN) == SIG_ERR || setrlimit(RLIMIT_FSIZE, &fsize) < 0)
		_exit(100);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i * 7919 >> 3);	/* no page like another */
	if (prospero_state_begin(s) < 0)
		_exit(101);
	code |= prospero_state_put(s, "a", "1", 1) < 0 ? 1 : 0;
	big_failed = prospero_state_put(s, "b", big, n) < 0;
	e = errno;
	code |= prospero_state_put(s, "c", "3", 1) == 0 && big_failed ? 4 : 0;
	code |= prospero_state_commit(s) == 0 ? 8 : 0;
	code |= errno != e && big_failed ? 16 : 0;
	prospero_state_rollback(s);
	code |= prospero_state_begin(s) < 0 || prospero_state_rollback(s) < 0 ? 32 : 0;
	_exit(code);
}

/* SQLite ends a transaction itself when a write in it fails for want of
 * room or on an I/O error. The writes after it must not each commit on
 * their own: they fail, and so does the commit, as the write that ended
 * it did; nothing of the transaction is kept. The old library let "c"
 * commit alone and failed the commit with EIO, "cannot commit - no
 * transaction is active". */
START_TEST(a_write_that_ends_the_transaction_takes_the_rest_with_it)
{
	int status;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		out_of_room();
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "status %#x", status);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	expect_value("a", NULL);
	expect_value("b", NULL);
	expect_value("c", NULL);
}
END_TEST

START_TEST(errmsg_says_who_refused)
{
	struct prospero_state *other;

	ck_assert_str_eq(prospero_state_errmsg(st), "no error");
	ck_assert_str_eq(prospero_state_errmsg(NULL), "no error");
	/* the library's own checks, in its own words */
	ck_assert_int_eq(prospero_state_commit(st), -1);
	ck_assert_str_eq(prospero_state_errmsg(st), "no transaction is open");
	put_str("k", "v");	/* a success leaves it */
	ck_assert_str_eq(prospero_state_errmsg(st), "no transaction is open");
	ck_assert_int_eq(prospero_state_get(st, "nope", NULL, NULL), -1);
	ck_assert_str_eq(prospero_state_errmsg(st), "no such key");
	ck_assert_int_eq(prospero_state_get(st, NULL, NULL, NULL), -1);
	ck_assert_str_eq(prospero_state_errmsg(st), "no key");
	/* a refused argument: errno's text */
	ck_assert_int_eq(prospero_state_put(st, "k", NULL, 1), -1);
	ck_assert_str_eq(prospero_state_errmsg(st), strerror(EINVAL));
	/* SQLite's: another connection holds the write lock (for 1 s) */
	other = prospero_state_open(dir);
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(prospero_state_begin(other), 0);
	ck_assert_int_eq(prospero_state_begin(st), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_str_eq(prospero_state_errmsg(st), "database is locked");
	prospero_state_close(other);
}
END_TEST

/* A NULL where a function needs a pointer is EINVAL, not a crash. */
START_TEST(null_arguments_are_einval)
{
	struct seen s = { .n = 0 };
	void *v;

	errno = 0;
	ck_assert_int_eq(prospero_state_get(NULL, "k", &v, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(prospero_state_put(NULL, "k", "v", 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(prospero_state_delete(NULL, "k"), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(prospero_state_delete(st, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(prospero_state_list(NULL, NULL, collect, &s), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(prospero_state_list(st, NULL, NULL, &s), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(prospero_state_begin(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(prospero_state_commit(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(prospero_state_rollback(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	prospero_state_close(NULL);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

static bool have_python(void)
{
	return system("python3 -c 'import sqlite3' 2>/dev/null") == 0;
}

/* Run a Python script against the database in DIR. */
static void python(const char *script)
{
	char cmd[4096];

	snprintf(cmd, sizeof cmd, "cd '%s' && python3 -c '%s'", dir, script);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(python_shares_the_file)
{
	if (!have_python())
		return;
	put_str("stock/apple", "119");
	/* as README "Durable state" shows it */
	python("import sqlite3\n"
	       "db = sqlite3.connect(\"state.db\", isolation_level=None)\n"
	       "db.execute(\"PRAGMA synchronous=FULL\")\n"
	       "assert db.execute(\"PRAGMA journal_mode\").fetchone()[0] == \"wal\"\n"
	       "(v,) = db.execute(\"SELECT value FROM state WHERE key = ?\", (\"stock/apple\",)).fetchone()\n"
	       "assert v == b\"119\", v\n"
	       "with db:\n"
	       "    db.execute(\"BEGIN IMMEDIATE\")\n"
	       "    db.execute(\"INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value\", (\"stock/pear\", b\"66\"))\n");
	expect_value("stock/pear", "66");
}
END_TEST

/* Another program's SQLite database (version 0, tables of its own) is
 * not a state database: refused, and left as it was. It was taken over:
 * a state table beside its own, version 1, WAL. */
START_TEST(another_programs_database_is_refused_untouched)
{
	char sub[600];

	if (!have_python())
		return;
	snprintf(sub, sizeof sub, "%s/foreign", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	python("import sqlite3\n"
	       "db = sqlite3.connect(\"foreign/state.db\")\n"
	       "db.execute(\"CREATE TABLE foo (x)\")\n"
	       "db.commit()\n");
	errno = 0;
	ck_assert_ptr_null(prospero_state_open(sub));
	ck_assert_int_eq(errno, EBADMSG);
	python("import sqlite3\n"
	       "db = sqlite3.connect(\"foreign/state.db\")\n"
	       "assert db.execute(\"PRAGMA journal_mode\").fetchone()[0] == \"delete\"\n"
	       "assert db.execute(\"PRAGMA user_version\").fetchone()[0] == 0\n"
	       "names = [r[0] for r in db.execute(\"SELECT name FROM sqlite_master\")]\n"
	       "assert names == [\"foo\"], names\n");
	/* a state table of another shape, made by hand: EIO, as documented */
	python("import sqlite3\n"
	       "db = sqlite3.connect(\"foreign/state.db\")\n"
	       "db.execute(\"CREATE TABLE state (k, v)\")\n"
	       "db.commit()\n");
	errno = 0;
	ck_assert_ptr_null(prospero_state_open(sub));
	ck_assert_int_eq(errno, EIO);
	/* an empty file is a new database, as no file is */
	python("open(\"foreign/state.db\", \"w\").close()\n");
	prospero_state_close(st);
	st = prospero_state_open(sub);
	ck_assert_ptr_nonnull(st);
	put_str("k", "v");
	expect_value("k", "v");
}
END_TEST

/* --- SIGKILL at random moments --- */

#define TX_KEYS 20

/* The writer: transactions numbered from the last committed one on, each
 * TX_KEYS keys "tx/N/J" and "counter" = N; each number reported on FD
 * once its commit returned. Never returns. */
static __attribute__((noreturn)) void writer(int fd)
{
	struct prospero_state *s = prospero_state_open(dir);
	char key[64], val[32];
	unsigned long n = 0;
	void *v;

	if (!s)
		_exit(2);
	if (prospero_state_get(s, "counter", &v, NULL) == 0) {
		n = strtoul(v, NULL, 10);
		free(v);
	}
	for (;;) {
		n++;
		snprintf(val, sizeof val, "%lu", n);
		if (prospero_state_begin(s) < 0)
			_exit(3);
		for (int j = 0; j < TX_KEYS; j++) {
			snprintf(key, sizeof key, "tx/%08lu/%d", n, j);
			if (prospero_state_put(s, key, val, strlen(val)) < 0)
				_exit(4);
		}
		if (prospero_state_put(s, "counter", val, strlen(val)) < 0 || prospero_state_commit(s) < 0)
			_exit(5);
		if (write(fd, &n, sizeof n) != sizeof n)
			_exit(6);
	}
}

struct tally {
	unsigned long counter, txs, keys;
	bool whole;
};

static int count_tx(const char *key, const void *value, size_t len, void *arg)
{
	struct tally *t = arg;
	unsigned long n = strtoul(key + 3, NULL, 10);

	t->keys++;
	/* every key of a transaction carries its number, and none is past
	 * the counter */
	if (n > t->counter || strtoul(value, NULL, 10) != n)
		t->whole = false;
	return 0;
}

/* After a kill: every transaction up to the counter whole, none beyond. */
static unsigned long verify(unsigned long reported)
{
	struct prospero_state *s = prospero_state_open(dir);
	struct tally t = { .whole = true };
	void *v = NULL;

	ck_assert_msg(s != NULL, "reopen: %s", strerror(errno));
	if (prospero_state_get(s, "counter", &v, NULL) == 0)
		t.counter = strtoul(v, NULL, 10);
	free(v);
	ck_assert_msg(t.counter >= reported, "counter %lu, but %lu was committed", t.counter, reported);
	ck_assert_int_ge(prospero_state_list(s, &(struct prospero_state_range){ .prefix = "tx/" }, count_tx, &t), 0);
	ck_assert_msg(t.whole, "a key of a transaction past counter %lu", t.counter);
	ck_assert_msg(t.keys == t.counter * TX_KEYS, "%lu keys for %lu transactions", t.keys, t.counter);
	prospero_state_close(s);
	return t.counter;
}

START_TEST(sigkill_mid_transaction_loses_nothing_committed)
{
	unsigned seed = 1234567, rounds = 120;
	unsigned long reported = 0, counter = 0, beyond = 0;

	prospero_state_close(st);
	st = NULL;
	for (unsigned r = 0; r < rounds; r++) {
		int p[2];
		unsigned long n;
		pid_t pid;

		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(p[0]);
			writer(p[1]);
		}
		close(p[1]);
		/* every other round once a transaction is in, so the writer
		 * makes progress however slow the machine; then up to 20 ms: at
		 * open, mid-transaction, in the commit's sync */
		if (r % 2) {
			ck_assert_int_eq(read(p[0], &n, sizeof n), (ssize_t)sizeof n);
			reported = n;
		}
		usleep((useconds_t)(rand_r(&seed) % 20000));
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
		while (read(p[0], &n, sizeof n) == sizeof n)
			reported = n;
		close(p[0]);
		counter = verify(reported);
		beyond += counter > reported;	/* killed in or after its commit */
	}
	/* the test did something: at least one transaction every other round */
	ck_assert_uint_ge(counter, rounds / 2);
	fprintf(stderr, "state: %u kills, %lu transactions, %lu killed in a commit or before reporting it\n",
		rounds, counter, beyond);
	st = prospero_state_open(dir);
}
END_TEST

/* The errno of a put in a child whose system call CALL fails with ERR
 * (the state opened before, so the open's own writes go through). */
static int put_failing(const char *call, int err)
{
	pid_t pid = fork();
	int wst;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct prospero_state *s = prospero_state_open(dir);
		scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);

		if (!s || !f || seccomp_rule_add(f, SCMP_ACT_ERRNO((unsigned)err), seccomp_syscall_resolve_name(call), 0) < 0 ||
		    seccomp_load(f) < 0)
			_exit(250);
		if (prospero_state_put(s, "k", "v", 1) == 0)
			_exit(0);
		_exit(errno > 0 && errno < 250 ? errno : 251);
	}
	ck_assert_int_eq(waitpid(pid, &wst, 0), pid);
	ck_assert(WIFEXITED(wst));
	return WEXITSTATUS(wst);
}

/* libprospero(3): EIO, or the system's own errno for an I/O error. A
 * full quota (EDQUOT) from a write, and ENOSPC from a sync, were EIO:
 * SQLite's errno for them is the global one when the statement ends,
 * which its rollback had overwritten. */
START_TEST(a_failed_write_or_sync_says_the_system_s_errno)
{
	put_str("first", "1");	/* the log made, its pages written */
	ck_assert_int_eq(put_failing("pwrite64", EDQUOT), EDQUOT);
	ck_assert_int_eq(put_failing("fdatasync", ENOSPC), ENOSPC);
	ck_assert_int_eq(put_failing("fdatasync", EIO), EIO);
	ck_assert_int_eq(put_failing("pwrite64", ENOSPC), ENOSPC);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("state");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, put_get_delete);
	tcase_add_test(tc, list_in_key_order);
	tcase_add_test(tc, a_listing_may_list_inside_its_callback);
	tcase_add_test(tc, a_listing_callback_may_not_write);
	tcase_add_test(tc, a_transaction_is_all_or_nothing);
	tcase_add_test(tc, a_write_that_ends_the_transaction_takes_the_rest_with_it);
	tcase_add_test(tc, errmsg_says_who_refused);
	tcase_add_test(tc, null_arguments_are_einval);
	tcase_add_test(tc, open_finds_its_directory);
	tcase_add_test(tc, a_state_db_that_is_no_file_is_refused_by_its_kind);
	tcase_add_test(tc, python_shares_the_file);
	tcase_add_test(tc, another_programs_database_is_refused_untouched);
	tcase_add_test(tc, sigkill_mid_transaction_loses_nothing_committed);
	tcase_add_test(tc, a_failed_write_or_sync_says_the_system_s_errno);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
