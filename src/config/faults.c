/* Fault plans: one JSONC file, {"seed": N, "faults": [...]}, each fault an
 * object whose head key says its kind ("kill", "stall", "edge", "syscall"),
 * as "actor" and "supervisor" do in the config. Every error is reported
 * with its position, then the plan is dropped whole. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/diag.h"
#include "src/config/didyoumean.h"
#include "src/config/faults.h"
#include "src/config/faults_loader.h"
#include "src/config/jsonc.h"

const char *const fl_plan_keys[] = { "seed", "faults", NULL };
/* what a plan file holds, for "..., got an array" */
#define WANT_PLAN "a fault plan: expected an object {\"seed\": N, \"faults\": [...]}"

static const char *const heads[] = { "kill", "stall", "edge", "syscall", NULL };

/* Indexed by enum fault_kind: the head first, as ld_check_keys wants. */
static const char *const kill_keys[] = { "kill", "signal", "every", "jitter", "at", "window", "pick", NULL };
static const char *const stall_keys[] = { "stall", "for", "every", "jitter", "at", "window", "pick", NULL };
static const char *const edge_keys[] = { "edge", "direction", "delay", "drop", "duplicate", "partition",
					 "window", NULL };
static const char *const syscall_keys[] = { "syscall", "target", "errno", "probability", "after", "every",
					    "arg", "window", NULL };
/* every key of any kind, so a key of another kind is named as such */
const char *const fl_fault_keys[] = { "kill", "stall", "edge", "syscall", "signal", "every", "jitter",
					"at", "window", "pick", "for", "direction", "delay", "drop",
					"duplicate", "partition", "target", "errno", "probability", "after",
					"arg", NULL };

static const struct keyset kinds[] = {
	[FAULT_KILL] = { kill_keys, fl_fault_keys, "does not apply to a \"kill\" fault", "", NULL },
	[FAULT_STALL] = { stall_keys, fl_fault_keys, "does not apply to a \"stall\" fault", "", NULL },
	[FAULT_EDGE] = { edge_keys, fl_fault_keys, "does not apply to an \"edge\" fault", "", NULL },
	[FAULT_SYSCALL] = { syscall_keys, fl_fault_keys, "does not apply to a \"syscall\" fault", "", NULL },
};

bool fl_get_probability(struct floader *fl, json_t *v, size_t obj, const char *key, double *out)
{
	struct cfg_pos p;
	char text[LD_REAL_TEXT];

	if (json_is_number(v) && json_number_value(v) >= 0 && json_number_value(v) <= 1) {
		*out = json_number_value(v);
		return true;
	}
	p = ld_pos_of_key(&fl->ld, obj, key, false);
	if (json_is_number(v))
		ld_error(&fl->ld, &p, "\"%s\" is %s: expected a probability from 0 to 1", key,
			 ld_real_text(json_number_value(v), text));
	else
		ld_error(&fl->ld, &p, "\"%s\": expected a probability from 0 to 1, got %s", key, ld_type_name(v));
	return false;
}

/* [from, to] at OFF: ms on the fault clock, from < to. */
bool fl_get_window(struct floader *fl, json_t *v, size_t off, const char *what, struct fault_window *out)
{
	json_int_t from, to;
	struct cfg_pos p = ld_pos(&fl->ld, off);

	if (!json_is_array(v) || json_array_size(v) != 2 || !ld_int_value(json_array_get(v, 0), &from) ||
	    !ld_int_value(json_array_get(v, 1), &to)) {
		ld_error(&fl->ld, &p, "%s: expected [FROM, TO], two times in ms on the fault clock, got %s", what,
			 json_is_array(v) ? "another array" : ld_type_name(v));
		return false;
	}
	if (from < 0 || to > FAULT_MAX_MS || from >= to) {
		ld_error(&fl->ld, &p, "%s: [%" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT "]: expected 0 <= FROM < TO <= %lld (ms: one day)",
			 what, from, to, FAULT_MAX_MS);
		return false;
	}
	*out = (struct fault_window){ from, to };
	return true;
}

