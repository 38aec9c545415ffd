/* The counter-based generator behind every fault decision.
 *
 * A decision is a pure function of its key: the run's seed, which fault,
 * which of its targets, a sub-target (client instance and direction, or an
 * instance's incarnation), the count (the k-th firing, message or call)
 * and what the draw is for. Nothing depends on the order in which the
 * daemon happens to ask, so the same plan and seed make the same decisions
 * for the same sequence of kills, messages and calls, and any decision in
 * an events file can be recomputed from the fields it records. The hash
 * is splitmix64's finaliser, applied once per field. */
#ifndef PROSPERO_FAULTS_DRAW_H
#define PROSPERO_FAULTS_DRAW_H

#include <stdbool.h>
#include <stdint.h>

/* What a draw decides: draws for different purposes never share a value. */
enum fault_stream {
	FAULT_STREAM_JITTER = 1,	/* offset of a rate fault's firing */
	FAULT_STREAM_PICK,		/* the member of a set a firing hits */
	FAULT_STREAM_DROP,
	FAULT_STREAM_DUPLICATE,
	FAULT_STREAM_DELAY,
	FAULT_STREAM_SYSCALL,		/* whether an eligible call fails */
};

struct fault_key {
	uint64_t seed;
	uint64_t fault;			/* index in the plan */
	uint64_t target;		/* index in the fault's targets or edges */
	uint64_t sub;			/* see the decision functions */
	uint64_t n;			/* the count */
	enum fault_stream stream;
};

/* 64 well-mixed bits. */
uint64_t fault_draw(const struct fault_key *k);

/* Uniform in [0, 1), with 53 bits. */
double fault_draw_unit(const struct fault_key *k);

/* True with probability P: never for P <= 0, always for P >= 1. */
bool fault_draw_chance(const struct fault_key *k, double p);

/* Uniform in [LO, HI] (LO <= HI). */
int64_t fault_draw_range(const struct fault_key *k, int64_t lo, int64_t hi);

#endif
