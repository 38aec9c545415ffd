/* The answers that start a stream: events (where the past is, then live
 * event lines as the events file has them) and logs (the kept lines, then
 * one line object per line of output). */
#ifndef PROSPERO_CONTROL_STREAM_H
#define PROSPERO_CONTROL_STREAM_H

#include <stddef.h>
#include <stdint.h>

/* {"ok": true, "events_file": PATH or null, "offset": N}: the file's
 * first OFFSET bytes are the events before the subscription. */
char *ctl_events_answer(const char *path, int64_t offset);
/* 0 with PATH ("" when none) and *OFFSET; -1 with errno EINVAL if LINE
 * is not one, ENOMEM if memory ran out reading it. */
int ctl_events_decode(const char *line, size_t len, char *path, size_t cap, int64_t *offset);

/* The "name" of an event line into NAME (a fault event's "target"); -1
 * with errno EINVAL if it has neither, ENOMEM if memory ran out. */
int ctl_event_name(const char *line, size_t len, char *name, size_t cap);

/* The logs answer, built line by line. */
struct ctl_lines;
struct ctl_lines *ctl_lines_new(void);
/* -1 ENOMEM; the lines are then still freed by ctl_lines_answer, which
 * then fails too: an answer short of a line is not sent as the tail. */
int ctl_lines_add(struct ctl_lines *l, const char *text, size_t len);
/* {"ok": true, "lines": [...]}, consuming L: malloc'd, NULL on ENOMEM. */
char *ctl_lines_answer(struct ctl_lines *l);
/* {"name": NAME, "line": TEXT}: one line of a followed actor's output. */
char *ctl_line_encode(const char *name, const char *text, size_t len);
/* Each text in a logs answer or a line object, to FN. -1 with errno
 * EINVAL if LINE is neither, ENOMEM (and no text to FN) if memory ran
 * out reading it. */
int ctl_lines_decode(const char *line, size_t len, void (*fn)(const char *text, void *arg), void *arg);

#endif
