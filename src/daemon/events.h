/* Lifecycle events: one JSON object per line to --events FILE, and the
 * same event as a readable line on stderr. */
#ifndef PROSPERO_DAEMON_EVENTS_H
#define PROSPERO_DAEMON_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sandbox/containment/cgroup_usage.h"
#include "src/daemon/log.h"

struct event {
	const char *event;		/* start ready exit restart stop escalate give_up violation */
	const char *name;
	const char *supervisor;		/* NULL for the root */
	pid_t pid;			/* 0: none */
	int status;			/* exit status, or -1 */
	int signal;			/* 0: none */
	const char *reason;		/* NULL: none */
	/* "violation" only */
	const char *syscall;		/* "ptrace" */
	const char *args;		/* "PTRACE_ATTACH, 1234" */
	const char *verdict;		/* "kill" or "errno" */
	unsigned long suppressed;	/* reports held back before this one */
	/* "operator" only: what was asked ("restart", "stop", "start", "kill") */
	const char *action;
	bool has_delay;			/* "restart": the backoff before the start, ms */
	long delay_ms;
	/* "reload" only: its lists, JSON members added to the object as they are */
	const char *extra;
	/* "exit" only: what its cgroup counted (NULL, or have 0: nothing) */
	const struct sb_cgroup_usage *usage;
};

struct events {
	int fd;				/* -1: no file */
	const char *path;		/* the file's, as given; borrowed */
	/* each event's JSON line (with its newline) for live subscribers */
	void (*tap)(void *arg, const char *name, const char *line, size_t n);
	void *tap_arg;
	unsigned long lost;		/* lines the file refused (a full disk) since it last took one */
};

/* path NULL: stderr only. The file must be a regular file of the daemon's
 * own uid, or new (made 0640); a symlink at PATH is not followed. -1 with
 * errno: ELOOP (a symlink), EINVAL (not a regular file), EPERM (another
 * user's file), or open's own. */
int events_open(struct events *ev, const char *path);
/* At a reload: when PATH no longer names the open file (logrotate moved
 * it, or it was removed), open PATH afresh as events_open does; said in
 * the log, and on failure the old file stays. */
void events_reopen(struct events *ev);
/* What events_open's ERRNUM means, for the one line that reports it. */
const char *events_refusal(int errnum);
void events_close(struct events *ev);
void events_emit(struct events *ev, const struct event *e);
/* The priority of E's line on stderr: give_up and failed starts are
 * errors; abnormal exits (not by SIGTERM), restarts, escalations and
 * violations warnings; the rest information. */
enum log_level event_level(const struct event *e);
/* An event whose fields another module rendered: {"ts": ..., "event":
 * EVENT, FIELDS} to the file, TEXT on stderr. FIELDS is JSON members
 * without braces ("\"seq\": 1, ..."), already escaped. NAME is the
 * "name" among them, for followers of one node, or NULL when it has
 * none. */
void events_emit_fields(struct events *ev, const char *event, const char *name, const char *fields,
			const char *text);

/* JSON-escape src into dst (always NUL-terminated); the length written. */
size_t json_escape(char *dst, size_t cap, const char *src);

#endif
