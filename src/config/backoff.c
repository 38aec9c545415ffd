/* "backoff" on an actor or a supervisor (README "Backoff"): read where it
 * stands, and, once the tree is whole, weighed against its supervisor's
 * intensity. */
#include <jansson.h>
#include <stdio.h>

#include "src/config/loader.h"
#include "supervisor/backoff.h"

#define DEFAULT_MAX_MS 30000L
#define DEFAULT_RESET_AFTER_MS 60000L

const char *const ld_backoff_keys[] = { "initial", "max", "reset_after", NULL };

static const struct keyset backoff_keyset = { ld_backoff_keys, NULL, NULL, "\"backoff\": ", NULL };

bool ld_get_backoff(struct loader *ld, json_t *o, size_t obj, struct sv_backoff *out, struct cfg_pos *pos)
{
	size_t off = ld_value_off(ld, obj, "backoff");
	struct sv_backoff b = { .max_ms = -1, .reset_after_ms = DEFAULT_RESET_AFTER_MS };
	bool ok, initial = false, max = false;
	json_t *v;

	*pos = ld_pos_of_key(ld, obj, "backoff", false);
	if (!json_is_object(o)) {
		ld_error(ld, pos, "\"backoff\": expected an object {\"initial\": ms, \"max\": ms, \"reset_after\": ms}, got %s",
			 ld_type_name(o));
		return false;
	}
	ok = ld_check_keys(ld, o, off, &backoff_keyset);
	if (!(v = json_object_get(o, "initial")))
		ld_error(ld, pos, "\"backoff\": needs \"initial\", the delay of the first restart in ms");
	else
		initial = ld_get_int(ld, v, off, "initial", 1, MAX_TIMEOUT_MS, &b.initial_ms);
	ok &= initial;
	if ((v = json_object_get(o, "max"))) {
		max = ld_get_int(ld, v, off, "max", 1, MAX_TIMEOUT_MS, &b.max_ms);
		ok &= max;
	}
	if ((v = json_object_get(o, "reset_after")))
		ok &= ld_get_int(ld, v, off, "reset_after", 0, MAX_TIMEOUT_MS, &b.reset_after_ms);
	/* said beside any other mistake, as every one is */
	if (initial && max && b.max_ms < b.initial_ms) {
		struct cfg_pos p = ld_pos_of_key(ld, off, "max", false);
		ld_error(ld, &p, "\"backoff\": \"max\" (%ld) is less than \"initial\" (%ld)", b.max_ms, b.initial_ms);
		ok = false;
	}
	if (!ok)
		return false;
	if (b.max_ms < 0)
		b.max_ms = b.initial_ms > DEFAULT_MAX_MS ? b.initial_ms : DEFAULT_MAX_MS;
	*out = b;
	return true;
}

/* A backoff that spaces restarts so far apart that its supervisor could
 * never count more than "intensity" of them within "period" would never
 * give up on a child that can never start: worth a line. */
static void weigh(struct loader *ld, const struct sv_backoff *b, const struct cfg_pos *pos,
		  const char *name, unsigned copies, const struct cfg_supervisor *parent)
{
	char why[512];

	if (b->initial_ms > 0 &&
	    sv_backoff_outruns(b, parent->intensity, (long)parent->period_s * 1000, copies, why, sizeof why))
		ld_warning(ld, pos, "\"backoff\" of \"%s\": %s", name, why);
}

/* Both say how a parent restarts a supervisor: the root has none. */
static void root_keys(struct loader *ld, const struct cfg_supervisor *root)
{
	static const char why[] = "does nothing: it says how a parent restarts a supervisor, and the root has "
				  "none; remove it";

	if (root->restart_pos.line)
		ld_warning(ld, &root->restart_pos, "\"restart\" of the root supervisor \"%s\" %s", root->name, why);
	if (root->backoff.initial_ms > 0)
		ld_warning(ld, &root->backoff_pos, "\"backoff\" of the root supervisor \"%s\" %s", root->name, why);
}

void ld_check_backoffs(struct loader *ld)
{
	if (ld->cfg->root)
		root_keys(ld, ld->cfg->root);
	for (size_t d = 0; d < ld->ndefs; d++) {
		const struct def *def = &ld->defs[d];

		if (!def->parent || def->duplicate)
			continue;
		/* a temporary child is never restarted: it has no crash loop */
		if (def->is_sup && def->u.s->restart != SV_TEMPORARY)
			weigh(ld, &def->u.s->backoff, &def->u.s->backoff_pos, def->name, 1, def->parent);
		else if (!def->is_sup && def->u.a->restart != SV_TEMPORARY)
			weigh(ld, &def->u.a->backoff, &def->u.a->backoff_pos, def->name, def->u.a->instances,
			      def->parent);
	}
}
