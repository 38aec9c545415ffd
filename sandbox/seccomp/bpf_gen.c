/* The program is written back to front: when a jump is emitted, both its
 * targets already exist, so the distance is known and a target beyond a
 * conditional jump's 8-bit reach gets a "ja" trampoline (32-bit offset)
 * right after the jump. No second pass, no fix-up list. */

#include <errno.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/seccomp/bpf_gen.h"

/* Offsets into struct seccomp_data; an argument's words by byte order. */
#define OFF_NR		offsetof(struct seccomp_data, nr)
#define OFF_ARCH	offsetof(struct seccomp_data, arch)
#define OFF_ARG(i)	(offsetof(struct seccomp_data, args) + 8 * (i))
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define OFF_LO(i)	OFF_ARG(i)
#define OFF_HI(i)	(OFF_ARG(i) + 4)
#else
#define OFF_LO(i)	(OFF_ARG(i) + 4)
#define OFF_HI(i)	OFF_ARG(i)
#endif

#define MAX_JUMP 255	/* jt/jf are 8 bits */

/* Instructions in reverse: rev[0] is the program's last. A label is the
 * reverse index of the instruction jumped to. */
struct emitter {
	struct sock_filter *rev;
	size_t n, cap;
	int err;		/* the first failure; nothing is emitted after it */
	/* The latest "ret" of each action: a leaf jumps to it rather than
	 * repeat it, so a range costs its one jump in the tree. */
	struct {
		uint32_t action;
		size_t label;
	} rets[4];
	size_t nrets;
};

static size_t emit(struct emitter *e, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (e->err)
		return 0;
	if (e->n == BPF_MAXINSNS) {
		e->err = E2BIG;
		return 0;
	}
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 64;
		struct sock_filter *p;

		if (cap > BPF_MAXINSNS)
			cap = BPF_MAXINSNS;
		p = realloc(e->rev, cap * sizeof *p);
		if (!p) {
			e->err = ENOMEM;
			return 0;
		}
		e->rev = p;
		e->cap = cap;
	}
	e->rev[e->n] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
	return e->n++;
}

/* Offset from the instruction about to be emitted to LABEL. */
static size_t dist(const struct emitter *e, size_t label)
{
	return e->n - 1 - label;
}

static size_t emit_ret(struct emitter *e, uint32_t action)
{
	return emit(e, BPF_RET | BPF_K, 0, 0, action);
}

/* A "ret ACTION" to jump to: the latest one while it is in reach of a
 * conditional jump, else a new one, which then serves the leaves before
 * it. A jump emitted later that finds it out of reach gets a trampoline,
 * so sharing never costs more than repeating. */
static size_t ret_label(struct emitter *e, uint32_t action)
{
	size_t i = 0, label;

	while (i < e->nrets && e->rets[i].action != action)
		i++;
	if (i < e->nrets && dist(e, e->rets[i].label) <= MAX_JUMP)
		return e->rets[i].label;
	label = emit_ret(e, action);
	if (i == e->nrets) {
		if (i == sizeof e->rets / sizeof e->rets[0])
			return label;	/* a fifth action: repeated, not shared */
		e->nrets++;
	}
	e->rets[i].action = action;
	e->rets[i].label = label;
	return label;
}

static size_t emit_ld(struct emitter *e, size_t off)
{
	return emit(e, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)off);
}

static size_t emit_ja(struct emitter *e, size_t label)
{
	return emit(e, BPF_JMP | BPF_JA, 0, 0, (uint32_t)dist(e, label));
}

/* A conditional jump; a far target is reached through a "ja" placed
 * between the jump and the code that follows it. */
static size_t emit_jcond(struct emitter *e, uint16_t op, uint32_t k, size_t t_true, size_t t_false)
{
	while (!e->err) {
		if (dist(e, t_true) > MAX_JUMP)
			t_true = emit_ja(e, t_true);
		else if (dist(e, t_false) > MAX_JUMP)
			t_false = emit_ja(e, t_false);
		else
			return emit(e, BPF_JMP | op | BPF_K, (uint8_t)dist(e, t_true),
				    (uint8_t)dist(e, t_false), k);
	}
	return 0;
}

