/* The kernel's cgroup text formats: a line of /proc/self/mountinfo, a line
 * of /proc/self/cgroup, flat-keyed files ("populated 1") and single-value
 * files ("max"). Pure: parses the text it is given, in place. */
#ifndef PROSPERO_CGROUP_TEXT_H
#define PROSPERO_CGROUP_TEXT_H

#include <stdbool.h>
#include <stdint.h>

struct sb_mountinfo_entry {
	char *root;		/* the part of the filesystem mounted */
	char *mnt;		/* where, octal escapes (\040) decoded */
	char *fstype;
	char *super;		/* superblock options: "rw,memory" */
};

/* Splits one line (no newline) in place. -1 EINVAL when malformed. */
int sb_mountinfo_parse_line(char *line, struct sb_mountinfo_entry *e);

struct sb_proc_cgroup_entry {
	char *controllers;	/* "memory", "cpu,cpuacct"; "" on the v2 line */
	char *path;		/* the cgroup, from the namespace's root */
	unsigned id;		/* 0 on the v2 line */
};

/* Splits one line of /proc/PID/cgroup ("ID:CONTROLLERS:PATH") in place.
 * -1 EINVAL when malformed. */
int sb_proc_cgroup_parse_line(char *line, struct sb_proc_cgroup_entry *e);

/* Does the list, its words split by sep, name word? ("rw,cpu,cpuacct"
 * has "cpu" with ','; "cpu memory pids\n" has "pids" with ' ') */
bool sb_cgroup_list_has(const char *list, char sep, const char *word);

/* The value of key in a flat-keyed file ("populated 1\nfrozen 0\n").
 * -1 ENOENT when the key is absent, EINVAL when its value is no number. */
int sb_cgroup_kv_u64(const char *text, const char *key, uint64_t *v);

/* A single-value file: a decimal number or "max" (UINT64_MAX), with an
 * optional trailing newline. -1 EINVAL otherwise, ERANGE on overflow. */
int sb_cgroup_parse_u64(const char *text, uint64_t *v);

#endif
