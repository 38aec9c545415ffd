/* State directories, the daemon's side (README "Durable state"): the root
 * they live in (--state-dir), and for each instance of an actor with
 * "state": true its own directory there, named for the instance, made
 * and handed to its uid before each start (sandbox/daemon/statedir.h does
 * the file system work). */
#ifndef PROSPERO_DAEMON_STATE_H
#define PROSPERO_DAEMON_STATE_H

#include <stddef.h>

struct cfg;
struct daemon;
struct daemon_opts;
struct instance;

struct state_dirs {
	char root[4096];		/* "" when no actor keeps state */
	int fd;				/* the root, or -1 */
};

/* Where the root is: DIR (--state-dir) when given, made absolute against
 * the working directory (actors have cwds of their own); else the first path of
 * $STATE_DIRECTORY (systemd's StateDirectory=); else /var/lib/prospero
 * for root, $XDG_STATE_HOME/prospero or ~/.local/state/prospero for
 * anyone else. Into BUF; -1 with errno ENAMETOOLONG, ENOENT when there
 * is no $HOME to put it in, or getcwd's. */
int state_root_path(const char *dir, char *buf, size_t len);

/* The root, made and opened, when an actor of CFG keeps state (a reload
 * that adds the first calls it again). -1 with errno, said in MSG, or on
 * stderr when MSG is NULL; the root is then left unset. */
int state_setup(struct daemon *d, const struct cfg *cfg, const struct daemon_opts *opts, char *msg,
		size_t len);
/* For check: what state_setup would refuse of the state root, said the
 * same way, making nothing. 0 also when no actor keeps state. */
int state_root_check(const struct cfg *cfg, const struct daemon_opts *opts);
/* For a reload's dry run: what state_setup would refuse when the reload
 * of CFG makes the root (none made yet), said in MSG, making nothing. */
int state_root_dry_check(const struct daemon *d, const struct cfg *cfg, const struct daemon_opts *opts,
			 char *msg, size_t len);
void state_teardown(struct state_dirs *s);

/* As root, before the first start: each directory already in the root
 * claims its owner's dynamic uid for the instance it is named after, so
 * that no other instance is given a uid that could enter it. The root is
 * read if it exists, whether or not an actor keeps state. -1 with errno,
 * said on stderr. */
int state_claim_uids(struct daemon *d, const struct daemon_opts *opts);

/* IN's directory, ROOT/NAME, into *PATH (malloc'ed), or NULL when its
 * actor keeps no state. -1 with errno ENOMEM. */
int state_path(const struct daemon *d, const struct instance *in, char **path);

/* Before a start: IN's directory there, mode 0700, its uid's. -1 with
 * errno and MSG saying why. */
int state_prepare(struct daemon *d, const struct instance *in, char *msg, size_t len);

#endif
