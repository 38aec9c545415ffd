/* The names the kernel's interfaces know, listed for a "did you mean" hint:
 * only sandbox/ asks libseccomp and libcap, so the config reads its word
 * lists here. Daemon side; the lists are allocated. */
#ifndef PROSPERO_SANDBOX_DAEMON_NAMES_H
#define PROSPERO_SANDBOX_DAEMON_NAMES_H

#include <stddef.h>

/* Every syscall name of the native architecture, NULL-terminated, with
 * their count in *n. NULL with errno ENOMEM. Free with sb_names_free. */
char **sb_syscall_names(size_t *n);

/* Every capability name libcap knows, spelt "CAP_NET_RAW". As above. */
char **sb_cap_names(size_t *n);

/* A capability as a config may write it ("net_raw", "cap_Net_Raw") in
 * the spelling of sb_cap_names, into OUT (truncated to LEN). */
void sb_cap_spelling(const char *name, char *out, size_t len);

void sb_names_free(char **names);

#endif
