/* Stream answers; see stream.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "src/control/json.h"
#include "src/control/stream.h"

char *ctl_events_answer(const char *path, int64_t offset)
{
	json_t *o = json_object();

	/* without "offset" it is no answer, without "events_file" no file */
	if (o && (json_object_set_new(o, "ok", json_true()) < 0 ||
		  json_object_set_new(o, "events_file", path ? json_string(path) : json_null()) < 0 ||
		  json_object_set_new(o, "offset", json_integer(offset)) < 0)) {
		json_decref(o);
		errno = ENOMEM;
		return NULL;
	}
	return ctl_json_line(o);
}

int ctl_events_decode(const char *line, size_t len, char *path, size_t cap, int64_t *offset)
{
	json_t *o = ctl_json_load(line, len, 0), *v;
	int rc = -1;

	if (!o && errno == ENOMEM)
		return -1;
	errno = EINVAL;
	if (json_is_object(o) && json_is_integer(v = json_object_get(o, "offset"))) {
		*offset = (int64_t)json_integer_value(v);
		if (!ctl_json_copy_str(json_object_get(o, "events_file"), path, cap))
			path[0] = 0;
		rc = 0;
	}
	json_decref(o);
	return rc;
}

int ctl_event_name(const char *line, size_t len, char *name, size_t cap)
{
	json_t *o = ctl_json_load(line, len, 0);
	json_t *who = json_object_get(o, "name");
	int rc;

	if (!o && errno == ENOMEM)
		return -1;
	errno = EINVAL;
	/* a fault event names the instance it hit as its target */
	if (!who)
		who = json_object_get(o, "target");
	rc = ctl_json_copy_str(who, name, cap) ? 0 : -1;

	json_decref(o);
	return rc;
}

struct ctl_lines {
	json_t *arr;
	bool lost;	/* a line not added: the answer would say less */
};

struct ctl_lines *ctl_lines_new(void)
{
	struct ctl_lines *l = malloc(sizeof *l);

	if (l && !(*l = (struct ctl_lines){ .arr = json_array() }).arr) {
		free(l);
		l = NULL;
	}
	return l;
}

int ctl_lines_add(struct ctl_lines *l, const char *text, size_t len)
{
	if (json_array_append_new(l->arr, ctl_json_text(text, len)) < 0) {
		l->lost = true;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

char *ctl_lines_answer(struct ctl_lines *l)
{
	json_t *o = l->lost ? NULL : json_object();

	if (!o || json_object_set_new(o, "ok", json_true()) < 0) {
		json_decref(o);
		json_decref(l->arr);
		free(l);
		errno = ENOMEM;
		return NULL;
	}
	if (json_object_set_new(o, "lines", l->arr) < 0) {
		json_decref(o);
		free(l);
		errno = ENOMEM;
		return NULL;
	}
	free(l);
	return ctl_json_line(o);
}

char *ctl_line_encode(const char *name, const char *text, size_t len)
{
	json_t *o = json_object();

	if (o && (json_object_set_new(o, "name", json_string(name)) < 0 ||
		  json_object_set_new(o, "line", ctl_json_text(text, len)) < 0)) {
		json_decref(o);
		errno = ENOMEM;
		return NULL;
	}
	return ctl_json_line(o);
}

int ctl_lines_decode(const char *line, size_t len, void (*fn)(const char *text, void *arg), void *arg)
{
	json_t *o = ctl_json_load(line, len, 0), *arr, *v;
	int rc = 0;
	size_t i;

	if (!o && errno == ENOMEM)
		return -1;	/* not a line read short of a byte */
	if (json_is_array(arr = json_object_get(o, "lines"))) {
		json_array_foreach(arr, i, v)
			if (json_is_string(v))
				fn(json_string_value(v), arg);
	} else if (json_is_string(v = json_object_get(o, "line"))) {
		fn(json_string_value(v), arg);
	} else {
		errno = EINVAL;
		rc = -1;
	}
	json_decref(o);
	return rc;
}
