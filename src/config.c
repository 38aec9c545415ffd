/* Config: JSONC files → one validated tree.
 *
 * Three passes, so that every error in every file is reported at once:
 *   1. each file is read, stripped to JSON (same byte offsets), parsed by
 *      jansson and walked; every definition, inline or top-level, goes
 *      into one table, and every string child becomes a pending reference;
 *   2. names are sorted, duplicates reported, references resolved;
 *   3. the shape is checked: each definition named at most once, no
 *      cycles, exactly one root.
 * jansson keeps no positions, so a message locates its value in the text
 * afterwards (jsonc_locate), relative to the object being read. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/names.h"
#include "sandbox/namespaces.h"
#include "sandbox/privs.h"
#include "sandbox/secrets.h"
#include "src/config.h"
#include "src/config/didyoumean.h"
#include "src/config/jsonc.h"

#define MAX_INTENSITY 100000
#define MAX_PERIOD_S 86400
#define MAX_TIMEOUT_MS 86400000L

static const char *const supervisor_keys[] = {
	"supervisor", "strategy", "intensity", "period", "restart", "children", NULL,
};
static const char *const actor_keys[] = {
	"actor", "exec", "restart", "shutdown", "ready", "start_timeout", "instances", "env", "cwd",
	"sandbox", "limits", "private_tmp", "private_network", "read_only", "user", "capabilities",
	"secrets", "secrets_env", "bindings", "watchdog", NULL,
};
static const char *const sandbox_keys[] = { "profile", "allow", "deny", "on_violation", NULL };

/* The keys an object may have, and what to say of one it may not. */
struct keyset {
	const char *const *known;	/* NULL-terminated */
	const char *const *foreign;	/* keys of the other kind of definition, or NULL */
	const char *foreign_why;	/* after such a key's name */
	const char *where;		/* before each message: "" or "\"sandbox\": " */
	const char *otherwise;		/* when no known key is near; NULL: list them */
};

static const struct keyset supervisor_keyset = {
	supervisor_keys, actor_keys, "applies to actors, not to supervisors", "", " in a supervisor",
};
static const struct keyset actor_keyset = {
	actor_keys, supervisor_keys, "applies to supervisors, not to actors", "", " in an actor",
};
static const struct keyset sandbox_keyset = { sandbox_keys, NULL, NULL, "\"sandbox\": ", NULL };

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
	size_t len;
	char *dir;			/* absolute directory of the file */
	bool bom;			/* stripping turned a UTF-8 BOM into 3 spaces */
};

struct loader {
	struct cfg *cfg;
	struct cfg_diag *diag;
	struct source src;
	struct def *defs;
	size_t ndefs, capdefs;
	struct ref *refs;
	size_t nrefs, caprefs;
	size_t capactors, capsups;	/* of cfg->actors, cfg->sups */
	bool oom;
};

/* --- diagnostics --- */

static void vreport(struct loader *ld, bool error, const char *file, unsigned line, unsigned col,
		    const char *fmt, va_list ap)
{
	char *msg = NULL, *out = NULL, **lines;

	if (vasprintf(&msg, fmt, ap) < 0) {
		ld->oom = true;
		return;
	}
	if ((line ? asprintf(&out, "%s:%u:%u: %s: %s", file, line, col, error ? "error" : "warning", msg)
		  : asprintf(&out, "%s: %s: %s", file, error ? "error" : "warning", msg)) < 0) {
		free(msg);
		ld->oom = true;
		return;
	}
	free(msg);
	if (!(lines = realloc(ld->diag->lines, (ld->diag->n + 1) * sizeof *lines))) {
		free(out);
		ld->oom = true;
		return;
	}
	ld->diag->lines = lines;
	lines[ld->diag->n++] = out;
	if (error)
		ld->diag->nerrors++;
}

__attribute__((format(printf, 3, 4)))
static void error_at(struct loader *ld, const struct cfg_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ld, true, pos->file, pos->line, pos->col, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4)))
static void warning_at(struct loader *ld, const struct cfg_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ld, false, pos->file, pos->line, pos->col, fmt, ap);
	va_end(ap);
}

/* Position of byte OFF of the current file. */
static struct cfg_pos pos_of(const struct loader *ld, size_t off)
{
	struct cfg_pos p = { .file = ld->src.file };

	jsonc_linecol(ld->src.text, ld->src.len, off, &p.line, &p.col);
	if (ld->src.bom && p.line == 1 && p.col > 3)
		p.col -= 3;	/* an editor shows no column for the BOM */
	return p;
}

/* Position of KEY's value (or of the key itself) in the object at OBJ. */
static struct cfg_pos pos_of_key(const struct loader *ld, size_t obj, const char *key, bool want_key)
{
	struct jsonc_step step = { .key = key };
	size_t off = obj;

	jsonc_locate(ld->src.text, ld->src.len, obj, &step, 1, want_key, &off);
	return pos_of(ld, off);
}

static struct cfg_pos pos_of_index(const struct loader *ld, size_t arr, size_t index)
{
	struct jsonc_step step = { .index = index };
	size_t off = arr;

	jsonc_locate(ld->src.text, ld->src.len, arr, &step, 1, false, &off);
	return pos_of(ld, off);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

/* --- values --- */

/* An integer in [lo, hi] at KEY of the object at OBJ. */
static bool get_int(struct loader *ld, json_t *v, size_t obj, const char *key, long lo, long hi,
		    long *out)
{
	struct cfg_pos p;

	if (json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi) {
		*out = (long)json_integer_value(v);
		return true;
	}
	p = pos_of_key(ld, obj, key, false);
	if (json_is_integer(v))
		error_at(ld, &p, "\"%s\" is %" JSON_INTEGER_FORMAT ": expected an integer from %ld to %ld",
			 key, json_integer_value(v), lo, hi);
	else
		error_at(ld, &p, "\"%s\": expected an integer from %ld to %ld, got %s", key, lo, hi,
			 type_name(v));
	return false;
}

static size_t count_words(const char *const *words)
{
	size_t n = 0;

	while (words[n])
		n++;
	return n;
}

static bool has_word(const char *const *words, const char *w)
{
	for (; *words; words++)
		if (strcmp(*words, w) == 0)
			return true;
	return false;
}

/* "\"a\", \"b\" or \"c\"" into BUF, truncated to LEN. */
static void join_words(const char *const *words, char *buf, size_t len)
{
	size_t n = count_words(words), at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++) {
		int w = snprintf(buf + at, len - at, "%s\"%s\"", i == 0 ? "" : i + 1 == n ? " or " : ", ",
				 words[i]);
		at += w > 0 ? (size_t)w : 0;
	}
}

/* One of WORDS (a NULL-terminated table indexed by enum value). */
static bool get_word(struct loader *ld, json_t *v, size_t obj, const char *key,
		     const char *const *words, int *out)
{
	const char *s = json_string_value(v), *hint;
	struct cfg_pos p = pos_of_key(ld, obj, key, false);
	size_t nwords = count_words(words);
	char expected[160];

	for (size_t i = 0; s && i < nwords; i++)
		if (strcmp(s, words[i]) == 0) {
			*out = (int)i;
			return true;
		}
	join_words(words, expected, sizeof expected);
	if (!s) {
		error_at(ld, &p, "\"%s\": expected %s, got %s", key, expected, type_name(v));
	} else if ((hint = dym_closest(s, words, nwords))) {
		error_at(ld, &p, "\"%s\": unknown value \"%s\" (did you mean \"%s\"?)", key, s, hint);
	} else {
		error_at(ld, &p, "\"%s\": unknown value \"%s\": expected %s", key, s, expected);
	}
	return false;
}

