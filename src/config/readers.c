/* Typed readers of jansson values: each checks the type and range, stores
 * the value, or reports what was expected where it was written. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/didyoumean.h"
#include "src/config/loader.h"

/* Below 2^53 in magnitude a double holds every integer, so a whole real
 * there is the integer written; from 2^53 on doubles skip integers, and
 * only digits say which one was meant. */
#define EXACT_LIMIT 9007199254740992.0

static bool inexact(double d)
{
	return d >= EXACT_LIMIT || d <= -EXACT_LIMIT;
}

/* JSON does not tell 1000 from 1e3 or 1000.0, and neither do we: a
 * real whose value is a whole number below 2^53 is that integer. */
bool ld_int_value(const json_t *v, json_int_t *out)
{
	double d;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!json_is_real(v) || inexact(d = json_real_value(v)) || (double)(json_int_t)d != d)
		return false;
	*out = (json_int_t)d;
	return true;
}

const char *ld_type_name(const json_t *v)
{
	json_int_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL:
		if (inexact(json_real_value(v)))
			return "a number of 2^53 or more written with an exponent or a fraction";
		return ld_int_value(v, &i) ? "an integer" : "a number with a fraction";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

const char *ld_real_text(double d, char *buf)
{
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(buf, LD_REAL_TEXT, "%.*g", digits, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return buf;
}

/* An integer in [lo, hi] at KEY of the object at OBJ. */
bool ld_get_int(struct loader *ld, json_t *v, size_t obj, const char *key, long lo, long hi,
		long *out)
{
	struct cfg_pos p;
	char text[LD_REAL_TEXT];
	json_int_t i;
	bool is_int = ld_int_value(v, &i);
	double d = json_real_value(v);	/* 0 unless a real */
	/* a real too large to be exact that is out of range anyway: said as
	 * an integer is (LONG_MAX as a double rounds up to 2^63) */
	bool outside = inexact(d) && (d < (double)lo || d > (double)hi || d >= 9223372036854775808.0);

	if (is_int && i >= lo && i <= hi) {
		*out = (long)i;
		return true;
	}
	p = ld_pos_of_key(ld, obj, key, false);
	if (is_int)
		ld_error(ld, &p, "\"%s\" is %" JSON_INTEGER_FORMAT ": expected an integer from %ld to %ld",
			 key, i, lo, hi);
	else if (outside)
		ld_error(ld, &p, "\"%s\" is %s: expected an integer from %ld to %ld", key, ld_real_text(d, text),
			 lo, hi);
	else
		ld_error(ld, &p, "\"%s\": expected an integer from %ld to %ld, got %s", key, lo, hi,
			 ld_type_name(v));
	return false;
}

size_t ld_count_words(const char *const *words)
{
	size_t n = 0;

	while (words[n])
		n++;
	return n;
}

bool ld_has_word(const char *const *words, const char *w)
{
	for (; *words; words++)
		if (strcmp(*words, w) == 0)
			return true;
	return false;
}

/* "\"a\", \"b\" or \"c\"" into BUF, truncated to LEN. */
static void join_words(const char *const *words, char *buf, size_t len)
{
	size_t n = ld_count_words(words), at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++) {
		int w = snprintf(buf + at, len - at, "%s\"%s\"", i == 0 ? "" : i + 1 == n ? " or " : ", ",
				 words[i]);
		at += w > 0 ? (size_t)w : 0;
	}
}

/* One of WORDS (a NULL-terminated table indexed by enum value). */
bool ld_get_word(struct loader *ld, json_t *v, size_t obj, const char *key,
		 const char *const *words, int *out)
{
	const char *s = json_string_value(v), *hint;
	struct cfg_pos p = ld_pos_of_key(ld, obj, key, false);
	size_t nwords = ld_count_words(words);
	char expected[160];

	for (size_t i = 0; s && i < nwords; i++)
		if (strcmp(s, words[i]) == 0) {
			*out = (int)i;
			return true;
		}
	join_words(words, expected, sizeof expected);
	if (!s) {
		ld_error(ld, &p, "\"%s\": expected %s, got %s", key, expected, ld_type_name(v));
	} else if ((hint = dym_closest(s, words, nwords, &ld->oom))) {
		ld_error(ld, &p, "\"%s\": unknown value \"%s\" (did you mean \"%s\"?)", key, s, hint);
	} else {
		ld_error(ld, &p, "\"%s\": unknown value \"%s\": expected %s", key, s, expected);
	}
	return false;
}

bool ld_get_bool(struct loader *ld, json_t *v, size_t obj, const char *key, bool *out)
{
	struct cfg_pos p;

	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return true;
	}
	p = ld_pos_of_key(ld, obj, key, false);
	ld_error(ld, &p, "\"%s\": expected true or false, got %s", key, ld_type_name(v));
	return false;
}

