/* The loop: what the system tells the daemon — a child ended, a stop
 * signal, a datagram on the notify socket, systemd's watchdog due — as
 * libev watchers whose handlers do little and hand off to the
 * dispatcher. daemon_run (daemon.h) is here: set up, boot the tree, run
 * until the root is down, tear down. */
#ifndef PROSPERO_DAEMON_LOOP_H
#define PROSPERO_DAEMON_LOOP_H

struct daemon;

/* Start the daemon-wide watchers on d->loop. */
void loop_watch(struct daemon *d);
/* Act on every datagram waiting on the notify socket (READY=1, WATCHDOG=1). */
void loop_read_notify(struct daemon *d);

#endif
