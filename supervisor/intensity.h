/* Restart intensity: more than `intensity` restarts within `period`
 * means give up (OTP's MaxR/MaxT). A ring of the last intensity+1 restart
 * times is all the history the rule needs. */
#ifndef PROSPERO_INTENSITY_H
#define PROSPERO_INTENSITY_H

#include <stdbool.h>
#include <stdint.h>

struct sv_intensity {
	int64_t *stamps;	/* ring of restart times, ms */
	unsigned cap;		/* intensity + 1 */
	unsigned len, head;
	int64_t period_ms;
};

int sv_intensity_init(struct sv_intensity *in, unsigned intensity, int64_t period_ms);
void sv_intensity_fini(struct sv_intensity *in);
void sv_intensity_reset(struct sv_intensity *in);
/* Record a restart at now. True if the limit is now exceeded. */
bool sv_intensity_add(struct sv_intensity *in, int64_t now_ms);
/* to (initialised with a new limit) takes over from's history, the
 * newest that fit; from is freed and becomes to. */
void sv_intensity_move(struct sv_intensity *to, struct sv_intensity *from);
/* How many restarts count at now (for status: "2/3 in 5 s"). */
unsigned sv_intensity_count(const struct sv_intensity *in, int64_t now_ms);

#endif