static bool valid_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* Names become log prefixes, event fields and pool names "NAME#i". */
static bool get_name(struct loader *ld, json_t *v, size_t obj, const char *key, char **out)
{
	const char *s = json_string_value(v);
	struct cfg_pos p;
	size_t n = 0;

	if (s)
		for (n = 0; s[n] && valid_name_char(s[n]); n++)
			;
	if (s && n > 0 && !s[n] && n <= CFG_MAX_NAME) {
		if (!(*out = strdup(s)))
			ld->oom = true;
		return *out != NULL;
	}
	p = pos_of_key(ld, obj, key, false);
	if (!s)
		error_at(ld, &p, "\"%s\": expected a name (a string), got %s", key, type_name(v));
	else
		error_at(ld, &p, "\"%s\": invalid name \"%s\": use 1 to %d letters, digits, '-', '_' or '.'",
			 key, s, CFG_MAX_NAME);
	return false;
}

/* PATH relative to the directory of the current file. */
static char *resolve(struct loader *ld, const char *path)
{
	char *out = NULL;

	while (path[0] == '.' && path[1] == '/')
		path += 2;	/* "./x" reads better in messages as DIR/x */
	if (path[0] == '/' ? !(out = strdup(path))
			   : asprintf(&out, "%s%s%s", ld->src.dir, strcmp(ld->src.dir, "/") ? "/" : "",
				      *path ? path : ".") < 0) {
		ld->oom = true;
		return NULL;
	}
	return out;
}

/* A command without a slash is looked up in $PATH, as execvp would. */
static char *search_path(struct loader *ld, const char *cmd)
{
	const char *path = getenv("PATH"), *p, *end;
	char *cand;

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; p; p = *end ? end + 1 : NULL) {
		end = strchrnul(p, ':');
		if (asprintf(&cand, "%.*s%s%s", (int)(end - p), p, end == p ? "" : "/", cmd) < 0) {
			ld->oom = true;
			return NULL;
		}
		if (cand[0] == '/' && access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	return NULL;
}

static bool check_executable(struct loader *ld, const struct cfg_pos *p, const char *written,
			     const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		error_at(ld, p, "executable \"%s\" not found: %s: %s", written, path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		error_at(ld, p, "executable \"%s\" is not a regular file: %s", written, path);
		return false;
	}
	if (access(path, X_OK) < 0) {
		error_at(ld, p, "executable \"%s\" is not executable (mode %04o): %s; chmod +x it",
			 written, (unsigned)(st.st_mode & 07777), path);
		return false;
	}
	return true;
}

static bool get_exec(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	struct cfg_pos p = pos_of_key(ld, obj, "exec", false);
	json_t *arg;
	size_t i, n = json_array_size(v), arr = obj;
	struct jsonc_step step = { .key = "exec" };

	if (!json_is_array(v) || n == 0) {
		error_at(ld, &p, "\"exec\": expected a non-empty array of strings [\"program\", \"arg\", ...], got %s",
			 json_is_array(v) ? "an empty array" : type_name(v));
		return false;
	}
	jsonc_locate(ld->src.text, ld->src.len, obj, &step, 1, false, &arr);
	json_array_foreach(v, i, arg) {
		if (!json_is_string(arg) || (i == 0 && !*json_string_value(arg))) {
			struct cfg_pos q = pos_of_index(ld, arr, i);
			error_at(ld, &q, "\"exec\"[%zu]: expected %s, got %s", i,
				 i == 0 ? "the program to run (a non-empty string)" : "a string",
				 json_is_string(arg) ? "an empty string" : type_name(arg));
			return false;
		}
	}
	if (!(a->argv = calloc(n + 1, sizeof *a->argv))) {
		ld->oom = true;
		return false;
	}
	json_array_foreach(v, i, arg)
		if (!(a->argv[i] = strdup(json_string_value(arg)))) {
			ld->oom = true;
			return false;
		}
	p = pos_of_index(ld, arr, 0);
	if (strchr(a->argv[0], '/')) {
		if (!(a->path = resolve(ld, a->argv[0])))
			return false;
	} else if (!(a->path = search_path(ld, a->argv[0]))) {
		if (!ld->oom)
			error_at(ld, &p, "executable \"%s\" not found in $PATH; write a path (\"./%s\") to run a file beside %s",
				 a->argv[0], a->argv[0], ld->src.file);
		return false;
	}
	return check_executable(ld, &p, a->argv[0], a->path);
}

static bool get_env(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	struct cfg_pos p;
	const char *k;
	json_t *val;
	size_t i = 0, off;

	if (!json_is_object(v)) {
		p = pos_of_key(ld, obj, "env", false);
		error_at(ld, &p, "\"env\": expected an object {\"NAME\": \"value\"}, got %s", type_name(v));
		return false;
	}
	if (!(a->env = calloc(json_object_size(v) + 1, sizeof *a->env))) {
		ld->oom = true;
		return false;
	}
	json_object_foreach(v, k, val) {
		struct jsonc_step path[2] = { { .key = "env" }, { .key = k } };
		bool bad_key = !*k || strchr(k, '=');

		if (bad_key || !json_is_string(val)) {
			off = obj;
			jsonc_locate(ld->src.text, ld->src.len, obj, path, 2, bad_key, &off);
			p = pos_of(ld, off);
			if (bad_key)
				error_at(ld, &p, "\"env\": invalid variable name \"%s\": it must be non-empty and contain no '='", k);
			else
				error_at(ld, &p, "\"env\": \"%s\": expected a string value, got %s", k, type_name(val));
			return false;
		}
		if (asprintf(&a->env[i++], "%s=%s", k, json_string_value(val)) < 0) {
			a->env[--i] = NULL;
			ld->oom = true;
			return false;
		}
	}
	return true;
}

static bool get_cwd(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	struct cfg_pos p = pos_of_key(ld, obj, "cwd", false);
	struct stat st;

	if (!json_is_string(v) || !*json_string_value(v)) {
		error_at(ld, &p, "\"cwd\": expected a directory (a non-empty string), got %s",
			 json_is_string(v) ? "an empty string" : type_name(v));
		return false;
	}
	if (!(a->cwd = resolve(ld, json_string_value(v))))
		return false;
	if (stat(a->cwd, &st) < 0) {
		error_at(ld, &p, "\"cwd\": \"%s\" not found: %s: %s", json_string_value(v), a->cwd,
			 strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		error_at(ld, &p, "\"cwd\": \"%s\" is not a directory: %s", json_string_value(v), a->cwd);
		return false;
	}
	return true;
}

static bool get_shutdown(struct loader *ld, json_t *v, size_t obj, long *out)
{
	struct cfg_pos p;

	if (json_is_string(v) && strcmp(json_string_value(v), "brutal_kill") == 0) {
		*out = SV_SHUTDOWN_BRUTAL_KILL;
		return true;
	}
	if (json_is_string(v) && strcmp(json_string_value(v), "infinity") == 0) {
		*out = SV_SHUTDOWN_INFINITY;
		return true;
	}
	if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= MAX_TIMEOUT_MS) {
		*out = (long)json_integer_value(v);
		return true;
	}
	p = pos_of_key(ld, obj, "shutdown", false);
	error_at(ld, &p, "\"shutdown\": expected milliseconds (1 to %ld), \"brutal_kill\" or \"infinity\"",
		 MAX_TIMEOUT_MS);
	return false;
}

/* Unknown keys: a key of the other kind of definition says so, a typo
 * gets a suggestion. */
static bool check_keys(struct loader *ld, json_t *o, size_t obj, const struct keyset *ks)
{
	const char *k, *hint;
	char expected[160] = "";
	json_t *v;
	bool ok = true;

	json_object_foreach(o, k, v) {
		struct cfg_pos p;

		if (has_word(ks->known, k))
			continue;
		p = pos_of_key(ld, obj, k, true);
		ok = false;
		if (ks->foreign && has_word(ks->foreign, k)) {
			error_at(ld, &p, "%s\"%s\" %s", ks->where, k, ks->foreign_why);
		} else if ((hint = dym_closest(k, ks->known, count_words(ks->known)))) {
			error_at(ld, &p, "%sunknown key \"%s\" (did you mean \"%s\"?)", ks->where, k, hint);
		} else if (ks->otherwise) {
			error_at(ld, &p, "%sunknown key \"%s\"%s", ks->where, k, ks->otherwise);
		} else {
			join_words(ks->known, expected, sizeof expected);
			error_at(ld, &p, "%sunknown key \"%s\": expected %s", ks->where, k, expected);
		}
	}
	return ok;
}

/* --- definitions --- */

static bool push(void **arr, size_t *n, size_t *cap, size_t size)
{
	void *p;

	if (*n < *cap)
		return true;
	if (!(p = realloc(*arr, (*cap ? *cap * 2 : 16) * size)))
		return false;
	*arr = p;
	*cap = *cap ? *cap * 2 : 16;
	return true;
}

static size_t add_def(struct loader *ld, const char *name, bool is_sup, void *p, struct cfg_pos pos)
{
	struct def *d;

	if (!push((void **)&ld->defs, &ld->ndefs, &ld->capdefs, sizeof *ld->defs)) {
		ld->oom = true;
		return SIZE_MAX;
	}
	d = &ld->defs[ld->ndefs];
	*d = (struct def){ .name = name, .is_sup = is_sup, .pos = pos, .parent_def = SIZE_MAX };
	if (is_sup)
		d->u.s = p;
	else
		d->u.a = p;
	return ld->ndefs++;
}

static size_t parse_definition(struct loader *ld, json_t *v, size_t off);

static struct cfg_actor *new_actor(struct loader *ld)
{
	struct cfg_actor *a;

	if (!push((void **)&ld->cfg->actors, &ld->cfg->nactors, &ld->capactors, sizeof *ld->cfg->actors) ||
	    !(a = calloc(1, sizeof *a))) {
		ld->oom = true;
		return NULL;
	}
	*a = (struct cfg_actor){ .id = (unsigned)ld->cfg->nactors, .order = CFG_NOT_IN_TREE, .restart = SV_PERMANENT, .shutdown_ms = 5000, .ready = SV_READY_EXEC,
				 .start_timeout_ms = 30000, .instances = 1,
				 .profile = SB_PROFILE_SERVICE, .on_violation = SB_ON_VIOLATION_KILL };
	ld->cfg->actors[ld->cfg->nactors++] = a;
	return a;
}

static struct cfg_supervisor *new_supervisor(struct loader *ld)
{
	struct cfg_supervisor *s;

	if (!push((void **)&ld->cfg->sups, &ld->cfg->nsups, &ld->capsups, sizeof *ld->cfg->sups) ||
	    !(s = calloc(1, sizeof *s))) {
		ld->oom = true;
		return NULL;
	}
	ld->cfg->sups[ld->cfg->nsups++] = s;
	*s = (struct cfg_supervisor){ .strategy = SV_ONE_FOR_ONE, .intensity = 1, .period_s = 5,
				      .restart = SV_PERMANENT };
	return s;
}

/* --- confinement --- */

static void free_strv(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}


/* The offset of the value at KEY of the object at OBJ. */
static size_t value_off(const struct loader *ld, size_t obj, const char *key)
{
	struct jsonc_step step = { .key = key };
	size_t off = obj;

	jsonc_locate(ld->src.text, ld->src.len, obj, &step, 1, false, &off);
	return off;
}

static bool get_bool(struct loader *ld, json_t *v, size_t obj, const char *key, bool *out)
{
	struct cfg_pos p;

	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return true;
	}
	p = pos_of_key(ld, obj, key, false);
	error_at(ld, &p, "\"%s\": expected true or false, got %s", key, type_name(v));
	return false;
}

