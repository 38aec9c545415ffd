#include <string.h>

#include "src/faults/decide.h"
#include "src/faults/draw.h"

bool fault_window_has(const struct fault_window *w, int64_t now_ms)
{
	return now_ms >= w->from_ms && now_ms < w->to_ms;
}

int64_t fault_fire_at(const struct fault_plan *p, uint64_t seed, size_t fi, uint64_t n)
{
	const struct fault *f = &p->faults[fi];
	const struct fault_process *pr = &f->u.proc;
	struct fault_key key = { .seed = seed, .fault = fi, .n = n, .stream = FAULT_STREAM_JITTER };
	int64_t slot, t;

	if (n == 0)
		return FAULT_NEVER;
	if (pr->every_ms == 0)
		return n <= pr->nat ? pr->at_ms[n - 1] : FAULT_NEVER;
	/* slots past what int64 holds never come, jitter included */
	if (n >= (uint64_t)((INT64_MAX - f->window.from_ms) / pr->every_ms))
		return FAULT_NEVER;
	slot = f->window.from_ms + (int64_t)n * pr->every_ms;
	t = slot + fault_draw_range(&key, -pr->jitter_ms, pr->jitter_ms);
	return t < f->window.to_ms ? t : FAULT_NEVER;
}

size_t fault_pick(const struct fault_plan *p, uint64_t seed, size_t fi, uint64_t n)
{
	const struct fault *f = &p->faults[fi];
	struct fault_key key = { .seed = seed, .fault = fi, .n = n, .stream = FAULT_STREAM_PICK };

	return f->ntargets > 1 ? (size_t)fault_draw_range(&key, 0, (int64_t)f->ntargets - 1) : 0;
}

static bool partitioned(const struct fault_edge *e, int64_t now_ms)
{
	for (size_t i = 0; i < e->npartitions; i++)
		if (fault_window_has(&e->partitions[i], now_ms))
			return true;
	return false;
}

void fault_edge_message(const struct fault_plan *p, uint64_t seed, size_t fi, size_t ei,
			unsigned client_instance, enum fault_dir dir, uint64_t k, int64_t now_ms,
			struct fault_msg *out)
{
	const struct fault *f = &p->faults[fi];
	const struct fault_edge *e = &f->u.edge;
	struct fault_key key = { .seed = seed, .fault = fi, .target = ei,
				 .sub = (uint64_t)client_instance * 2 + (dir == FAULT_DIR_TO_CLIENT), .n = k };

	*out = (struct fault_msg){ 0 };
	if (e->dir != FAULT_DIR_BOTH && e->dir != dir)
		return;
	if (partitioned(e, now_ms)) {
		out->drop = out->partitioned = true;
		return;
	}
	if (!fault_window_has(&f->window, now_ms))
		return;
	key.stream = FAULT_STREAM_DROP;
	if ((out->drop = fault_draw_chance(&key, e->drop)))
		return;
	key.stream = FAULT_STREAM_DUPLICATE;
	out->duplicate = fault_draw_chance(&key, e->duplicate);
	key.stream = FAULT_STREAM_DELAY;
	out->delay_ms = fault_draw_range(&key, e->delay_lo_ms, e->delay_hi_ms);
}

bool fault_syscall_matches(const struct fault *f, const char *name, const uint64_t args[6])
{
	const struct fault_syscall *s = &f->u.sys;

	if (strcmp(s->name, name) != 0)
		return false;
	return !s->has_arg || (args[s->arg_index] & s->arg_mask) == s->arg_value;
}

bool fault_syscall_fails(const struct fault_plan *p, uint64_t seed, size_t fi, size_t ti,
			 unsigned incarnation, uint64_t k, int64_t now_ms)
{
	const struct fault *f = &p->faults[fi];
	const struct fault_syscall *s = &f->u.sys;
	struct fault_key key = { .seed = seed, .fault = fi, .target = ti, .sub = incarnation, .n = k,
				 .stream = FAULT_STREAM_SYSCALL };

	if (k <= s->after || (s->every && (k - s->after) % s->every != 0))
		return false;
	return fault_window_has(&f->window, now_ms) && fault_draw_chance(&key, s->probability);
}

size_t fault_syscalls_for(const struct fault_plan *p, uint32_t order, unsigned index,
			  struct fault_call_counter *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++) {
		long t;

		if (p->faults[i].kind != FAULT_SYSCALL || (t = fault_target_find(&p->faults[i], order, index)) < 0)
			continue;
		if (n < cap)
			out[n] = (struct fault_call_counter){ .fault = i, .target = (size_t)t };
		n++;
	}
	return n;
}

int fault_syscall_verdict(const struct fault_plan *p, uint64_t seed, struct fault_call_counter *c,
			  size_t n, unsigned incarnation, const char *name, const uint64_t args[6],
			  int64_t now_ms, size_t *which)
{
	int err = 0;

	/* every matching fault counts the call, whatever an earlier one
	 * decided, so one fault's count never depends on another's draws */
	for (size_t i = 0; i < n; i++) {
		const struct fault *f = &p->faults[c[i].fault];

		if (!fault_syscall_matches(f, name, args))
			continue;
		c[i].calls++;
		if (!err && fault_syscall_fails(p, seed, c[i].fault, c[i].target, incarnation, c[i].calls, now_ms)) {
			err = f->u.sys.err;
			*which = i;
		}
	}
	return err;
}
