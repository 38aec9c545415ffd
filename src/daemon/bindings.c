/* Service bindings and control channels; see bindings.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "src/daemon/bindings.h"
#include "src/daemon/log.h"
#include "src/daemon/timer.h"
#include "src/proto/control.h"
#include "src/proto/fds.h"
#include "src/proto/frame.h"
#include "src/proto/hangup.h"
#include "src/proto/notice.h"

struct bind_edge {
	const struct cfg_actor *client, *service;
	const struct cfg_binding *binding;
	unsigned client_index;		/* which instance of the client */
	struct bind_inst *client_inst;	/* once it is set up */
	int client_end, service_end;	/* held by the daemon for the life of the edge */
	bool moved;			/* its socketpair went to the table that replaced this one */
	bool notice_full;		/* a notice found it full: said once, until one goes through */
	struct bind_edge *origin;	/* until the reload commits: the edge it took it from */
};

struct bind_inst {
	struct bindings *set;
	const struct cfg_actor *spec;
	const char *name;
	const struct bind_ops *ops;
	void *ctx;
	int *fds;			/* 0-2, control, client ends, service ends */
	unsigned nfds;
	int ctl;			/* the daemon's end while it runs, else -1 */
	int ctl_child;			/* the actor's end, between prepare and spawned */
	ev_io ctl_watcher;
	ev_timer watchdog;
	unsigned long pets;		/* WATCHDOG=1 taken while watching */
	bool watching;
	bool ctl_full;			/* a message found the channel full: said once, until one goes through */
};

static void close_edges(struct bindings *b)
{
	for (size_t i = 0; i < b->nedges; i++) {
		if (b->edges[i].moved)
			continue;
		if (b->edges[i].client_end >= 0)
			close(b->edges[i].client_end);
		if (b->edges[i].service_end >= 0)
			close(b->edges[i].service_end);
	}
}

void bindings_close(struct bindings *b)
{
	if (!b)
		return;
	close_edges(b);
	free(b->edges);
	for (size_t i = 0; b->served && i < b->cfg->nactors; i++)
		free(b->served[i]);
	free(b->served);
	free(b->nserved);
	free(b->first_edge);
	free(b->incarnation);
	free(b->told);
	free(b);
}

unsigned bindings_max_fds(const struct bindings *b)
{
	size_t most = PP_FD_CONTROL + 1;

	for (size_t i = 0; i < b->cfg->nactors; i++) {
		const struct cfg_actor *a = b->cfg->actors[i];
		size_t n = PP_FD_CONTROL + 1 + a->nbindings + b->nserved[i];

		if (a->order != CFG_NOT_IN_TREE && n > most)
			most = n;
	}
	return (unsigned)most;
}

/* FROM's actor named like A, if it runs in FROM's tree. */
static const struct cfg_actor *namesake(const struct bindings *from, const struct cfg_actor *a)
{
	for (size_t i = 0; i < from->cfg->nactors; i++) {
		const struct cfg_actor *o = from->cfg->actors[i];

		if (o->order != CFG_NOT_IN_TREE && strcmp(o->name, a->name) == 0)
			return o;
	}
	return NULL;
}

/* The edge of FROM with the same client instance, binding name and
 * service as binding J of instance INST of A (O: A's namesake in FROM). */
static struct bind_edge *same_edge(struct bindings *from, const struct cfg_actor *o,
				   const struct cfg_actor *a, unsigned inst, size_t j)
{
	const struct cfg_binding *nb = &a->bindings[j];

	if (!o || inst > o->instances)
		return NULL;
	for (size_t k = 0; k < o->nbindings; k++) {
		struct bind_edge *e = &from->edges[from->first_edge[o->id] + (size_t)(inst - 1) * o->nbindings + k];

		if (!e->moved && strcmp(o->bindings[k].name, nb->name) == 0 &&
		    strcmp(e->service->name, nb->service->name) == 0)
			return e;
	}
	return NULL;
}

/* Binding J of instance INST of A: the socketpair of FROM's same edge, so
 * what waits in it survives a reload, or a new one. */
