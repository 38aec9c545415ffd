/* Secret name syntax. */

#include <string.h>

#include "sandbox/secrets/name.h"

static bool name_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	       (!first && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
}

bool sb_secret_name_valid_n(const char *s, size_t len)
{
	if (len == 0 || len > SB_SECRET_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name_char(s[i], i == 0))
			return false;
	return true;
}

bool sb_secret_name_valid(const char *name)
{
	return sb_secret_name_valid_n(name, strnlen(name, SB_SECRET_NAME_MAX + 1));
}
