/* Diagnostics: one line per finding, "FILE:LINE:COL: error: WHAT", and the
 * positions they point at. jansson keeps no positions, so a message finds
 * its value in the text (jsonc_locate), relative to the object being read. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/jsonc.h"
#include "src/config/lines.h"
#include "src/config/loader.h"

__attribute__((format(printf, 6, 0)))
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
	/* the capacity is the next power of two: grow when N reaches one */
	if ((ld->diag->n & (ld->diag->n - 1)) == 0) {
		if (!(lines = realloc(ld->diag->lines, (ld->diag->n ? 2 * ld->diag->n : 1) * sizeof *lines))) {
			free(out);
			ld->oom = true;
			return;
		}
		ld->diag->lines = lines;
	}
	lines = ld->diag->lines;
	lines[ld->diag->n++] = out;
	if (error)
		ld->diag->nerrors++;
}

void ld_error(struct loader *ld, const struct cfg_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ld, true, pos->file, pos->line, pos->col, fmt, ap);
	va_end(ap);
}

void ld_warning(struct loader *ld, const struct cfg_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ld, false, pos->file, pos->line, pos->col, fmt, ap);
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
struct cfg_pos ld_pos_of_key(const struct loader *ld, size_t obj, const char *key, bool want_key)
{
	struct jsonc_step step = { .key = key };
	size_t off = obj;

	jsonc_locate(ld->src.text, ld->src.len, obj, &step, 1, want_key, &off);
	return ld_pos(ld, off);
}

struct cfg_pos ld_pos_of_index(const struct loader *ld, size_t arr, size_t index)
{
	struct jsonc_step step = { .index = index };
	size_t off = arr;

	jsonc_locate(ld->src.text, ld->src.len, arr, &step, 1, false, &off);
	return ld_pos(ld, off);
}

/* The offset of the value at KEY of the object at OBJ. */
size_t ld_value_off(const struct loader *ld, size_t obj, const char *key)
{
	struct jsonc_step step = { .key = key };
	size_t off = obj;

	jsonc_locate(ld->src.text, ld->src.len, obj, &step, 1, false, &off);
	return off;
}

void cfg_diag_free(struct cfg_diag *diag)
{
	for (size_t i = 0; i < diag->n; i++)
		free(diag->lines[i]);
	free(diag->lines);
	*diag = (struct cfg_diag){ 0 };
}
