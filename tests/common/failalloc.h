/* Allocation failure on demand, for tests only: a binary linked with
 * FAILALLOC_WRAP (Makefile.am) sends every malloc, calloc, realloc,
 * reallocarray, strdup, strndup, asprintf, vasprintf, fdopen, realpath
 * (with no buffer), cap_to_name and seccomp_syscall_resolve_num_arch its
 * own objects make through here, and fa_arm(K) makes the K-th of them
 * (counting from the arming) fail with ENOMEM. */
#ifndef TESTS_COMMON_FAILALLOC_H
#define TESTS_COMMON_FAILALLOC_H

#include <stdbool.h>
#include <stddef.h>

/* Fail the K-th allocation from now, only that one; 0 disarms. */
void fa_arm(unsigned long k);
void fa_disarm(void);
/* Neither count nor fail while ON: around Check's assertions, which
 * allocate when the library is linked static. */
void fa_pause(bool on);
/* Allocations counted since the last fa_arm, and whether one failed. */
unsigned long fa_count(void);
bool fa_failed(void);

/* jansson allocates through here, counted apart from ours: fa_arm
 * leaves its allocations alone (jansson 2.14 crashes in json_loadb
 * when some fail), fa_arm_jansson(K) fails its K-th instead. */
void fa_route_jansson(void);
void fa_arm_jansson(unsigned long k);

/* SQLite allocates through here (sqlite3_config before its first use,
 * so call it before anything opens a database), counted with ours:
 * fa_arm(K) may fail one of SQLite's allocations. */
void fa_route_sqlite(void);

/* A leak check now (LeakSanitizer's recoverable one): true if memory
 * leaked since the process started and was not reported yet; always
 * false without the sanitizer. */
bool fa_leaked(void);

/* Sweep K = 1, 2, ... over OP until a run has no failed allocation:
 * OP(K, ARG) runs the operation with K armed and checks its outcome
 * itself. Strides after the first FULL values of K (1 for no stride).
 * Returns the number of K tried. */
unsigned long fa_sweep(void (*op)(unsigned long k, void *arg), void *arg, unsigned long full,
		       unsigned long stride);

#endif
