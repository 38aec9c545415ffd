/* The child side of a spawn: code that runs between clone and execve.
 *
 * The spawner starts actors with clone(CLONE_VM | CLONE_VFORK): the child
 * runs on its own stack but in the daemon's memory, while the daemon waits.
 * Whatever the child changes in memory the daemon sees; a lock it takes,
 * or a malloc arena it touches, is the daemon's. So child-side code makes
 * system calls and reads the plan the daemon built, and nothing else: no
 * allocation, no stdio, no logging, no glibc wrapper that reaches other
 * threads (set*id broadcast, which on a CLONE_VM child means the daemon's
 * threads), and no sanitizer bookkeeping, whose shadow memory and locks
 * are the daemon's too. A failure is reported through the plan's error
 * fields and ends in _exit.
 *
 * Every function that runs there is marked CHILD_SIDE; `grep CHILD_SIDE`
 * lists the child side of the sandbox. */
#ifndef PROSPERO_SANDBOX_CHILD_SIDE_H
#define PROSPERO_SANDBOX_CHILD_SIDE_H

#define CHILD_SIDE __attribute__((no_sanitize("address", "undefined")))

#endif
