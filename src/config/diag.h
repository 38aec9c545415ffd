/* Adding findings to a struct cfg_diag, for the loader and for the checks
 * made on a loaded tree. */
#ifndef PROSPERO_CONFIG_DIAG_H
#define PROSPERO_CONFIG_DIAG_H

#include <stdarg.h>
#include <stdbool.h>

#include "src/config/config.h"

/* Append "FILE:LINE:COL: error: WHAT" (or "warning:"; without LINE:COL
 * when pos->line is 0). 0, or -1 with errno ENOMEM and DIAG unchanged. */
__attribute__((format(printf, 4, 0)))
int cfg_diag_vadd(struct cfg_diag *diag, bool error, const struct cfg_pos *pos, const char *fmt,
		  va_list ap);
__attribute__((format(printf, 4, 5)))
int cfg_diag_add(struct cfg_diag *diag, bool error, const struct cfg_pos *pos, const char *fmt, ...);

/* Entries FROM to the end of DIAG in the order of FILES (NFILES; a file
 * not among them after them), then of line and column; a line without a
 * place first in its file, and equal places in the order found. 0, or
 * -1 with errno ENOMEM and DIAG as found. */
int cfg_diag_sort(struct cfg_diag *diag, size_t from, char *const *files, size_t nfiles);

#endif
