/* Interposed edges; see relay.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "src/daemon/context.h"
#include "src/daemon/dispatch.h"
#include "src/daemon/faults.h"
#include "src/daemon/log.h"
#include "src/daemon/relay.h"
#include "src/daemon/timer.h"
#include "src/faults/draw.h"
#include "src/proto/frame.h"

/* Messages one direction holds before it stops reading: past that the
 * sender's socket buffer fills and it blocks, as on a direct edge. */
#define RELAY_QUEUE 64
/* Passed fds one direction holds: they are the daemon's, which no
 * open-file budget counts, so past this it stops reading too; the rest
 * wait in the sender's socket, charged to the sender as on a direct
 * edge. Room for two messages of PF_MAX_FDS and their duplicates. */
#define RELAY_FDS (4 * PF_MAX_FDS)
/* Bytes one direction holds, for the same reason: 64 messages of 64 KiB
 * were 4 MiB of the daemon's for each copy of an edge, some twenty times
 * a socket's default buffer. Room for two of PF_MAX_DGRAM and a duplicate. */
#define RELAY_BYTES (4 * (size_t)PF_MAX_DGRAM)

struct relay_msg {
	unsigned char *buf;
	size_t len;
	int fds[PF_MAX_FDS];
	unsigned nfds;
	pid_t pid;			/* the sender's, where the socket passes credentials */
	int64_t due_us;			/* not sent before, CLOCK_MONOTONIC */
};

struct relay_dir {
	struct relay *rl;
	enum fault_dir dir;		/* TO_SERVICE or TO_CLIENT */
	int from, to;
	ev_io in, out;
	ev_timer due;
	struct relay_msg q[RELAY_QUEUE];	/* a ring */
	size_t head, len;
	size_t nfds;			/* passed fds in Q */
	size_t bytes;			/* and bytes */
	uint64_t k;			/* messages taken */
	int64_t last_due_us;		/* no message leaves before the one in front */
	bool faulted;			/* a plan fault covers this direction */
	size_t fault, edge;		/* which, with FAULTED */
	struct relay_counts counts;
	struct sb_ratelimit events;	/* its drops and duplicates: the sender sets their pace */
};

struct relay {
	struct fault_run *run;
	unsigned client_instance;
	char name[FAULT_TARGET_MAX + CFG_MAX_NAME + 4];
	const char *client, *service, *binding;
	struct relay_dir dir[2];	/* TO_SERVICE, TO_CLIENT */
	size_t edge;			/* the binding edge it sits on: a run-time fault's target */
	double override_drop;		/* a run-time edge fault, until OVERRIDE_UNTIL */
	int64_t override_until;		/* on the fault clock */
	size_t override_fault;
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void msg_free(struct relay_msg *m)
{
	for (unsigned i = 0; i < m->nfds; i++)
		close(m->fds[i]);
	free(m->buf);
	*m = (struct relay_msg){ 0 };
}

/* The daemon's own notice, which no fault may touch (bindings.c sends it
 * from the service's side, one frame a datagram): an error frame with
 * call id 0, sent by the daemon itself. One of that form from an actor is
 * a message as any other, or it could pass a partition at will. */
static bool is_notice(const struct relay_dir *d, const struct relay_msg *m)
{
	struct pf_frame f;
	const char *why;

	return d->dir == FAULT_DIR_TO_CLIENT && m->pid == d->rl->run->d->self &&
	       pf_decode(m->buf, m->len, &f, &why) == (long)m->len && f.kind == PF_ERROR && f.id == 0;
}

static int msg_send(int fd, const struct relay_msg *m)
{
	char cbuf[CMSG_SPACE(PF_MAX_FDS * sizeof(int))] = { 0 };
	struct iovec iov = { m->buf, m->len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (m->nfds) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(m->nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(m->nfds * sizeof(int));
		memcpy(CMSG_DATA(c), m->fds, m->nfds * sizeof(int));
	}
	return sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* One datagram from FD into M: 1, 0 when none is waiting, -1 with errno. */
static int msg_recv(int fd, struct relay_msg *m, unsigned char *buf, size_t cap)
{
	char cbuf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(PF_MAX_FDS * sizeof(int))];
	struct iovec iov = { buf, cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof cbuf };
	ssize_t n;

	*m = (struct relay_msg){ 0 };
	while ((n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	m->pid = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred cred;

			memcpy(&cred, CMSG_DATA(c), sizeof cred);
			m->pid = cred.pid;
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			/* room for the credentials is room for more fds where
			 * none come: past PF_MAX_FDS, as a direct edge's reader */
			size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < nfds; i++) {
				int passed;

				memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof passed);
				if (m->nfds < PF_MAX_FDS)
					m->fds[m->nfds++] = passed;
				else
					close(passed);
			}
		}
	}
	if (!(m->buf = malloc(n ? (size_t)n : 1))) {
		msg_free(m);
		return -1;
	}
	memcpy(m->buf, buf, (size_t)n);
	m->len = (size_t)n;
	return 1;
}

