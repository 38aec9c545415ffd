/* The operator's control protocol (README "Control socket"): typed
 * requests and answers, and their JSON lines. The daemon and the CLI both
 * speak it through this module; jansson stays inside it.
 *
 * A request is one JSON object on one line; the answer is one JSON object
 * on one line, and for a subscription (events, logs with follow) more
 * lines follow until the client hangs up. */
#ifndef PROSPERO_CONTROL_PROTOCOL_H
#define PROSPERO_CONTROL_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Adding a verb: a value here, a row in protocol.c's table, a handler in
 * the daemon's (src/daemon/ctl_verbs.c). */
enum ctl_verb {
	CTL_STATUS,
	CTL_RESTART,
	CTL_STOP,
	CTL_START,
	CTL_KILL,
	CTL_EVENTS,
	CTL_LOGS,
	CTL_FAULT,
	CTL_NVERBS
};

#define CTL_NAME_MAX 160	/* a node's name ("name#4096" of a 64-byte name), or an
				 * edge "CLIENT -> SERVICE" of two */
/* the socket's name in the runtime directory */
#define CTL_SOCKET_NAME "control"
#define CTL_REQUEST_MAX 4096	/* a request line, newline included */

struct ctl_request {
	enum ctl_verb verb;
	char name[CTL_NAME_MAX];	/* "" when none */
	int sig;			/* kill: the signal; 0 in a request means SIGTERM */
	bool follow;			/* events, logs: keep streaming */
	bool has_lines;			/* logs: "lines" given; without it, all kept */
	unsigned lines;			/* logs: the last this many (0: none) */
	/* fault: which ("kill", "stall", "edge"), for how long (stall, edge),
	 * and the share of messages an edge drops */
	char fault[8];
	int64_t ms;
	double drop;
};

const char *ctl_verb_name(enum ctl_verb v);
/* Whether the verb needs a name (restart, stop, start, kill, logs). */
bool ctl_verb_needs_name(enum ctl_verb v);
/* The verb named S; -1 if none. */
int ctl_verb_parse(const char *s, enum ctl_verb *v);

/* LINE (LEN bytes, no newline) into R: 0, or -1 with a reason in ERR
 * and errno EINVAL, or ENOMEM when memory ran out. Only the fields R's
 * verb reads are decoded and checked; another verb's are ignored,
 * whatever they hold. */
int ctl_request_decode(const char *line, size_t len, struct ctl_request *r, char *err, size_t errlen);
/* R as a line with its newline: malloc'd, NULL on ENOMEM. */
char *ctl_request_encode(const struct ctl_request *r);

/* A signal by name in any case, with or without SIG ("SIGHUP", "hup"),
 * or number; 0 if none such. */
int ctl_signal_parse(const char *s);

/* The answers of the action verbs: {"ok": true} or an error; malloc'd,
 * NULL on ENOMEM (never an answer short of a field). */
char *ctl_answer_ok(void);
char *ctl_answer_error(int err, const char *text);
/* The refusal of a user other than root and the daemon's (EACCES),
 * said alike by the daemon and by a client the socket's mode refused. */
#define CTL_REFUSED_USER "permission denied: only root and the daemon's user may use the control socket"
/* Any answer's head: 0 with *OK; when !*OK, ERR gets its text. -1 with
 * errno EINVAL if LINE is not an answer, ENOMEM if memory ran out. */
int ctl_answer_decode(const char *line, size_t len, bool *ok, char *err, size_t errlen);

#endif