/* A non-empty array of non-empty strings at KEY; *out NULL-terminated.
 * Every element that is not one is reported, and false returned, but the
 * array is still made, with "" in its place: the caller checks the others
 * at their own index, and skips "", which it would refuse anyway. *out
 * is NULL only when V is no array, or memory ran out. */
bool ld_get_strings(struct loader *ld, json_t *v, size_t obj, const char *key, const char *what,
		    char ***out, size_t *n)
{
	size_t i, arr = ld_value_off(ld, obj, key);
	bool ok = true;
	json_t *s;

	if (!json_is_array(v)) {
		struct cfg_pos p = ld_pos_of_key(ld, obj, key, false);
		ld_error(ld, &p, "\"%s\": expected an array of %s, got %s", key, what, ld_type_name(v));
		return false;
	}
	json_array_foreach(v, i, s) {
		if (!json_is_string(s) || !*json_string_value(s)) {
			struct cfg_pos p = ld_pos_of_index(ld, arr, i);
			ld_error(ld, &p, "\"%s\"[%zu]: expected a non-empty string, got %s", key, i,
				 json_is_string(s) ? "an empty string" : ld_type_name(s));
			ok = false;
		}
	}
	if (!(*out = calloc(json_array_size(v) + 1, sizeof **out))) {
		ld->oom = true;
		return false;
	}
	json_array_foreach(v, i, s)
		if (!((*out)[i] = strdup(json_is_string(s) ? json_string_value(s) : ""))) {
			ld->oom = true;
			return false;
		}
	*n = json_array_size(v);
	return ok;
}

static bool valid_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* Names become log prefixes, event fields, pool names "NAME#i" and file
 * names (credentials, state), so "." and ".." are out, and with them any
 * leading dot. */
bool ld_get_name(struct loader *ld, json_t *v, size_t obj, const char *key, char **out)
{
	const char *s = json_string_value(v);
	struct cfg_pos p;
	size_t n = 0;

	if (s)
		for (n = 0; s[n] && valid_name_char(s[n]); n++)
			;
	if (s && n > 0 && !s[n] && n <= CFG_MAX_NAME && s[0] != '.') {
		if (!(*out = strdup(s)))
			ld->oom = true;
		return *out != NULL;
	}
	p = ld_pos_of_key(ld, obj, key, false);
	if (s && strlen(s) > CFG_MAX_NAME) {
		/* its start, cut where a UTF-8 character starts: a megabyte
		 * quoted back would drown the rest of the message */
		int cut = CFG_MAX_NAME;

		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		ld_error(ld, &p, "\"%s\": invalid name \"%.*s...\" (%zu bytes): use 1 to %d letters, digits, '-', '_' or '.'",
			 key, cut, s, strlen(s), CFG_MAX_NAME);
	} else if (!s)
		ld_error(ld, &p, "\"%s\": expected a name (a string), got %s", key, ld_type_name(v));
	else if (n > 0 && !s[n] && n <= CFG_MAX_NAME)
		ld_error(ld, &p, "\"%s\": invalid name \"%s\": a name cannot start with '.' (names become file names, where \".\" and \"..\" name other directories)",
			 key, s);
	else
		ld_error(ld, &p, "\"%s\": invalid name \"%s\": use 1 to %d letters, digits, '-', '_' or '.'",
			 key, s, CFG_MAX_NAME);
	return false;
}

/* Unknown keys: a key of the other kind of definition says so, a typo
 * gets a suggestion. */
bool ld_check_keys(struct loader *ld, json_t *o, size_t obj, const struct keyset *ks)
{
	const char *k, *hint;
	char expected[160] = "";
	json_t *v;
	bool ok = true;

	json_object_foreach(o, k, v) {
		struct cfg_pos p;

		if (ld_has_word(ks->known, k))
			continue;
		p = ld_pos_of_key(ld, obj, k, true);
		ok = false;
		if (ks->foreign && ld_has_word(ks->foreign, k)) {
			ld_error(ld, &p, "%s\"%s\" %s", ks->where, k, ks->foreign_why);
		} else if ((hint = dym_closest(k, ks->known, ld_count_words(ks->known), &ld->oom))) {
			ld_error(ld, &p, "%sunknown key \"%s\" (did you mean \"%s\"?)", ks->where, k, hint);
		} else if (ks->otherwise) {
			ld_error(ld, &p, "%sunknown key \"%s\"%s", ks->where, k, ks->otherwise);
		} else {
			join_words(ks->known, expected, sizeof expected);
			ld_error(ld, &p, "%sunknown key \"%s\": expected %s", ks->where, k, expected);
		}
	}
	return ok;
}

/* A definition's keys checked and its name read from the keyset's first
 * key; the position of that key, which stands for the definition. */
struct cfg_pos ld_get_head(struct loader *ld, json_t *o, size_t off, const struct keyset *ks, char **name)
{
	const char *key = ks->known[0];

	ld_check_keys(ld, o, off, ks);
	ld_get_name(ld, json_object_get(o, key), off, key, name);
	return ld_pos_of_key(ld, off, key, true);
}
