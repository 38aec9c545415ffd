/* A supervisor's definition and its children: inline definitions are read
 * where they stand, names become references resolved once every file is
 * read (tree.c). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/didyoumean.h"
#include "src/config/jsonc.h"
#include "src/config/loader.h"

#define MAX_INTENSITY 100000
#define MAX_PERIOD_S 86400

const char *const ld_supervisor_keys[] = {
	"supervisor", "strategy", "intensity", "period", "restart", "children", "backoff", NULL,
};

static const struct keyset supervisor_keyset = {
	ld_supervisor_keys, ld_actor_keys, "applies to actors, not to supervisors", "", " in a supervisor",
};

static struct cfg_supervisor *new_supervisor(struct loader *ld)
{
	struct cfg_supervisor *s = ld_append(ld, (void ***)&ld->cfg->sups, &ld->cfg->nsups, &ld->capsups,
					     sizeof *s);

	if (s)
		*s = (struct cfg_supervisor){ .strategy = SV_ONE_FOR_ONE, .intensity = 1, .period_s = 5,
					      .restart = SV_PERMANENT };
	return s;
}

/* A string child: resolved once every file is read. */
static bool add_ref(struct loader *ld, struct cfg_supervisor *s, size_t self, size_t i, const char *name,
		    struct cfg_pos p)
{
	struct ref *r;

	if (!ld_push((void **)&ld->refs, &ld->nrefs, &ld->caprefs, sizeof *ld->refs))
		return false;
	r = &ld->refs[ld->nrefs];
	*r = (struct ref){ .sup = s, .sup_def = self, .child = i, .pos = p, .name = strdup(name) };
	if (!r->name)
		return false;
	ld->nrefs++;
	return true;
}

/* Definition D becomes child I of supervisor S (definition SELF), as
 * named at P. */
void ld_link_child(struct loader *ld, size_t d, struct cfg_supervisor *s, size_t self, size_t i,
		   struct cfg_pos p)
{
	struct def *def = &ld->defs[d];
	struct cfg_child *c = &s->children[i];

	def->parent = s;
	def->parent_def = self;
	def->named_at = p;
	c->kind = def->is_sup ? CFG_CHILD_SUPERVISOR : CFG_CHILD_ACTOR;
	if (def->is_sup)
		c->u.sup = def->u.s;
	else
		c->u.actor = def->u.a;
}

/* "children" of S (def SELF): names to resolve later, inline definitions now. */
static void parse_children(struct loader *ld, struct cfg_supervisor *s, size_t self, json_t *v, size_t off)
{
	size_t *offs, i, d;
	json_t *c;

	if (!(s->children = calloc(json_array_size(v), sizeof *s->children)) ||
	    !(offs = calloc(json_array_size(v), sizeof *offs))) {
		ld->oom = true;
		return;
	}
	s->nchildren = json_array_size(v);
	jsonc_elements(ld->src.text, ld->src.len, ld_value_off(ld, off, "children"), offs, s->nchildren);
	json_array_foreach(v, i, c) {
		struct cfg_pos p = ld_pos(ld, offs[i]);

		if (json_is_string(c)) {
			if (!add_ref(ld, s, self, i, json_string_value(c), p)) {
				ld->oom = true;
				break;
			}
		} else if (json_is_object(c)) {
			if ((d = ld_parse_definition(ld, c, offs[i])) != SIZE_MAX)
				ld_link_child(ld, d, s, self, i, p);
		} else {
			ld_error(ld, &p, "\"children\"[%zu]: expected a name or an {\"actor\": ...}, {\"supervisor\": ...} or {\"queue\": ...} object, got %s",
				 i, ld_type_name(c));
		}
	}
	free(offs);
}

