/* An actor's STATUS= text as the daemon keeps it: short, one line, and
 * UTF-8, so that `status` (JSON), the events file and stderr all carry
 * it as it was sent. */
#ifndef PROSPERO_DAEMON_STATUS_TEXT_H
#define PROSPERO_DAEMON_STATUS_TEXT_H

#include <stddef.h>

/* SRC (N bytes) into DST: control characters but tab escaped as actor
 * output is (output.h: \r, \0, \xNN), and so, as \xNN, are C1 controls
 * (U+0080 to U+009F, each of its two bytes) and every byte that does not
 * belong to a well-formed UTF-8 character; the rest is copied. Stops
 * before an escape or a character that would not fit CAP with the NUL it
 * always writes (CAP > 0), so the text is never cut inside one. The
 * length written. */
size_t status_text(char *dst, size_t cap, const char *src, size_t n);

#endif
