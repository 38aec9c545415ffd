/* Lifecycle events: one JSON object per line to --events FILE, and the
 * same event as a readable line on stderr. */
#ifndef PROSPERO_DAEMON_EVENTS_H
#define PROSPERO_DAEMON_EVENTS_H

#include <sys/types.h>

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
	const char *action;		/* "kill" or "errno" */
	unsigned long suppressed;	/* reports held back before this one */
	/* "reload" only: its lists, JSON members added to the object as they are */
	const char *extra;
};

struct events {
	int fd;				/* -1: no file */
};

/* path NULL: stderr only. -1 with errno if the file cannot be opened. */
int events_open(struct events *ev, const char *path);
void events_close(struct events *ev);
void events_emit(struct events *ev, const struct event *e);
/* An event whose fields another module rendered: {"ts": ..., "event":
 * EVENT, FIELDS} to the file, TEXT on stderr. FIELDS is JSON members
 * without braces ("\"seq\": 1, ..."), already escaped. */
void events_emit_fields(struct events *ev, const char *event, const char *fields, const char *text);

/* JSON-escape src into dst (always NUL-terminated); the length written. */
size_t json_escape(char *dst, size_t cap, const char *src);

#endif