static int make_edge(struct bindings *b, struct bindings *from, const struct cfg_actor *o,
		     const struct cfg_actor *a, unsigned inst, size_t j)
{
	struct bind_edge *e = &b->edges[b->nedges], *old = from ? same_edge(from, o, a, inst, j) : NULL;
	const struct cfg_actor *s = a->bindings[j].service;
	int sv[2];

	if (old) {
		sv[0] = old->client_end;
		sv[1] = old->service_end;
	} else if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		return -1;
	}
	*e = (struct bind_edge){ .client = a, .service = s, .binding = &a->bindings[j],
				 .client_index = inst, .client_end = sv[0], .service_end = sv[1],
				 .origin = old };
	if (old)
		old->moved = true;
	b->served[s->id][b->nserved[s->id]++] = b->nedges++;
	return 0;
}

/* Sizes: edges, and by actor id the edges each one serves. */
static int size_table(struct bindings *b, const struct cfg_actor **by_order)
{
	const struct cfg *cfg = b->cfg;
	size_t nedges = 0;

	nedges = cfg_count_served(cfg, b->nserved);
	for (size_t i = 0; i < cfg->nactors; i++)
		if (cfg->actors[i]->order != CFG_NOT_IN_TREE)
			by_order[cfg->actors[i]->order] = cfg->actors[i];
	if (!(b->edges = calloc(nedges ? nedges : 1, sizeof *b->edges)))
		return -1;
	for (size_t i = 0; i < cfg->nactors; i++)
		if (b->nserved[i] && !(b->served[i] = calloc(b->nserved[i], sizeof **b->served)))
			return -1;
	memset(b->nserved, 0, cfg->nactors * sizeof *b->nserved);
	return 0;
}

/* Starts so far carry over by name: a restarted service's clients go on
 * counting its incarnations (only services' are ever told). */
static void carry_incarnations(struct bindings *b, const struct bindings *from)
{
	for (size_t i = 0; i < b->cfg->nactors; i++) {
		const struct cfg_actor *o = b->nserved[i] && b->cfg->actors[i]->order != CFG_NOT_IN_TREE
						    ? namesake(from, b->cfg->actors[i]) : NULL;
		if (o) {
			b->incarnation[i] = from->incarnation[o->id];
			b->told[i] = from->told[o->id];
		}
	}
}

struct bindings *bindings_open(const struct cfg *cfg, struct ev_loop *loop, struct bindings *from)
{
	size_t n = cfg->nactors ? cfg->nactors : 1;
	const struct cfg_actor **by_order = calloc(n, sizeof *by_order);
	struct bindings *b = calloc(1, sizeof *b);
	int saved;

	if (!b || !by_order)
		goto fail;
	*b = (struct bindings){ .loop = loop, .cfg = cfg };
	b->first_edge = calloc(n, sizeof *b->first_edge);
	b->served = calloc(n, sizeof *b->served);
	b->nserved = calloc(n, sizeof *b->nserved);
	b->incarnation = calloc(n, sizeof *b->incarnation);
	b->told = calloc(n, sizeof *b->told);
	if (!b->first_edge || !b->served || !b->nserved || !b->incarnation || !b->told ||
	    size_table(b, by_order) < 0)
		goto fail;
	/* in start order, so a service sees its clients in a stable order */
	for (size_t o = 0; o < n && by_order[o]; o++) {
		const struct cfg_actor *a = by_order[o];
		const struct cfg_actor *old = from && a->nbindings ? namesake(from, a) : NULL;

		b->first_edge[a->id] = b->nedges;
		for (unsigned inst = 1; inst <= a->instances; inst++)
			for (size_t j = 0; j < a->nbindings; j++)
				if (make_edge(b, from, old, a, inst, j) < 0)
					goto fail;
	}
	if (from)
		carry_incarnations(b, from);
	free(by_order);
	return b;
fail:
	saved = errno;
	free(by_order);
	bindings_abandon(b);
	errno = saved;
	return NULL;
}

void bindings_abandon(struct bindings *b)
{
	for (size_t i = 0; b && i < b->nedges; i++) {
		struct bind_edge *e = &b->edges[i];

		if (!e->origin)
			continue;
		/* the table it came from keeps it */
		e->origin->moved = false;
		e->moved = true;
	}
	bindings_close(b);
}

