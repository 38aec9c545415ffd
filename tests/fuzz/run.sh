#!/bin/sh
# One libFuzzer target, for `make fuzz` and `make fuzz-merge`.
#   run.sh fuzz  BUILD_FUZZ_DIR TARGET SRC_FUZZ_DIR RUNS SECONDS
#   run.sh merge BUILD_FUZZ_DIR TARGET SRC_FUZZ_DIR
# fuzz: RUNS inputs, or SECONDS of fuzzing when SECONDS > 0, starting
# from the corpus in the source tree; what is new goes to
# BUILD_FUZZ_DIR/work/TARGET, a finding to BUILD_FUZZ_DIR/work/TARGET-crash-…
# and the like, the whole output to BUILD_FUZZ_DIR/work/TARGET.log.
# Prints one line of figures; exits 1 on a finding.
# merge: the smallest set of inputs of the corpus and the work directory
# that reaches every edge they reach (hit counts aside: that keeps a
# corpus to hundreds of files, not thousands), written back to the source
# tree's corpus.
# Inputs named regress-* (a fixed finding's reproducer) and edge-* (a case
# libFuzzer never makes, such as the empty input) are kept as they are,
# whatever they add to coverage.
set -u
mode=$1 build=$2 target=$3 src=$4
bin=$build/fuzz_$target
corpus=$src/corpus/$target
work=$build/work/$target
if [ ! -x "$bin" ]; then
	echo "fuzz_$target: no such target (FUZZ_TARGETS takes config frame notify control devvars)" >&2
	exit 2
fi
mkdir -p "$work"

if [ "$mode" = merge ]; then
	tmp=$(mktemp -d) || exit 1
	mkdir "$tmp/old" "$tmp/new"
	for f in "$corpus"/*; do
		case ${f##*/} in regress-* | edge-*) ;; *) cp "$f" "$tmp/old/" ;; esac
	done
	if ! "$bin" -merge=1 -use_counters=0 "$tmp/new" "$tmp/old" "$work" >"$build/work/$target-merge.log" 2>&1; then
		echo "fuzz_$target: merge failed, see $build/work/$target-merge.log" >&2
		rm -rf "$tmp"
		exit 1
	fi
	find "$corpus" -maxdepth 1 -type f ! -name 'regress-*' ! -name 'edge-*' -delete
	cp "$tmp/new"/* "$corpus/"
	rm -rf "$tmp"
	echo "fuzz_$target: $(ls "$corpus" | wc -l) inputs in $corpus"
	exit 0
fi

runs=$5 seconds=$6
set -- -runs="$runs"
[ "$seconds" -gt 0 ] && set -- -runs=-1 -max_total_time="$seconds"
[ -f "$src/$target.dict" ] && set -- "$@" -dict="$src/$target.dict"
log=$build/work/$target.log
# leaks are findings (libFuzzer checks after each new input); a slow input
# is one too, since a parser must not take seconds on a few KiB
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
"$bin" "$@" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$build/work/$target-" "$work" "$corpus" >"$log" 2>&1
rc=$?
done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
cov=$(echo "$done_line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
ft=$(echo "$done_line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
if [ $rc -ne 0 ]; then
	tail -n 40 "$log"
	echo "fuzz_$target: FINDING after ${execs:-?} runs (exit $rc); input in $build/work/$target-*, log $log"
	exit 1
fi
echo "fuzz_$target: ${execs:-?} runs in ${secs:-?} s, cov ${cov:-?} ft ${ft:-?}, 0 crashes, 0 leaks"
