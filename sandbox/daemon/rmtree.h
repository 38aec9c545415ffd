/* Removing what lies below a directory the daemon manages (the runtime
 * directory, an actor's credentials), where an actor may have planted
 * anything: every step is an *at call on a directory fd held, no symlink
 * is followed, and nothing outside the directory given is touched. */
#ifndef PROSPERO_SANDBOX_DAEMON_RMTREE_H
#define PROSPERO_SANDBOX_DAEMON_RMTREE_H

/* Deeper than anything the daemon makes: a tree an actor built deeper
 * is refused (ELOOP) rather than walked with one fd per level. */
#define SB_RMTREE_DEPTH_MAX 16

/* Remove the entry name of dir, and everything below it if it is a
 * directory (a symlink is removed, not followed). 0 when it is gone or
 * never was; -1 with the first errno otherwise. */
int sb_rmtree_at(int dir, const char *name);

/* Remove every entry of dir but the one named keep (NULL: none). */
int sb_rmtree_contents(int dir, const char *keep);

/* Remove what lies below dir, *budget entries at most (each taken from
 * it): 0 once dir is empty, 1 when the budget ran out first (call again:
 * what is gone stays gone), -1 with the first errno. A tree an actor
 * filled is removed a few entries at a time, between other work. */
int sb_rmtree_contents_some(int dir, unsigned *budget);

#endif