void bindings_commit(struct bindings *b)
{
	for (size_t i = 0; i < b->nedges; i++)
		b->edges[i].origin = NULL;
}

void bindings_edge_info(const struct bindings *b, size_t i, struct bind_edge_info *out)
{
	const struct bind_edge *e = &b->edges[i];

	*out = (struct bind_edge_info){ .client = e->client, .service = e->service,
					.binding = (size_t)(e->binding - e->client->bindings),
					.client_index = e->client_index };
}

int bindings_interpose(struct bindings *b, size_t i, int relay[2])
{
	struct bind_edge *e = &b->edges[i];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	/* the relay's end says who sent each datagram from the service's
	 * side: the peer_restarted notice passes untouched only if the
	 * daemon sent it (relay.c) */
	if (setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &(int){ 1 }, sizeof(int)) < 0) {
		int saved = errno;

		close(sv[0]);
		close(sv[1]);
		errno = saved;
		return -1;
	}
	/* the old pair stays the client's: its other end is now the relay's */
	relay[0] = e->service_end;
	relay[1] = sv[0];
	e->service_end = sv[1];
	return 0;
}

/* --- the control channel --- */

static void watchdog_start(struct bind_inst *bi)
{
	if (!bi->spec->watchdog_ms)
		return;
	bi->watching = true;
	bi->watchdog.repeat = (double)bi->spec->watchdog_ms / 1000.0;
	timer_again(bi->set->loop, &bi->watchdog);	/* from its readiness, now */
}

static void watchdog_stop(struct bind_inst *bi)
{
	bi->watching = false;
	ev_timer_stop(bi->set->loop, &bi->watchdog);
}

void bindings_pet(struct bind_inst *bi)
{
	if (!bi->watching)
		return;
	bi->pets++;
	timer_again(bi->set->loop, &bi->watchdog);
}

/* Datagrams read from a control channel per wake-up: an actor sending
 * from many processes at once keeps it from ever being empty, and the
 * loop must still get to everything else (as output_drain reads a few
 * times at most). */
#define CONTROL_READS 64
/* A catch-up reads what was waiting, however much: SO_SNDBUF (up to
 * wmem_max, 4 MiB here) over the smallest datagram's truesize is about
 * 11,000; bounded still, as the actor may go on sending meanwhile. */
#define CONTROL_CATCH_UP 65536

static void control_read(struct bind_inst *bi, unsigned budget);

void bindings_catch_up(struct bind_inst *bi)
{
	if (bi->ctl >= 0)
		control_read(bi, CONTROL_CATCH_UP);
	if (bi->ops->read_notify)
		bi->ops->read_notify(bi->ctx);
}

static void on_watchdog(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct bind_inst *bi = w->data;
	unsigned long pets = bi->pets;

	/* After a stall of the daemon (SIGSTOP, swap) its timers fire before
	 * the pets that queued meanwhile are read: read them first. A stall
	 * of ours is not the actor's fault. */
	bindings_catch_up(bi);
	if (!bi->watching || bi->pets != pets)
		return;
	watchdog_stop(bi);
	bi->ops->watchdog_expired(bi->ctx);
}

static void on_control(struct ev_loop *loop, ev_io *w, int revents)
{
	control_read(w->data, CONTROL_READS);
}

