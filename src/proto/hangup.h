/* The end of a SOCK_SEQPACKET channel, for both of its readers (the
 * daemon's of an actor's control channel, libprospero's of the daemon's):
 * recv's 0 is an empty datagram as well as the end. */
#ifndef PROSPERO_PROTO_HANGUP_H
#define PROSPERO_PROTO_HANGUP_H

#include <stdbool.h>

/* Whether every copy of the peer's end of FD is closed. */
bool pp_hung_up(int fd);

#endif