/* A non-empty array of non-empty strings at KEY; *out NULL-terminated. */
static bool get_strings(struct loader *ld, json_t *v, size_t obj, const char *key, const char *what,
			char ***out, size_t *n)
{
	size_t i, arr = value_off(ld, obj, key);
	json_t *s;

	if (!json_is_array(v)) {
		struct cfg_pos p = pos_of_key(ld, obj, key, false);
		error_at(ld, &p, "\"%s\": expected an array of %s, got %s", key, what, type_name(v));
		return false;
	}
	json_array_foreach(v, i, s) {
		if (!json_is_string(s) || !*json_string_value(s)) {
			struct cfg_pos p = pos_of_index(ld, arr, i);
			error_at(ld, &p, "\"%s\"[%zu]: expected a non-empty string, got %s", key, i,
				 json_is_string(s) ? "an empty string" : type_name(s));
			return false;
		}
	}
	if (!(*out = calloc(json_array_size(v) + 1, sizeof **out))) {
		ld->oom = true;
		return false;
	}
	json_array_foreach(v, i, s)
		if (!((*out)[i] = strdup(json_string_value(s)))) {
			ld->oom = true;
			return false;
		}
	*n = json_array_size(v);
	return true;
}

/* Each "allow"/"deny" entry names a syscall or a @group we know. */
static bool check_syscalls(struct loader *ld, char **list, size_t obj, const char *key)
{
	size_t arr = value_off(ld, obj, key);
	bool ok = true;

	for (size_t i = 0; list && list[i]; i++) {
		const char *s = list[i], *hint;
		struct cfg_pos p;

		if (s[0] == '@' ? sb_group_members(s) != NULL : sb_syscall_known(s))
			continue;
		p = pos_of_index(ld, arr, i);
		ok = false;
		if (s[0] == '@') {
			const char *const *groups = sb_group_names();
			size_t ng = count_words(groups);
			char known[512] = "";

			for (size_t g = 0; g < ng; g++)
				snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
					 g ? ", " : "", groups[g]);
			if ((hint = dym_closest(s, groups, ng)))
				error_at(ld, &p, "\"%s\"[%zu]: unknown syscall group \"%s\" (did you mean \"%s\"?)",
					 key, i, s, hint);
			else
				error_at(ld, &p, "\"%s\"[%zu]: unknown syscall group \"%s\": the groups are %s",
					 key, i, s, known);
		} else {
			size_t n;
			char **names = sb_syscall_names(&n);

			if ((hint = dym_closest(s, (const char *const *)names, n)))
				error_at(ld, &p, "\"%s\"[%zu]: unknown syscall \"%s\" (did you mean \"%s\"?)",
					 key, i, s, hint);
			else
				error_at(ld, &p, "\"%s\"[%zu]: unknown syscall \"%s\"", key, i, s);
			sb_names_free(names);
		}
	}
	return ok;
}