/* The same assignments as $NOTIFY_SOCKET. */
static void control_read(struct bind_inst *bi, unsigned budget)
{
	struct ev_loop *loop = bi->set->loop;
	ev_io *w = &bi->ctl_watcher;
	/* one control datagram; +1 for pp_notify_parse. On the stack, not in
	 * every instance: that cost 4 KiB of daemon memory per actor. */
	char buf[PP_NOTIFY_MAX + 1];
	struct pp_notify msg;
	ssize_t n;

	while (budget-- > 0) {	/* what is left: the next wake-up (level-triggered) */
		/* MSG_TRUNC: the datagram's whole length, to ignore one cut short */
		n = recv(bi->ctl, buf, sizeof buf - 1, MSG_DONTWAIT | MSG_TRUNC);
		/* 0 is the end of the channel, or an empty datagram: a message
		 * of no lines, which must not stop us reading the next */
		if (n == 0 && !pp_hung_up(bi->ctl))
			continue;
		if (n == 0)
			goto ended;
		if (n < 0) {
			/* ECONNRESET: it closed its end leaving our messages
			 * unread. The kernel says so once, before the datagrams
			 * it sent first (a READY=1 among them): read on, to the
			 * end of the channel. */
			if (errno == EINTR || errno == ECONNRESET)
				continue;
			if (errno == EAGAIN)
				return;
			log_err("%s: control channel: %s", bi->name, strerror(errno));
			goto ended;
		}
		if (n > PP_NOTIFY_MAX)
			continue;	/* as $NOTIFY_SOCKET does */
		pp_notify_parse(buf, (size_t)n, &msg);
		if (msg.watchdog)
			bindings_pet(bi);
		if (msg.status && bi->ops->status)
			bi->ops->status(bi->ctx, msg.status, msg.status_len);
		if (msg.ready)
			bi->ops->ready(bi->ctx);
		if (bi->ctl < 0)	/* the callback ended it */
			return;
	}
	return;
ended:
	/* every copy of its end is closed: nothing more will come */
	ev_io_stop(loop, w);
}

static void control_close(struct bind_inst *bi)
{
	ev_io_stop(bi->set->loop, &bi->ctl_watcher);
	if (bi->ctl >= 0)
		close(bi->ctl);
	if (bi->ctl_child >= 0)
		close(bi->ctl_child);
	bi->ctl = bi->ctl_child = -1;
}

int bindings_prepare(struct bind_inst *bi)
{
	int sv[2];

	control_close(bi);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	/* only the daemon's end: the actor's is its own open file */
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0) {
		int saved = errno;

		close(sv[0]);
		close(sv[1]);
		errno = saved;
		return -1;
	}
	bi->ctl = sv[0];
	bi->ctl_full = false;	/* a new channel, empty */
	bi->ctl_child = bi->fds[PP_FD_CONTROL] = sv[1];
	return 0;
}

void bindings_spawned(struct bind_inst *bi, bool ok)
{
	if (!ok) {
		control_close(bi);
		return;
	}
	close(bi->ctl_child);	/* the actor holds it now */
	bi->ctl_child = -1;
	/* one more than the last start, or the number the last end was told
	 * this start would carry */
	unsigned *last = &bi->set->incarnation[bi->spec->id], told = bi->set->told[bi->spec->id];

	*last = told > *last ? told : *last + 1;
	ev_io_set(&bi->ctl_watcher, bi->ctl, EV_READ);
	ev_io_start(bi->set->loop, &bi->ctl_watcher);
}

void bindings_ready(struct bind_inst *bi)
{
	watchdog_start(bi);
}

