/* What a secret may be called: the name is a file name in the actor's
 * credentials directory and, for a legacy program, an environment
 * variable, so it is kept to characters safe in both. */
#ifndef PROSPERO_SANDBOX_SECRETS_NAME_H
#define PROSPERO_SANDBOX_SECRETS_NAME_H

#include <stdbool.h>
#include <stddef.h>

/* the longest secret name */
#define SB_SECRET_NAME_MAX 128
/* the rule, as every refusal of a name says it */
#define SB_SECRET_NAME_RULE "[A-Za-z_][A-Za-z0-9_.-]*, at most 128 characters"
_Static_assert(SB_SECRET_NAME_MAX == 128, "SB_SECRET_NAME_RULE says 128");

/* [A-Za-z_][A-Za-z0-9_.-]*, at most SB_SECRET_NAME_MAX characters. */
bool sb_secret_name_valid(const char *name);

/* The same for the LEN bytes at S, which need no terminator. */
bool sb_secret_name_valid_n(const char *s, size_t len);

#endif