const char *fl_respelt(const char *s, const char *prefix, const char *const *words, size_t n)
{
	char buf[64];
	size_t k = strlen(prefix);

	if (strlen(s) + k >= sizeof buf)
		return NULL;
	memcpy(buf, prefix, k);
	for (; *s; s++)
		buf[k++] = (char)toupper((unsigned char)*s);
	buf[k] = '\0';
	/* with the prefix, then as written (only the case differs) */
	for (int pass = 0; pass < 2; pass++) {
		const char *cand = pass ? buf + strlen(prefix) : buf;

		for (size_t i = 0; i < n; i++)
			if (strcmp(words[i], cand) == 0)
				return words[i];
	}
	return NULL;
}

bool fl_each_name(struct floader *fl, json_t *v, size_t obj, const char *key, const char *one,
		  const char *any, fl_resolve_fn *resolve, void *list)
{
	size_t arr = ld_value_off(&fl->ld, obj, key), i;
	char what[64];
	bool ok = true;
	json_t *s;

	if (json_is_string(v)) {
		struct cfg_pos p = ld_pos(&fl->ld, arr);

		snprintf(what, sizeof what, "\"%s\"", key);
		return resolve(fl, list, json_string_value(v), &p, what);
	}
	if (!json_is_array(v) || json_array_size(v) == 0) {
		struct cfg_pos p = ld_pos(&fl->ld, arr);
		ld_error(&fl->ld, &p, "\"%s\": expected %s or an array of those, got %s", key, any,
			 json_is_array(v) ? "an empty array" : ld_type_name(v));
		return false;
	}
	json_array_foreach(v, i, s) {
		struct cfg_pos p = ld_pos_of_index(&fl->ld, arr, i);

		snprintf(what, sizeof what, "\"%s\"[%zu]", key, i);
		if (!json_is_string(s)) {
			ld_error(&fl->ld, &p, "%s: expected %s, got %s", what, one, ld_type_name(s));
			ok = false;
		} else if (!resolve(fl, list, json_string_value(s), &p, what)) {
			ok = false;
		}
	}
	return ok;
}

size_t fl_sort_unique(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = v;
	size_t k = 0;

	if (n == 0)
		return 0;
	qsort(v, n, size, cmp);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || cmp(b + (k - 1) * size, b + i * size) != 0) {
			if (k != i)
				memcpy(b + k * size, b + i * size, size);
			k++;
		}
	return k;
}

/* Which kind the object at OFF is, by its head key; -1 once reported. */
static int kind_of(struct floader *fl, json_t *o, size_t off)
{
	int kind = -1;
	const char *k, *hint;
	json_t *v;

	for (int i = 0; heads[i]; i++) {
		if (!json_object_get(o, heads[i]))
			continue;
		if (kind >= 0) {
			struct cfg_pos p = ld_pos_of_key(&fl->ld, off, heads[i], true);
			ld_error(&fl->ld, &p, "\"%s\" and \"%s\" in one fault: write each fault as an object of its own",
				 heads[kind], heads[i]);
			return -1;
		}
		kind = i;
	}
	if (kind >= 0)
		return kind;
	json_object_foreach(o, k, v)
		if ((hint = dym_closest(k, heads, ld_count_words(heads), &fl->ld.oom))) {
			struct cfg_pos p = ld_pos_of_key(&fl->ld, off, k, true);
			ld_error(&fl->ld, &p, "unknown key \"%s\" (did you mean \"%s\"?)", k, hint);
			return -1;
		}
	struct cfg_pos p = ld_pos(&fl->ld, off);
	ld_error(&fl->ld, &p, "a fault is {\"kill\": ...}, {\"stall\": ...}, {\"edge\": ...} or {\"syscall\": ...}");
	return -1;
}

