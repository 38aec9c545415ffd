/* The loop: what the system tells the daemon — a child ended, a stop
 * signal, a datagram on the notify socket, systemd's watchdog due — as
 * libev watchers whose handlers do little and hand off to the
 * dispatcher. daemon_run (daemon.h) is here: set up, boot the tree, run
 * until the root is down, tear down. */
#ifndef PROSPERO_DAEMON_LOOP_H
#define PROSPERO_DAEMON_LOOP_H

struct daemon;
struct instance;

/* Start the daemon-wide watchers on d->loop. */
void loop_watch(struct daemon *d);
/* Act on the datagrams waiting on the notify socket (READY=1, WATCHDOG=1),
 * BUDGET at most: LOOP_NOTIFY_READS a wake-up, so that a flood keeps the
 * loop from nothing else; LOOP_NOTIFY_CATCH_UP for what waits before a
 * timer acts (the socket holds net.unix.max_dgram_qlen, 10 by default). */
#define LOOP_NOTIFY_READS 64
#define LOOP_NOTIFY_CATCH_UP 65536
void loop_read_notify(struct daemon *d, unsigned budget);
/* IN's main process has started with PIDFD (taken; -1: none): reap it
 * when the pidfd says it has ended. A SIGCHLD names no child: finding the
 * one that ended is a scan of every child in the kernel, a thousand of
 * them with a thousand instances, on the way to each restart. */
void loop_watch_exit(struct daemon *d, struct instance *in, int pidfd);
/* Stop that, closing the pidfd (once reaped, or when IN goes). */
void loop_unwatch_exit(struct instance *in);
/* A SIGTERM or SIGINT not read yet is taken now, as the loop takes one:
 * for the dispatcher, whose chain of steps (a boot of children ready at
 * exec) does not return to the loop until it ends. */
void loop_take_stop_signal(struct daemon *d);
/* Reap the orphans that have ended, up to the first zombie that is an
 * instance's main process: what a killed instance left, before its end
 * is told. A scan of every child, as a SIGCHLD's is. */
void loop_reap_orphans(struct daemon *d);

#endif
