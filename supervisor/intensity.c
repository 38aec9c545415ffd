
#include <errno.h>
#include <stdlib.h>

#include "supervisor/intensity.h"

int sv_intensity_init(struct sv_intensity *in, unsigned intensity, int64_t period_ms)
{
	in->cap = intensity + 1;
	if (in->cap == 0) {
		errno = EOVERFLOW;
		return -1;
	}
	in->stamps = calloc(in->cap, sizeof *in->stamps);
	if (!in->stamps)
		return -1;
	in->period_ms = period_ms;
	in->len = in->head = 0;
	return 0;
}

void sv_intensity_fini(struct sv_intensity *in)
{
	free(in->stamps);
	in->stamps = NULL;
}

void sv_intensity_reset(struct sv_intensity *in)
{
	in->len = in->head = 0;
}

bool sv_intensity_add(struct sv_intensity *in, int64_t now_ms)
{
	/* head is the oldest kept stamp; overwrite it when the ring is full */
	unsigned slot = (in->head + in->len) % in->cap;
	if (in->len == in->cap) {
		in->head = (in->head + 1) % in->cap;
		in->len--;
	}
	in->stamps[slot] = now_ms;
	in->len++;
	/* OTP keeps restarts R with R >= now - period */
	while (in->len > 0 && in->stamps[in->head] < now_ms - in->period_ms) {
		in->head = (in->head + 1) % in->cap;
		in->len--;
	}
	return in->len == in->cap;
}

unsigned sv_intensity_count(const struct sv_intensity *in, int64_t now_ms)
{
	unsigned n = 0;

	for (unsigned i = 0; i < in->len; i++)
		n += in->stamps[(in->head + i) % in->cap] >= now_ms - in->period_ms;
	return n;
}

void sv_intensity_move(struct sv_intensity *to, struct sv_intensity *from)
{
	unsigned keep = from->len < to->cap ? from->len : to->cap;

	for (unsigned i = 0; i < keep; i++)
		to->stamps[i] = from->stamps[(from->head + from->len - keep + i) % from->cap];
	to->head = 0;
	to->len = keep;
	sv_intensity_fini(from);
	*from = *to;
	to->stamps = NULL;
}
