/* The seccomp filter: compiled once per policy in the daemon, loaded by
 * each vfork child with two system calls (sandbox/seccomp/load.h).
 *
 * Every syscall the policy does not allow goes to SECCOMP_RET_USER_NOTIF,
 * for both on_violation modes, so the daemon sees the exact call of any
 * program (not only ones linked with us): in "kill" mode it reports and
 * kills, in "errno" mode it reports and answers -EPERM
 * (sandbox/seccomp/listener.h). Non-native ABIs (i386 via int 0x80, x32
 * numbers with __X32_SYSCALL_BIT) take the same path, so they are
 * reported too.
 *
 * A policy's "routed" calls (fault injection) go to the listener even
 * where the policy allows them: the daemon then rechecks the rule
 * (sb_rule_allows) to tell a call it may fail from a violation. */
#ifndef PROSPERO_SANDBOX_SECCOMP_FILTER_H
#define PROSPERO_SANDBOX_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>

#include "sandbox/seccomp/profiles.h"

struct sb_filter {
	struct sock_filter *insns;	/* NULL for the "none" profile */
	struct sock_fprog prog;		/* what the child loads; points at insns */
	enum sb_on_violation on_violation;
};

/* Compile POLICY to classic BPF for the native architecture (bpf_gen.h on
 * x86_64, names resolved by libseccomp; libseccomp's own export
 * elsewhere). Syscalls this architecture lacks are skipped. Returns 0, or
 * -1 with errno (ENOMEM, EINVAL for a rule libseccomp refuses, EOPNOTSUPP
 * if the kernel has no user notification). Nothing is kept on failure. */
int sb_filter_build(const struct sb_policy *policy, struct sb_filter *f);

/* Whether rule R (NULL: profile "none", which allows everything) lets
 * the call with ARGS through, as the filter's own tests would. */
bool sb_rule_allows(const struct sb_rule *r, const uint64_t args[6]);

/* The reference: POLICY compiled by libseccomp and exported, the program
 * sb_filter_build produced before bpf_gen. sb_filter_build still uses it
 * on architectures other than x86_64, where the equivalence of the two
 * has not been proven; the filter's unit test runs both programs on every
 * syscall number and on each condition's boundary values. Same contract
 * as sb_filter_build. */
int sb_filter_build_libseccomp(const struct sb_policy *policy, struct sb_filter *f);

void sb_filter_free(struct sb_filter *f);

#endif