static size_t parse_supervisor(struct loader *ld, json_t *o, size_t off)
{
	struct cfg_supervisor *s = new_supervisor(ld);
	size_t self;
	json_t *v;
	long n;
	int w;

	if (!s)
		return SIZE_MAX;
	s->pos = ld_get_head(ld, o, off, &supervisor_keyset, &s->name);
	if ((v = json_object_get(o, "strategy")) && ld_get_word(ld, v, off, "strategy", sv_strategy_names(), &w))
		s->strategy = (enum sv_strategy)w;
	if ((v = json_object_get(o, "intensity")) && ld_get_int(ld, v, off, "intensity", 0, MAX_INTENSITY, &n))
		s->intensity = (unsigned)n;
	if ((v = json_object_get(o, "period")) && ld_get_int(ld, v, off, "period", 1, MAX_PERIOD_S, &n))
		s->period_s = (unsigned)n;
	if ((v = json_object_get(o, "restart")) && ld_get_word(ld, v, off, "restart", sv_restart_names(), &w)) {
		s->restart = (enum sv_restart)w;
		s->restart_pos = ld_pos_of_key(ld, off, "restart", false);
	}
	if ((v = json_object_get(o, "backoff")))
		ld_get_backoff(ld, v, off, &s->backoff, &s->backoff_pos);
	self = s->name ? ld_add_def(ld, s->name, true, s, s->pos) : SIZE_MAX;

	v = json_object_get(o, "children");
	if (!v) {
		ld_error(ld, &s->pos, "supervisor \"%s\" has no \"children\": list the actors and supervisors it runs",
			 s->name ? s->name : "?");
	} else if (!json_is_array(v)) {
		struct cfg_pos p = ld_pos_of_key(ld, off, "children", false);
		ld_error(ld, &p, "\"children\": expected an array of names or definitions, got %s", ld_type_name(v));
	} else if (json_array_size(v) > 0) {
		parse_children(ld, s, self, v, off);
	}
	return self;
}

/* Whether K is a key of some kind of definition. */
static bool known_anywhere(const char *k)
{
	if (ld_has_word(ld_supervisor_keys, k) || ld_has_word(ld_actor_keys, k) || ld_has_word(ld_queue_keys, k))
		return true;
	for (int i = 0; i < PQ_NSETTINGS; i++)
		if (strcmp(pq_settings[i].key, k) == 0)
			return true;
	return false;
}

/* No naming key: the kind, and with it the keys a hint is drawn from,
 * is unknown, so a misspelt naming key is looked for among the keys that
 * no kind has. */
static void unnamed(struct loader *ld, json_t *o, size_t off, const char *const *kinds, size_t nkinds)
{
	struct cfg_pos p = ld_pos(ld, off);
	const char *k, *hint;
	json_t *v;

	json_object_foreach(o, k, v)
		if (!known_anywhere(k) && (hint = dym_closest(k, kinds, nkinds, &ld->oom))) {
			p = ld_pos_of_key(ld, off, k, true);
			ld_error(ld, &p, "unknown key \"%s\" (did you mean \"%s\"?)", k, hint);
			return;
		}
	ld_error(ld, &p, "expected \"actor\", \"supervisor\" or \"queue\" to name this definition");
}

/* An object that defines an actor, a supervisor or a queue. Returns its
 * def index, or SIZE_MAX if it cannot be referred to. */
size_t ld_parse_definition(struct loader *ld, json_t *v, size_t off)
{
	static const char *const kinds[] = { "supervisor", "actor", "queue" };
	struct cfg_pos p = ld_pos(ld, off);
	int kind = -1;

	if (!json_is_object(v)) {
		ld_error(ld, &p, LD_WANT_DEFINITION ", got %s", ld_type_name(v));
		return SIZE_MAX;
	}
	for (int k = 0; k < 3; k++) {
		if (!json_object_get(v, kinds[k]))
			continue;
		if (kind >= 0) {
			ld_error(ld, &p, "an object has both \"%s\" and \"%s\": it must be one or the other",
				 kinds[kind], kinds[k]);
			return SIZE_MAX;
		}
		kind = k;
	}
	if (kind < 0) {
		unnamed(ld, v, off, kinds, 3);
		return SIZE_MAX;
	}
	return kind == 0 ? parse_supervisor(ld, v, off) : kind == 1 ? ld_parse_actor(ld, v, off) : ld_parse_queue(ld, v, off);
}
