/* Processes as /proc shows them, and waiting on them without a timed
 * assertion: the integration harness's, and any suite's that counts the
 * fds it holds. */
#ifndef PROSPERO_TESTS_COMMON_PROC_H
#define PROSPERO_TESTS_COMMON_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

void h_sleep_ms(int ms);
/* CLOCK_MONOTONIC in ms, for the deadlines of the waits. */
long long h_now_ms(void);
/* Wait until pid no longer exists (reaped); false after timeout_ms. */
bool h_wait_gone(pid_t pid, int timeout_ms);
/* Wait until pid is gone or a zombie: no longer running. */
bool h_wait_dead(pid_t pid, int timeout_ms);
bool h_alive(pid_t pid);
/* The fds pid holds. */
int h_fd_count(pid_t pid);
/* The lowest fd pid does not hold: as its soft RLIMIT_NOFILE, one that
 * leaves it none free. */
unsigned h_lowest_free_fd(pid_t pid);
/* Its CPU time so far (user and system), in clock ticks: a daemon that
 * spins uses them while it should wait. */
long h_cpu_ticks(pid_t pid);
/* Which namespace of kind NS ("ipc", "mnt", ...) pid is in, as
 * /proc/PID/ns/NS names it ("ipc:[4026531839]"); pid 0: this process. */
void h_ns_id(pid_t pid, const char *ns, char *buf, size_t len);
int h_zombie_children(pid_t parent);
/* The hexadecimal field NAME ("SigIgn", "SigBlk") of /proc/PID/status;
 * all ones when there is no such field. */
unsigned long long h_status_mask(pid_t pid, const char *name);
/* A uid and gid that no passwd or group entry names, far from the
 * dynamic uids (61184-65519 by default) that the integration suites'
 * daemons, run beside, give their actors, and this process's own (16 per
 * pid % 100000): a test that switches to it finds no other process of it
 * (nproc counts them all), not even one of a suite run beside that
 * switches too (check_privs and check_rlimits, next to each other in
 * make -j2 check). One of [H_UNUSED_ID_FIRST, H_UNUSED_ID_END): no
 * suite's own ids may fall in it. */
#define H_UNUSED_ID_FIRST 2000061184u
#define H_UNUSED_ID_END (H_UNUSED_ID_FIRST + 100000u * 16u)
uid_t h_unused_id(void);

#endif
