/* Service bindings and control channels: the daemon's side (DESIGN.md
 * section 4, README "Bindings" and "Wire protocol and fd convention").
 *
 * Every client→service edge is an AF_UNIX/SOCK_SEQPACKET socketpair made at
 * set-up and held by the daemon for the life of the edge, so a message
 * sent while a peer restarts waits in the kernel for the next incarnation.
 * A reload makes a new table for the new config that takes over the
 * socketpair of every edge it keeps (same client instance, binding name
 * and service): messages waiting in them survive it. The old table, with
 * the edges that went, is closed once the reload is applied.
 * One edge per client instance and binding; all instances of a service
 * share its end (each datagram is taken by exactly one). The daemon is
 * never in the data path: it only hands the ends out at spawn.
 *
 * Each running instance also has a control channel (one socketpair per
 * start): the actor's end is its fd 3. The daemon sends PEER_RESTARTED,
 * INCARNATION and STOP on it, and reads READY=1 and WATCHDOG=1 from it as
 * from $NOTIFY_SOCKET. */
#ifndef PROSPERO_DAEMON_BINDINGS_H
#define PROSPERO_DAEMON_BINDINGS_H

#include <stdbool.h>
#include <stddef.h>

#include <ev.h>

#include "src/config/config.h"

/* What the process layer does for an instance; CTX is its own object. */
struct bind_ops {
	void (*ready)(void *ctx);		/* READY=1 arrived on the control channel */
	void (*watchdog_expired)(void *ctx);	/* no WATCHDOG=1 within "watchdog" ms */
	void (*read_notify)(void *ctx);		/* act on what waits on $NOTIFY_SOCKET now */
	void (*status)(void *ctx, const char *text, size_t len);	/* STATUS=TEXT on the control channel */
};

struct bind_edge;
struct bind_inst;

struct bindings {
	struct ev_loop *loop;
	const struct cfg *cfg;
	struct bind_edge *edges;	/* clients in start order, then instance, then binding */
	size_t nedges;
	size_t *first_edge;		/* by actor id: its first edge as a client */
	size_t **served;		/* by actor id: the edges it serves, in edge order */
	size_t *nserved;
	unsigned *incarnation;		/* by actor id: the number of its last start */
	unsigned *told;			/* by actor id: the number its last end was told */
};

/* The most fds an instance of B's tree is given (0-2 included). */
unsigned bindings_max_fds(const struct bindings *b);
/* Every edge of CFG's tree; with FROM, the table it replaces, FROM's
 * edges that stay are taken over. NULL with errno (the caller reports). */
struct bindings *bindings_open(const struct cfg *cfg, struct ev_loop *loop, struct bindings *from);
/* B and the edges it holds closed (NULL is accepted). */
void bindings_close(struct bindings *b);
/* A replacement not used after all: the edges it took go back to the
 * table it took them from, then it is closed. */
void bindings_abandon(struct bindings *b);
/* The replacement is in use: it is no longer abandoned. */
void bindings_commit(struct bindings *b);

/* Would instance INDEX of A in B get exactly the fd map (and fd names)
 * that BI, an instance of the table B replaces, runs with? */
bool bindings_same(struct bindings *b, const struct bind_inst *bi, const struct cfg_actor *a,
		   unsigned index);
/* BI keeps running as instance INDEX of A in B. */
void bindings_migrate(struct bindings *b, struct bind_inst *bi, const struct cfg_actor *a,
		      unsigned index);

/* Edge I (below b->nedges): whose, which binding, which client instance. */
struct bind_edge_info {
	const struct cfg_actor *client, *service;
	size_t binding;			/* index in the client's "bindings" */
	unsigned client_index;		/* 1-based */
};
void bindings_edge_info(const struct bindings *b, size_t i, struct bind_edge_info *out);

/* Put the daemon between the two ends of edge I (a fault plan names it):
 * the client's end and the service's are no longer a pair; RELAY[0] is
 * the peer of the client's end, RELAY[1] that of the service's. The
 * caller owns both and forwards between them. Before any instance is
 * made. -1 with errno. */
int bindings_interpose(struct bindings *b, size_t i, int relay[2]);

/* Instance INDEX (1-based) of A, named NAME (borrowed). Its fd map is
 * STDFDS[0..2], the control channel, its bindings' client ends in the
 * order declared, then the service end of each edge it serves; *ENVP
 * (malloc'ed strings) gains PROSPERO_FDS and PROSPERO_FDNAMES. NULL with
 * errno on failure. */
struct bind_inst *bindings_instance(struct bindings *b, const struct cfg_actor *a, unsigned index,
				    const char *name, const int stdfds[3], const struct bind_ops *ops,
				    void *ctx, char ***envp);
void bindings_instance_free(struct bind_inst *bi);
/* The fd map for sb_confine_plan: fds[i] becomes the actor's fd i. */
const int *bindings_fds(const struct bind_inst *bi, unsigned *nfds);

/* Around a spawn: a fresh control channel before (-1 with errno), and
 * after, the daemon's copy of the actor's end closed (OK: it runs). */
int bindings_prepare(struct bind_inst *bi);
void bindings_spawned(struct bind_inst *bi, bool ok);
/* The instance is ready: its watchdog, if any, starts counting. */
void bindings_ready(struct bind_inst *bi);
/* WATCHDOG=1 arrived by $NOTIFY_SOCKET. */
void bindings_pet(struct bind_inst *bi);
/* Act now on what waits on its control channel and on $NOTIFY_SOCKET
 * (READY=1, WATCHDOG=1, STATUS=): a timer that fires after a stall of the
 * daemon must not judge before reading what was sent in time. */
void bindings_catch_up(struct bind_inst *bi);
/* SIGTERM is about to be sent: STOP=1 on the control channel; the
 * watchdog no longer applies. */
void bindings_stopping(struct bind_inst *bi);
/* Its process is gone: every client of its service hears
 * PEER_RESTARTED before anything is restarted; the control channel closes. */
void bindings_ended(struct bind_inst *bi);

#endif
