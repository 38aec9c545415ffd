#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "src/config/jsonc.h"

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const char *t, size_t len, size_t i)
{
	while (i < len && is_ws(t[i]))
		i++;
	return i;
}

/* I at an opening quote of valid JSON; returns the offset after the
 * closing quote (LEN if there is none). */
static size_t skip_string(const char *t, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (t[i] == '\\')
			i++;
		else if (t[i] == '"')
			return i + 1;
	}
	return len;
}

/* The stripper's version: JSONC is not yet valid, and a raw newline can
 * never be inside a JSON string, so one ends the search. Returns the
 * offset after the closing quote, or 0 (never a valid end) if there is
 * none. */
static size_t close_string(const char *t, size_t len, size_t i)
{
	for (i++; i < len && t[i] != '\n' && t[i] != '\r'; i++) {
		if (t[i] == '"')
			return i + 1;
		if (t[i] == '\\' && i + 1 < len && t[i + 1] != '\n' && t[i + 1] != '\r')
			i++;
	}
	return 0;
}

/* Blank [from, to) except line ends, so lines and columns after it stay. */
static void blank(char *t, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (t[i] != '\n' && t[i] != '\r')
			t[i] = ' ';
}

static int strip_comments(char *t, size_t len, struct jsonc_error *err)
{
	size_t i = 0, end;

	if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
		blank(t, 0, i = 3);
	while (i < len) {
		if (t[i] == '"') {
			if (!(end = close_string(t, len, i))) {
				*err = (struct jsonc_error){ i, "unterminated string (a string must end on the line it starts)" };
				return -1;
			}
			i = end;
		} else if (t[i] == '/' && i + 1 < len && t[i + 1] == '/') {
			/* a bare CR ends a line too: running on to the next LF
			 * would blank real content in a CR-only file */
			for (end = i; end < len && t[end] != '\n' && t[end] != '\r'; end++)
				;
			blank(t, i, end);
			i = end;
		} else if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
			for (end = i + 2; end + 1 < len && !(t[end] == '*' && t[end + 1] == '/'); end++)
				;
			if (end + 1 >= len) {
				*err = (struct jsonc_error){ i, "unterminated comment: \"/*\" without \"*/\"" };
				return -1;
			}
			end += 2;
			blank(t, i, end);
			i = end;
		} else {
			i++;
		}
	}
	return 0;
}

/* A comma is trailing when a value precedes it and '}' or ']' follows;
 * "[,]" or "[1,,]" stay as they are for jansson to reject. */
static void strip_trailing_commas(char *t, size_t len)
{
	char prev = 0;		/* last byte outside strings that is not space */
	size_t i = 0, next;

	while (i < len) {
		if (t[i] == '"') {
			i = skip_string(t, len, i);
			prev = '"';
			continue;
		}
		if (t[i] == ',' && prev && !strchr("[{,:", prev)) {
			next = skip_ws(t, len, i + 1);
			if (next < len && (t[next] == '}' || t[next] == ']')) {
				t[i++] = ' ';
				continue;
			}
		}
		if (!is_ws(t[i]))
			prev = t[i];
		i++;
	}
}

int jsonc_strip(char *text, size_t len, struct jsonc_error *err)
{
	if (strip_comments(text, len, err) < 0)
		return -1;
	/* second pass: with comments blanked, a comment between a trailing
	 * comma and its bracket is just whitespace */
	strip_trailing_commas(text, len);
	return 0;
}

static bool is_delim(char c)
{
	return c == ',' || c == '}' || c == ']' || c == ':' || is_ws(c);
}