/* One 32-bit word of an alternative. */
struct word {
	uint32_t mask, value;
};

static bool word_tested(struct word w)
{
	return w.mask || w.value;
}

/* An alternative after normalising: which words need a test. */
struct alt {
	unsigned arg;
	struct word hi, lo;
};

static struct word hi_word(const struct sb_bpf_test *t)
{
	return (struct word){ (uint32_t)(t->mask >> 32), (uint32_t)(t->value >> 32) };
}

static struct word lo_word(const struct sb_bpf_test *t)
{
	return (struct word){ (uint32_t)t->mask, (uint32_t)t->value };
}

/* Load the word at OFF, mask it unless the mask keeps every bit, and go
 * to T_TRUE if it equals W.value, else T_FALSE. Returns the first label. */
static size_t emit_word_test(struct emitter *e, size_t off, struct word w, size_t t_true,
			     size_t t_false)
{
	emit_jcond(e, BPF_JEQ, w.value, t_true, t_false);
	if (w.mask != UINT32_MAX)
		emit(e, BPF_ALU | BPF_AND | BPF_K, 0, 0, w.mask);
	return emit_ld(e, off);
}

/* Alternatives that share an argument and a high-word test and compare
 * the whole low word with plain equality load that word once, like
 * ioctl's list of requests: ld lo; jeq v1 ? pass; jeq v2 ? pass; ... */
static size_t alt_run(const struct alt *a, size_t n)
{
	size_t i = 1;

	if (a[0].lo.mask != UINT32_MAX)
		return 1;
	while (i < n && a[i].arg == a[0].arg && a[i].hi.mask == a[0].hi.mask &&
	       a[i].hi.value == a[0].hi.value && a[i].lo.mask == UINT32_MAX)
		i++;
	return i;
}

/* A syscall with argument tests; reached only for its own number. */
static size_t emit_cond_leaf(struct emitter *e, const struct sb_bpf_rule *r, uint32_t default_action)
{
	struct alt a[SB_BPF_MAX_TESTS];
	size_t na = 0, pass, next;

	for (size_t i = 0; i < r->ntests; i++) {
		struct word hi = hi_word(&r->tests[i]), lo = lo_word(&r->tests[i]);

		if ((hi.value & ~hi.mask) || (lo.value & ~lo.mask))
			continue;	/* can never hold */
		if (!word_tested(hi) && !word_tested(lo))
			return ret_label(e, r->action);	/* always holds */
		a[na++] = (struct alt){ r->tests[i].arg, hi, lo };
	}
	if (!na)
		return ret_label(e, default_action);

	pass = ret_label(e, r->action);
	next = ret_label(e, default_action);
	/* the runs, last first: each run's failure goes on to the next */
	for (size_t end = na; end > 0;) {
		size_t start = 0, len;

		/* find where the run ending at END starts, scanning forwards so
		 * the grouping is the same as a front-to-back reading */
		for (size_t i = 0; i < end; i += len) {
			len = alt_run(&a[i], end - i);
			start = i;
		}
		const struct alt *first = &a[start];
		size_t lo_start = next;

		if (word_tested(first->lo)) {
			size_t fail = next;

			for (size_t i = end; i-- > start;) {
				fail = emit_jcond(e, BPF_JEQ, a[i].lo.value, pass, fail);
				if (i == start && first->lo.mask != UINT32_MAX)
					emit(e, BPF_ALU | BPF_AND | BPF_K, 0, 0, first->lo.mask);
			}
			lo_start = emit_ld(e, OFF_LO(first->arg));
		}
		if (word_tested(first->hi))
			next = emit_word_test(e, OFF_HI(first->arg), first->hi,
					      word_tested(first->lo) ? lo_start : pass, next);
		else
			next = lo_start;
		end = start;
	}
	return next;
}

/* One range of syscall numbers, [lo, next range's lo). */
struct range {
	uint32_t lo;
	uint32_t action;
	const struct sb_bpf_rule *cond;	/* a single number with tests */
};

