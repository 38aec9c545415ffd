/* libprospero: the actor side of Prospero's service bindings, on libev.
 *
 * An actor started by prospero finds its channels at fd 3 onwards, named by
 * PROSPERO_FDS and PROSPERO_FDNAMES (see README.md, "Wire protocol and fd
 * convention"). prospero_open() adopts them and starts watchers on the
 * caller's loop; nothing blocks and nothing here logs or exits.
 *
 * Functions return 0 (or an object) on success and -1 (or NULL) with errno
 * set on failure; a NULL pointer where one is needed is EINVAL, and a
 * function that returns nothing then does nothing. Callbacks run from the loop, never from inside the call
 * that registered them, except where a function says otherwise (prospero_call_wait, prospero_close). */
#ifndef PROSPERO_H
#define PROSPERO_H

#include <stddef.h>
#include <ev.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Why a call failed; also the codes a handler may answer with. */
enum prospero_error {
	PROSPERO_OK = 0,
	PROSPERO_E_TIMEOUT = 1,		/* no answer within the call's timeout */
	PROSPERO_E_PEER_RESTARTED = 2,	/* the service died with the call in flight */
	PROSPERO_E_NO_SUCH_METHOD = 3,
	PROSPERO_E_BAD_REQUEST = 4,	/* malformed frame or body */
	PROSPERO_E_INTERNAL = 5,	/* the handler failed */
	PROSPERO_E_UNAVAILABLE = 6,	/* the service is stopping */
};

struct prospero;		/* one actor's view of its channels */
struct prospero_binding;	/* one channel: an outgoing binding or a served edge */
struct prospero_request;	/* an incoming call awaiting its answer */

/* Adopt the channels named by the environment, then unset both variables.
 * Unset, PROSPERO_FDS counts as 0 and PROSPERO_FDNAMES as no names: with
 * neither, the actor simply has no bindings (readiness then goes to
 * $NOTIFY_SOCKET). EINVAL when the two disagree, PROSPERO_FDS is not a
 * decimal number up to 4096, or the names hold control or a binding NAME
 * twice or an empty name; EBADF for a named fd not open, ENOTSOCK for one
 * that is not a socket; the fds and the environment are then left as
 * they were. */
struct prospero *prospero_open(struct ev_loop *loop);
/* An actor with no channels yet; add them by hand (tests, embedding). */
struct prospero *prospero_new(struct ev_loop *loop);
/* KIND is "control", a binding NAME, or "serve:<client>"; FD is adopted
 * (made close-on-exec). EBADF for a bad FD or an empty name, ENOTSOCK for
 * an FD that is not a socket, EEXIST for a second control channel, a
 * second binding NAME, or an FD P holds already. A refused FD is left as
 * it was. */
int prospero_adopt(struct prospero *p, const char *fdname, int fd);
/* Fail every pending call with UNAVAILABLE (callbacks run before this
 * returns; a call they make fails with ESHUTDOWN), answer every deferred
 * request still held UNAVAILABLE (freeing it), close every channel and
 * free P. */
void prospero_close(struct prospero *p);

/* The outgoing binding called NAME, or NULL (errno ENOENT). */
struct prospero_binding *prospero_binding(struct prospero *p, const char *name);

/* --- calling --- */

/* ERR is PROSPERO_OK with the reply body, or an error code with the error's
 * message as body. BODY is valid only during the callback. */
typedef void prospero_reply_fn(int err, const void *body, size_t len, void *arg);

/* Send a call; CB runs exactly once. TIMEOUT in seconds (> 0). Fails with
 * EAGAIN when the binding's send queue is full (see prospero_on_writable). */
int prospero_call(struct prospero_binding *b, const char *method, const void *body, size_t len,
		  double timeout, prospero_reply_fn *cb, void *arg);
/* The same call, blocking: send, then read B's socket until the answer,
 * and run CB (reply, error, timeout or peer_restarted) before returning 0.
 * Nothing else of the actor runs meanwhile — no loop, no other binding —
 * which is what makes it a system call cheaper each way than a call from
 * the loop; for actors with nothing else to do while they wait. -1 with
 * errno, and CB not run, when the call could not be sent: EINVAL and
 * ESHUTDOWN as for prospero_call, whatever B's state; then EBUSY while B
 * has calls of the loop in flight or frames queued that the socket has no
 * room for (this turn's casts are sent first), EAGAIN when the peer did
 * not take it within TIMEOUT. B's fd must stay blocking. */
int prospero_call_wait(struct prospero_binding *b, const char *method, const void *body, size_t len,
		       double timeout, prospero_reply_fn *cb, void *arg);
