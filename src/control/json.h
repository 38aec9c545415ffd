/* What the control codec's files share about jansson; private to
 * src/control/. */
#ifndef PROSPERO_CONTROL_JSON_H
#define PROSPERO_CONTROL_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* O as one compact line with its newline, malloc'd; O is released. NULL
 * on ENOMEM (or O NULL), never a line jansson left a field out of. Not
 * thread-safe, as ctl_json_load. */
char *ctl_json_line(json_t *o);
/* LINE (LEN bytes) parsed: NULL with errno ENOMEM when jansson ran out
 * of memory (2.14 then may drop a byte of a string and parse on), EINVAL
 * when it is not JSON. Not thread-safe: it swaps jansson's allocator. */
json_t *ctl_json_load(const char *line, size_t len, size_t flags);
/* A string value into DST; false if V is not a string or does not fit. */
bool ctl_json_copy_str(const json_t *v, char *dst, size_t cap);
/* An answer's "ok" and, for a refusal, its reason into ERR; -1 if O is
 * not an answer at all. */
int ctl_json_answer(const json_t *o, bool *ok, char *err, size_t errlen);
/* Bytes an actor wrote, as a JSON string: each byte that is not part of
 * valid UTF-8 (or is a NUL) becomes '?'. */
json_t *ctl_json_text(const char *s, size_t len);

#endif
