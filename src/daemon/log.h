/* The daemon's own messages, on stderr. When stderr is the journal
 * ($JOURNAL_STREAM names its device and inode) each line carries an
 * sd-daemon "<N>" priority prefix. */
#ifndef PROSPERO_DAEMON_LOG_H
#define PROSPERO_DAEMON_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6 };

void log_init(const char *prog);
/* From now on, never wait for stderr's reader: a line that would block
 * is dropped and counted, and the count said once lines go through. */
void log_nonblocking(void);
/* $JOURNAL_STREAM is set and names the file stderr is now. */
bool log_stderr_is_journal(void);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line already formatted elsewhere (actor output, events). */
void log_line(enum log_level lvl, const char *line, int len);
/* A configuration diagnostic, "FILE:LINE:COL: error: WHAT" (or
 * "warning:", its level; any other line is an error), LEN bytes of LINE:
 * as compilers print it on a terminal, behind "PROG: " elsewhere (a log,
 * the journal) so that a log says whose it is. */
void log_diag(const char *line, int len);
/* Each line of TEXT as log_diag says it when DIAG, else as an error of
 * ours (always behind "PROG: "); empty lines are left out. */
void log_lines(const char *text, bool diag);
/* A failure of set-up that a reload may also meet: WHY into MSG (the
 * reload's answer) when MSG is not NULL, else said as an error. Returns
 * -1 with errno ERRNUM. */
int log_or_answer(char *msg, size_t len, int errnum, const char *why);
/* Between these, lines are kept in order and written at the release, so
 * that a restart does not wait for stderr's writes (nested: the outer
 * release writes). */
void log_hold(void);
void log_release(void);

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)

#endif
