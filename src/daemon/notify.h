/* The sd_notify protocol's server side: the datagram socket named by
 * $NOTIFY_SOCKET in every actor, so an existing Type=notify program works
 * unchanged. The kernel stamps each datagram with the sender's pid and
 * uid (SO_PASSCRED), which is how the daemon knows who sent it. (The client
 * side, the daemon telling systemd about itself, is src/proto/sdnotify.) */
#ifndef PROSPERO_DAEMON_NOTIFY_H
#define PROSPERO_DAEMON_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "src/proto/control.h"

#define NOTIFY_NAME "notify"

struct notify_server {
	int fd;
	int dirfd;			/* the runtime directory it is in */
	char path[108];
	char buf[PP_NOTIFY_MAX + 1];
	/* reads that found it empty: each one was read after every datagram
	 * queued before it (notify_server_mark) */
	unsigned long emptied;
};

/* Bind a socket at DIR/notify, DIRFD being DIR, open. -1 with errno on
 * failure. */
int notify_server_open(struct notify_server *ns, const char *dir, int dirfd);
void notify_server_close(struct notify_server *ns);
/* Read one datagram. 1: *msg filled, its pid and uid from the kernel;
 * 0: nothing (EAGAIN) or a datagram without credentials, dropped; -1:
 * error. msg->status points into ns. */
int notify_server_recv(struct notify_server *ns, struct pp_notify *msg);
/* A mark for what is sent from now on: a datagram read once
 * notify_server_since(ns, mark) holds was queued after this call. A
 * sender that is gone is known only by its uid, and this is what tells
 * a new run's message from one its uid's last run left queued. */
unsigned long notify_server_mark(struct notify_server *ns);
bool notify_server_since(const struct notify_server *ns, unsigned long mark);

#endif