static bool get_sandbox(struct loader *ld, struct cfg_actor *a, json_t *o, size_t obj)
{
	size_t off = value_off(ld, obj, "sandbox");
	json_t *v;
	int w;
	bool ok;

	if (!json_is_object(o)) {
		struct cfg_pos p = pos_of_key(ld, obj, "sandbox", false);
		error_at(ld, &p, "\"sandbox\": expected an object {\"profile\": ..., \"allow\": [...], \"deny\": [...], \"on_violation\": ...}, got %s",
			 type_name(o));
		return false;
	}
	ok = check_keys(ld, o, off, &sandbox_keyset);
	if ((v = json_object_get(o, "profile"))) {
		if (get_word(ld, v, off, "profile", sb_profile_names(), &w)) {
			a->profile = (enum sb_profile)w;
			if (a->profile == SB_PROFILE_NONE) {
				struct cfg_pos p = pos_of_key(ld, off, "profile", false);
				warning_at(ld, &p, "actor \"%s\" runs without a seccomp filter (\"profile\": \"none\"): any system call is allowed",
					   a->name ? a->name : "?");
			}
		} else {
			ok = false;
		}
	}
	if ((v = json_object_get(o, "on_violation"))) {
		if (get_word(ld, v, off, "on_violation", sb_on_violation_names(), &w))
			a->on_violation = (enum sb_on_violation)w;
		else
			ok = false;
	}
	if ((v = json_object_get(o, "allow")) &&
	    !(get_strings(ld, v, off, "allow", "system calls or @groups", &a->allow, &a->nallow) &&
	      check_syscalls(ld, a->allow, off, "allow")))
		ok = false;
	if ((v = json_object_get(o, "deny")) &&
	    !(get_strings(ld, v, off, "deny", "system calls or @groups", &a->deny, &a->ndeny) &&
	      check_syscalls(ld, a->deny, off, "deny")))
		ok = false;
	for (size_t i = 0; ok && i < a->nallow; i++) {
		if (a->allow[i][0] != '@' && sb_syscall_is_privileged(a->allow[i])) {
			struct cfg_pos p = pos_of_index(ld, value_off(ld, off, "allow"), i);
			warning_at(ld, &p, "\"allow\": \"%s\" reaches past the actor; no shipped profile allows it",
				   a->allow[i]);
		}
	}
	if (ok) {
		/* what is left: deny of a start-up syscall, allow/deny under "none" */
		struct sb_policy pol;
		char msg[512];

		if (cfg_actor_policy(a, &pol, msg, sizeof msg) < 0) {
			struct cfg_pos p = pos_of_key(ld, obj, "sandbox", false);
			if (errno == ENOMEM)
				ld->oom = true;
			else
				error_at(ld, &p, "\"sandbox\": %s", msg);
			return false;
		}
		sb_policy_free(&pol);
	}
	return ok;
}

static bool get_limits(struct loader *ld, struct cfg_actor *a, json_t *o, size_t obj)
{
	size_t off = value_off(ld, obj, "limits");
	const char *k;
	json_t *v;
	bool ok = true;

	if (!json_is_object(o)) {
		struct cfg_pos p = pos_of_key(ld, obj, "limits", false);
		error_at(ld, &p, "\"limits\": expected an object {\"nofile\": 1024, \"core\": 0, ...}, got %s",
			 type_name(o));
		return false;
	}
	if (!(a->limits = calloc(json_object_size(o) + 1, sizeof *a->limits))) {
		ld->oom = true;
		return false;
	}
	json_object_foreach(o, k, v) {
		struct sb_rlimit lim;
		char msg[256];
		const char *hint;

		if (sb_rlimit_resource(k) < 0 && errno == ENOENT) {
			const char *const *names = sb_rlimit_names();
			struct cfg_pos p = pos_of_key(ld, off, k, true);

			if ((hint = dym_closest(k, names, count_words(names))))
				error_at(ld, &p, "\"limits\": unknown limit \"%s\" (did you mean \"%s\"?)", k, hint);
			else
				error_at(ld, &p, "\"limits\": unknown limit \"%s\"", k);
			ok = false;
			continue;
		}
		if (!json_is_integer(v) && !json_is_string(v)) {
			struct cfg_pos p = pos_of_key(ld, off, k, false);
			error_at(ld, &p, "\"limits\": \"%s\": expected a number >= 0 or \"infinity\", got %s",
				 k, type_name(v));
			ok = false;
			continue;
		}
		if (sb_rlimit_parse(k, json_string_value(v), json_is_integer(v) ? json_integer_value(v) : 0,
				    &lim, msg, sizeof msg) < 0) {
			struct cfg_pos p = pos_of_key(ld, off, k, false);
			error_at(ld, &p, "\"limits\": %s", msg);
			ok = false;
			continue;
		}
		a->limits[a->nlimits++] = lim;
	}
	return ok;
}

static bool get_read_only(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	struct sb_ns ns;
	char msg[512];

	if (!get_strings(ld, v, obj, "read_only", "absolute paths", &a->read_only, &a->nread_only))
		return false;
	ns = (struct sb_ns){ .private_tmp = a->private_tmp,
			     .read_only = (const char *const *)a->read_only, .nread_only = a->nread_only };
	if (sb_ns_check(&ns, msg, sizeof msg) < 0) {
		struct cfg_pos p = pos_of_key(ld, obj, "read_only", false);
		error_at(ld, &p, "%s", msg);
		return false;
	}
	return true;
}

static bool get_user(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	struct cfg_pos p = pos_of_key(ld, obj, "user", false);
	char msg[256];

	if (!json_is_string(v) || !*json_string_value(v)) {
		error_at(ld, &p, "\"user\": expected a user name (a non-empty string), got %s",
			 json_is_string(v) ? "an empty string" : type_name(v));
		return false;
	}
	if (!(a->user = strdup(json_string_value(v)))) {
		ld->oom = true;
		return false;
	}
	if (sb_user_lookup(a->user, &a->uid, &a->gid, &a->groups, &a->ngroups, msg, sizeof msg) < 0) {
		if (errno == ENOMEM)
			ld->oom = true;
		else
			error_at(ld, &p, "\"user\": %s", msg);
		return false;
	}
	return true;
}

/* The capability nearest to a misspelt NAME, written as "CAP_NET_RAW". */
static bool cap_hint(const char *name, char *out, size_t len)
{
	char word[64];
	size_t n;
	char **names = sb_cap_names(&n);
	const char *hint;
	bool found;

	sb_cap_spelling(name, word, sizeof word);
	if ((found = (hint = dym_closest(word, (const char *const *)names, n)) != NULL))
		snprintf(out, len, "%s", hint);
	sb_names_free(names);
	return found;
}