static void control_send(struct bind_inst *bi, const char *text, size_t len)
{
	if (bi->ctl < 0)
		return;		/* not running: a later incarnation has nothing in flight */
	/* never block the daemon on an actor that does not read its channel */
	if (send(bi->ctl, text, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
		bi->ctl_full = false;
		return;
	}
	if (errno == EPIPE || errno == ECONNRESET)
		return;
	/* an actor that never reads it (one without libprospero) fills it
	 * once and for all: one line, not one per service end per client */
	if (errno == EAGAIN && bi->ctl_full)
		return;
	bi->ctl_full = errno == EAGAIN;
	log_warn("%s: control channel: %.*s not delivered: %s%s", bi->name, (int)strcspn(text, "\n"), text,
		 strerror(errno), bi->ctl_full ? " (the actor does not read it; no more said until it does)" : "");
}

void bindings_stopping(struct bind_inst *bi)
{
	static const char stop[] = PP_STOP "\n";

	watchdog_stop(bi);
	control_send(bi, stop, sizeof stop - 1);
}

/* The peer_restarted notice on edge E itself, sent from the service's side
 * so it reaches the client behind every reply the dead incarnation sent: a
 * client blocked reading only this socket (prospero_call_wait) hears of
 * the death there. */
static void notice_in_band(struct bind_edge *e, unsigned incarnation, uint64_t at)
{
	unsigned char frame[PF_HEADER + 96];
	long n;

	n = pf_encode_notice(frame, sizeof frame, incarnation, at);

	/* MSG_DONTWAIT: the service end's file is shared with the pool, so
	 * its O_NONBLOCK is not ours to set. A full socket drops the notice;
	 * the control channel still carries it. */
	if (n <= 0)
		return;
	if (send(e->service_end, frame, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
		e->notice_full = false;
		return;
	}
	if (errno == EPIPE || errno == ECONNRESET || (errno == EAGAIN && e->notice_full))
		return;		/* a full edge is said once, as a full channel is */
	e->notice_full = errno == EAGAIN;
	log_warn("%s: binding %s: peer_restarted notice not delivered: %s%s", e->client_inst->name,
		 e->binding->name, strerror(errno),
		 e->notice_full ? " (the client does not read it; no more said until it does)" : "");
}

void bindings_ended(struct bind_inst *bi)
{
	struct bindings *b = bi->set;
	size_t id = bi->spec->id;
	char msg[CFG_MAX_NAME + 64];
	struct timespec now;
	uint64_t at;
	unsigned next;

	/* "at": when the daemon saw the end, on the host's monotonic clock,
	 * one value for every edge. A reader fails only the calls it sent
	 * before then: a notice it reads late must not fail a call that went
	 * to the next incarnation. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	at = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	/* the next start's number; but each end its own, even two of a pool
	 * before that start: a reader acts once on a number, and would take
	 * this end for the last one, leaving what this one held to time out */
	next = (b->told[id] > b->incarnation[id] ? b->told[id] : b->incarnation[id]) + 1;
	b->told[id] = next;
	watchdog_stop(bi);
	control_close(bi);
	/* like an OTP monitor: calls in flight on these edges will get no
	 * answer from this incarnation */
	for (size_t i = 0; i < b->nserved[id]; i++) {
		struct bind_edge *e = &b->edges[b->served[id][i]];
		int n;

		if (!e->client_inst || e->client_inst->ctl < 0)
			continue;	/* not running: it has nothing in flight */
		/* control first: a client woken by the notice in band finds
		 * the other already there */
		n = pp_peer_restarted_format(msg, sizeof msg, e->binding->name, next);
		if (n > 0)
			control_send(e->client_inst, msg, (size_t)n);
		notice_in_band(e, next, at);
	}
}

/* --- one instance --- */

static int append_env(char ***envp, const char *fds, const char *names)
{
	size_t n = 0;
	char **env, *a = NULL, *c = NULL;

	while ((*envp)[n])
		n++;
	if (asprintf(&a, PP_ENV_FDS "=%s", fds) < 0 || asprintf(&c, PP_ENV_FDNAMES "=%s", names) < 0 ||
	    !(env = realloc(*envp, (n + 3) * sizeof *env))) {
		free(a);
		free(c);
		errno = ENOMEM;
		return -1;
	}
	env[n] = a;
	env[n + 1] = c;
	env[n + 2] = NULL;
	*envp = env;
	return 0;
}

/* "control:NAME...:serve:CLIENT..." as PROSPERO_FDNAMES (README). */
static char *fd_names(const struct bindings *b, const struct cfg_actor *a)
{
	static const char serve[] = PP_FDNAMES_SEP PP_FDNAME_SERVE_PREFIX "%s";
	size_t id = a->id, len = sizeof PP_FDNAME_CONTROL;
	char *names, *p;

	for (size_t j = 0; j < a->nbindings; j++)
		len += strlen(a->bindings[j].name) + 1;
	for (size_t i = 0; i < b->nserved[id]; i++)
		len += sizeof serve + strlen(b->edges[b->served[id][i]].client->name) + sizeof "#4294967295";
	if (!(names = malloc(len)))
		return NULL;
	p = names + sprintf(names, "%s", PP_FDNAME_CONTROL);
	for (size_t j = 0; j < a->nbindings; j++)
		p += sprintf(p, PP_FDNAMES_SEP "%s", a->bindings[j].name);
	for (size_t i = 0; i < b->nserved[id]; i++) {
		const struct bind_edge *e = &b->edges[b->served[id][i]];

		p += sprintf(p, serve, e->client->name);
		if (e->client->instances > 1)
			p += sprintf(p, "#%u", e->client_index);
	}
	return names;
}

struct bind_inst *bindings_instance(struct bindings *b, const struct cfg_actor *a, unsigned index,
				    const char *name, const int stdfds[3], const struct bind_ops *ops,
				    void *ctx, char ***envp)
{
	struct bind_inst *bi = calloc(1, sizeof *bi);
	size_t id = a->id, first = b->first_edge[id] + (size_t)(index - 1) * a->nbindings;
	char count[16], *names = NULL;
	unsigned k = 0;

	if (!bi)
		return NULL;
	*bi = (struct bind_inst){ .set = b, .spec = a, .name = name, .ops = ops, .ctx = ctx,
				  .ctl = -1, .ctl_child = -1 };
	bi->nfds = PP_FD_CONTROL + 1 + (unsigned)a->nbindings + (unsigned)b->nserved[id];
	if (!(bi->fds = calloc(bi->nfds, sizeof *bi->fds)))
		goto fail;
	for (; k < 3; k++)
		bi->fds[k] = stdfds[k];
	bi->fds[k++] = -1;	/* the control channel: made at each start */
	for (size_t j = 0; j < a->nbindings; j++) {
		b->edges[first + j].client_inst = bi;
		bi->fds[k++] = b->edges[first + j].client_end;
	}
	for (size_t i = 0; i < b->nserved[id]; i++)
		bi->fds[k++] = b->edges[b->served[id][i]].service_end;
	snprintf(count, sizeof count, "%u", bi->nfds - PP_FD_CONTROL);
	if (!(names = fd_names(b, a)) || append_env(envp, count, names) < 0)
		goto fail;
	free(names);
	ev_io_init(&bi->ctl_watcher, on_control, -1, EV_READ);
	bi->ctl_watcher.data = bi;
	ev_init(&bi->watchdog, on_watchdog);
	bi->watchdog.data = bi;
	return bi;
fail:
	free(names);
	bindings_instance_free(bi);
	errno = ENOMEM;
	return NULL;
}

void bindings_instance_free(struct bind_inst *bi)
{
	if (!bi)
		return;
	if (bi->fds) {
		struct bindings *b = bi->set;

		for (size_t i = 0; i < b->nedges; i++)
			if (b->edges[i].client_inst == bi)
				b->edges[i].client_inst = NULL;
		if (bi->set->loop) {
			watchdog_stop(bi);
			control_close(bi);
		}
	}
	free(bi->fds);
	free(bi);
}

bool bindings_same(struct bindings *b, const struct bind_inst *bi, const struct cfg_actor *a,
		   unsigned index)
{
	size_t id = a->id, first = b->first_edge[id] + (size_t)(index - 1) * a->nbindings;
	unsigned k = PP_FD_CONTROL + 1;
	char *names, *was;
	bool same;

	if (bi->nfds != PP_FD_CONTROL + 1 + a->nbindings + b->nserved[id])
		return false;
	for (size_t j = 0; j < a->nbindings; j++)
		if (b->edges[first + j].client_end != bi->fds[k++])
			return false;
	for (size_t i = 0; i < b->nserved[id]; i++)
		if (b->edges[b->served[id][i]].service_end != bi->fds[k++])
			return false;
	/* out of memory: not known to be the same, so restarted */
	names = fd_names(b, a);
	was = fd_names(bi->set, bi->spec);
	same = names && was && strcmp(names, was) == 0;
	free(names);
	free(was);
	return same;
}

void bindings_migrate(struct bindings *b, struct bind_inst *bi, const struct cfg_actor *a,
		      unsigned index)
{
	size_t first = b->first_edge[a->id] + (size_t)(index - 1) * a->nbindings;

	bi->set = b;
	bi->spec = a;
	for (size_t j = 0; j < a->nbindings; j++)
		b->edges[first + j].client_inst = bi;
}

const int *bindings_fds(const struct bind_inst *bi, unsigned *nfds)
{
	*nfds = bi->nfds;
	return bi->fds;
}
