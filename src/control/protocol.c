/* Requests and plain answers; see protocol.h. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "src/control/json.h"
#include "src/control/protocol.h"

/* The request fields a verb reads: the others are ignored, as README's
 * "Control socket" says, not checked. */
enum {
	F_NAME = 1 << 0,
	F_SIGNAL = 1 << 1,
	F_FOLLOW = 1 << 2,
	F_LINES = 1 << 3,
	F_FAULT = 1 << 4,	/* "fault", "ms" and "drop" */
};

static const struct {
	const char *name;
	bool needs_name;
	unsigned fields;
} verbs[CTL_NVERBS] = {
	[CTL_STATUS] = { "status", false, F_NAME },
	[CTL_RESTART] = { "restart", true, F_NAME },
	[CTL_STOP] = { "stop", true, F_NAME },
	[CTL_START] = { "start", true, F_NAME },
	[CTL_KILL] = { "kill", true, F_NAME | F_SIGNAL },
	[CTL_EVENTS] = { "events", false, F_NAME | F_FOLLOW },
	[CTL_LOGS] = { "logs", true, F_NAME | F_FOLLOW | F_LINES },
	[CTL_FAULT] = { "fault", true, F_NAME | F_SIGNAL | F_FAULT },
};

const char *ctl_verb_name(enum ctl_verb v)
{
	return v < CTL_NVERBS ? verbs[v].name : "?";
}

bool ctl_verb_needs_name(enum ctl_verb v)
{
	return v < CTL_NVERBS && verbs[v].needs_name;
}

int ctl_verb_parse(const char *s, enum ctl_verb *v)
{
	for (unsigned i = 0; i < CTL_NVERBS; i++)
		if (strcmp(s, verbs[i].name) == 0) {
			*v = (enum ctl_verb)i;
			return 0;
		}
	return -1;
}

/* The names in capitals, as the C library and events spell them. */
static int signal_parse_upper(const char *s)
{
	char *end;
	long n;

	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *abbrev = sigabbrev_np(i);
		if (abbrev && strcmp(abbrev, s) == 0)
			return i;
	}
	/* signal(7)'s synonyms, which the C library does not name back: kill(1)
	 * takes them, and bash's kill -l lists 29 as SIGIO */
	if (strcmp(s, "IO") == 0)
		return SIGIO;
	if (strcmp(s, "IOT") == 0)
		return SIGABRT;
	if (strcmp(s, "CLD") == 0)
		return SIGCHLD;
	/* the real-time ones by the names events give them back:
	 * RTMIN, RTMIN+N, RTMAX, RTMAX-N */
	if (strncmp(s, "RTMIN", 5) == 0 || strncmp(s, "RTMAX", 5) == 0) {
		bool min = s[4] == 'N';
		const char *k = s + 5;

		n = min ? SIGRTMIN : SIGRTMAX;
		if (*k) {
			long off;

			if (*k != (min ? '+' : '-') || !isdigit((unsigned char)k[1]))
				return 0;
			off = strtol(k + 1, &end, 10);
			if (*end || off > SIGRTMAX)	/* and no overflow below */
				return 0;
			n += min ? off : -off;
		}
		return n >= SIGRTMIN && n <= SIGRTMAX ? (int)n : 0;
	}
	/* a number is digits alone: not strtol's leading blanks or sign */
	if (!isdigit((unsigned char)*s))
		return 0;
	n = strtol(s, &end, 10);
	return !*end && n > 0 && n < NSIG ? (int)n : 0;
}

int ctl_signal_parse(const char *s)
{
	char up[32];
	size_t n = strlen(s);

	if (n >= sizeof up)	/* longer than any name or number */
		return 0;
	for (size_t i = 0; i <= n; i++)
		up[i] = (char)toupper((unsigned char)s[i]);
	return signal_parse_upper(up);
}

/* A fault's fields: what, for how long, how much of an edge is lost. */
static int decode_fault(json_t *o, struct ctl_request *r, char *err, size_t errlen)
{
	json_t *v;

	if ((v = json_object_get(o, "fault")) && !ctl_json_copy_str(v, r->fault, sizeof r->fault)) {
		snprintf(err, errlen, "\"fault\": expected \"kill\", \"stall\" or \"edge\"");
		return -1;
	}
	if (strcmp(r->fault, "kill") != 0 && strcmp(r->fault, "stall") != 0 &&
	    strcmp(r->fault, "edge") != 0) {
		snprintf(err, errlen, "\"fault\": expected \"kill\", \"stall\" or \"edge\"");
		return -1;
	}
	if ((v = json_object_get(o, "ms")) && (!json_is_integer(v) || json_integer_value(v) < 0)) {
		snprintf(err, errlen, "\"ms\": expected a whole number of milliseconds, from 1 to a day (86400000)");
		return -1;
	}
	r->ms = v ? (int64_t)json_integer_value(v) : 0;
	if ((v = json_object_get(o, "drop")) && (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1)) {
		snprintf(err, errlen, "\"drop\": expected a probability from 0 to 1");
		return -1;
	}
	r->drop = v ? json_number_value(v) : 0;
	if (!v && strcmp(r->fault, "edge") == 0) {	/* no share is assumed: the CLI asks --drop too */
		snprintf(err, errlen, "\"drop\": an edge fault needs one, a probability from 0 to 1");
		return -1;
	}
	return 0;
}

