/* Paths cleaned by their text alone, so one directory spelt two ways
 * compares equal: the config's at a reload, the command line's once
 * made absolute. */
#ifndef PROSPERO_CONFIG_PATHS_H
#define PROSPERO_CONFIG_PATHS_H

/* PATH in place: no "." component, no repeated or trailing '/' ("/"
 * stays; a relative path of dots alone becomes "."). ".." is kept: what
 * it names depends on symlinks, which only the file system resolves. */
void path_clean(char *path);

#endif
