/* Every key a config file or a fault plan may hold, by the object that
 * holds it: what the documentation must name, README.md and
 * prospero.jsonc(5) both (tests/integration/check_docs.c holds them to
 * it). A key the readers learn is listed here without more ado, since
 * they read it from the same tables. */
#ifndef PROSPERO_CONFIG_KEYS_H
#define PROSPERO_CONFIG_KEYS_H

/* Call FN(OBJECT, KEY, ARG) for each key. OBJECT is "supervisor",
 * "actor", "queue", "sandbox", "backoff", "limits", "fault plan", "fault" (any kind)
 * or "arg" (a syscall fault's). */
void cfg_each_key(void (*fn)(const char *object, const char *key, void *arg), void *arg);

#endif
