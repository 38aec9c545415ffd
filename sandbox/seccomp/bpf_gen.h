/* Our own classic-BPF seccomp compiler: a syscall table in, a program out,
 * no allocation but the program itself and no kernel involved.
 *
 * Why not libseccomp's export: its program tests one syscall number per
 * instruction (358 instructions for "service"), and the child pays for
 * every instruction when the kernel checks, converts and JITs the filter
 * at load time. Here consecutive numbers with the same unconditional
 * action become one range and the program is a balanced binary search
 * over ranges, so the size follows the number of runs, not of syscalls.
 *
 * The program, in order:
 *   ld arch; jeq ARCH ? +1 : +0; ret BADARCH;   a foreign ABI (i386 via
 *                                               int 0x80) never reaches
 *                                               the native numbers
 *   ld nr; binary search over [lo, next lo) ranges on nr (unsigned);
 *   each leaf is "ret ACTION", or for a syscall with argument tests the
 *   tests followed by "ret default; ret ACTION".
 * Numbers from SB_BPF_NR_LIMIT up (x32's __X32_SYSCALL_BIT numbers, and -1)
 * can have no rule, so they fall in the last range and get the default
 * action: the same as libseccomp's x86_64 program, which sends them to
 * the default (or BADARCH, which Prospero sets to the same action).
 *
 * Argument tests compare 64 bits as two 32-bit words, high word first, as
 * libseccomp does; a word whose mask and value are both 0 is not tested,
 * and an alternative whose value has bits outside its mask is dropped (it
 * can never hold). */
#ifndef PROSPERO_SANDBOX_SECCOMP_BPF_GEN_H
#define PROSPERO_SANDBOX_SECCOMP_BPF_GEN_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/* x86_64's __X32_SYSCALL_BIT: no native syscall number reaches it. */
#define SB_BPF_NR_LIMIT 0x40000000U

/* Alternatives per rule; ioctl's seven are the most a profile has. */
#define SB_BPF_MAX_TESTS 64

/* Holds when (args[arg] & mask) == value, over all 64 bits. */
struct sb_bpf_test {
	unsigned arg;			/* 0..5 */
	uint64_t mask, value;
};

struct sb_bpf_rule {
	uint32_t nr;			/* below SB_BPF_NR_LIMIT */
	uint32_t action;		/* SECCOMP_RET_* */
	/* Alternatives: ACTION if any one holds, the default action if none
	 * does. NULL/0: ACTION unconditionally. Borrowed for the call. */
	const struct sb_bpf_test *tests;
	size_t ntests;
};

/* Compile RULES (any order, each nr once) for ARCH (an AUDIT_ARCH_*
 * value; the argument words are laid out in the host's byte order, so
 * ARCH must be the native one). Numbers without a rule get
 * DEFAULT_ACTION, other architectures BADARCH_ACTION. On success *OUT
 * holds a malloc'd program; free out->filter. Returns 0, or -1 with
 * errno: EINVAL (a duplicate nr; nr, arg or ntests out of range), E2BIG (more
 * than BPF_MAXINSNS instructions), ENOMEM. *OUT is untouched on failure. */
int sb_bpf_gen(const struct sb_bpf_rule *rules, size_t n, uint32_t arch,
	       uint32_t badarch_action, uint32_t default_action, struct sock_fprog *out);

#endif
