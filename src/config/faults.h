/* Fault plans (README "Fault injection"): `--faults FILE` read and checked
 * against a loaded tree. jansson stays behind this header: the result is
 * the plain struct fault_plan of src/faults/plan.h. */
#ifndef PROSPERO_CONFIG_FAULTS_H
#define PROSPERO_CONFIG_FAULTS_H

#include "src/config/config.h"
#include "src/faults/plan.h"

/* Read FILE (JSONC) and resolve every name in it against CFG: targets to
 * instances, edges to bindings, syscalls against each target's profile.
 * Returns the plan, or NULL with diag->nerrors > 0 (every error found,
 * each "FILE:LINE:COL: error: ..." with a did-you-mean where one fits).
 * On NULL with errno ENOMEM and no diagnostic, memory ran out. Free with
 * fault_plan_free. */
struct fault_plan *cfg_faults_load(const char *file, const struct cfg *cfg, struct cfg_diag *diag);

#endif
