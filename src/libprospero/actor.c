/* An actor's handle on its channels: adopting the fds the daemon passed,
 * its bindings by name, and its methods. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/libprospero/actor.h"
#include "src/proto/fds.h"
#include "src/proto/sdnotify.h"

static void server_settled(struct pr_server *srv)
{
	pr_check_stopped(pr_container_of(srv, struct prospero, server));
}

struct prospero *prospero_new(struct ev_loop *loop)
{
	struct prospero *p;

	if (!loop) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	pr_port_init(&p->port, loop, pr_linger_calls);
	pr_server_init(&p->server, server_settled);
	p->control_fd = -1;
	ev_idle_init(&p->lingered, pr_linger_done);
	return p;
}

/* The binding this actor calls by NAME (not an edge it serves). */
static struct prospero_binding *client_binding(struct prospero *p, const char *name)
{
	for (struct prospero_binding *b = pr_first_binding(p); b; b = pr_next_binding(b))
		if (!b->serve && strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

/* FD is open, and a socket (every channel is datagrams on one): 0, or
 * -1 with errno EBADF or ENOTSOCK. fstat, which every profile allows. */
static int check_fd(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		errno = EBADF;
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		errno = ENOTSOCK;
		return -1;
	}
	return 0;
}

/* Take FD, checked already, under FDNAME, leaving its flags alone: 0, or
 * -1 with errno and FD as it was. */
static int adopt(struct prospero *p, const char *fdname, int fd)
{
	const char *client = pp_fdname_client(fdname);
	struct prospero_binding *b;

	if (strcmp(fdname, PP_FDNAME_CONTROL) == 0) {
		if (p->control_fd >= 0) {
			errno = EEXIST;
			return -1;
		}
		pr_control_open(p, fd);
		return 0;
	}
	/* a client bound twice is served on two edges of one name; a
	 * binding is called by its name, which must say one */
	if (!client && client_binding(p, fdname)) {
		errno = EEXIST;
		return -1;
	}
	b = pr_binding_new(p, client ? client : fdname, fd, client != NULL);
	if (!b)
		return -1;
	/* Replies are read at once; requests only once the handlers are in,
	 * and never once stopping. */
	if (!client || (p->serving && !p->stopping))
		pr_chan_start(&b->chan);
	return 0;
}

/* Close-on-exec only once FD is the actor's: a refused fd stays as the
 * caller had it. It is open, so this cannot fail. */
static void own(int fd)
{
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* FD is one of P's channels already. */
static bool holds(struct prospero *p, int fd)
{
	if (fd >= 0 && fd == p->control_fd)
		return true;
	for (struct prospero_binding *b = pr_first_binding(p); b; b = pr_next_binding(b))
		if (b->chan.fd == fd)
			return true;
	return false;
}

int prospero_adopt(struct prospero *p, const char *fdname, int fd)
{
	if (!p || !fdname) {
		errno = EINVAL;
		return -1;
	}
	/* "serve:" serves no client: empty, as prospero_open finds it */
	if (!*fdname || (pp_fdname_client(fdname) && !*pp_fdname_client(fdname))) {
		errno = EBADF;
		return -1;
	}
	if (check_fd(fd) < 0)
		return -1;
	if (holds(p, fd)) {
		errno = EEXIST;	/* two channels would close it twice */
		return -1;
	}
	if (adopt(p, fdname, fd) < 0)
		return -1;
	own(fd);
	return 0;
}

/* Give back the fds adopted so far, unclosed: prospero_close then frees
 * the rest. */
static void disown(struct prospero *p)
{
	for (struct prospero_binding *b = pr_first_binding(p); b; b = pr_next_binding(b))
		pr_chan_disown(&b->chan);
	if (p->control_fd >= 0) {
		ev_io_stop(p->port.loop, &p->control_io);
		p->control_fd = -1;
	}
}

/* The fds named by PROSPERO_FDS and PROSPERO_FDNAMES, all checked before
 * any is adopted: a failed open leaves every fd as it found it. */
static int adopt_env(struct prospero *p)
{
	bool control = false;
	char **name;
	unsigned long n;
	int r = -1;

	if (pp_fds_getenv(&name, &n) < 0)
		return -1;
	for (unsigned long i = 0; i < n; i++) {
		if (strcmp(name[i], PP_FDNAME_CONTROL) == 0) {
			if (control) {
				errno = EINVAL;	/* one actor, one control channel */
				goto out;
			}
			control = true;
		} else if (!pp_fdname_client(name[i])) {
			for (unsigned long j = 0; j < i; j++)
				if (strcmp(name[i], name[j]) == 0) {
					errno = EINVAL;	/* a binding's name twice */
					goto out;
				}
		}
	}
	for (unsigned long i = 0; i < n; i++) {
		if (!*name[i]) {
			errno = EBADF;
			goto out;
		}
		if (check_fd(PP_FD_CONTROL + (int)i) < 0)
			goto out;
	}
	for (unsigned long i = 0; i < n; i++)
		if (adopt(p, name[i], PP_FD_CONTROL + (int)i) < 0) {
			disown(p);
			goto out;
		}
	for (unsigned long i = 0; i < n; i++)
		own(PP_FD_CONTROL + (int)i);
	r = 0;
	pp_fds_unsetenv();	/* whichever was set: both are read */
out:
	free(name);
	return r;
}

struct prospero *prospero_open(struct ev_loop *loop)
{
	struct prospero *p = prospero_new(loop);
	double watchdog = pp_sd_watchdog_interval();

	if (!p)
		return NULL;
	if (adopt_env(p) < 0) {
		int e = errno;

		prospero_close(p);
		errno = e;
		return NULL;
	}
	if (watchdog > 0)
		prospero_auto_watchdog(p, watchdog);
	return p;
}

static void close_now(struct prospero *p)
{
	struct prospero_binding *b;

	/* the failed calls' callbacks may try again, or close again; and
	 * whatever enters the port meanwhile must not close it twice */
	p->closing = p->port.closed = true;
	p->port.depth++;
	pr_server_abandon(&p->server);
	/* every binding's calls fail before any binding goes: their
	 * callbacks may cast on, or ask about, any binding of P */
	for (b = pr_first_binding(p); b; b = pr_next_binding(b))
		pr_calls_fail_all(&b->calls, PROSPERO_E_UNAVAILABLE, "the binding was closed");
	while ((b = pr_first_binding(p)))
		pr_binding_free(b);
	pr_port_fini(&p->port);
	ev_idle_stop(p->port.loop, &p->lingered);
	pr_server_fini(&p->server);
	pr_control_close(p);
	prospero_auto_watchdog(p, 0);
	pr_stop_fini(p);
	free(p);
}

static void close_later(struct pr_port *port)
{
	close_now(pr_container_of(port, struct prospero, port));
}

void prospero_close(struct prospero *p)
{
	if (!p || p->closing)
		return;		/* a second close, from a callback the first runs */
	if (p->port.depth == 0) {
		close_now(p);
		return;
	}
	/* Inside one of P's callbacks: what called it still holds P. Read
	 * and take nothing more; the outermost caller closes P as it returns
	 * (pr_port_leave), before the loop runs anything else. */
	p->closing = p->port.closed = true;
	p->port.on_close = close_later;
	for (struct prospero_binding *b = pr_first_binding(p); b; b = pr_next_binding(b))
		pr_chan_pause(&b->chan);
}

struct prospero_binding *prospero_binding(struct prospero *p, const char *name)
{
	if (!p || !name) {
		errno = EINVAL;
		return NULL;
	}
	struct prospero_binding *b = client_binding(p, name);

	if (!b)
		errno = ENOENT;
	return b;
}

int prospero_handle(struct prospero *p, const char *method, prospero_handler_fn *fn, void *arg)
{
	if (!p) {
		errno = EINVAL;
		return -1;
	}
	return pr_server_handle(&p->server, method, fn, arg);
}

int prospero_serve(struct prospero *p)
{
	if (!p) {
		errno = EINVAL;
		return -1;
	}
	if (p->stopping) {
		errno = ESHUTDOWN;	/* a stop is for good: no new request */
		return -1;
	}
	p->serving = true;
	for (struct prospero_binding *b = pr_first_binding(p); b; b = pr_next_binding(b))
		if (b->serve && !b->chan.full)
			pr_chan_start(&b->chan);
	return 0;
}

void prospero_on_peer_restarted(struct prospero *p,
				void (*cb)(struct prospero *, const char *, unsigned long, void *), void *arg)
{
	if (!p)
		return;
	p->on_peer_restarted = cb;
	p->restart_arg = arg;
}
