/* Reports: every lifecycle event the daemon tells (README "Events"), made
 * here from the tree's reports and from what befalls an instance, and
 * written to the log and the events file (events.h). */
#ifndef PROSPERO_DAEMON_REPORT_H
#define PROSPERO_DAEMON_REPORT_H

#include <stdbool.h>
#include <sys/types.h>

#include "sandbox/containment/cgroup_usage.h"
#include "sandbox/seccomp/violation.h"
#include "supervisor/tree.h"

struct daemon;
struct instance;

/* PREFIX then WHAT into BUF (CAP bytes), whole if it fits; else cut
 * after the last whole word that does, marked " ..." (a word longer
 * than the room: after its last whole UTF-8 character). A reason is one
 * log line and one event field, at most sizeof in->why - 1 bytes
 * (README "Output and events"). */
void report_reason(char *buf, size_t cap, const char *prefix, const char *what);

/* An SV_DO_REPORT action of the tree. */
void report_action(struct daemon *d, const struct sv_action *a);
/* IN's process PID has started. */
void report_start(struct daemon *d, const struct instance *in, pid_t pid);
/* IN's process PID (0: none was started) ended as E; the reason is what
 * the daemon knows (in->why) or else what E says. U (may be NULL): what
 * its cgroup counted. */
void report_exit(struct daemon *d, const struct instance *in, pid_t pid, const struct sv_exit *e,
		 const struct sb_cgroup_usage *u);
/* IN made the denied call V, told as REASON; KILLED, or it got EPERM
 * with SUPPRESSED reports held back before this one. */
void report_violation(struct daemon *d, const struct instance *in, const struct sb_violation *v,
		      const char *reason, bool killed, unsigned long suppressed);

#endif
