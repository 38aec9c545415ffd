/* Setting the daemon up and tearing it down: the runtime directory, the
 * notify socket, the events file, confinement and secrets, the bindings,
 * the tree and every instance in it, the loop's watchers. */
#ifndef PROSPERO_DAEMON_SETUP_H
#define PROSPERO_DAEMON_SETUP_H

#include <sys/resource.h>

struct cfg;
struct daemon;
struct daemon_opts;

/* D, zeroed, made ready to boot CFG's tree. -1 when it cannot be, said on
 * stderr; daemon_teardown is called either way. */
int daemon_setup(struct daemon *d, const struct cfg *cfg, const struct daemon_opts *opts);
/* Everything D holds released; any actor still running is killed. */
void daemon_teardown(struct daemon *d);

/* The hard open-file limit the daemon has now: prlimit(1) may have
 * lowered it since start-up, and a child cannot go above it. */
rlim_t daemon_nofile_max(const struct daemon *d);
/* The soft limit it has now, for DAEMON_NOFILE_FIX. */
unsigned long long daemon_nofile_cur(const struct daemon *d);
/* What a step that found the daemon out of fds (EMFILE) says after its
 * error: the step itself cannot know the limit is the daemon's. */
#define DAEMON_NOFILE_FIX "the daemon's limit is %llu open files: raise it, e.g. LimitNOFILE= under systemd"

#endif
