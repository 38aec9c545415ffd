/* Running a probe the way the spawner runs an actor's confinement: in a
 * clone(CLONE_VM | CLONE_VFORK) child that shares the test's memory, so
 * the probe reports by writing into its argument. The probe must keep to
 * the child side's rules (sandbox/child/child_side.h): mark it
 * CHILD_SIDE and end it with _exit. */
#ifndef PROSPERO_TESTS_COMMON_VFORK_H
#define PROSPERO_TESTS_COMMON_VFORK_H

#include <sys/types.h>

typedef int (*vfork_probe_fn)(void *arg);

/* Start PROBE(ARG); returns its pid once it has exec'ed or exited, as
 * the spawner resumes. The caller reaps it. */
pid_t vfork_start(vfork_probe_fn probe, void *arg);

/* Start PROBE(ARG) and reap it: its exit status (the test fails unless it
 * exited). */
int vfork_run(vfork_probe_fn probe, void *arg);

#endif
