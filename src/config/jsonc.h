/* JSONC: JSON with comments and trailing commas.
 *
 * jsonc_strip() turns JSONC into strict JSON *of the same byte length*, so
 * a byte offset in the JSON jansson parses is the same offset in the file
 * the user wrote: positions survive the translation for free (lines.h
 * turns them into lines and columns). The locator then finds where a value
 * sits, since jansson keeps no positions. */
#ifndef PROSPERO_JSONC_H
#define PROSPERO_JSONC_H

#include <stdbool.h>
#include <stddef.h>

struct jsonc_error {
	size_t off;		/* where the offending construct starts */
	const char *what;	/* static text */
};

/* In place: comments become spaces (newlines kept), a trailing comma
 * before '}' or ']' becomes a space; bytes inside strings are never
 * touched. A leading UTF-8 byte order mark becomes spaces too.
 * Returns 0, or -1 with *err set for an unterminated comment or string
 * (a JSON string cannot span lines, so a newline ends the search). */
int jsonc_strip(char *text, size_t len, struct jsonc_error *err);

/* One step of a path: an object key, or an array index when key is NULL. */
struct jsonc_step {
	const char *key;
	size_t index;
};

/* In valid JSON TEXT, starting from the value that begins at FROM
 * (leading whitespace skipped), follow PATH and store in *off the offset
 * of the value reached, or of its key when WANT_KEY (the last step must
 * then be a key). Keys compare after unescaping. Returns 0, or -1 when
 * the path does not exist. */
int jsonc_locate(const char *text, size_t len, size_t from, const struct jsonc_step *path,
		 size_t n, bool want_key, size_t *off);

/* Offsets of the first N elements of the array that begins at FROM, in one
 * pass (locating each index afresh would be quadratic). Returns how many
 * were found. */
size_t jsonc_elements(const char *text, size_t len, size_t from, size_t *offs, size_t n);

/* Look-ups that go on from where the last one in the same array or
 * object stopped. The loader visits a container's elements and keys in
 * the order they are written (jansson keeps an object's order), so
 * locating each from the container's start would read the container
 * once per element: quadratic in its size. A few containers are
 * remembered, since an element's own keys are read between elements. */
#define JSONC_MARKS 4
struct jsonc_marks {
	struct jsonc_mark {
		size_t container;	/* its '[' or '{' */
		size_t index;		/* the element last found in it */
		size_t at;		/* where that element (or key) starts; 0: none yet */
		unsigned long used;	/* when, for reuse of the oldest; 0: free */
	} m[JSONC_MARKS];
	unsigned long clock;
	size_t walked;		/* bytes stepped over from element to element: what tests count */
};

/* As jsonc_locate with one step from FROM, with the marks (zeroed at
 * first) kept across calls on one TEXT. An object's keys must be unique
 * (JSON_REJECT_DUPLICATES): the first match is taken. */
int jsonc_element_at(const char *text, size_t len, struct jsonc_marks *marks, size_t from,
		     size_t index, size_t *off);
int jsonc_member_at(const char *text, size_t len, struct jsonc_marks *marks, size_t from,
		    const char *key, bool want_key, size_t *off);

#endif
