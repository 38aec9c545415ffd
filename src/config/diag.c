/* Diagnostics: one line per finding, "FILE:LINE:COL: error: WHAT", and the
 * positions they point at. jansson keeps no positions, so a message finds
 * its value in the text (jsonc_member_at, jsonc_element_at), relative to
 * the object being read. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/diag.h"
#include "src/config/jsonc.h"
#include "src/config/lines.h"
#include "src/config/loader.h"
#include "src/proto/utf8.h"

/* LINE with its control characters, C0, DEL and C1, as JSON writes them
 * ("\n", "\u001b", "\u009b"): a diagnostic is one line, and what a key
 * or name holds must not move a terminal's cursor. LINE itself if it has
 * none, else a new string and LINE freed; NULL if memory ran out. */
static char *escape_controls(char *line)
{
	static const char short_form[] = "\b\f\n\r\t", letter[] = "bfnrt";
	size_t extra = 0, j = 0;
	char *out;

	for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			extra += strchr(short_form, *p) ? 1 : 5;
		else if (pp_utf8_c1(p[0], p[1]))
			extra += 4;	/* two bytes become six */
	}
	if (!extra)
		return line;
	if ((out = malloc(strlen(line) + extra + 1))) {
		for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
			const char *hit = *p < 0x20 ? strchr(short_form, *p) : NULL;

			if (hit)
				j += (size_t)sprintf(out + j, "\\%c", letter[hit - short_form]);
			else if (*p < 0x20 || *p == 0x7f)
				j += (size_t)sprintf(out + j, "\\u%04x", *p);
			else if (pp_utf8_c1(p[0], p[1]))
				j += (size_t)sprintf(out + j, "\\u%04x", *++p);
			else
				out[j++] = (char)*p;
		}
		out[j] = '\0';
	}
	free(line);
	return out;
}

int cfg_diag_vadd(struct cfg_diag *diag, bool error, const struct cfg_pos *pos, const char *fmt,
		  va_list ap)
{
	const char *level = error ? "error" : "warning";
	char *msg = NULL, *out = NULL, **lines;
	struct cfg_pos *at;
	int rc;

	if (vasprintf(&msg, fmt, ap) < 0)
		return -1;
	rc = pos->line ? asprintf(&out, "%s:%u:%u: %s: %s", pos->file, pos->line, pos->col, level, msg)
		       : asprintf(&out, "%s: %s: %s", pos->file, level, msg);
	free(msg);
	if (rc < 0 || !(out = escape_controls(out)))
		return -1;
	/* the capacity is the next power of two: grow when N reaches one */
	if ((diag->n & (diag->n - 1)) == 0) {
		size_t cap = diag->n ? 2 * diag->n : 1;

		if (!(lines = realloc(diag->lines, cap * sizeof *lines))) {
			free(out);
			return -1;
		}
		diag->lines = lines;
		if (!(at = realloc(diag->at, cap * sizeof *at))) {
			free(out);
			return -1;
		}
		diag->at = at;
	}
	diag->at[diag->n] = *pos;
	diag->lines[diag->n++] = out;
	if (error)
		diag->nerrors++;
	return 0;
}

int cfg_diag_add(struct cfg_diag *diag, bool error, const struct cfg_pos *pos, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = cfg_diag_vadd(diag, error, pos, fmt, ap);
	va_end(ap);
	return rc;
}

void ld_error(struct loader *ld, const struct cfg_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (cfg_diag_vadd(ld->diag, true, pos, fmt, ap) < 0)
		ld->oom = true;
	va_end(ap);
}

void ld_warning(struct loader *ld, const struct cfg_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (cfg_diag_vadd(ld->diag, false, pos, fmt, ap) < 0)
		ld->oom = true;
	va_end(ap);
}

/* Position of byte OFF of the current file. */
struct cfg_pos ld_pos(const struct loader *ld, size_t off)
{
	struct cfg_pos p = { .file = ld->src.file };

	lines_pos(&ld->src.lines, off, &p.line, &p.col);
	return p;
}

/* Position of KEY's value (or of the key itself) in the object at OBJ. */
struct cfg_pos ld_pos_of_key(struct loader *ld, size_t obj, const char *key, bool want_key)
{
	size_t off = obj;

	jsonc_member_at(ld->src.text, ld->src.len, &ld->src.marks, obj, key, want_key, &off);
	return ld_pos(ld, off);
}

struct cfg_pos ld_pos_of_index(struct loader *ld, size_t arr, size_t index)
{
	return ld_pos(ld, ld_index_off(ld, arr, index));
}

/* The offset of the value at KEY of the object at OBJ. */
size_t ld_value_off(struct loader *ld, size_t obj, const char *key)
{
	size_t off = obj;

	jsonc_member_at(ld->src.text, ld->src.len, &ld->src.marks, obj, key, false, &off);
	return off;
}

size_t ld_index_off(struct loader *ld, size_t arr, size_t index)
{
	size_t off = arr;

	jsonc_element_at(ld->src.text, ld->src.len, &ld->src.marks, arr, index, &off);
	return off;
}

struct diag_key {
	size_t file, seq;
	unsigned line, col;
};

static int by_place(const void *a, const void *b)
{
	const struct diag_key *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int cfg_diag_sort(struct cfg_diag *diag, size_t from, char *const *files, size_t nfiles)
{
	size_t m = diag->n > from ? diag->n - from : 0;
	struct diag_key *keys = NULL;
	struct cfg_pos *at = NULL;
	char **lines = NULL;

	if (m < 2)
		return 0;
	if (!(keys = malloc(m * sizeof *keys)) || !(lines = malloc(m * sizeof *lines)) ||
	    !(at = malloc(m * sizeof *at))) {
		free(keys);
		free(lines);
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < m; i++) {
		const struct cfg_pos *p = &diag->at[from + i];
		size_t f = 0;

		while (f < nfiles && p->file != files[f] && strcmp(p->file, files[f]) != 0)
			f++;
		keys[i] = (struct diag_key){ .file = f, .seq = i, .line = p->line, .col = p->col };
	}
	qsort(keys, m, sizeof *keys, by_place);
	for (size_t i = 0; i < m; i++) {
		lines[i] = diag->lines[from + keys[i].seq];
		at[i] = diag->at[from + keys[i].seq];
	}
	memcpy(diag->lines + from, lines, m * sizeof *lines);
	memcpy(diag->at + from, at, m * sizeof *at);
	free(keys);
	free(lines);
	free(at);
	return 0;
}

void cfg_diag_free(struct cfg_diag *diag)
{
	for (size_t i = 0; i < diag->n; i++)
		free(diag->lines[i]);
	free(diag->lines);
	free(diag->at);
	*diag = (struct cfg_diag){ 0 };
}
