/* A classic BPF interpreter with the kernel's seccomp checks: only word
 * loads inside struct seccomp_data, jumps inside the program, and a "ret"
 * at the end of every path the data takes. Enough of the instruction set
 * for libseccomp's programs as well as bpf_gen's. It runs millions of
 * times in a test, so it reports through bpf_run_error() rather than
 * Check's asserts, each of which records a mark point. */
#ifndef PROSPERO_TESTS_COMMON_BPF_RUN_H
#define PROSPERO_TESTS_COMMON_BPF_RUN_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>

/* What bpf_run returns for a program the kernel would refuse or a path
 * that falls off the end; bpf_run_error() then says where. */
#define BPF_BAD 0xdeadbeefU

/* The action PROG returns for D. */
uint32_t bpf_run(const struct sock_fprog *prog, const struct seccomp_data *d);

/* The last failure, "pc 12: jump out of range (code 0x15)". */
const char *bpf_run_error(void);

#endif
