/* Restart backoff: how long a restart after a crash waits.
 *
 * The delay belongs to the child that failed: initial_ms for its first
 * restart, doubled at each one after, up to max_ms, and back to initial_ms
 * once it had been up reset_after_ms before it ended. Intensity still
 * counts each restart when it is decided, so a supervisor that gives up
 * gives up; the delay only spaces the starts.
 *
 * Under one_for_all and rest_for_one the failed child's delay applies to
 * its whole group, once: the others are stopped at once (they depend on
 * the failed one, so they are not left running beside a dead peer), and
 * the group is started in order when the delay is over. Each sibling
 * waiting for its own delay would stretch one group restart to the sum of
 * them, for children that did not fail.
 *
 * A waiting child is down with .waiting set and .due its time; its
 * supervisor arms its own timer (SV_DO_TIMER on the supervisor) for the
 * earliest due and is otherwise idle, so the other children's exits are
 * handled at once. The RESTART report carries the delay in .ms. */
#ifndef PROSPERO_BACKOFF_H
#define PROSPERO_BACKOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "supervisor/tree.h"

/* Give n a backoff (initial 0: none). -1 EINVAL unless
 * 0 <= initial_ms <= max_ms and reset_after_ms >= 0. */
int sv_set_backoff(struct sv_node *n, const struct sv_backoff *b);

/* The delay of the next restart, after one of last_ms (0: none yet), of a
 * node that had been up ran_ms before it ended (-1: never ready). */
long sv_backoff_next(const struct sv_backoff *b, long last_ms, int64_t ran_ms);

/* For `check`: true if a child crashing as fast as it can, spaced only by
 * b, could never make more than `intensity` restarts within period_ms, so
 * its supervisor would never give up on it; why gets a one-line reason.
 * COPIES: the child's instances, which may all fail at once. */
bool sv_backoff_outruns(const struct sv_backoff *b, unsigned intensity, long period_ms, unsigned copies,
			char *why, size_t len);

#endif
