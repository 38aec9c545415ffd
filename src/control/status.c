/* The status answer's JSON; see status.h. Fields a node does not have
 * (a supervisor's pid, an actor's strategy, an unknown figure) are left
 * out rather than sent as placeholders. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/control/json.h"
#include "src/control/status.h"

static const char *const state_names[] = {
	[CTL_STATE_STARTING] = "starting", [CTL_STATE_READY] = "ready",
	[CTL_STATE_STOPPING] = "stopping", [CTL_STATE_DOWN] = "down",
	[CTL_STATE_BACKING_OFF] = "backing off", [CTL_STATE_STOPPED] = "stopped",
};

const char *ctl_state_name(enum ctl_state s)
{
	return (unsigned)s < sizeof state_names / sizeof *state_names ? state_names[s] : "?";
}

/* Each of these -1 when the field could not be set: a node short of a
 * field would read as a node without it (no pid, never exited). */
static int set_int(json_t *o, const char *key, int64_t v)
{
	return v >= 0 ? json_object_set_new(o, key, json_integer(v)) : 0;
}

static int set_str(json_t *o, const char *key, const char *v)
{
	return v[0] ? json_object_set_new(o, key, ctl_json_text(v, strlen(v))) : 0;
}

static json_t *encode_node(const struct ctl_node *n)
{
	json_t *o = json_object();
	int bad = 0;

	if (!o)
		return NULL;
	bad |= json_object_set_new(o, "name", json_string(n->name));
	bad |= json_object_set_new(o, "kind", json_string(n->supervisor ? "supervisor" : "actor"));
	bad |= json_object_set_new(o, "depth", json_integer(n->depth));
	bad |= json_object_set_new(o, "state", json_string(ctl_state_name(n->state)));
	bad |= json_object_set_new(o, "should_run", json_boolean(n->should_run));
	bad |= json_object_set_new(o, "restarts", json_integer(n->restarts));
	bad |= set_str(o, "last_exit", n->last_exit);
	bad |= set_int(o, "uptime_ms", n->uptime_ms);
	if (n->state == CTL_STATE_BACKING_OFF)
		bad |= json_object_set_new(o, "backoff_until", json_real(n->backoff_until));
	if (n->supervisor) {
		bad |= json_object_set_new(o, "strategy", json_string(n->strategy));
		bad |= json_object_set_new(o, "window_restarts", json_integer(n->window_restarts));
		bad |= json_object_set_new(o, "intensity", json_integer(n->intensity));
		bad |= json_object_set_new(o, "period_ms", json_integer(n->period_ms));
	} else {
		if (n->pid > 0)
			bad |= json_object_set_new(o, "pid", json_integer(n->pid));
		bad |= set_str(o, "status", n->status);
		bad |= set_int(o, "uid", n->uid);
		bad |= set_str(o, "profile", n->profile);
		bad |= set_int(o, "memory_bytes", n->memory_bytes);
		bad |= set_int(o, "cpu_ms", n->cpu_ms);
		/* a yes or no for every actor: a reader need not know it is optional */
		bad |= json_object_set_new(o, "queue", json_boolean(n->queue));
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *encode_edges(const struct ctl_status *st)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < st->nedges; i++) {
		json_t *e = json_pack("{s:s, s:s, s:s}", "from", st->edges[i].from, "to", st->edges[i].to,
				      "name", st->edges[i].label);
		if (json_array_append_new(arr, e) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

char *ctl_status_encode(const struct ctl_status *st)
{
	json_t *o = json_object(), *nodes = json_array(), *sum = json_object(), *edges = encode_edges(st);
	int bad = 0;	/* a field left out reads as another tree: no "actors", none */

	if (!o || !nodes || !sum || !edges) {
		json_decref(o);
		json_decref(nodes);
		json_decref(sum);
		json_decref(edges);
		return NULL;
	}
	/* the keys in the order README and prospero-protocol(7) give them */
	bad |= json_object_set_new(sum, "actors", json_integer(st->actors));
	bad |= json_object_set_new(sum, "running", json_integer(st->running));
	bad |= json_object_set_new(sum, "not_running", json_integer(st->not_running));
	bad |= json_object_set_new(o, "ok", json_true());
	bad |= json_object_set_new(o, "now", json_real(st->now));
	bad |= json_object_set_new(o, "summary", sum);
	if (st->faults)
		bad |= json_object_set_new(o, "faults", json_string(st->faults));
	for (size_t i = 0; i < st->n; i++)
		bad |= json_array_append_new(nodes, encode_node(&st->nodes[i]));
	bad |= json_object_set_new(o, "nodes", nodes);
	bad |= json_object_set_new(o, "bindings", edges);
	if (bad) {
		json_decref(o);
		errno = ENOMEM;
		return NULL;
	}
	return ctl_json_line(o);
}

static int64_t get_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static void get_str(json_t *o, const char *key, char *dst, size_t cap)
{
	if (!ctl_json_copy_str(json_object_get(o, key), dst, cap))
		dst[0] = 0;
}

static int decode_node(json_t *o, struct ctl_node *n)
{
	const char *state = json_string_value(json_object_get(o, "state"));
	const char *kind = json_string_value(json_object_get(o, "kind"));
	int64_t v;

	if (!ctl_json_copy_str(json_object_get(o, "name"), n->name, sizeof n->name) || !state || !kind)
		return -1;
	n->supervisor = strcmp(kind, "supervisor") == 0;
	for (unsigned s = 0; s < sizeof state_names / sizeof *state_names; s++)
		if (strcmp(state, state_names[s]) == 0)
			n->state = (enum ctl_state)s;
	n->depth = (unsigned)((v = get_int(o, "depth")) > 0 ? v : 0);
	n->should_run = json_is_true(json_object_get(o, "should_run"));
	n->restarts = (unsigned)((v = get_int(o, "restarts")) > 0 ? v : 0);
	get_str(o, "last_exit", n->last_exit, sizeof n->last_exit);
	n->uptime_ms = get_int(o, "uptime_ms");
	n->backoff_until = json_real_value(json_object_get(o, "backoff_until"));
	get_str(o, "strategy", n->strategy, sizeof n->strategy);
	n->window_restarts = (unsigned)((v = get_int(o, "window_restarts")) > 0 ? v : 0);
	n->intensity = (unsigned)((v = get_int(o, "intensity")) > 0 ? v : 0);
	n->period_ms = get_int(o, "period_ms");
	n->pid = (int)((v = get_int(o, "pid")) > 0 ? v : 0);
	get_str(o, "status", n->status, sizeof n->status);
	n->uid = get_int(o, "uid");
	get_str(o, "profile", n->profile, sizeof n->profile);
	n->memory_bytes = get_int(o, "memory_bytes");
	n->cpu_ms = get_int(o, "cpu_ms");
	n->queue = json_is_true(json_object_get(o, "queue"));
	return 0;
}

static int decode_edges(json_t *edges, struct ctl_status *st)
{
	size_t i;
	json_t *v;

	st->edges = calloc(json_array_size(edges) + 1, sizeof *st->edges);
	if (!st->edges)
		return -1;
	json_array_foreach(edges, i, v) {
		struct ctl_edge *e = &st->edges[st->nedges];

		if (!ctl_json_copy_str(json_object_get(v, "from"), e->from, sizeof e->from) ||
		    !ctl_json_copy_str(json_object_get(v, "to"), e->to, sizeof e->to) ||
		    !ctl_json_copy_str(json_object_get(v, "name"), e->label, sizeof e->label)) {
			errno = EINVAL;
			return -1;
		}
		st->nedges++;
	}
	return 0;
}

static int decode_nodes(json_t *nodes, struct ctl_status *st)
{
	size_t i;
	json_t *v;

	st->nodes = calloc(json_array_size(nodes) + 1, sizeof *st->nodes);
	if (!st->nodes)
		return -1;
	json_array_foreach(nodes, i, v) {
		if (decode_node(v, &st->nodes[st->n]) < 0) {
			errno = EINVAL;
			return -1;
		}
		st->n++;
	}
	return 0;
}

int ctl_status_decode(const char *line, size_t len, struct ctl_status *st, char *err, size_t errlen)
{
	json_t *o = ctl_json_load(line, len, 0);
	json_t *sum = json_object_get(o, "summary"), *nodes = json_object_get(o, "nodes");
	bool ok = false;
	int rc = -1, e = EINVAL;

	*st = (struct ctl_status){ 0 };
	if (!o && errno == ENOMEM) {
		snprintf(err, errlen, "out of memory reading the status answer");
		return -1;
	}
	if (ctl_json_answer(o, &ok, err, errlen) < 0) {
		snprintf(err, errlen, "no answer from the daemon");
	} else if (!ok) {
		/* the refusal's reason is in ERR */
	} else if (!json_is_object(sum) || !json_is_array(nodes)) {
		snprintf(err, errlen, "not a status answer");
	} else if (decode_nodes(nodes, st) < 0 || decode_edges(json_object_get(o, "bindings"), st) < 0) {
		if ((e = errno) == ENOMEM)	/* no room for them */
			snprintf(err, errlen, "out of memory reading the status answer");
		else
			snprintf(err, errlen, "a node of the status answer is malformed");
		ctl_status_free(st);
	} else {
		st->now = json_real_value(json_object_get(o, "now"));
		st->actors = (unsigned)json_integer_value(json_object_get(sum, "actors"));
		st->running = (unsigned)json_integer_value(json_object_get(sum, "running"));
		st->not_running = (unsigned)json_integer_value(json_object_get(sum, "not_running"));
		rc = 0;
		if (json_is_string(json_object_get(o, "faults")) &&
		    !(st->faults = strdup(json_string_value(json_object_get(o, "faults"))))) {
			snprintf(err, errlen, "out of memory reading the fault summary");
			ctl_status_free(st);
			rc = -1;
			e = ENOMEM;
		}
	}
	json_decref(o);
	if (rc < 0)
		errno = e;
	return rc;
}

void ctl_status_free(struct ctl_status *st)
{
	free(st->nodes);
	free(st->edges);
	free(st->faults);
	st->nodes = NULL;
	st->edges = NULL;
	st->faults = NULL;
	st->n = st->nedges = 0;
}
