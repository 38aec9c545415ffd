/* Bodies too large for a datagram travel as a sealed memfd passed with
 * SCM_RIGHTS in the same datagram as their frame (README "Large bodies"). */
#ifndef PROSPERO_LIB_MEMFD_H
#define PROSPERO_LIB_MEMFD_H

#include <stddef.h>

#include "src/proto/frame.h"

/* A sealed memfd holding LEN bytes of BODY, or -1 with errno. */
int pr_memfd_make(const void *body, size_t len);
/* Map the sealed memfd FD holding LEN bytes; NULL with errno and *WHY,
 * the reason a call is refused with (the Python peer's words too), on an
 * fd that is not a memfd sealed against change, or is too short. */
void *pr_memfd_map(int fd, size_t len, const char **why);
/* When F with its body inline would not fit a datagram, move the body
 * into a memfd: *FD the memfd (F flagged PF_FLAG_MEMFD), else -1. -1
 * with errno when the memfd could not be made. */
int pr_memfd_body(struct pf_frame *f, int *fd);

#endif
