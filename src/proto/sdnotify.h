/* The client side of the sd_notify protocol (sd_notify(3)): one datagram
 * to the socket $NOTIFY_SOCKET names. The daemon tells systemd about
 * itself with it; libprospero tells the daemon, when an actor has no
 * control channel. */
#ifndef PROSPERO_PROTO_SDNOTIFY_H
#define PROSPERO_PROTO_SDNOTIFY_H

/* Send TEXT (assignments, see control.h): 1 sent; 0 when $NOTIFY_SOCKET
 * is unset or empty (nobody to tell); -1 with errno, EINVAL for a socket
 * name neither absolute nor abstract ('@'), or too long. */
int pp_sd_notify(const char *text);
/* How often to send WATCHDOG=1: half of $WATCHDOG_USEC, in seconds, as
 * sd_watchdog_enabled(3) advises, when it is set for this process (no
 * $WATCHDOG_PID, or this pid); else 0. */
double pp_sd_watchdog_interval(void);

#endif