/* The optional fields of a request that its verb reads. */
static int decode_fields(json_t *o, struct ctl_request *r, char *err, size_t errlen)
{
	unsigned fields = verbs[r->verb].fields;
	json_t *v;

	if ((fields & F_NAME) && (v = json_object_get(o, "name")) &&
	    (!ctl_json_copy_str(v, r->name, sizeof r->name) || !r->name[0])) {
		snprintf(err, errlen, "\"name\": expected a non-empty string shorter than %d bytes", CTL_NAME_MAX);
		return -1;
	}
	if (ctl_verb_needs_name(r->verb) && !r->name[0]) {
		snprintf(err, errlen, "%s needs a \"name\"", ctl_verb_name(r->verb));
		return -1;
	}
	if ((fields & F_SIGNAL) && (v = json_object_get(o, "signal"))) {
		r->sig = json_is_string(v) ? ctl_signal_parse(json_string_value(v))
		       : json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) < NSIG
			 ? (int)json_integer_value(v) : 0;
		if (r->sig == 0) {
			snprintf(err, errlen, "\"signal\": expected a signal name or number");
			return -1;
		}
	}
	if ((fields & F_FOLLOW) && (v = json_object_get(o, "follow"))) {
		if (!json_is_boolean(v)) {
			snprintf(err, errlen, "\"follow\": expected true or false");
			return -1;
		}
		r->follow = json_is_true(v);
	}
	if ((fields & F_LINES) && (v = json_object_get(o, "lines"))) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000) {
			snprintf(err, errlen, "\"lines\": expected a count from 0 to 1000000");
			return -1;
		}
		r->has_lines = true;
		r->lines = (unsigned)json_integer_value(v);
	}
	return fields & F_FAULT ? decode_fault(o, r, err, errlen) : 0;
}

int ctl_request_decode(const char *line, size_t len, struct ctl_request *r, char *err, size_t errlen)
{
	json_t *o, *v;
	int rc = -1;

	*r = (struct ctl_request){ .verb = CTL_STATUS };
	/* jansson (2.14) short of memory may say the line is malformed, or
	 * drop a byte of a string and parse on: "web2" read as "web" */
	if (!(o = ctl_json_load(line, len, JSON_REJECT_DUPLICATES)) && errno == ENOMEM) {
		snprintf(err, errlen, "the daemon is out of memory");
		return -1;
	}
	if (!json_is_object(o))
		snprintf(err, errlen, "expected one JSON object on one line");
	else if (!json_is_string(v = json_object_get(o, "verb")))
		snprintf(err, errlen, "\"verb\": expected a string");
	else if (ctl_verb_parse(json_string_value(v), &r->verb) < 0)
		snprintf(err, errlen, "\"verb\": unknown verb \"%.64s\"", json_string_value(v));
	else
		rc = decode_fields(o, r, err, errlen);
	json_decref(o);
	if (rc < 0)
		errno = EINVAL;
	return rc;
}

char *ctl_request_encode(const struct ctl_request *r)
{
	json_t *o = json_object();
	int bad = 0;	/* a field left out is another request: kill's default signal */

	if (!o)
		return NULL;
	bad |= json_object_set_new(o, "verb", json_string(ctl_verb_name(r->verb)));
	if (r->name[0])
		bad |= json_object_set_new(o, "name", json_string(r->name));
	if (r->sig)
		bad |= json_object_set_new(o, "signal", json_integer(r->sig));
	if (r->follow)
		bad |= json_object_set_new(o, "follow", json_true());
	if (r->has_lines)
		bad |= json_object_set_new(o, "lines", json_integer(r->lines));
	if (r->fault[0]) {
		bad |= json_object_set_new(o, "fault", json_string(r->fault));
		bad |= json_object_set_new(o, "ms", json_integer(r->ms));
		bad |= json_object_set_new(o, "drop", json_real(r->drop));
	}
	if (bad) {
		json_decref(o);
		errno = ENOMEM;
		return NULL;
	}
	return ctl_json_line(o);
}

char *ctl_answer_ok(void)
{
	json_t *o = json_object();

	if (o && json_object_set_new(o, "ok", json_true()) < 0) {
		json_decref(o);	/* {} is no answer */
		errno = ENOMEM;
		return NULL;
	}
	return ctl_json_line(o);
}

char *ctl_answer_error(int err, const char *text)
{
	json_t *o = json_object();
	/* one number on Linux, which glibc names EOPNOTSUPP; the protocol says ENOTSUP */
	const char *code = err == ENOTSUP ? "ENOTSUP" : strerrorname_np(err);

	if (!o)
		return NULL;
	/* a refusal short of "ok" is no answer, of "code" another one */
	if (json_object_set_new(o, "ok", json_false()) < 0 || json_object_set_new(o, "error", json_string(text)) < 0 ||
	    json_object_set_new(o, "code", json_string(code ? code : "EINVAL")) < 0) {
		json_decref(o);
		errno = ENOMEM;
		return NULL;
	}
	return ctl_json_line(o);
}

int ctl_json_answer(const json_t *o, bool *ok, char *err, size_t errlen)
{
	const json_t *v = json_object_get(o, "ok");

	if (!json_is_object(o) || !json_is_boolean(v))
		return -1;
	*ok = json_is_true(v);
	if (!*ok && !ctl_json_copy_str(json_object_get(o, "error"), err, errlen))
		snprintf(err, errlen, "the daemon refused without saying why");
	return 0;
}

int ctl_answer_decode(const char *line, size_t len, bool *ok, char *err, size_t errlen)
{
	json_t *o = ctl_json_load(line, len, 0);
	int rc;

	if (!o && errno == ENOMEM)
		return -1;
	if ((rc = ctl_json_answer(o, ok, err, errlen)) < 0)
		errno = EINVAL;
	json_decref(o);
	return rc;
}
