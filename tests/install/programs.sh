#!/bin/sh
# make installcheck (and so make distcheck): the programs as `make install`
# names them, --program-prefix, --program-suffix or
# --program-transform-name applied (README "Building and installing").
# Both programs and prospero(1) are installed under the names $(transform)
# gives; the unit and the starter config's commands run the daemon by
# that name; and the installed daemon, run from where it was installed,
# starts a queue: it finds prospero-queue beside it under its installed
# name, and the queue says its status.
# Usage: programs.sh DESTDIR BINDIR MANDIR UNIT CONFIG BUILT_CONFIG PROSPERO QUEUE
# with the installation's paths (UNIT empty when none is installed; the
# others without DESTDIR), BUILT_CONFIG the starter config as make built
# it, PROSPERO and QUEUE the two programs' transformed names.
destdir=$1 bindir=$2 mandir=$3 unit=$4 config=$5 built_config=$6 prospero=$7 queue=$8
fails=0
fail() { echo "installcheck: FAIL: $*" >&2; fails=$((fails + 1)); }

daemon=$destdir$bindir/$prospero
for p in "$prospero" "$queue"; do
	[ -x "$destdir$bindir/$p" ] || fail "$p is not installed as $destdir$bindir/$p"
done
# prospero(1) with the program; the library's, the config file's and the
# protocol's pages keep their names, as those do
for page in "man1/$prospero.1" man3/libprospero.3 man5/prospero.jsonc.5 man7/prospero-protocol.7; do
	[ -f "$destdir$mandir/$page" ] || fail "$destdir$mandir/$page is not installed"
done

# each command line of the unit's runs the daemon by its installed path
if [ -n "$unit" ]; then
	for key in ExecStart ExecReload; do
		line=$(sed -n "s/^$key=//p" "$destdir$unit")
		[ "${line%% *}" = "$bindir/$prospero" ] ||
			fail "$unit: $key= runs '${line%% *}', not $bindir/$prospero"
	done
fi
# the starter config's commands too (unless an operator's config was kept)
if cmp -s "$built_config" "$destdir$config"; then
	grep -q "^//   $prospero check -c " "$destdir$config" &&
	grep -q "^//   ExecStart=/usr/bin/$prospero run " "$destdir$config" ||
		fail "$config does not name the daemon $prospero in its commands"
fi

# A queue and its consumer under the installed daemon. The work directory
# is the queue's cwd and holds its state: its dynamic uid passes through.
work=$(mktemp -d) || exit 1
pid=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$work"' EXIT
chmod 0755 "$work"
cat >"$work/queue.jsonc" <<'EOF'
{ "supervisor": "top", "children": [
    { "actor": "consumer", "exec": ["/bin/sleep", "600"] },
    { "queue": "q", "consumer": "consumer" } ] }
EOF
# the build's own queue is not to be found through the environment
unset PROSPERO_QUEUE
if [ -x "$daemon" ]; then
	"$daemon" check -c "$work/queue.jsonc" >"$work/check.out" 2>&1 ||
		{ cat "$work/check.out" >&2; fail "$prospero check refuses a queue"; }
	"$daemon" run --runtime-dir "$work/run" --state-dir "$work/state" \
		-c "$work/queue.jsonc" >"$work/out" 2>"$work/err" &
	pid=$!
	# the queue reports its depth once it runs (10 s at most)
	i=0
	until grep -q '^[^ ]*: q: status: depth=0 ' "$work/err" 2>/dev/null || [ $i -ge 100 ]; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	grep -q '^[^ ]*: q: status: depth=0 ' "$work/err" ||
		{ cat "$work/err" >&2; fail "the installed $prospero did not start its queue"; }
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	status=$?
	pid=
	[ $status = 0 ] || { cat "$work/err" >&2; fail "the installed $prospero exited with status $status"; }
fi

[ $fails = 0 ] && echo "installcheck: $prospero and $queue as installed: ok"
[ $fails = 0 ]
