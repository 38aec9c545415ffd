/* UTF-8 as RFC 3629 has it, for the STATUS= text an actor sends and the
 * daemon keeps: one rule for where such text may be cut, on both sides. */
#ifndef PROSPERO_PROTO_UTF8_H
#define PROSPERO_PROTO_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The length of the well-formed UTF-8 character of two bytes or more at
 * S, N bytes being left; 0 when none starts there (ASCII, a stray or
 * overlong byte, a surrogate, past U+10FFFF, cut short). */
size_t pp_utf8_char(const unsigned char *s, size_t n);
/* How many of the N bytes at S fit in MAX without cutting a well-formed
 * character in two; any other byte counts as one. */
size_t pp_utf8_cut(const char *s, size_t n, size_t max);
/* Are FIRST and SECOND a C1 control (U+0080 to U+009F) in UTF-8? A
 * terminal acts on some (U+009B is CSI), so what prospero writes for
 * people escapes them as it escapes C0. */
bool pp_utf8_c1(unsigned char first, unsigned char second);

#endif