static size_t emit_tree(struct emitter *e, const struct range *r, size_t n, uint32_t default_action)
{
	size_t mid, right, left;

	if (n == 1)
		return r->cond ? emit_cond_leaf(e, r->cond, default_action) : ret_label(e, r->action);
	mid = n / 2;
	/* right half first: it ends up after the left one, which the jump
	 * falls through to */
	right = emit_tree(e, r + mid, n - mid, default_action);
	left = emit_tree(e, r, mid, default_action);
	return emit_jcond(e, BPF_JGE, r[mid].lo, right, left);
}

static int by_nr(const void *a, const void *b)
{
	uint32_t x = ((const struct sb_bpf_rule *)a)->nr, y = ((const struct sb_bpf_rule *)b)->nr;

	return x < y ? -1 : x > y;
}

/* Cover [0, 2^32) with ranges: gaps get the default, a run of numbers
 * with one unconditional action is one range. At most 2n + 1. */
static size_t make_ranges(const struct sb_bpf_rule *s, size_t n, uint32_t default_action,
			  struct range *out)
{
	size_t m = 0;
	uint32_t next = 0;	/* first number not yet covered */

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i].nr > next) {	/* a gap, or what follows the last */
			if (!m || out[m - 1].cond || out[m - 1].action != default_action)
				out[m++] = (struct range){ .lo = next, .action = default_action };
			if (i == n)
				break;
		}
		if (s[i].ntests)
			out[m++] = (struct range){ .lo = s[i].nr, .cond = &s[i] };
		else if (!m || out[m - 1].cond || out[m - 1].action != s[i].action)
			out[m++] = (struct range){ .lo = s[i].nr, .action = s[i].action };
		next = s[i].nr + 1;
	}
	return m;
}

int sb_bpf_gen(const struct sb_bpf_rule *rules, size_t n, uint32_t arch,
	       uint32_t badarch_action, uint32_t default_action, struct sock_fprog *out)
{
	struct emitter e = { 0 };
	struct sb_bpf_rule *sorted = NULL;
	struct range *ranges = NULL;
	struct sock_filter *prog = NULL;
	size_t nranges, nr_label, bad_label;
	int rc = -1, err = 0;

	if (n > SB_BPF_NR_LIMIT) {	/* then some nr repeats; keeps 2n + 1 in range */
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (rules[i].nr >= SB_BPF_NR_LIMIT) {
			errno = EINVAL;
			return -1;
		}
		if (rules[i].ntests > SB_BPF_MAX_TESTS) {
			errno = EINVAL;
			return -1;
		}
		for (size_t j = 0; j < rules[i].ntests; j++)
			if (rules[i].tests[j].arg > 5) {
				errno = EINVAL;
				return -1;
			}
	}
	sorted = malloc((n ? n : 1) * sizeof *sorted);
	ranges = malloc((2 * n + 1) * sizeof *ranges);
	if (!sorted || !ranges) {
		err = ENOMEM;
		goto out;
	}
	if (n)
		memcpy(sorted, rules, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, by_nr);
	for (size_t i = 1; i < n; i++)
		if (sorted[i].nr == sorted[i - 1].nr) {
			err = EINVAL;
			goto out;
		}
	nranges = make_ranges(sorted, n, default_action, ranges);

	emit_tree(&e, ranges, nranges, default_action);
	nr_label = emit_ld(&e, OFF_NR);
	bad_label = ret_label(&e, badarch_action);
	emit_jcond(&e, BPF_JEQ, arch, nr_label, bad_label);
	emit_ld(&e, OFF_ARCH);
	if (e.err) {
		err = e.err;
		goto out;
	}

	prog = malloc(e.n * sizeof *prog);
	if (!prog) {
		err = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < e.n; i++)
		prog[i] = e.rev[e.n - 1 - i];
	out->filter = prog;
	out->len = (unsigned short)e.n;
	rc = 0;
out:
	free(e.rev);
	free(ranges);
	free(sorted);
	if (rc < 0)
		errno = err;
	return rc;
}
