/* The error codes an error frame carries in its method field (README
 * "Frames"). Their numbers are enum prospero_error of the installed
 * prospero.h, which must stand alone, so the list lives there; their
 * names on the wire live here. */
#ifndef PROSPERO_PROTO_ERROR_H
#define PROSPERO_PROTO_ERROR_H

#include <stddef.h>

#include "src/libprospero/prospero.h"

/* The wire name of CODE; that of PROSPERO_E_INTERNAL for a code not in
 * the list. */
const char *pf_error_name(int code);
/* The code named NAME (LEN bytes, no NUL); PROSPERO_E_INTERNAL for a name
 * not in the list, as the README asks of a reader. */
int pf_error_code(const char *name, size_t len);

#endif
