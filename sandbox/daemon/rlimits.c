/* The limits table: one row per name the config accepts, with the call a
 * failure in the child names. */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/daemon/rlimits.h"

/* The config's names, in one list that makes both tables below. */
#define LIMITS(X) \
	X("as", RLIMIT_AS) \
	X("core", RLIMIT_CORE) \
	X("cpu", RLIMIT_CPU) \
	X("data", RLIMIT_DATA) \
	X("fsize", RLIMIT_FSIZE) \
	X("locks", RLIMIT_LOCKS) \
	X("memlock", RLIMIT_MEMLOCK) \
	X("msgqueue", RLIMIT_MSGQUEUE) \
	X("nice", RLIMIT_NICE) \
	X("nofile", RLIMIT_NOFILE) \
	X("nproc", RLIMIT_NPROC) \
	X("rtprio", RLIMIT_RTPRIO) \
	X("rttime", RLIMIT_RTTIME) \
	X("sigpending", RLIMIT_SIGPENDING) \
	X("stack", RLIMIT_STACK)

struct row {
	const char *name;
	int resource;
	const char *call;
};

#define ROW(n, r) { n, r, "setrlimit(" #r ")" },
static const struct row rows[] = { LIMITS(ROW) };
#undef ROW
#define NROWS (sizeof(rows) / sizeof(rows[0]))

#define NAME(n, r) n,
static const char *const names[] = { LIMITS(NAME) NULL };
#undef NAME

/* Kernel bounds: nice is stored as 20 - niceness (0..40); rtprio stops at
 * MAX_RT_PRIO - 1. */
#define NICE_MAX 40
#define RTPRIO_MAX 99

static const struct row *find(const char *name)
{
	for (size_t i = 0; i < NROWS; i++)
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	errno = strcmp(name, "rss") == 0 ? ENOTSUP : ENOENT;
	return NULL;
}

int sb_rlimit_resource(const char *name)
{
	const struct row *r = find(name);

	return r ? r->resource : -1;
}

const char *const *sb_rlimit_names(void)
{
	return names;
}

const char *sb_rlimit_name(int resource)
{
	for (size_t i = 0; i < NROWS; i++)
		if (rows[i].resource == resource)
			return rows[i].name;
	return NULL;
}

/* The value half of sb_rlimit_parse. */
static int value(const char *text, long long num, rlim_t *out)
{
	if (text) {
		if (strcmp(text, "infinity") != 0) {
			errno = EINVAL;
			return -1;
		}
		*out = RLIM_INFINITY;
		return 0;
	}
	/* RLIM_INFINITY is all ones: a number that large is infinity by
	 * accident, so only the word says it */
	if (num < 0 || (unsigned long long)num >= (unsigned long long)RLIM_INFINITY) {
		errno = EINVAL;
		return -1;
	}
	*out = (rlim_t)num;
	return 0;
}

/* fs.nr_open: the most a nofile limit may be; 0 if unknown. */
static rlim_t nr_open(void)
{
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");
	unsigned long long v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return (rlim_t)v;
}

void sb_rlimit_expected(const char *name, char *buf, size_t len)
{
	const struct row *row = find(name);
	int res = row ? row->resource : -1;
	rlim_t cap;

	/* offer "infinity" only where it is taken */
	if (res == RLIMIT_NICE)
		snprintf(buf, len, "a number from 0 to %d", NICE_MAX);
	else if (res == RLIMIT_RTPRIO)
		snprintf(buf, len, "a number from 0 to %d", RTPRIO_MAX);
	else if (res == RLIMIT_NOFILE && (cap = nr_open()))
		snprintf(buf, len, "a number from 0 to %llu (fs.nr_open)", (unsigned long long)cap);
	else if (res == RLIMIT_NOFILE)
		snprintf(buf, len, "a number >= 0");
	else
		snprintf(buf, len, "a number >= 0 or \"infinity\"");
}

int sb_rlimit_parse(const char *name, const char *text, long long num,
		    struct sb_rlimit *out, char *errmsg, size_t errlen)
{
	const struct row *row = find(name);
	rlim_t v, max = RLIM_INFINITY;
	int res;

	if (!row) {
		if (errno == ENOTSUP)
			snprintf(errmsg, errlen, "limit \"rss\" is not enforced by Linux; "
				 "use \"as\" or \"data\"");
		else
			snprintf(errmsg, errlen, "unknown limit \"%s\"", name);
		return -1;
	}
	res = row->resource;
	if (value(text, num, &v) < 0) {
		char what[64];

		sb_rlimit_expected(name, what, sizeof what);
		snprintf(errmsg, errlen, "limit \"%s\": expected %s", name, what);
		errno = EINVAL;
		return -1;
	}
	if (res == RLIMIT_NICE)
		max = NICE_MAX;
	else if (res == RLIMIT_RTPRIO)
		max = RTPRIO_MAX;
	else if (res == RLIMIT_NOFILE) {
		rlim_t cap = nr_open();
		if (v == RLIM_INFINITY) {
			/* the kernel refuses it: fds are bounded by fs.nr_open */
			snprintf(errmsg, errlen, "limit \"nofile\" cannot be infinity; "
				 "the most is fs.nr_open (%llu)", (unsigned long long)cap);
			errno = EINVAL;
			return -1;
		}
		if (cap)
			max = cap;
	}
	if (v != RLIM_INFINITY && max != RLIM_INFINITY && v > max) {
		snprintf(errmsg, errlen, "limit \"%s\" is at most %llu",
			 name, (unsigned long long)max);
		errno = ERANGE;
		return -1;
	}
	if (v == RLIM_INFINITY && max != RLIM_INFINITY) {
		snprintf(errmsg, errlen, "limit \"%s\" cannot be infinity; "
			 "the most is %llu", name, (unsigned long long)max);
		errno = EINVAL;
		return -1;
	}
	out->resource = res;
	out->lim.rlim_cur = v;
	out->lim.rlim_max = v;
	out->call = row->call;
	return 0;
}
