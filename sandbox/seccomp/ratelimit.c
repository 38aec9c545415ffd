/* A token bucket, pure: the caller brings the clock. */

#include "sandbox/seccomp/ratelimit.h"

void sb_ratelimit_init(struct sb_ratelimit *rl, unsigned burst, uint64_t interval_ms)
{
	*rl = (struct sb_ratelimit){ .interval_ms = interval_ms, .burst = burst };
}

bool sb_ratelimit_allow(struct sb_ratelimit *rl, uint64_t now_ms, unsigned long *suppressed)
{
	if (rl->interval_ms == 0)
		goto allow;
	if (!rl->started) {
		rl->started = true;
		rl->tokens = rl->burst;
		rl->last_ms = now_ms;
	} else if (now_ms < rl->last_ms) {
		rl->last_ms = now_ms;	/* not monotonic after all: refill from here */
	} else {
		uint64_t add = (now_ms - rl->last_ms) / rl->interval_ms;

		if (add >= rl->burst - rl->tokens) {
			rl->tokens = rl->burst;
			rl->last_ms = now_ms;
		} else if (add) {
			rl->tokens += (unsigned)add;
			rl->last_ms += add * rl->interval_ms;
		}
	}
	if (rl->tokens == 0) {
		if (rl->suppressed < (unsigned long)-1)
			rl->suppressed++;
		return false;
	}
	rl->tokens--;
allow:
	if (suppressed)
		*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

unsigned long sb_ratelimit_take_suppressed(struct sb_ratelimit *rl)
{
	unsigned long n = rl->suppressed;

	rl->suppressed = 0;
	return n;
}