/* I at the start of a value of valid JSON; returns the offset after it. */
static size_t skip_value(const char *t, size_t len, size_t i)
{
	size_t depth = 0;

	if (i >= len)
		return len;
	if (t[i] == '"')
		return skip_string(t, len, i);
	if (t[i] != '{' && t[i] != '[') {
		while (i < len && !is_delim(t[i]))
			i++;
		return i;
	}
	while (i < len) {
		if (t[i] == '"') {
			i = skip_string(t, len, i);
			continue;
		}
		if (t[i] == '{' || t[i] == '[')
			depth++;
		else if ((t[i] == '}' || t[i] == ']') && --depth == 0)
			return i + 1;
		i++;
	}
	return len;
}

static int hex4(const char *s, const char *e, unsigned *v)
{
	*v = 0;
	if (e - s < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		char c = s[k];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
		if (d == 16)
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static size_t utf8(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* *S at a backslash: decode one escape into OUT (up to 4 bytes), advance
 * *S past it. Returns the byte count, 0 if malformed. */
static size_t unescape(const char **s, const char *e, char *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p = *s + 1, *hit;
	unsigned cp, lo;

	if (p >= e)
		return 0;
	if (*p != 'u') {
		if (!(hit = strchr(from, *p)) || !*p)
			return 0;
		*out = to[hit - from];
		*s = p + 1;
		return 1;
	}
	if (hex4(p + 1, e, &cp) < 0)
		return 0;
	p += 5;
	/* a surrogate pair is one character in two escapes */
	if (cp >= 0xD800 && cp < 0xDC00 && e - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
	    hex4(p + 2, e, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		p += 6;
	}
	*s = p;
	return utf8(cp, out);
}

/* The raw string body [s, e) equals KEY once unescaped. */
static bool key_eq(const char *s, const char *e, const char *key)
{
	const unsigned char *k = (const unsigned char *)key;
	char buf[4];
	size_t n;

	while (s < e) {
		if (*s == '\\') {
			if (!(n = unescape(&s, e, buf)))
				return false;
		} else {
			buf[0] = *s++;
			n = 1;
		}
		for (size_t j = 0; j < n; j++)
			if (!*k || *k++ != (unsigned char)buf[j])
				return false;
	}
	return *k == 0;
}

/* The member whose key starts at K: the key's end into *KEND, the
 * value's start into *VAL; -1 if no member starts there. */
static int member_at(const char *t, size_t len, size_t k, size_t *kend, size_t *val)
{
	size_t i;

	if (k >= len || t[k] != '"')
		return -1;
	*kend = skip_string(t, len, k);
	i = skip_ws(t, len, *kend);
	if (*kend < k + 2 || i >= len || t[i] != ':')
		return -1;
	*val = skip_ws(t, len, i + 1);
	return 0;
}

/* From the element (or member's value) at *I to the next element (or
 * member's key); -1 at the end of the container. */
static int next_element(const char *t, size_t len, size_t *i)
{
	size_t j = skip_ws(t, len, skip_value(t, len, *i));

	if (j >= len || t[j] != ',')
		return -1;
	*i = skip_ws(t, len, j + 1);
	return 0;
}

/* Start of the first member of the object at FROM; -1 if it is none. */
static int first_member(const char *t, size_t len, size_t from, size_t *i)
{
	size_t j = skip_ws(t, len, from);

	if (j >= len || t[j] != '{')
		return -1;
	*i = skip_ws(t, len, j + 1);
	return 0;
}

/* With a key given twice jansson keeps the last value, so that is the
 * one to point at: the whole object is read, and the last match wins. */
static int member(const char *t, size_t len, size_t obj, const char *key, size_t *key_off,
		  size_t *val_off)
{
	size_t i, kend, val;
	int rc = -1;

	if (first_member(t, len, obj, &i) < 0)
		return -1;
	while (member_at(t, len, i, &kend, &val) == 0) {
		if (key_eq(t + i + 1, t + kend - 1, key)) {
			*key_off = i;
			*val_off = val;
			rc = 0;
		}
		if (next_element(t, len, &val) < 0)
			break;
		i = val;
	}
	return rc;
}

/* Start of the first element of the array at FROM; -1 if it is empty. */
static int first_element(const char *t, size_t len, size_t from, size_t *i)
{
	size_t j = skip_ws(t, len, from);

	if (j >= len || t[j] != '[')
		return -1;
	j = skip_ws(t, len, j + 1);
	if (j >= len || t[j] == ']')
		return -1;
	*i = j;
	return 0;
}

static int element(const char *t, size_t len, size_t arr, size_t index, size_t *val_off)
{
	size_t i;

	if (first_element(t, len, arr, &i) < 0)
		return -1;
	for (size_t k = 0; k < index; k++)
		if (next_element(t, len, &i) < 0)
			return -1;
	*val_off = i;
	return 0;
}

size_t jsonc_elements(const char *text, size_t len, size_t from, size_t *offs, size_t n)
{
	size_t i, found = 0;

	if (n == 0 || first_element(text, len, from, &i) < 0)
		return 0;
	do
		offs[found++] = i;
	while (found < n && next_element(text, len, &i) == 0);
	return found;
}

int jsonc_locate(const char *text, size_t len, size_t from, const struct jsonc_step *path,
		 size_t n, bool want_key, size_t *off)
{
	size_t cur = skip_ws(text, len, from), key_at = cur;
	int rc;

	if (want_key && (n == 0 || !path[n - 1].key))
		return -1;
	for (size_t s = 0; s < n; s++) {
		rc = path[s].key ? member(text, len, cur, path[s].key, &key_at, &cur)
				 : element(text, len, cur, path[s].index, &cur);
		if (rc < 0)
			return -1;
	}
	*off = want_key ? key_at : cur;
	return 0;
}

/* The mark of the container at C, or the oldest one, made C's. */
static struct jsonc_mark *mark_for(struct jsonc_marks *ms, size_t c)
{
	struct jsonc_mark *m = &ms->m[0];

	for (size_t k = 0; k < JSONC_MARKS; k++) {
		if (ms->m[k].used && ms->m[k].container == c) {
			m = &ms->m[k];
			break;
		}
		if (ms->m[k].used < m->used)
			m = &ms->m[k];
	}
	if (!m->used || m->container != c)
		*m = (struct jsonc_mark){ .container = c };
	m->used = ++ms->clock;
	return m;
}

int jsonc_element_at(const char *text, size_t len, struct jsonc_marks *marks, size_t from,
		     size_t index, size_t *off)
{
	size_t arr = skip_ws(text, len, from), first, at;
	struct jsonc_mark *m;

	if (first_element(text, len, arr, &first) < 0)
		return -1;
	m = mark_for(marks, arr);
	if (!m->at || m->index > index) {
		m->at = first;
		m->index = 0;
	}
	while (m->index < index) {
		at = m->at;
		if (next_element(text, len, &m->at) < 0)
			return -1;
		marks->walked += m->at - at;
		m->index++;
	}
	*off = m->at;
	return 0;
}

int jsonc_member_at(const char *text, size_t len, struct jsonc_marks *marks, size_t from,
		    const char *key, bool want_key, size_t *off)
{
	size_t obj = skip_ws(text, len, from), first, start, stop = 0, i, kend, val;
	struct jsonc_mark *m;

	if (first_member(text, len, obj, &first) < 0)
		return -1;
	m = mark_for(marks, obj);
	i = start = m->at ? m->at : first;
	/* from the mark to the object's end, then from its start to the mark */
	for (;;) {
		bool more = member_at(text, len, i, &kend, &val) == 0;

		if (more && key_eq(text + i + 1, text + kend - 1, key)) {
			m->at = i;
			*off = want_key ? i : val;
			return 0;
		}
		if (more && next_element(text, len, &val) == 0) {
			marks->walked += val - i;
			i = val;
		} else if (!stop && start != first) {
			i = first;
			stop = start;
		} else {
			return -1;
		}
		if (i == stop)
			return -1;
	}
}
