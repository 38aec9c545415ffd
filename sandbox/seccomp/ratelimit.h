/* Rate limiting for violation reports: an actor in "errno" mode that
 * makes a denied call in a loop is reported a few times, then once a
 * period with the count of the rest. */
#ifndef PROSPERO_SANDBOX_SECCOMP_RATELIMIT_H
#define PROSPERO_SANDBOX_SECCOMP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

/* Token bucket for errno-mode reports, pure: the caller passes a
 * monotonic now_ms. BURST reports at once, then one per INTERVAL_MS;
 * INTERVAL_MS 0 means no limit. */
struct sb_ratelimit {
	uint64_t interval_ms;
	unsigned burst;
	unsigned tokens;
	uint64_t last_ms;		/* when the tokens were last topped up */
	unsigned long suppressed;	/* since the last report let through */
	bool started;
};

void sb_ratelimit_init(struct sb_ratelimit *rl, unsigned burst, uint64_t interval_ms);

/* True if this report may go out; then *SUPPRESSED (if not NULL) is how
 * many were held back since the previous one ("... and 41 more"), and the
 * count restarts. False: count it and stay quiet. */
bool sb_ratelimit_allow(struct sb_ratelimit *rl, uint64_t now_ms, unsigned long *suppressed);

/* The count held back since the last report let through, and it
 * restarts: for a last report that goes out whatever the tokens say
 * (the actor's end). */
unsigned long sb_ratelimit_take_suppressed(struct sb_ratelimit *rl);

#endif