static void get_fault(struct floader *fl, json_t *o, size_t off)
{
	struct fault_plan *plan = fl->plan;
	struct fault *f = &plan->faults[plan->n];
	struct cfg_pos head;
	int kind;

	if (!json_is_object(o)) {
		struct cfg_pos p = ld_pos(&fl->ld, off);
		ld_error(&fl->ld, &p, "a fault: expected an object, got %s", ld_type_name(o));
		return;
	}
	if ((kind = kind_of(fl, o, off)) < 0)
		return;
	*f = (struct fault){ .kind = (enum fault_kind)kind, .window = { 0, INT64_MAX } };
	/* counted now, so fault_plan_free frees what a failed read left */
	plan->n++;
	head = ld_pos_of_key(&fl->ld, off, heads[kind], true);
	f->line = head.line;
	f->col = head.col;
	ld_check_keys(&fl->ld, o, off, &kinds[kind]);
	if (kind == FAULT_EDGE)
		fl_get_edge(fl, f, o, off);
	else if (kind == FAULT_SYSCALL)
		fl_get_syscall(fl, f, o, off);
	else
		fl_get_process(fl, f, o, off);
}

static void get_faults(struct floader *fl, json_t *v, size_t obj)
{
	size_t n = json_array_size(v), *offs;

	if (!json_is_array(v)) {
		struct cfg_pos p = ld_pos_of_key(&fl->ld, obj, "faults", false);
		ld_error(&fl->ld, &p, "\"faults\": expected an array of faults, got %s", ld_type_name(v));
		return;
	}
	offs = malloc((n ? n : 1) * sizeof *offs);
	if (!offs || !(fl->plan->faults = calloc(n ? n : 1, sizeof *fl->plan->faults))) {
		free(offs);
		fl->ld.oom = true;
		return;
	}
	jsonc_elements(fl->ld.src.text, fl->ld.src.len, ld_value_off(&fl->ld, obj, "faults"), offs, n);
	for (size_t i = 0; i < n && !fl->ld.oom; i++)
		get_fault(fl, json_array_get(v, i), offs[i]);
	free(offs);
	fl_check_edge_overlap(fl);
}

static void get_plan(struct floader *fl, json_t *root, size_t off)
{
	static const struct keyset plan_keyset = { fl_plan_keys, fl_fault_keys, "belongs in a fault, inside \"faults\": [...]",
						   "", NULL };
	json_t *seed = json_object_get(root, "seed"), *faults = json_object_get(root, "faults");
	long s;

	if (!json_is_object(root)) {
		struct cfg_pos p = ld_pos(&fl->ld, off);
		ld_error(&fl->ld, &p, WANT_PLAN ", got %s", ld_type_name(root));
		return;
	}
	ld_check_keys(&fl->ld, root, off, &plan_keyset);
	if (seed && ld_get_int(&fl->ld, seed, off, "seed", 0, (long)FAULT_MAX_SEED, &s)) {
		fl->plan->has_seed = true;
		fl->plan->seed = (uint64_t)s;
	}
	if (faults) {
		get_faults(fl, faults, off);
	} else {
		struct cfg_pos p = ld_pos(&fl->ld, off);
		ld_error(&fl->ld, &p, "a fault plan needs \"faults\": [...]");
	}
}

struct fault_plan *cfg_faults_load(const char *file, const struct cfg *cfg, struct cfg_diag *diag)
{
	struct floader fl = { .ld = { .diag = diag }, .cfg = cfg };
	json_t *root;
	size_t off;

	*diag = (struct cfg_diag){ 0 };
	if (!(fl.plan = calloc(1, sizeof *fl.plan)) || !(fl.plan->file = strdup(file))) {
		free(fl.plan);
		errno = ENOMEM;
		return NULL;
	}
	if ((root = ld_open_source(&fl.ld, fl.plan->file, &off, WANT_PLAN)))
		get_plan(&fl, root, off);
	json_decref(root);
	ld_close_source(&fl.ld);
	/* as a config's: in the order of the text, not of the judging */
	if (cfg_diag_sort(diag, 0, &fl.plan->file, 1) < 0)
		fl.ld.oom = true;
	if (fl.ld.oom || diag->nerrors > 0) {
		fault_plan_free(fl.plan);
		if (fl.ld.oom) {
			cfg_diag_free(diag);
			errno = ENOMEM;
		}
		return NULL;
	}
	return fl.plan;
}