static bool get_capabilities(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	size_t n = 0, arr = value_off(ld, obj, "capabilities");
	char msg[256];
	bool ok = true;

	if (!get_strings(ld, v, obj, "capabilities", "capability names", &a->capabilities, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		uint64_t bit;

		if (sb_caps_parse((const char *const *)&a->capabilities[i], 1, &bit, msg, sizeof msg) < 0) {
			struct cfg_pos p = pos_of_index(ld, arr, i);
			char hint[64];

			if (cap_hint(a->capabilities[i], hint, sizeof hint))
				error_at(ld, &p, "\"capabilities\"[%zu]: %s (did you mean \"%s\"?)", i, msg, hint);
			else
				error_at(ld, &p, "\"capabilities\"[%zu]: %s", i, msg);
			ok = false;
			continue;
		}
		a->keep_caps |= bit;
	}
	return ok;
}

static bool get_secrets(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	size_t arr = value_off(ld, obj, "secrets");
	bool ok = true;

	if (!get_strings(ld, v, obj, "secrets", "secret names", &a->secrets, &a->nsecrets))
		return false;
	for (size_t i = 0; i < a->nsecrets; i++) {
		struct cfg_pos p = pos_of_index(ld, arr, i);

		if (!sb_secret_name_valid(a->secrets[i])) {
			error_at(ld, &p, "\"secrets\"[%zu]: invalid secret name \"%s\": use a letter or '_', then up to %d letters, digits, '_', '.' or '-'",
				 i, a->secrets[i], SB_SECRET_NAME_MAX - 1);
			ok = false;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->secrets[i], a->secrets[j]) == 0) {
				error_at(ld, &p, "\"secrets\"[%zu]: \"%s\" is already listed", i, a->secrets[i]);
				ok = false;
			}
	}
	return ok;
}

/* The confinement keys of an actor, after its other keys. */
static void get_confinement(struct loader *ld, struct cfg_actor *a, json_t *o, size_t off)
{
	json_t *v;

	if ((v = json_object_get(o, "sandbox")))
		get_sandbox(ld, a, v, off);
	if ((v = json_object_get(o, "limits")))
		get_limits(ld, a, v, off);
	if ((v = json_object_get(o, "private_tmp")))
		get_bool(ld, v, off, "private_tmp", &a->private_tmp);
	if ((v = json_object_get(o, "private_network")))
		get_bool(ld, v, off, "private_network", &a->private_network);
	if ((v = json_object_get(o, "read_only")))
		get_read_only(ld, a, v, off);
	if ((v = json_object_get(o, "user")))
		get_user(ld, a, v, off);
	if ((v = json_object_get(o, "capabilities")))
		get_capabilities(ld, a, v, off);
	if ((v = json_object_get(o, "secrets")))
		get_secrets(ld, a, v, off);
	if ((v = json_object_get(o, "secrets_env")) && get_bool(ld, v, off, "secrets_env", &a->secrets_env) &&
	    a->secrets_env) {
		struct cfg_pos p = pos_of_key(ld, off, "secrets_env", false);
		warning_at(ld, &p, "actor \"%s\" gets its secrets in the environment too (\"secrets_env\": true): every process it starts inherits them",
			   a->name ? a->name : "?");
	}
}

/* --- bindings --- */

/* Binding names become fd names in PROSPERO_FDNAMES, where "control" and
 * "serve" are taken: upper case keeps them apart, as env names are. */
static bool binding_name_valid(const char *s)
{
	size_t n = 0;

	if (!(*s >= 'A' && *s <= 'Z'))
		return false;
	for (; s[n]; n++)
		if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return false;
	return n <= CFG_MAX_NAME;
}

static bool get_bindings(struct loader *ld, struct cfg_actor *a, json_t *o, size_t obj)
{
	const char *k;
	json_t *v;
	bool ok = true;

	if (!json_is_object(o)) {
		struct cfg_pos p = pos_of_key(ld, obj, "bindings", false);
		error_at(ld, &p, "\"bindings\": expected an object {\"NAME\": \"actor\", ...}, got %s", type_name(o));
		return false;
	}
	if (!(a->bindings = calloc(json_object_size(o) + 1, sizeof *a->bindings))) {
		ld->oom = true;
		return false;
	}
	json_object_foreach(o, k, v) {
		struct jsonc_step path[2] = { { .key = "bindings" }, { .key = k } };
		struct cfg_binding *b;
		size_t off = obj;

		if (!binding_name_valid(k)) {
			jsonc_locate(ld->src.text, ld->src.len, obj, path, 2, true, &off);
			struct cfg_pos p = pos_of(ld, off);
			error_at(ld, &p, "\"bindings\": invalid binding name \"%s\": use an upper-case letter, then up to %d upper-case letters, digits or '_' (like an environment variable)",
				 k, CFG_MAX_NAME - 1);
			ok = false;
			continue;
		}
		jsonc_locate(ld->src.text, ld->src.len, obj, path, 2, false, &off);
		if (!json_is_string(v)) {
			struct cfg_pos p = pos_of(ld, off);
			error_at(ld, &p, "\"bindings\": \"%s\": expected the name of an actor (a string), got %s",
				 k, type_name(v));
			ok = false;
			continue;
		}
		b = &a->bindings[a->nbindings];
		b->pos = pos_of(ld, off);
		if (!(b->name = strdup(k)) || !(b->service_name = strdup(json_string_value(v)))) {
			free(b->name);
			ld->oom = true;
			return false;
		}
		a->nbindings++;
	}
	return ok;
}

static size_t parse_actor(struct loader *ld, json_t *o, size_t off)
{
	struct cfg_actor *a = new_actor(ld);
	json_t *v;
	long n;
	int w;

	if (!a)
		return SIZE_MAX;
	/* errors are counted in the diagnostics; read on to report them all */
	check_keys(ld, o, off, &actor_keyset);
	get_name(ld, json_object_get(o, "actor"), off, "actor", &a->name);
	a->pos = pos_of_key(ld, off, "actor", true);
	if ((v = json_object_get(o, "exec")))
		get_exec(ld, a, v, off);
	else
		error_at(ld, &a->pos, "actor \"%s\" has no \"exec\": say what to run, e.g. \"exec\": [\"./%s\"]",
			 a->name ? a->name : "?", a->name ? a->name : "program");
	if ((v = json_object_get(o, "restart")) && get_word(ld, v, off, "restart", sv_restart_names(), &w))
		a->restart = (enum sv_restart)w;
	if ((v = json_object_get(o, "shutdown")))
		get_shutdown(ld, v, off, &a->shutdown_ms);
	if ((v = json_object_get(o, "ready")) && get_word(ld, v, off, "ready", sv_ready_names(), &w))
		a->ready = (enum sv_ready)w;
	if ((v = json_object_get(o, "start_timeout")) &&
	    get_int(ld, v, off, "start_timeout", 1, MAX_TIMEOUT_MS, &n))
		a->start_timeout_ms = n;
	if ((v = json_object_get(o, "instances")) && get_int(ld, v, off, "instances", 1, CFG_MAX_INSTANCES, &n))
		a->instances = (unsigned)n;
	if ((v = json_object_get(o, "env")))
		get_env(ld, a, v, off);
	if ((v = json_object_get(o, "cwd")))
		get_cwd(ld, a, v, off);
	else if (!(a->cwd = strdup(ld->src.dir)))
		ld->oom = true;
	get_confinement(ld, a, o, off);
	if ((v = json_object_get(o, "bindings")))
		get_bindings(ld, a, v, off);
	if ((v = json_object_get(o, "watchdog")) && get_int(ld, v, off, "watchdog", 1, MAX_TIMEOUT_MS, &n))
		a->watchdog_ms = n;
	return a->name ? add_def(ld, a->name, false, a, a->pos) : SIZE_MAX;
}

/* A string child: resolved once every file is read. */
static bool add_ref(struct loader *ld, struct cfg_supervisor *s, size_t self, size_t i, const char *name,
		    struct cfg_pos p)
{
	struct ref *r;

