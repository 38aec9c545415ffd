/* Reading a directory the daemon holds an fd on: a stream of its own
 * (openat "."), so readdir moves no offset the holder shares, and the
 * holder's fd stays open after closedir. */
#ifndef PROSPERO_SANDBOX_DAEMON_DIRSTREAM_H
#define PROSPERO_SANDBOX_DAEMON_DIRSTREAM_H

#include <dirent.h>

/* A stream over directory DIR; NULL with errno. closedir() it. */
DIR *sb_dirstream(int dir);

#endif
