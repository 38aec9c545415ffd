#!/bin/sh
# make bench: every figure beside its same-run reference. Not a test.
set -e
bin=$1
echo "== restart latency"
"$bin/bench_restart" 500
echo "== restart latency beside 2,000 idle copies"
"$bin/bench_restart" 300 2000
echo "== confinement: spawn to running, confined against unconfined"
"$bin/bench_confine" 500
echo "== seccomp filter load in the child: bpf_gen against libseccomp"
"$bin/bench_seccomp_load" 1000
echo "== config check: load and validate N actors"
"$bin/bench_check" 1000 4000 16000
echo "== a cgroup per instance: make, join, kill, remove (root)"
"$bin/bench_cgroup" 300
echo "== live reload: 1,000 actors, one changed"
"$bin/bench_reload" 1000 9
echo "== start-up, memory, idle"
"$bin/bench_startup" 200 1000
echo "== status of a running tree, beside s6-svstat and sv status"
"$bin/bench_status" 1000
echo "== bindings: libprospero against raw SOCK_SEQPACKET"
"$bin/bench_ipc" 200000 5000000
echo "== fault injection: what it costs what it does not touch, and what it does"
"$bin/bench_faults" 500 20000 20000
echo "== queues: durable sends and consumption, against write+fdatasync on the same disk"
"$bin/bench_queue" 5