/* Room for a message and its duplicate, whatever their size and fds. */
static bool room(const struct relay_dir *d)
{
	return d->len < RELAY_QUEUE - 1 && d->nfds + 2 * PF_MAX_FDS <= RELAY_FDS &&
	       d->bytes + 2 * (size_t)PF_MAX_DGRAM <= RELAY_BYTES;
}

/* Send what is due, in order; then wait for the next due time, or for
 * room in the receiver, and read again if there is room here. */
static void flush(struct relay_dir *d)
{
	struct ev_loop *loop = d->rl->run->d->loop;
	int64_t now = now_us();

	ev_timer_stop(loop, &d->due);
	while (d->len && d->q[d->head].due_us <= now) {
		if (msg_send(d->to, &d->q[d->head]) < 0 && errno == EAGAIN) {
			ev_io_start(loop, &d->out);
			return;
		}
		/* another error (the peer cannot fail: the daemon holds both
		 * ends) loses the message, as the kernel would */
		d->nfds -= d->q[d->head].nfds;
		d->bytes -= d->q[d->head].len;
		msg_free(&d->q[d->head]);
		d->head = (d->head + 1) % RELAY_QUEUE;
		d->len--;
	}
	ev_io_stop(loop, &d->out);
	if (d->len) {
		timer_arm(loop, &d->due, (double)(d->q[d->head].due_us - now) / 1e6);
	}
	if (room(d))
		ev_io_start(loop, &d->in);
}

static void push(struct relay_dir *d, struct relay_msg *m, int64_t due_us)
{
	if (due_us < d->last_due_us)
		due_us = d->last_due_us;
	d->last_due_us = m->due_us = due_us;
	d->nfds += m->nfds;
	d->bytes += m->len;
	d->q[(d->head + d->len++) % RELAY_QUEUE] = *m;
}

/* A copy of M, its fds duplicated; false when it cannot be had. */
static bool msg_copy(const struct relay_msg *m, struct relay_msg *out)
{
	*out = (struct relay_msg){ 0 };
	if (!(out->buf = malloc(m->len ? m->len : 1)))
		return false;
	memcpy(out->buf, m->buf, m->len);
	out->len = m->len;
	for (; out->nfds < m->nfds; out->nfds++)
		if ((out->fds[out->nfds] = fcntl(m->fds[out->nfds], F_DUPFD_CLOEXEC, 0)) < 0) {
			msg_free(out);
			return false;
		}
	return true;
}

/* Message K's fate: the plan's verdict, or a run-time fault's drop. */
static void decide(struct relay_dir *d, uint64_t k, int64_t now, struct fault_msg *v, size_t *fault)
{
	struct relay *rl = d->rl;
	struct fault_run *r = rl->run;

	*v = (struct fault_msg){ 0 };
	*fault = d->fault;
	if (r->clock0 < 0)
		return;		/* the fault clock has not started: nothing yet */
	if (d->faulted)
		fault_edge_message(r->plan, r->seed, d->fault, d->edge, rl->client_instance, d->dir, k, now, v);
	if (!v->drop && now < rl->override_until) {
		struct fault_key key = { .seed = r->seed, .fault = rl->override_fault, .target = rl->edge,
					 .sub = (uint64_t)rl->client_instance * 2 + (d->dir == FAULT_DIR_TO_CLIENT),
					 .n = k, .stream = FAULT_STREAM_DROP };

		if (fault_draw_chance(&key, rl->override_drop)) {
			*v = (struct fault_msg){ .drop = true };
			*fault = rl->override_fault;
		}
	}
}

