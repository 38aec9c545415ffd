/* The config loader's own state and the functions its files share; not
 * for use outside src/config/. jansson types appear here and in no header
 * a caller includes. */
#ifndef PROSPERO_CONFIG_LOADER_H
#define PROSPERO_CONFIG_LOADER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "src/config/config.h"
#include "src/config/jsonc.h"
#include "src/config/policy_memo.h"
#include "src/config/lines.h"

#define MAX_TIMEOUT_MS 86400000L
/* The kernel's limit on one string of an argv or environment
 * (MAX_ARG_STRLEN, 32 pages), its NUL included: execve fails E2BIG past it. */
#define LD_ARG_STRING_MAX 131072u

/* One definition, wherever it was written. */
struct def {
	const char *name;
	bool is_sup;
	union {
		struct cfg_actor *a;
		struct cfg_supervisor *s;
	} u;
	struct cfg_pos pos;
	struct cfg_supervisor *parent;	/* who names it as a child; NULL: no one yet */
	struct cfg_pos named_at;
	size_t parent_def;		/* index of the parent's def */
	bool duplicate;			/* reported already; not a root candidate */
};

/* A string child, resolved once every file is read. */
struct ref {
	struct cfg_supervisor *sup;
	size_t sup_def;
	size_t child;
	char *name;
	struct cfg_pos pos;
};

/* The file being read. */
struct source {
	const char *file;		/* owned by cfg->files */
	char *text;			/* stripped; same offsets as the file */
	char *orig;			/* as read: what columns count */
	size_t len;
	size_t bom;			/* bytes of a byte order mark: 3 or 0 */
	char *dir;			/* absolute directory of the file */
	struct lines lines;		/* positions, over ORIG */
	struct jsonc_marks marks;	/* where the last look-ups in TEXT stopped */
};

struct loader {
	struct cfg *cfg;
	struct cfg_diag *diag;
	const char *emfile_note;	/* after "cannot open: Too many open files" (cfg_load_noting) */
	struct source src;
	struct def *defs;
	size_t ndefs, capdefs;
	struct ref *refs;
	size_t nrefs, caprefs;
	size_t capactors, capsups;	/* of cfg->actors, cfg->sups */
	const char *unloaded;		/* the first file that did not parse, if any */
	struct cfg_policy_memo policies;	/* actors whose sandbox resolved */
	bool oom;
};

/* The keys an object may have, and what to say of one it may not. */
struct keyset {
	const char *const *known;	/* NULL-terminated; a definition's name first */
	const char *const *foreign;	/* keys of the other kind of definition, or NULL */
	const char *foreign_why;	/* after such a key's name */
	const char *where;		/* before each message: "" or "\"sandbox\": " */
	const char *otherwise;		/* when no known key is near; NULL: list them */
};

extern const char *const ld_actor_keys[], *const ld_supervisor_keys[];
/* the keys of a "queue" definition other than its settings (settings.h) */
extern const char *const ld_queue_keys[];
/* the keys of an actor's "sandbox" object */
extern const char *const ld_sandbox_keys[];
extern const char *const ld_cgroup_limit_keys[];
/* the keys of a "backoff" object */
extern const char *const ld_backoff_keys[];

/* backoff.c: "backoff" (O) of the definition at byte OBJ into OUT; POS
 * gets where it stands. Checked against each supervisor's intensity by
 * ld_check_backoffs once the tree is whole (a warning, not an error). */
bool ld_get_backoff(struct loader *ld, json_t *o, size_t obj, struct sv_backoff *out, struct cfg_pos *pos);
void ld_check_backoffs(struct loader *ld);

