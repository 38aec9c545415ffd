/* Resource limits, daemon side: the config's "limits" object by name,
 * checked here and turned into the plan the child applies
 * (sandbox/child/rlimits.h). */
#ifndef PROSPERO_SANDBOX_DAEMON_RLIMITS_H
#define PROSPERO_SANDBOX_DAEMON_RLIMITS_H

#include <stddef.h>
#include <sys/resource.h>

#include "sandbox/child/rlimits.h"

/* "nofile" -> RLIMIT_NOFILE. -1 with errno ENOENT for a name not in the
 * table, ENOTSUP for "rss": Linux accepts it and enforces nothing. */
int sb_rlimit_resource(const char *name);

/* The names sb_rlimit_resource knows, NULL-terminated: for a "did you
 * mean" hint. */
const char *const *sb_rlimit_names(void);

/* The config name of a resource, or NULL. */
const char *sb_rlimit_name(int resource);

/* What NAME takes, as an error says it after "expected": "a number from
 * 0 to 40", or "a number >= 0 or \"infinity\"" where infinity is taken. */
void sb_rlimit_expected(const char *name, char *buf, size_t len);

/* A limit from the config: NAME as sb_rlimit_resource takes it, and the
 * value, text "infinity" (NUM ignored) or, with TEXT NULL, a number >= 0;
 * then the per-resource bounds the kernel would refuse
 * at spawn time anyway (nice 0..40, rtprio 0..99, nofile finite and within
 * fs.nr_open), so the mistake shows up in `prospero check`. Fills *out with
 * soft == hard and the call a failure names. -1 with errno and errmsg
 * (naming the limit) on error. */
int sb_rlimit_parse(const char *name, const char *text, long long num,
		    struct sb_rlimit *out, char *errmsg, size_t errlen);

#endif
