/* The fault plan reader's state and the functions its files share; not
 * for use outside src/config/. It reads with the config loader's JSONC
 * source, positions and typed readers (loader.h). */
#ifndef PROSPERO_CONFIG_FAULTS_LOADER_H
#define PROSPERO_CONFIG_FAULTS_LOADER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "src/config/loader.h"
#include "src/faults/plan.h"

struct floader {
	struct loader ld;		/* the source, diagnostics, oom */
	const struct cfg *cfg;		/* the tree names resolve against */
	struct fault_plan *plan;
};

/* faults.c: the keys of a plan, and every key of any kind of fault;
 * faults_syscall.c: the keys of a syscall fault's "arg" */
extern const char *const fl_plan_keys[], *const fl_fault_keys[], *const fl_arg_keys[];

/* faults.c: values every kind of fault reads */
bool fl_get_probability(struct floader *fl, json_t *v, size_t obj, const char *key, double *out);
bool fl_get_window(struct floader *fl, json_t *v, size_t off, const char *what, struct fault_window *out);
/* One of WORDS written in a different case or without a prefix PREFIX
 * ("kill" for "SIGKILL", "eio" for "EIO"): that word, else NULL. */
const char *fl_respelt(const char *s, const char *prefix, const char *const *words, size_t n);

/* faults.c: one name resolved into LIST, reported at P as WHAT when it
 * does not resolve */
typedef bool fl_resolve_fn(struct floader *fl, void *list, const char *name, const struct cfg_pos *p,
			   const char *what);
/* V at KEY of the object at OBJ, a name or a non-empty array of names,
 * each RESOLVEd into LIST; ONE says what an element should be, ANY what
 * the whole may be besides an array. False if any was wrong. */
bool fl_each_name(struct floader *fl, json_t *v, size_t obj, const char *key, const char *one,
		  const char *any, fl_resolve_fn *resolve, void *list);
/* Sort the N elements of V by CMP and keep each once; how many are left. */
size_t fl_sort_unique(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* faults_targets.c: the instances a target names: "payment",
 * "pool#2", "*", a supervisor (its subtree), or an array of those */
bool fl_get_targets(struct floader *fl, struct fault *f, json_t *v, size_t obj, const char *key);
const struct cfg_actor *fl_find_actor(const struct floader *fl, const char *name);
/* "WHAT: no actor \"X\"" (or "actor or supervisor" with SUPS_TOO), with
 * a did-you-mean, at P. WHAT says where: "\"kill\"[2]". */
void fl_unknown_name(struct floader *fl, const struct cfg_pos *p, const char *what, const char *name,
		     bool sups_too);

/* faults_process.c, faults_edge.c, faults_syscall.c: a fault of that kind,
 * the object at OFF, its keys checked already */
void fl_get_process(struct floader *fl, struct fault *f, json_t *o, size_t off);
void fl_get_edge(struct floader *fl, struct fault *f, json_t *o, size_t off);
void fl_get_syscall(struct floader *fl, struct fault *f, json_t *o, size_t off);
/* faults_edge.c: once every fault is read, one fault per edge and direction */
void fl_check_edge_overlap(struct floader *fl);

#endif