	if (!push((void **)&ld->refs, &ld->nrefs, &ld->caprefs, sizeof *ld->refs))
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
static void link_child(struct loader *ld, size_t d, struct cfg_supervisor *s, size_t self, size_t i,
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
	struct jsonc_step step = { .key = "children" };
	size_t arr = off, *offs, i, d;
	json_t *c;

	if (!(s->children = calloc(json_array_size(v), sizeof *s->children)) ||
	    !(offs = calloc(json_array_size(v), sizeof *offs))) {
		ld->oom = true;
		return;
	}
	s->nchildren = json_array_size(v);
	jsonc_locate(ld->src.text, ld->src.len, off, &step, 1, false, &arr);
	jsonc_elements(ld->src.text, ld->src.len, arr, offs, s->nchildren);
	json_array_foreach(v, i, c) {
		struct cfg_pos p = pos_of(ld, offs[i]);

		if (json_is_string(c)) {
			if (!add_ref(ld, s, self, i, json_string_value(c), p)) {
				ld->oom = true;
				break;
			}
		} else if (json_is_object(c)) {
			if ((d = parse_definition(ld, c, offs[i])) != SIZE_MAX)
				link_child(ld, d, s, self, i, p);
		} else {
			error_at(ld, &p, "\"children\"[%zu]: expected a name or an {\"actor\": ...} or {\"supervisor\": ...} object, got %s",
				 i, type_name(c));
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
	check_keys(ld, o, off, &supervisor_keyset);
	get_name(ld, json_object_get(o, "supervisor"), off, "supervisor", &s->name);
	s->pos = pos_of_key(ld, off, "supervisor", true);
	if ((v = json_object_get(o, "strategy")) && get_word(ld, v, off, "strategy", sv_strategy_names(), &w))
		s->strategy = (enum sv_strategy)w;
	if ((v = json_object_get(o, "intensity")) && get_int(ld, v, off, "intensity", 0, MAX_INTENSITY, &n))
		s->intensity = (unsigned)n;
	if ((v = json_object_get(o, "period")) && get_int(ld, v, off, "period", 1, MAX_PERIOD_S, &n))
		s->period_s = (unsigned)n;
	if ((v = json_object_get(o, "restart")) && get_word(ld, v, off, "restart", sv_restart_names(), &w))
		s->restart = (enum sv_restart)w;
	self = s->name ? add_def(ld, s->name, true, s, s->pos) : SIZE_MAX;

	v = json_object_get(o, "children");
	if (!v) {
		error_at(ld, &s->pos, "supervisor \"%s\" has no \"children\": list the actors and supervisors it runs",
			 s->name ? s->name : "?");
	} else if (!json_is_array(v)) {
		struct cfg_pos p = pos_of_key(ld, off, "children", false);
		error_at(ld, &p, "\"children\": expected an array of names or definitions, got %s", type_name(v));
	} else if (json_array_size(v) > 0) {
		parse_children(ld, s, self, v, off);
	}
	return self;
}

/* An object that defines an actor or a supervisor. Returns its def index,
 * or SIZE_MAX if it cannot be referred to. */
static size_t parse_definition(struct loader *ld, json_t *v, size_t off)
{
	bool sup, act;
	struct cfg_pos p = pos_of(ld, off);

	if (!json_is_object(v)) {
		error_at(ld, &p, "expected an object defining an actor ({\"actor\": NAME, \"exec\": [...]}) or a supervisor ({\"supervisor\": NAME, \"children\": [...]}), got %s",
			 type_name(v));
		return SIZE_MAX;
	}
	sup = json_object_get(v, "supervisor") != NULL;
	act = json_object_get(v, "actor") != NULL;
	if (sup && act) {
		error_at(ld, &p, "an object has both \"supervisor\" and \"actor\": it must be one or the other");
		return SIZE_MAX;
	}
	if (!sup && !act) {
		error_at(ld, &p, "expected \"actor\" or \"supervisor\" to name this definition");
		return SIZE_MAX;
	}
	return sup ? parse_supervisor(ld, v, off) : parse_actor(ld, v, off);
}

/* --- files --- */

static char *read_file(struct loader *ld, const char *file, size_t *len)
{
	FILE *f = fopen(file, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f) {
		struct cfg_pos p = { .file = file };
		error_at(ld, &p, "cannot open: %s", strerror(errno));
		return NULL;
	}
	do {
		if (n == cap) {
			char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap = cap ? cap * 2 : 4096);
			if (!nb) {
				free(buf);
				fclose(f);
				ld->oom = true;
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		struct cfg_pos p = { .file = file };
		error_at(ld, &p, "cannot read: %s", strerror(errno));
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

static char *dir_of(struct loader *ld, const char *file)
{
	char *abs = realpath(file, NULL), *slash;

	if (!abs) {
		ld->oom = errno == ENOMEM;
		return NULL;
	}
	slash = strrchr(abs, '/');
	if (slash == abs)
		slash[1] = '\0';
	else
		*slash = '\0';
	return abs;
}

static void load_file(struct loader *ld, const char *file)
{
	struct jsonc_error jerr;
	json_error_t err;
	json_t *root;
	size_t off = 0;

	ld->src = (struct source){ .file = file };
	if (!(ld->src.text = read_file(ld, file, &ld->src.len)))
		return;
	ld->src.bom = ld->src.len >= 3 && memcmp(ld->src.text, "\xEF\xBB\xBF", 3) == 0;
	if (memchr(ld->src.text, '\0', ld->src.len)) {
		struct cfg_pos p = pos_of(ld, (size_t)((char *)memchr(ld->src.text, '\0', ld->src.len) - ld->src.text));
		error_at(ld, &p, "a NUL byte: this is not a text file");
	} else if (jsonc_strip(ld->src.text, ld->src.len, &jerr) < 0) {
		struct cfg_pos p = pos_of(ld, jerr.off);
		error_at(ld, &p, "%s", jerr.what);
	} else if (!(root = json_loadb(ld->src.text, ld->src.len, JSON_REJECT_DUPLICATES, &err))) {
		/* jansson's position is just past the offending token */
		struct cfg_pos p = { .file = file, .line = (unsigned)(err.line > 0 ? err.line : 1),
				     .col = (unsigned)(err.column > 0 ? err.column : 1) };
		error_at(ld, &p, "%s", err.text);
	} else {
		if (!(ld->src.dir = dir_of(ld, file))) {
			struct cfg_pos p = { .file = file };
			error_at(ld, &p, "cannot resolve its directory: %s", strerror(errno));
		} else {
			while (off < ld->src.len && strchr(" \t\r\n", ld->src.text[off]))
				off++;
			parse_definition(ld, root, off);
		}
		json_decref(root);
	}
	free(ld->src.text);
	free(ld->src.dir);
	ld->src = (struct source){ 0 };
}

/* --- the tree --- */

static int by_name(const void *a, const void *b, void *ctx)
{
	const struct def *defs = ((const struct loader *)ctx)->defs;
	const struct def *x = &defs[*(const size_t *)a], *y = &defs[*(const size_t *)b];
	int c = strcmp(x->name, y->name);

	/* equal names keep definition order, so the first is the original */
	return c ? c : (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
}

static size_t find(const struct loader *ld, const size_t *sorted, const char *name)
{
	size_t lo = 0, hi = ld->ndefs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ld->defs[sorted[mid]].name, name);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ld->ndefs && strcmp(ld->defs[sorted[lo]].name, name) == 0 ? sorted[lo] : SIZE_MAX;
}

static void undefined(struct loader *ld, const struct ref *r)
{
	const char **names = malloc(ld->ndefs * sizeof *names);
	const char *hint = NULL;

	if (names) {
		for (size_t i = 0; i < ld->ndefs; i++)
			names[i] = ld->defs[i].name;
		hint = dym_closest(r->name, names, ld->ndefs);
	}
	if (hint)
		error_at(ld, &r->pos, "\"%s\" is not defined (did you mean \"%s\"?)", r->name, hint);
	else
		error_at(ld, &r->pos, "\"%s\" is not defined: no file given defines an actor or supervisor of that name; pass the file that defines it with -c",
			 r->name);
	free(names);
}

static void resolve_refs(struct loader *ld, const size_t *sorted)
{
	for (size_t i = 0; i < ld->nrefs; i++) {
		struct ref *r = &ld->refs[i];
		size_t d = find(ld, sorted, r->name);
		struct def *def;

		if (d == SIZE_MAX) {
			undefined(ld, r);
			continue;
		}
		def = &ld->defs[d];
		if (def->parent) {
			error_at(ld, &r->pos, "\"%s\" is already a child of \"%s\" at %s:%u:%u: an actor or supervisor has one place in the tree",
				 r->name, def->parent->name ? def->parent->name : "?", def->named_at.file, def->named_at.line,
				 def->named_at.col);
			continue;
		}
		link_child(ld, d, r->sup, r->sup_def, r->child, r->pos);
	}
}

/* Each definition has at most one parent, so a cycle is a parent chain
 * that comes back to where it began. Report each cycle once, from its
 * first definition. */
static bool in_cycle(const struct loader *ld, size_t d)
{
	size_t cur = ld->defs[d].parent_def;

	for (size_t steps = 0; cur != SIZE_MAX && steps <= ld->ndefs; steps++) {
		if (cur == d)
			return true;
		cur = ld->defs[cur].parent_def;
	}
	return false;
}

static void report_cycle(struct loader *ld, size_t d)
{
	char *chain = NULL, *next;
	size_t cur = d;

	/* walk upwards (child → parent) and print downwards (parent → child) */
	do {
		if (asprintf(&next, "\"%s\"%s%s", ld->defs[cur].name, chain ? " → " : "", chain ? chain : "") < 0) {
			ld->oom = true;
			free(chain);
			return;
		}
		free(chain);
		chain = next;
		cur = ld->defs[cur].parent_def;
	} while (cur != d);
	error_at(ld, &ld->defs[d].named_at, "cycle: \"%s\" → %s: a supervisor cannot contain itself",
		 ld->defs[d].name, chain);
	free(chain);
}

static void check_shape(struct loader *ld)
{
	bool *cyclic = calloc(ld->ndefs ? ld->ndefs : 1, sizeof *cyclic);
	size_t root = SIZE_MAX;

	if (!cyclic) {
		ld->oom = true;
		return;
	}
	for (size_t d = 0; d < ld->ndefs; d++) {
		if (!ld->defs[d].is_sup || cyclic[d] || !in_cycle(ld, d))
			continue;
		for (size_t c = d; !cyclic[c]; c = ld->defs[c].parent_def)
			cyclic[c] = true;
		report_cycle(ld, d);
	}
	for (size_t d = 0; d < ld->ndefs; d++) {
		struct def *def = &ld->defs[d];

		if (def->parent || cyclic[d] || def->duplicate)
			continue;
		if (!def->is_sup) {
			warning_at(ld, &def->pos, "actor \"%s\" is defined but no supervisor names it as a child; it will not run",
				   def->name);
		} else if (root == SIZE_MAX) {
			root = d;
		} else {
			error_at(ld, &def->pos, "supervisor \"%s\" is not in the tree: no supervisor names it as a child, and \"%s\" (%s:%u:%u) is already the root",
				 def->name, ld->defs[root].name, ld->defs[root].pos.file,
				 ld->defs[root].pos.line, ld->defs[root].pos.col);
		}
	}
	free(cyclic);
	if (root != SIZE_MAX) {
		ld->cfg->root = ld->defs[root].u.s;
	} else if (ld->diag->nerrors == 0) {
		struct cfg_pos p = { .file = ld->cfg->files[0], .line = 1, .col = 1 };
		error_at(ld, &p, "no root supervisor: define one, e.g. {\"supervisor\": \"main\", \"children\": [...]}");
	}
}

/* --- bindings, once the tree is known --- */

/* Depth first, in declaration order: the order the daemon starts actors in. */
static void number_actors(struct cfg_supervisor *s, uint32_t *next, unsigned depth)
{
	if (depth > 4096)
		return;
	for (size_t i = 0; i < s->nchildren; i++) {
		struct cfg_child *c = &s->children[i];

		if (c->kind == CFG_CHILD_SUPERVISOR && c->u.sup)
			number_actors(c->u.sup, next, depth + 1);
		else if (c->kind == CFG_CHILD_ACTOR && c->u.actor && c->u.actor->order == CFG_NOT_IN_TREE)
			c->u.actor->order = (*next)++;
	}
}

static void binding_undefined(struct loader *ld, const struct cfg_binding *b)
{
	const char **names = malloc((ld->cfg->nactors ? ld->cfg->nactors : 1) * sizeof *names);
	const char *hint = NULL;
	size_t n = 0;

	if (names) {
		for (size_t i = 0; i < ld->cfg->nactors; i++)
			if (ld->cfg->actors[i]->name)
				names[n++] = ld->cfg->actors[i]->name;
		hint = dym_closest(b->service_name, names, n);
	}
	if (hint)
		error_at(ld, &b->pos, "\"bindings\": \"%s\": actor \"%s\" is not defined (did you mean \"%s\"?)",
			 b->name, b->service_name, hint);
	else
		error_at(ld, &b->pos, "\"bindings\": \"%s\": actor \"%s\" is not defined: no file given defines it; pass the file that defines it with -c",
			 b->name, b->service_name);
	free(names);
}

static void resolve_bindings(struct loader *ld, const size_t *sorted)
{
	for (size_t i = 0; i < ld->cfg->nactors; i++) {
		struct cfg_actor *a = ld->cfg->actors[i];

		for (size_t j = 0; j < a->nbindings; j++) {
			struct cfg_binding *b = &a->bindings[j];
			size_t d = find(ld, sorted, b->service_name);

			if (d == SIZE_MAX) {
				binding_undefined(ld, b);
			} else if (ld->defs[d].is_sup) {
				error_at(ld, &b->pos, "\"bindings\": \"%s\": \"%s\" is a supervisor: a binding names the actor that serves it",
					 b->name, b->service_name);
			} else if (ld->defs[d].u.a == a) {
				error_at(ld, &b->pos, "\"bindings\": \"%s\": actor \"%s\" cannot bind to itself",
					 b->name, a->name);
			} else if (a->order != CFG_NOT_IN_TREE && ld->defs[d].u.a->order == CFG_NOT_IN_TREE) {
				error_at(ld, &b->pos, "\"bindings\": \"%s\": actor \"%s\" is not in the tree (no supervisor names it), so nothing would serve this binding",
					 b->name, b->service_name);
			} else {
				b->service = ld->defs[d].u.a;
			}
		}
	}
}

enum { WHITE, GRAY, BLACK };

struct cycle_walk {
	struct loader *ld;
	unsigned char *color;		/* by actor id */
	bool *cyclic;			/* by actor id: in a reported cycle */
	struct cfg_actor **stack;
	size_t depth;
};

static void report_binding_cycle(struct cycle_walk *w, const struct cfg_actor *from, size_t j)
{
	const struct cfg_actor *to = from->bindings[j].service;
	char *chain = NULL, *next;
	size_t k = w->depth;

	while (k > 0 && w->stack[k - 1] != to)
		k--;
	for (k = k - 1; k < w->depth; k++) {
		w->cyclic[w->stack[k]->id] = true;
		if (asprintf(&next, "%s\"%s\" → ", chain ? chain : "", w->stack[k]->name) < 0) {
			free(chain);
			w->ld->oom = true;
			return;
		}
		free(chain);
		chain = next;
	}
	error_at(w->ld, &from->bindings[j].pos,
		 "binding cycle %s\"%s\" among actors with \"ready\": \"notify\": each waits for the next before it is ready, so no start order works; make one of them \"ready\": \"exec\"",
		 chain, to->name);
	free(chain);
}

/* Edges run from a notify client to its services: the services must start
 * first, since the client's start is not over until READY=1 and it may
 * call them before. A cycle of such edges has no start order. */
static void walk_bindings(struct cycle_walk *w, struct cfg_actor *a)
{
	w->color[a->id] = GRAY;
	w->stack[w->depth++] = a;
	for (size_t j = 0; a->ready == SV_READY_NOTIFY && j < a->nbindings; j++) {
		struct cfg_actor *s = a->bindings[j].service;

		if (!s)
			continue;
		if (w->color[s->id] == GRAY)
			report_binding_cycle(w, a, j);
		else if (w->color[s->id] == WHITE)
			walk_bindings(w, s);
	}
	w->depth--;
	w->color[a->id] = BLACK;
}

static void check_bindings(struct loader *ld, const size_t *sorted)
{
	size_t n = ld->cfg->nactors;
	struct cycle_walk w = { .ld = ld };
	uint32_t next = 0;

	if (ld->cfg->root)
		number_actors(ld->cfg->root, &next, 0);
	resolve_bindings(ld, sorted);
	w.color = calloc(n ? n : 1, sizeof *w.color);
	w.cyclic = calloc(n ? n : 1, sizeof *w.cyclic);
	w.stack = calloc(n ? n : 1, sizeof *w.stack);
	if (!w.color || !w.cyclic || !w.stack) {
		ld->oom = true;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (w.color[i] == WHITE)
			walk_bindings(&w, ld->cfg->actors[i]);
	/* not a cycle, only the order: a warning, since declaring the
	 * service first is enough */
	for (size_t i = 0; i < n; i++) {
		const struct cfg_actor *a = ld->cfg->actors[i];

		if (a->ready != SV_READY_NOTIFY || a->order == CFG_NOT_IN_TREE || w.cyclic[i])
			continue;
		for (size_t j = 0; j < a->nbindings; j++) {
			const struct cfg_binding *b = &a->bindings[j];

			if (b->service && b->service->order > a->order)
				warning_at(ld, &b->pos, "\"bindings\": \"%s\": \"%s\" starts after \"%s\", which is \"ready\": \"notify\": a call to it before READY=1 would wait until the start timeout; declare \"%s\" first",
					   b->name, b->service_name, a->name, b->service_name);
		}
	}
out:
	free(w.color);
	free(w.cyclic);
	free(w.stack);
}

static void build(struct loader *ld)
{
	size_t *sorted;

	if (!(sorted = malloc((ld->ndefs ? ld->ndefs : 1) * sizeof *sorted))) {
		ld->oom = true;
		return;
	}
	for (size_t i = 0; i < ld->ndefs; i++)
		sorted[i] = i;
	qsort_r(sorted, ld->ndefs, sizeof *sorted, by_name, ld);
	for (size_t i = 1; i < ld->ndefs; i++) {
		const struct def *first = &ld->defs[sorted[i - 1]], *dup = &ld->defs[sorted[i]];
		size_t j = i;

		if (strcmp(first->name, dup->name) != 0)
			continue;
		while (j > 0 && strcmp(ld->defs[sorted[j - 1]].name, dup->name) == 0)
			j--;
		first = &ld->defs[sorted[j]];
		ld->defs[sorted[i]].duplicate = true;
		error_at(ld, &dup->pos, "duplicate name \"%s\": already defined at %s:%u:%u; names are unique across the tree",
			 dup->name, first->pos.file, first->pos.line, first->pos.col);
	}
	resolve_refs(ld, sorted);
	check_shape(ld);
	check_bindings(ld, sorted);
	free(sorted);
}

struct cfg *cfg_load(char *const *files, size_t nfiles, struct cfg_diag *diag)
{
	struct loader ld = { .diag = diag };
	struct cfg *cfg;

	*diag = (struct cfg_diag){ 0 };
	if (!(cfg = ld.cfg = calloc(1, sizeof *cfg)) || !(cfg->files = calloc(nfiles + 1, sizeof *cfg->files))) {
		free(cfg);
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < nfiles && !ld.oom; i++) {
		if (!(cfg->files[i] = strdup(files[i])))
			ld.oom = true;
		else
			cfg->nfiles++;
	}
	for (size_t i = 0; i < cfg->nfiles && !ld.oom; i++)
		load_file(&ld, cfg->files[i]);
	if (!ld.oom && cfg->nfiles > 0)
		build(&ld);
	for (size_t i = 0; i < ld.nrefs; i++)
		free(ld.refs[i].name);
	free(ld.refs);
	free(ld.defs);
	if (ld.oom || diag->nerrors > 0 || !cfg->root) {
		cfg_free(cfg);
		if (ld.oom) {
			cfg_diag_free(diag);
			errno = ENOMEM;
		}
		return NULL;
	}
	return cfg;
}

void cfg_free(struct cfg *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nactors; i++) {
		struct cfg_actor *a = cfg->actors[i];
		free(a->name);
		free_strv(a->argv);
		free(a->path);
		free_strv(a->env);
		free(a->cwd);
		free_strv(a->allow);
		free_strv(a->deny);
		free(a->limits);
		free_strv(a->read_only);
		free(a->user);
		free(a->groups);
		free_strv(a->capabilities);
		free_strv(a->secrets);
		for (size_t j = 0; j < a->nbindings; j++) {
			free(a->bindings[j].name);
			free(a->bindings[j].service_name);
		}
		free(a->bindings);
		free(a);
	}
	for (size_t i = 0; i < cfg->nsups; i++) {
		free(cfg->sups[i]->name);
		free(cfg->sups[i]->children);
		free(cfg->sups[i]);
	}
	for (size_t i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->actors);
	free(cfg->sups);
	free(cfg->files);
	free(cfg);
}

void cfg_diag_free(struct cfg_diag *diag)
{
	for (size_t i = 0; i < diag->n; i++)
		free(diag->lines[i]);
	free(diag->lines);
	*diag = (struct cfg_diag){ 0 };
}

int cfg_actor_policy(const struct cfg_actor *a, struct sb_policy *out, char *errmsg, size_t errlen)
{
	struct sb_spec spec = {
		.profile = a->profile, .on_violation = a->on_violation,
		.allow = (const char *const *)a->allow, .nallow = a->nallow,
		.deny = (const char *const *)a->deny, .ndeny = a->ndeny,
	};

	return sb_policy_resolve(&spec, out, errmsg, errlen);
}