/* Send a one-way message. Casts are sent when the loop's current turn
 * ends (before it waits), the casts of one turn coalesced into as few
 * datagrams as fit; prospero_close sends what is left. EAGAIN when the
 * queue is full. */
int prospero_cast(struct prospero_binding *b, const char *method, const void *body, size_t len);
/* Run CB when a full send queue has drained to half (backpressure). */
void prospero_on_writable(struct prospero_binding *b, void (*cb)(struct prospero_binding *, void *), void *arg);
/* Off: every frame its own datagram, casts sent at once (for measurement). */
void prospero_set_coalesce(struct prospero_binding *b, int on);
/* Calls sent and not yet answered on B (0, errno EINVAL, for NULL). */
unsigned prospero_pending(const struct prospero_binding *b);

/* --- serving --- */

/* REQ is NULL for a cast. For a call the handler answers with
 * prospero_reply/prospero_fail before it returns, or takes the request with
 * prospero_defer and answers later; a call left unanswered gets "internal". */
typedef void prospero_handler_fn(struct prospero_request *req, const void *body, size_t len, void *arg);

/* Register METHOD; calls to methods nobody registered get no_such_method. */
int prospero_handle(struct prospero *p, const char *method, prospero_handler_fn *fn, void *arg);
/* Start reading the served edges (after the handlers are registered). */
int prospero_serve(struct prospero *p);
int prospero_reply(struct prospero_request *req, const void *body, size_t len);
/* CODE is an error: PROSPERO_OK, like a code not in the enum, is answered
 * internal. */
int prospero_fail(struct prospero_request *req, int code, const char *message);
/* Keep REQ beyond the handler; the returned pointer is answered later,
 * once (which frees it), or by prospero_close. EINVAL for a request
 * answered or kept already, that pointer included. */
struct prospero_request *prospero_defer(struct prospero_request *req);
const char *prospero_request_method(const struct prospero_request *req);

/* --- lingering --- */

/* When the loop has one socket to wait for, wait on that socket alone, in
 * a blocking read, instead of in the loop: as a blocking server, having
 * answered a call on the actor's one served edge, for the next call; as a
 * blocking client, when the loop would wait and the actor (serving no
 * edge) has calls in flight on one binding only, for their answers. A
 * steady ping-pong then costs what a blocking peer's does, without the
 * loop's wait before each read. Only while the actor has no deferred
 * request, nothing queued to send and no other watcher pending; no new
 * read after SECONDS in one turn of the loop, and each read gives up after
 * SECONDS (SO_RCVTIMEO, rounded up to the kernel's clock tick). The loop's
 * other watchers (timers, calls' timeouts, the control channel, the
 * user's own) wait meanwhile: up to twice SECONDS, and at least a tick
 * each time the traffic stops. A signal ends the wait (EINTR), though one
 * that lands just before a read is handled only when the lingering ends.
 * For actors with little else to watch. 0: off (the default). -1 with
 * errno: EINVAL for a negative time or one over a day, or setsockopt's
 * error. */
int prospero_linger(struct prospero *p, double seconds);

/* --- lifecycle --- */

/* READY=1, WATCHDOG=1, STATUS=... on the control channel, or $NOTIFY_SOCKET.
 * STATUS is one line (EINVAL for a newline), cut as the daemon cuts it:
 * at 255 bytes, where a UTF-8 character ends. */
int prospero_ready(struct prospero *p);
int prospero_watchdog(struct prospero *p);
int prospero_status(struct prospero *p, const char *status);
/* Send WATCHDOG=1 every INTERVAL seconds from a loop timer (0, less, or
 * NaN stops it).
 * prospero_open starts it at half of $WATCHDOG_USEC when that is set. */
void prospero_auto_watchdog(struct prospero *p, double interval);
/* Told when the daemon reports that the service behind binding NAME
 * restarted (after its in-flight calls have failed), once per restart
 * though the notice comes on the binding and on the control channel. */
void prospero_on_peer_restarted(struct prospero *p,
				void (*cb)(struct prospero *, const char *name, unsigned long incarnation, void *),
				void *arg);
/* On SIGTERM: stop reading requests, wait until the actor has answered
 * those it deferred (one never answered keeps it waiting) and for the
 * calls in flight, flush what is queued, then run DONE (NULL: ev_break
 * the loop).
 * Uses an ev_signal watcher, so LOOP must be the one handling signals. */
int prospero_stop_on_sigterm(struct prospero *p, void (*done)(struct prospero *, void *), void *arg);
/* The same, now. */
void prospero_stop(struct prospero *p);

#ifdef __cplusplus
}
#endif

#endif
