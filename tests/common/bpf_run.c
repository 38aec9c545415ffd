#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tests/common/bpf_run.h"

static char bpf_err[128];

static uint32_t bpf_fail(size_t pc, const char *what, unsigned code)
{
	snprintf(bpf_err, sizeof bpf_err, "pc %zu: %s (code %#x)", pc, what, code);
	return BPF_BAD;
}

uint32_t bpf_run(const struct sock_fprog *p, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	if (p->len == 0 || p->len > BPF_MAXINSNS)
		return bpf_fail(0, "bad length", p->len);
	for (size_t pc = 0; pc < p->len; pc++) {
		const struct sock_filter *f = &p->filter[pc];
		uint32_t src = BPF_SRC(f->code) == BPF_X ? x : f->k;
		bool cond;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (f->code == (BPF_LD | BPF_W | BPF_ABS) && f->k % 4 == 0 &&
			    f->k + 4 <= sizeof *d)
				memcpy(&a, (const char *)d + f->k, 4);
			else if (f->code == (BPF_LD | BPF_IMM))
				a = f->k;
			else if (f->code == (BPF_LD | BPF_MEM) && f->k < BPF_MEMWORDS)
				a = mem[f->k];
			else
				return bpf_fail(pc, "bad load", f->code);
			break;
		case BPF_LDX:
			if (f->code == (BPF_LDX | BPF_IMM))
				x = f->k;
			else if (f->code == (BPF_LDX | BPF_MEM) && f->k < BPF_MEMWORDS)
				x = mem[f->k];
			else
				return bpf_fail(pc, "bad ldx", f->code);
			break;
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return bpf_fail(pc, "bad store", f->code);
			mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV:
				if (!src)
					return bpf_fail(pc, "division by 0", f->code);
				a /= src;
				break;
			case BPF_AND: a &= src; break;
			case BPF_OR: a |= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a = src < 32 ? a << src : 0; break;
			case BPF_RSH: a = src < 32 ? a >> src : 0; break;
			case BPF_NEG: a = -a; break;
			default: return bpf_fail(pc, "bad alu", f->code);
			}
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				if (f->k >= p->len - pc - 1)
					return bpf_fail(pc, "ja out of range", f->code);
				pc += f->k;
				continue;
			}
			if (pc + 1 + f->jt >= p->len || pc + 1 + f->jf >= p->len)
				return bpf_fail(pc, "jump out of range", f->code);
			switch (BPF_OP(f->code)) {
			case BPF_JEQ: cond = a == src; break;
			case BPF_JGT: cond = a > src; break;
			case BPF_JGE: cond = a >= src; break;
			case BPF_JSET: cond = (a & src) != 0; break;
			default: return bpf_fail(pc, "bad jump", f->code);
			}
			pc += cond ? f->jt : f->jf;
			break;
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : f->k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
	return bpf_fail(p->len, "fell off the end", 0);
}

const char *bpf_run_error(void)
{
	return bpf_err;
}
