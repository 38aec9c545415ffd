/* What loading the seccomp filter costs the child: the seccomp(2) call
 * alone (the kernel checks, converts and JITs the program), timed inside
 * forked children, for each shipped profile's program as bpf_gen writes
 * it and as libseccomp exports it, interleaved so both see the same
 * machine. Usage: bench_seccomp_load [LOADS]   (default 1000 per program) */
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "sandbox/seccomp/filter.h"
#include "sandbox/seccomp/profiles.h"
#include "tests/bench/bench.h"

/* One load in a fresh child, as the spawn child does it (with a
 * listener); the child writes its own figure to SLOT. */
static long long load_once(const struct sb_filter *f, long long *slot)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		long long t0, t1;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(1);
		t0 = now_ns();
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER, &f->prog) < 0)
			_exit(1);
		t1 = now_ns();	/* clock_gettime is a vDSO call: no syscall */
		*slot = t1 - t0;
		_exit(0);	/* exit_group: allowed by every profile */
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "load failed in the child\n");
		exit(1);
	}
	return *slot;
}

int main(int argc, char **argv)
{
	int loads = argc > 1 ? atoi(argv[1]) : 1000;
	long long *slot = mmap(NULL, sizeof *slot, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long long *lat[2];

	if (slot == MAP_FAILED || loads <= 0)
		return 2;
	lat[0] = calloc((size_t)loads, sizeof **lat);
	lat[1] = calloc((size_t)loads, sizeof **lat);
	if (!lat[0] || !lat[1])
		return 2;
	for (int p = SB_PROFILE_MINIMAL; p <= SB_PROFILE_NETWORK; p++) {
		struct sb_spec spec = { .profile = (enum sb_profile)p };
		struct sb_policy pol;
		struct sb_filter f[2];
		char err[256];

		if (sb_policy_resolve(&spec, &pol, err, sizeof err) < 0 ||
		    sb_filter_build(&pol, &f[0]) < 0 || sb_filter_build_libseccomp(&pol, &f[1]) < 0) {
			fprintf(stderr, "%s: %s\n", sb_profile_name(spec.profile), strerror(errno));
			return 1;
		}
		for (int i = 0; i < loads; i++)
			for (int k = 0; k < 2; k++)
				lat[k][i] = load_once(&f[k], slot);
		for (int k = 0; k < 2; k++) {
			long long sum = 0;

			for (int i = 0; i < loads; i++)
				sum += lat[k][i];
			printf("%-8s %-10s %4u insns  load: median %6.1f us  mean %6.1f us  p90 %6.1f us\n",
			       sb_profile_name(spec.profile), k ? "libseccomp" : "bpf_gen",
			       f[k].prog.len, (double)percentile(lat[k], loads, 0.5) / 1e3,
			       (double)sum / 1e3 / loads, (double)percentile(lat[k], loads, 0.9) / 1e3);
		}
		sb_filter_free(&f[0]);
		sb_filter_free(&f[1]);
		sb_policy_free(&pol);
	}
	free(lat[0]);
	free(lat[1]);
	munmap(slot, sizeof *slot);
	return 0;
}