/* diag.c: findings, and the positions of values in the current file */
__attribute__((format(printf, 3, 4)))
void ld_error(struct loader *ld, const struct cfg_pos *pos, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void ld_warning(struct loader *ld, const struct cfg_pos *pos, const char *fmt, ...);
struct cfg_pos ld_pos(const struct loader *ld, size_t off);
struct cfg_pos ld_pos_of_key(struct loader *ld, size_t obj, const char *key, bool want_key);
struct cfg_pos ld_pos_of_index(struct loader *ld, size_t arr, size_t index);
size_t ld_value_off(struct loader *ld, size_t obj, const char *key);
size_t ld_index_off(struct loader *ld, size_t arr, size_t index);

/* readers.c: typed values at KEY of the object at byte OBJ; each reports
 * what it expected and returns false when the value does not fit */
const char *ld_type_name(const json_t *v);
/* D as written back in an error: the fewest digits that read back as D
 * (9007199254740992, not %g's 9.0072e+15). BUF holds LD_REAL_TEXT. */
#define LD_REAL_TEXT 32
const char *ld_real_text(double d, char *buf);
/* the integer V holds: an integer, or a real whose value is a whole
 * number below 2^53 in magnitude (1e3, 3.0); false for anything else */
bool ld_int_value(const json_t *v, json_int_t *out);
size_t ld_count_words(const char *const *words);
bool ld_has_word(const char *const *words, const char *w);
bool ld_get_int(struct loader *ld, json_t *v, size_t obj, const char *key, long lo, long hi, long *out);
bool ld_get_word(struct loader *ld, json_t *v, size_t obj, const char *key, const char *const *words,
		 int *out);
bool ld_get_bool(struct loader *ld, json_t *v, size_t obj, const char *key, bool *out);
bool ld_get_strings(struct loader *ld, json_t *v, size_t obj, const char *key, const char *what,
		    char ***out, size_t *n);
bool ld_get_name(struct loader *ld, json_t *v, size_t obj, const char *key, char **out);
bool ld_check_keys(struct loader *ld, json_t *o, size_t obj, const struct keyset *ks);
struct cfg_pos ld_get_head(struct loader *ld, json_t *o, size_t off, const struct keyset *ks, char **name);

/* What a config file holds, for "..., got an array". */
#define LD_WANT_DEFINITION "expected an object defining an actor ({\"actor\": NAME, \"exec\": [...]}), a supervisor ({\"supervisor\": NAME, \"children\": [...]}) or a queue ({\"queue\": NAME, \"consumer\": ACTOR})"

/* load.c: FILE read into ld->src, stripped to JSON, indexed and parsed;
 * NULL once reported (or with ld->oom), WANT said of a file with no value
 * in it. *OFF: where its value starts. ld_close_source frees ld->src
 * either way. */
json_t *ld_open_source(struct loader *ld, const char *file, size_t *off, const char *want);
void ld_close_source(struct loader *ld);

/* load.c: the tables every definition goes into */
bool ld_push(void **arr, size_t *n, size_t *cap, size_t size);
void *ld_append(struct loader *ld, void ***arr, size_t *n, size_t *cap, size_t size);
size_t ld_add_def(struct loader *ld, const char *name, bool is_sup, void *p, struct cfg_pos pos);

/* supervisor.c, actor.c, queue.c: a definition at byte OFF; its def
 * index, or SIZE_MAX if it cannot be referred to */
size_t ld_parse_definition(struct loader *ld, json_t *v, size_t off);
size_t ld_parse_actor(struct loader *ld, json_t *o, size_t off);
size_t ld_parse_queue(struct loader *ld, json_t *o, size_t off);

/* actor.c, for queue.c: a new actor with the defaults; "shutdown"; a
 * program's path checked, errors at P */
struct cfg_actor *ld_new_actor(struct loader *ld);
bool ld_get_shutdown(struct loader *ld, json_t *v, size_t obj, long *out);
bool ld_check_executable(struct loader *ld, const struct cfg_pos *p, const char *written, const char *path);
void ld_link_child(struct loader *ld, size_t d, struct cfg_supervisor *s, size_t self, size_t i,
		   struct cfg_pos p);

/* confinement.c, bindings.c: an actor's keys of those kinds */
void ld_get_confinement(struct loader *ld, struct cfg_actor *a, json_t *o, size_t off);
/* confinement.c: with "secrets_env", each secret's name against the
 * variables it would meet, once every key of the actor at OFF is read */
void ld_check_secrets_env(struct loader *ld, const struct cfg_actor *a, size_t off);
bool ld_get_bindings(struct loader *ld, struct cfg_actor *a, json_t *o, size_t obj);

/* tree.c, bindings.c: once every file is read */
void ld_build(struct loader *ld);
size_t ld_find(const struct loader *ld, const size_t *sorted, const char *name);
void ld_check_bindings(struct loader *ld, const size_t *sorted);
/* queue.c: consumers and dead-letter queues resolved and checked, and
 * made the queues' bindings; before ld_check_bindings */
void ld_check_queues(struct loader *ld, const size_t *sorted);

#endif
