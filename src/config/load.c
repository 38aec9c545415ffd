/* Config: JSONC files → one validated tree.
 *
 * Three passes, so that every error in every file is reported at once:
 *   1. each file is read, stripped to JSON (same byte offsets), parsed by
 *      jansson and walked; every definition, inline or top-level, goes
 *      into one table, and every string child becomes a pending reference;
 *   2. names are sorted, duplicates reported, references resolved;
 *   3. the shape is checked: each definition named at most once, no
 *      cycles, exactly one root. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/config/diag.h"
#include "src/config/json_oom.h"
#include "src/config/jsonc.h"
#include "src/config/lines.h"
#include "src/config/loader.h"

/* Room for one more element in *ARR, doubling; false if memory ran out. */
bool ld_push(void **arr, size_t *n, size_t *cap, size_t size)
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

/* A new zeroed element of SIZE bytes at the end of the table of pointers
 * *ARR; NULL if memory ran out. */
void *ld_append(struct loader *ld, void ***arr, size_t *n, size_t *cap, size_t size)
{
	void *p;

	if (!ld_push((void **)arr, n, cap, sizeof **arr) || !(p = calloc(1, size))) {
		ld->oom = true;
		return NULL;
	}
	(*arr)[(*n)++] = p;
	return p;
}

size_t ld_add_def(struct loader *ld, const char *name, bool is_sup, void *p, struct cfg_pos pos)
{
	struct def *d;

	if (!ld_push((void **)&ld->defs, &ld->ndefs, &ld->capdefs, sizeof *ld->defs)) {
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

/* What a file that is not a regular file is, for the error. */
static const char *kind_of(mode_t mode)
{
	return S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a FIFO" : S_ISSOCK(mode) ? "a socket" :
	       "a device";
}

/* Far more than any tree needs; a log or a sparse file given by mistake
 * would otherwise hold the daemon's loop at a reload while it read
 * gigabytes, and could exhaust its memory. */
#define CONFIG_MAX ((size_t)16 << 20)
#define CONFIG_TOO_LARGE "cannot read: larger than 16 MiB, which no config needs"

static char *read_file(struct loader *ld, const char *file, size_t *len)
{
	/* O_NONBLOCK: a FIFO put in a config's place must not stop the
	 * daemon's loop at a reload, waiting for a writer */
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK), open_errno = errno;
	struct cfg_pos p = { .file = file };
	FILE *f = NULL;
	struct stat st;
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	/* open() refuses a socket (ENXIO) before fstat could say what it is */
	if (fd < 0 && open_errno == ENXIO && stat(file, &st) == 0 && S_ISSOCK(st.st_mode)) {
		ld_error(ld, &p, "cannot read: %s, not a regular file", kind_of(st.st_mode));
		return NULL;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		int err = fd < 0 ? open_errno : errno;
		const char *note = err == EMFILE ? ld->emfile_note : NULL;

		ld_error(ld, &p, "cannot open: %s%s%s%s", strerror(err), note ? " (" : "", note ? note : "",
			 note ? ")" : "");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {	/* a device or a FIFO may never end */
		ld_error(ld, &p, "cannot read: %s, not a regular file", kind_of(st.st_mode));
		close(fd);
		return NULL;
	}
	if ((unsigned long long)st.st_size > CONFIG_MAX) {
		ld_error(ld, &p, CONFIG_TOO_LARGE);
		close(fd);
		return NULL;
	}
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		ld->oom = true;
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
	} while (got > 0 && n <= CONFIG_MAX);
	if (n > CONFIG_MAX) {	/* it grew after fstat */
		ld_error(ld, &p, CONFIG_TOO_LARGE);
		free(buf);
		buf = NULL;
	} else if (ferror(f)) {
		ld_error(ld, &p, "cannot read: %s", strerror(errno));
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

/* The text as it will stay: as read when it holds a NUL (reported, not
 * parsed), else stripped to JSON; positions are indexed over a copy as
 * read, since a comment is blanked byte by byte and "é" in one is still
 * one column. 0, or -1 once reported. */
static int prepare(struct loader *ld)
{
	struct source *src = &ld->src;
	/* an editor shows no column for a byte order mark */
	size_t skip = src->bom = src->len >= 3 && memcmp(src->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	const char *nul = memchr(src->text, '\0', src->len);
	struct jsonc_error jerr;
	struct cfg_pos p;
	int rc;

	if (!(src->orig = malloc(src->len ? src->len : 1)) ||
	    lines_index(&src->lines, memcpy(src->orig, src->text, src->len), src->len, skip) < 0) {
		ld->oom = true;
		return -1;
	}
	rc = nul ? -1 : jsonc_strip(src->text, src->len, &jerr);
	if (nul) {
		p = ld_pos(ld, (size_t)(nul - src->text));
		ld_error(ld, &p, "a NUL byte: this is not a text file");
	} else if (rc < 0) {
		p = ld_pos(ld, jerr.off);
		ld_error(ld, &p, "%s", jerr.what);
	}
	return rc;
}

/* The start of the string or bare word that ends at POS in T: from the
 * start of POS's line, where no string begins (a JSON string holds no
 * newline, and comments are blanked). */
static size_t token_start(const char *t, size_t pos)
{
	size_t i = pos, at;
	bool in = false, esc = false;

	while (i > 0 && t[i - 1] != '\n')
		i--;
	for (at = i; i < pos; i++) {
		if (in) {
			if (esc)
				esc = false;
			else if (t[i] == '\\')
				esc = true;
			else if (t[i] == '"')
				in = false;
		} else if (t[i] == '"') {
			in = true;
			at = i;
		} else if (strchr(" \t\r{}[],:", t[i])) {
			at = i + 1;
		}
	}
	return at;
}

/* jansson's error with the token it stopped at, quoted as it quotes one
 * of up to 20 bytes ("... near 'TOKEN'") and for a longer one does not,
 * and where that token begins; its position is just past the token (for
 * "near end of file", the end of the text). */
struct syntax_error {
	char text[JSON_ERROR_TEXT_LENGTH + 96];
	size_t off;
};

/* Messages that are said of a token: jansson stops just past it */
static bool names_a_token(const char *text)
{
	static const char *const kinds[] = {
		"duplicate object key", "too big integer", "too big negative integer", "real number overflow",
		"invalid escape", "\\u0000 is not allowed", "invalid Unicode", "invalid token", "control character",
	};

	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (strncmp(text, kinds[i], strlen(kinds[i])) == 0)
			return true;
	return false;
}

static void syntax_error(const json_error_t *err, const char *t, size_t len, struct syntax_error *e)
{
	const char *near = strstr(err->text, " near '");
	size_t pos = err->position > 0 ? (size_t)err->position : 0, n;

	if (pos > len)
		pos = len;	/* it may count the end it read */
	snprintf(e->text, sizeof e->text, "%s", err->text);
	if (near) {
		n = strlen(near + strlen(" near '"));
		e->off = n > 0 && near[strlen(" near '") + n - 1] == '\'' && n - 1 <= pos ? pos - (n - 1)
			 : pos > 0 ? pos - 1 : 0;
	} else if (strstr(err->text, " near end of file")) {
		e->off = len;
	} else if (names_a_token(err->text)) {
		e->off = token_start(t, pos);
		n = pos - e->off;
		snprintf(e->text, sizeof e->text, "%s near '%.*s%s'", err->text, n > 80 ? 77 : (int)n, t + e->off,
			 n > 80 ? "..." : "");
	} else {
		e->off = pos;
	}
}

/* The offset of the first byte of T (LEN bytes) that is not JSON space. */
static size_t space_to(const char *t, size_t len)
{
	size_t i = 0;

	while (i < len && strchr(" \t\r\n", t[i]) && t[i])
		i++;
	return i;
}

json_t *ld_open_source(struct loader *ld, const char *file, size_t *off, const char *want)
{
	struct json_oom_watch w;
	json_error_t err;
	json_t *root;

	ld->src = (struct source){ .file = file };
	if (!(ld->src.text = read_file(ld, file, &ld->src.len)) || prepare(ld) < 0)
		return NULL;
	if (space_to(ld->src.text, ld->src.len) == ld->src.len) {
		/* jansson would want "'[' or '{'", but an array is no better */
		struct cfg_pos p = ld_pos(ld, ld->src.len);
		size_t bom = ld->src.bom;	/* no comment */
		bool comments = bom + space_to(ld->src.orig + bom, ld->src.len - bom) < ld->src.len;

		ld_error(ld, &p, "%s, got %s", want, comments ? "only comments" : "an empty file");
		return NULL;
	}
	/* any value: one that is not an object is said as the caller says it */
	json_oom_watch(&w);
	root = json_loadb(ld->src.text, ld->src.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	/* memory, not the text: no diagnostic, no tree. Watched, because
	 * jansson (2.14) says a failed allocation in a string is a syntax
	 * error, or says nothing when its lexer's could not be had, or drops
	 * the byte its string buffer could not grow for and parses on; and
	 * not errno, which its lexer sets to 0 before each number */
	if (json_oom_unwatch(&w)) {
		json_decref(root);
		ld->oom = true;
		return NULL;
	}
	if (!root) {
		/* jansson's position is just past the offending token, and its
		 * column counts a byte order mark: the token's start, as every
		 * other diagnostic counts */
		static const char nul[] = "\\u0000 is not allowed without JSON_ALLOW_NUL";
		static const char dup[] = "duplicate object key near '";
		static const char eof[] = "end of file expected";
		static const char utf8[] = "unable to decode byte";
		static const char big[] = "too big integer";
		static const char bigneg[] = "too big negative integer";
		static const char real_big[] = "real number overflow";
		static const char deep[] = "maximum parsing depth reached";
		struct syntax_error e;
		struct cfg_pos p;
		size_t n;

		syntax_error(&err, ld->src.text, ld->src.len, &e);
		p = ld_pos(ld, e.off);
		n = strlen(e.text);
		/* the flag is jansson's, not the user's; and its messages
		 * gain the fix, as every other diagnostic says it */
		if (strncmp(e.text, nul, strlen(nul)) == 0)
			ld_error(ld, &p, "\\u0000 is not allowed in a string%s", e.text + strlen(nul));
		else if (strncmp(e.text, dup, strlen(dup)) == 0 && n > strlen(dup) && e.text[n - 1] == '\'')
			ld_error(ld, &p, "duplicate object key %.*s: give each key once",
				 (int)(n - strlen(dup) - 1), e.text + strlen(dup));
		else if (strncmp(e.text, eof, strlen(eof)) == 0 && strcmp(want, LD_WANT_DEFINITION) == 0)
			ld_error(ld, &p, "%s: a file holds one definition; give another a file of its own",
				 e.text);
		else if (strncmp(e.text, eof, strlen(eof)) == 0)
			ld_error(ld, &p, "%s: a file holds one object", e.text);
		else if (strncmp(e.text, big, strlen(big)) == 0 || strncmp(e.text, bigneg, strlen(bigneg)) == 0 ||
			 strncmp(e.text, real_big, strlen(real_big)) == 0)
			ld_error(ld, &p, "%s: no key takes a number that large", e.text);
		else if (strncmp(e.text, deep, strlen(deep)) == 0)
			ld_error(ld, &p, "%s: arrays and objects nest at most %d deep", e.text,
				 JSON_PARSER_MAX_DEPTH);
		else if (strncmp(e.text, utf8, strlen(utf8)) == 0)
			ld_error(ld, &p, "%s: expected UTF-8 text; save the file as UTF-8", e.text);
		else
			ld_error(ld, &p, "%s", e.text);
		return NULL;
	}
	*off = space_to(ld->src.text, ld->src.len);
	return root;
}

void ld_close_source(struct loader *ld)
{
	lines_free(&ld->src.lines);
	free(ld->src.orig);
	free(ld->src.text);
	free(ld->src.dir);
	ld->src = (struct source){ 0 };
}

static void load_file(struct loader *ld, const char *file)
{
	size_t off;
	json_t *root = ld_open_source(ld, file, &off, LD_WANT_DEFINITION);

	if (root && !(ld->src.dir = dir_of(ld, file))) {
		struct cfg_pos p = { .file = file };
		ld_error(ld, &p, "cannot resolve its directory: %s", strerror(errno));
	} else if (root) {
		ld_parse_definition(ld, root, off);
	} else if (!ld->unloaded) {
		ld->unloaded = file;	/* what it defines is missed for that */
	}
	json_decref(root);
	ld_close_source(ld);
}

struct file_id {
	dev_t dev;
	ino_t ino;
	bool known;
};

/* FILES[I] is a file given before it, under this name or another (a glob
 * that takes in the root again): said, and it is not read twice, where
 * each of its definitions would be a duplicate of itself. */
static bool given_before(struct loader *ld, char *const *files, struct file_id *seen, size_t i)
{
	struct stat st;

	if (stat(files[i], &st) < 0)
		return false;	/* reading it says why */
	seen[i] = (struct file_id){ st.st_dev, st.st_ino, true };
	for (size_t j = 0; j < i; j++)
		if (seen[j].known && seen[j].dev == st.st_dev && seen[j].ino == st.st_ino) {
			struct cfg_pos p = { .file = files[i] };

			ld_warning(ld, &p, "the file is given twice, as %s too: it is read once", files[j]);
			return true;
		}
	return false;
}

struct cfg *cfg_load(char *const *files, size_t nfiles, struct cfg_diag *diag)
{
	return cfg_load_noting(files, nfiles, diag, NULL);
}

struct cfg *cfg_load_noting(char *const *files, size_t nfiles, struct cfg_diag *diag, const char *emfile_note)
{
	struct loader ld = { .diag = diag, .emfile_note = emfile_note };
	struct file_id *seen = NULL;
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
	if (cfg->nfiles > 0 && !(seen = calloc(cfg->nfiles, sizeof *seen)))
		ld.oom = true;
	for (size_t i = 0; i < cfg->nfiles && !ld.oom; i++)
		if (!given_before(&ld, cfg->files, seen, i))
			load_file(&ld, cfg->files[i]);
	free(seen);
	if (!ld.oom && cfg->nfiles > 0)
		ld_build(&ld);
	/* found key by key and pass by pass; said as a compiler says them,
	 * in the order of the files and of their text, or not at all */
	if (cfg_diag_sort(diag, 0, cfg->files, cfg->nfiles) < 0)
		ld.oom = true;
	for (size_t i = 0; i < ld.nrefs; i++)
		free(ld.refs[i].name);
	free(ld.refs);
	free(ld.defs);
	cfg_policy_memo_free(&ld.policies);
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

static void free_strv(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
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
		free(a->limit_pos);
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
		if (a->queue) {
			free(a->queue->consumer_name);
			free(a->queue->dead_letter_name);
			free(a->queue);
		}
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
