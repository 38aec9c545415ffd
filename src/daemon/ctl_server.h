/* The control socket's server: RUNTIME_DIR/control, a stream socket of
 * JSON lines (src/control/protocol.h) for root and the daemon's own uid
 * only, checked on every connection with SO_PEERCRED. The daemon never
 * waits on a client: every socket is non-blocking, a request line is
 * bounded, and a client that lets more than CTL_OUT_MAX bytes of answers
 * pile up unread is dropped. */
#ifndef PROSPERO_DAEMON_CTL_SERVER_H
#define PROSPERO_DAEMON_CTL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <ev.h>

#include "src/control/protocol.h"

#define CTL_OUT_MAX (16u << 20)
#define CTL_MAX_CLIENTS 64

struct daemon;

enum ctl_mode {
	CTL_MODE_REQUEST,	/* answers each request line */
	CTL_MODE_EVENTS,	/* streams events (filter: a name) */
	CTL_MODE_LOGS,		/* streams an actor's output (filter: its name) */
};

struct ctl_client {
	struct ctl_server *srv;
	int fd;
	ev_io io;
	enum ctl_mode mode;
	bool eof;			/* the peer will send no more */
	bool busy;			/* inside its own handler: freed after, not during */
	bool drop;			/* to be freed once not busy */
	bool skip;			/* in an overlong line, answered already: read to its end */
	char filter[CTL_NAME_MAX];
	char in[CTL_REQUEST_MAX];
	size_t nin;
	char *out;			/* answers not yet written */
	size_t nout, outcap;
	struct ctl_client *prev, *next;
};

struct ctl_server {
	struct daemon *d;
	int fd;
	ev_io io;
	char path[108];
	uid_t self;
	struct ctl_client *clients;
	unsigned nclients;
	ev_timer pause;			/* listening stopped for want of fds: resumes it */
	bool starved;			/* out of fds since the last connection taken (said once) */
	bool unanswered;		/* and no spare fd to refuse them with (said once) */
	unsigned refused;		/* connections refused for want of fds since then */
};

/* Listen on DIR/control (mode 0600). -1 with errno. */
int ctl_server_open(struct ctl_server *s, struct daemon *d, const char *dir);
void ctl_server_close(struct ctl_server *s);
/* A connection or a request waits to be read: what a long run of starts
 * gives the loop a turn for (dispatch.c). One poll(2), no reading. */
bool ctl_server_waiting(const struct ctl_server *s);

/* Queue N bytes for C; a client that cannot keep up is dropped. */
void ctl_send(struct ctl_client *c, const char *buf, size_t n);
/* A malloc'd line (NULL: out of memory, said as an error), sent and freed. */
void ctl_send_line(struct ctl_client *c, char *line);

/* LINE to every subscriber of MODE whose filter NAME matches: the same
 * name, or an instance "NAME#i" of it. */
void ctl_broadcast(struct ctl_server *s, enum ctl_mode mode, const char *name,
		   const char *line, size_t n);
/* Whether anyone subscribes to MODE: spares building lines for no one. */
bool ctl_has_subscribers(const struct ctl_server *s, enum ctl_mode mode);

#endif