static void report(struct relay_dir *d, uint64_t k, int64_t now, const struct fault_msg *v, size_t fault)
{
	struct relay *rl = d->rl;
	struct fault_event ev;
	const struct relay_dir *named = d->faulted ? d : &rl->dir[d == &rl->dir[0]];

	/* the names come from whichever fault interposes this edge copy */
	if (!fault_event_message(&ev, rl->run->plan, named->fault, named->edge, rl->client_instance, d->dir,
				 k, v, now))
		return;
	if (!sb_ratelimit_allow(&d->events, (uint64_t)daemon_now_ms(), &ev.suppressed)) {
		rl->run->suppressed++;
		return;
	}
	ev.fault = fault;
	faults_emit(rl->run, &ev);
}

static void take(struct relay_dir *d, struct relay_msg *m)
{
	struct fault_run *r = d->rl->run;
	int64_t now = faults_now(r), t = now_us();
	uint64_t k = ++d->k;
	struct fault_msg v = { 0 };
	struct relay_msg copy;
	size_t fault;

	d->counts.messages++;
	if (is_notice(d, m)) {
		push(d, m, t);
		return;
	}
	decide(d, k, now, &v, &fault);
	report(d, k, now, &v, fault);
	if (v.drop) {
		d->counts.dropped++;
		msg_free(m);
		return;
	}
	d->counts.delayed += v.delay_ms > 0;
	push(d, m, t + v.delay_ms * 1000);
	if (v.duplicate && msg_copy(m, &copy)) {
		d->counts.duplicated++;
		push(d, &copy, t + v.delay_ms * 1000);
	}
}

static void on_in(struct ev_loop *loop, ev_io *w, int revents)
{
	struct relay_dir *d = w->data;
	unsigned char buf[PF_MAX_DGRAM];
	struct relay_msg m;
	int rc = 1;

	while (room(d) && (rc = msg_recv(d->from, &m, buf, sizeof buf)) > 0)
		take(d, &m);
	if (rc < 0)
		log_err("%s: relay: %s", d->rl->name, strerror(errno));
	ev_io_stop(loop, w);	/* flush starts it again while there is room */
	flush(d);
}

static void on_ready(struct ev_loop *loop, ev_io *w, int revents)
{
	flush(w->data);
}

static void on_due(struct ev_loop *loop, ev_timer *w, int revents)
{
	flush(w->data);
}

static void dir_init(struct relay *rl, enum fault_dir dir, int from, int to)
{
	struct relay_dir *d = &rl->dir[dir == FAULT_DIR_TO_CLIENT];

	d->rl = rl;
	d->dir = dir;
	d->from = from;
	d->to = to;
	ev_io_init(&d->in, on_in, from, EV_READ);
	ev_io_init(&d->out, on_ready, to, EV_WRITE);
	ev_init(&d->due, on_due);
	d->in.data = d->out.data = d->due.data = d;
	sb_ratelimit_init(&d->events, FAULT_EVENTS_BURST, FAULT_EVENTS_INTERVAL_MS);
}

/* A relay for edge I, which faults of the plan cover as in TS and TC. */
static struct relay *relay_new(struct fault_run *r, size_t i, const struct relay_dir *ts,
			       const struct relay_dir *tc)
{
	struct bindings *b = r->d->bindings;
	struct relay *rl = calloc(1, sizeof *rl);
	struct bind_edge_info e;
	int ends[2];

	if (!rl)
		return NULL;
	bindings_edge_info(b, i, &e);
	if (bindings_interpose(b, i, ends) < 0) {
		free(rl);
		return NULL;
	}
	*rl = (struct relay){ .run = r, .client_instance = e.client_index, .edge = i, .client = e.client->name,
			      .service = e.service->name, .binding = e.client->bindings[e.binding].name };
	if (e.client->instances > 1)
		snprintf(rl->name, sizeof rl->name, "%s#%u -> %s (%s)", rl->client, e.client_index,
			 rl->service, rl->binding);
	else
		snprintf(rl->name, sizeof rl->name, "%s -> %s (%s)", rl->client, rl->service, rl->binding);
	dir_init(rl, FAULT_DIR_TO_SERVICE, ends[0], ends[1]);
	dir_init(rl, FAULT_DIR_TO_CLIENT, ends[1], ends[0]);
	for (int k = 0; k < 2; k++) {
		const struct relay_dir *from = k ? tc : ts;

		rl->dir[k].faulted = from->faulted;
		rl->dir[k].fault = from->fault;
		rl->dir[k].edge = from->edge;
		ev_io_start(r->d->loop, &rl->dir[k].in);
	}
	return rl;
}

