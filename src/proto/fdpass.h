/* Passing fds over a Unix socket (SCM_RIGHTS): memfd bodies on bindings,
 * and any datagram whose fds a receiver must take or close, never leak. */
#ifndef PROSPERO_PROTO_FDPASS_H
#define PROSPERO_PROTO_FDPASS_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Send LEN bytes of BUF on SOCK, with FD passed in the same datagram, or
 * alone (send(2), no message header to copy in) when FD is -1. FLAGS
 * gain MSG_NOSIGNAL; EINTR is retried. send(2)'s result. It allocates
 * nothing and is not instrumented by sanitizers, so a child between
 * clone and exec may use it. */
ssize_t pp_fdpass_send(int sock, const void *buf, size_t len, int fd, int flags);
/* The same with the NFDS fds of FDS, at most PP_FDPASS_MAX (EINVAL). */
#define PP_FDPASS_MAX 4
ssize_t pp_fdpass_send_fds(int sock, const void *buf, size_t len, const int *fds, unsigned nfds, int flags);
/* The fds MSG carries (a received message: use MSG_CMSG_CLOEXEC), in
 * order: the first MAX into FDS, every one after closed. Their count,
 * at most MAX. */
unsigned pp_fdpass_take(struct msghdr *msg, int *fds, unsigned max);
/* Close each of the N fds of FDS that is not -1. */
void pp_fdpass_close(const int *fds, unsigned n);

#endif
