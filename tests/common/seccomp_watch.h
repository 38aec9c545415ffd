/* The daemon's side of a seccomp test: build a shipped profile's filter,
 * take the listener a child hands over, report every notification it
 * raises (killing or answering per mode, as the daemon does) until the
 * child is gone, and assert on what was seen. */
#ifndef PROSPERO_TESTS_COMMON_SECCOMP_WATCH_H
#define PROSPERO_TESTS_COMMON_SECCOMP_WATCH_H

#include <sys/types.h>

#include "sandbox/seccomp/filter.h"
#include "sandbox/seccomp/violation.h"

#define WATCH_MAX_SEEN 8

struct seen {
	int n;					/* violations, even past the array */
	struct sb_violation v[WATCH_MAX_SEEN];
	int status;				/* from waitpid */
};

/* PROFILE's filter with no allow or deny; the test fails if it cannot be
 * built. */
void watch_filter(enum sb_profile profile, enum sb_on_violation mode, struct sb_filter *f);

/* Receive the listener from HANDOFF (none arrives for an unfiltered
 * child), then report, kill or answer until PID exits; it is reaped into
 * S. A child that lives on for 20 s is killed and fails the test. */
void watch_child(pid_t pid, int handoff, enum sb_on_violation mode, struct seen *s);

/* No violation, and an exit with CODE. */
void expect_clean_exit(const struct seen *s, int code);

/* Killed by SIGKILL, the first violation reading TEXT. */
void expect_killed_for(const struct seen *s, const char *text);

#endif