int relays_open(struct fault_run *r)
{
	struct bindings *b = r->d->bindings;

	if (!(r->relays = calloc(b->nedges ? b->nedges : 1, sizeof *r->relays)))
		return -1;
	for (size_t i = 0; i < b->nedges; i++) {
		struct relay_dir ts = { 0 }, tc = { 0 };
		struct bind_edge_info e;

		bindings_edge_info(b, i, &e);
		ts.faulted = fault_plan_edge(r->plan, e.client->order, e.binding, FAULT_DIR_TO_SERVICE,
					     &ts.fault, &ts.edge) == 0;
		tc.faulted = fault_plan_edge(r->plan, e.client->order, e.binding, FAULT_DIR_TO_CLIENT,
					     &tc.fault, &tc.edge) == 0;
		if (!ts.faulted && !tc.faulted)
			continue;	/* peer to peer: costs nothing */
		if (!(r->relays[r->nrelays] = relay_new(r, i, &ts, &tc)))
			return -1;
		r->nrelays++;
	}
	return 0;
}

void relays_close(struct fault_run *r)
{
	struct ev_loop *loop = r->d->loop;

	for (size_t i = 0; i < r->nrelays; i++) {
		struct relay *rl = r->relays[i];

		for (int k = 0; k < 2; k++) {
			struct relay_dir *d = &rl->dir[k];

			ev_io_stop(loop, &d->in);
			ev_io_stop(loop, &d->out);
			ev_timer_stop(loop, &d->due);
			for (; d->len; d->len--, d->head = (d->head + 1) % RELAY_QUEUE)
				msg_free(&d->q[d->head]);
			close(d->from);
		}
		free(rl);
	}
	free(r->relays);
	r->relays = NULL;
	r->nrelays = 0;
}

void relay_describe(const struct relay *rl, char *buf, size_t len, struct relay_counts *out)
{
	snprintf(buf, len, "%s", rl->name);
	*out = (struct relay_counts){ 0 };
	for (int k = 0; k < 2; k++) {
		out->messages += rl->dir[k].counts.messages;
		out->delayed += rl->dir[k].counts.delayed;
		out->dropped += rl->dir[k].counts.dropped;
		out->duplicated += rl->dir[k].counts.duplicated;
	}
}

/* EDGE names RL: "CLIENT -> SERVICE", spelt as a plan may spell it, or
 * its binding name. */
static bool names(const struct relay *rl, const char *edge)
{
	char client[CFG_MAX_NAME + 2], service[CFG_MAX_NAME + 2];

	if (!fault_edge_split(edge, client, service, sizeof client))
		return strcmp(edge, rl->binding) == 0;
	return strcmp(client, rl->client) == 0 && strcmp(service, rl->service) == 0;
}

size_t relays_override(struct fault_run *r, const char *edge, double drop, int64_t for_ms, size_t fault)
{
	int64_t now = faults_now(r);
	char target[FAULT_TARGET_MAX];
	struct fault_event ev;
	size_t n = 0;

	for (size_t i = 0; i < r->nrelays; i++) {
		struct relay *rl = r->relays[i];

		if (!names(rl, edge))
			continue;
		rl->override_drop = drop;
		rl->override_until = now + for_ms;
		rl->override_fault = fault;
		/* its event, as a run-time kill's: the copy's name without " (BINDING)" */
		snprintf(target, sizeof target, "%.*s", (int)(strlen(rl->name) - strlen(rl->binding) - 3), rl->name);
		fault_event_edge(&ev, fault, target, rl->binding, drop, for_ms, now);
		faults_emit(r, &ev);
		n++;
	}
	return n;
}
