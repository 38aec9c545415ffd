/* The status answer: the tree as nodes in the order of an indented view
 * (depth first, as declared), and the summary the exit status follows. */
#ifndef PROSPERO_CONTROL_STATUS_H
#define PROSPERO_CONTROL_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/control/protocol.h"

enum ctl_state {
	CTL_STATE_STARTING,
	CTL_STATE_READY,
	CTL_STATE_STOPPING,
	CTL_STATE_DOWN,
	CTL_STATE_BACKING_OFF,
	CTL_STATE_STOPPED,	/* down because the operator stopped it */
};

#define CTL_TEXT_MAX 512

struct ctl_node {
	char name[CTL_NAME_MAX];
	bool supervisor;
	unsigned depth;
	enum ctl_state state;
	bool should_run;
	unsigned restarts;		/* times its supervisor restarted it after it failed */
	char last_exit[CTL_TEXT_MAX];	/* "" : never ended */
	int64_t uptime_ms;		/* -1 unless up */
	double backoff_until;		/* unix time, when backing off */
	/* supervisors */
	char strategy[16];
	unsigned window_restarts, intensity;
	int64_t period_ms;
	/* actors */
	int pid;			/* 0: none */
	char status[CTL_TEXT_MAX];	/* its last STATUS= */
	int64_t uid;			/* -1: unknown */
	char profile[16];
	int64_t memory_bytes;		/* -1: unknown */
	int64_t cpu_ms;			/* -1: unknown */
	bool queue;			/* a "queue" definition's actor */
};

/* A service binding: FROM reaches TO through the fd it knows as LABEL. */
struct ctl_edge {
	char from[CTL_NAME_MAX], to[CTL_NAME_MAX], label[CTL_NAME_MAX];
};

struct ctl_status {
	double now;			/* unix time of the answer */
	unsigned actors, running, not_running;
	struct ctl_node *nodes;
	size_t n;
	struct ctl_edge *edges;		/* the bindings, by actor name (not instance) */
	size_t nedges;
	char *faults;			/* a run under --faults: its summary so far; else NULL */
};

const char *ctl_state_name(enum ctl_state s);

/* ST as an answer line with its newline: malloc'd, NULL on ENOMEM (never
 * a line short of a field). */
char *ctl_status_encode(const struct ctl_status *st);
/* An answer line into ST (nodes malloc'd: ctl_status_free), parsed once:
 * -1 with the reason in ERR, the daemon's own if it refused, and errno
 * ENOMEM if memory ran out (else EINVAL). */
int ctl_status_decode(const char *line, size_t len, struct ctl_status *st, char *err, size_t errlen);
void ctl_status_free(struct ctl_status *st);

#endif
