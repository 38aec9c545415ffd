/* The errno and signal names a plan may write, for parsing, "did you
 * mean" hints and events. */
#ifndef PROSPERO_FAULTS_NAMES_H
#define PROSPERO_FAULTS_NAMES_H

#include <stddef.h>

/* Above every errno number the C library has. */
#define FAULT_ERRNO_LIMIT 256

/* Every errno name the C library knows ("EIO"), one per number as
 * strerrorname_np spells it, into OUT; how many. */
size_t fault_errno_names(const char *out[FAULT_ERRNO_LIMIT]);

/* "EIO" -> EIO, also the usual aliases (EWOULDBLOCK, EDEADLOCK, ENOTSUP).
 * -1 if unknown. */
int fault_errno_parse(const char *name);

/* EIO -> "EIO"; "E?" if unknown. */
const char *fault_errno_name(int err);

/* The signals a kill fault may send, NULL-terminated: those that end or
 * disturb a process. SIGSTOP and SIGCONT are a stall's. */
const char *const *fault_signal_names(void);

/* "SIGTERM" -> SIGTERM, for a name fault_signal_names lists; -1 otherwise. */
int fault_signal_parse(const char *name);

/* SIGTERM -> "SIGTERM"; "SIG?" if unknown. */
const char *fault_signal_name(int sig);

#endif
