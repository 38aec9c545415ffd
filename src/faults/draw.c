#include "src/faults/draw.h"

#define GOLDEN UINT64_C(0x9e3779b97f4a7c15)

/* splitmix64's output function: a bijection that spreads every input bit
 * over the whole word. */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Each field gets its own odd multiple of the golden gamma, so
 * (fault 1, target 0) and (fault 0, target 1) hash apart. */
static uint64_t absorb(uint64_t h, uint64_t field, uint64_t slot)
{
	return mix(h ^ mix(field + GOLDEN * (2 * slot + 1)));
}

uint64_t fault_draw(const struct fault_key *k)
{
	uint64_t h = mix(k->seed + GOLDEN);

	h = absorb(h, k->fault, 1);
	h = absorb(h, k->target, 2);
	h = absorb(h, k->sub, 3);
	h = absorb(h, k->n, 4);
	return absorb(h, (uint64_t)k->stream, 5);
}

double fault_draw_unit(const struct fault_key *k)
{
	return (double)(fault_draw(k) >> 11) * 0x1.0p-53;
}

bool fault_draw_chance(const struct fault_key *k, double p)
{
	if (p <= 0)
		return false;
	if (p >= 1)
		return true;
	return fault_draw_unit(k) < p;
}

int64_t fault_draw_range(const struct fault_key *k, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;

	/* the whole 64-bit range: every draw is in it */
	if (span == 0)
		return (int64_t)fault_draw(k);
	/* multiply-shift: bias below span / 2^64, far under anything a test
	 * could see, and no rejection loop */
	return (int64_t)((uint64_t)lo + (uint64_t)(((unsigned __int128)fault_draw(k) * span) >> 64));
}
