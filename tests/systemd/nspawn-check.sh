#!/bin/sh
# The unit under a real systemd, end to end. Not run by make check or CI:
# it needs root, systemd-nspawn, and a Debian 12 rootfs with systemd and
# Prospero's run-time libraries (libev4 libjansson4 libseccomp2 libcap2
# libsqlite3-0), by default /var/lib/machines/pbox.
#
#   tests/systemd/nspawn-check.sh [ROOTFS]      (BUILD=/tmp/b-sysd by default)
#
# It builds the tree plainly with the system's paths, installs it into
# ROOTFS (putting the starter config in /etc/prospero/prospero.jsonc),
# boots ROOTFS and checks:
#  1. systemctl start: active, STATUS= in systemctl status, prospero status answers;
#  2. systemctl reload after adding an actor: returns once it runs, old pids kept;
#  3. systemctl reload of a broken config: fails, file:line:col in the journal,
#     still active, same pids;
#  4. systemctl kill --kill-whom=main -s HUP: active, the tree reloaded;
#  5. systemctl stop: no actor process left, /run/prospero gone;
#  6. systemd-analyze security: the score, beside the README's.
# It stops the container and unmounts what it mounted on exit.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
root=${1:-/var/lib/machines/pbox}
build=${BUILD:-/tmp/b-sysd}
conf=$root/etc/prospero/prospero.jsonc
fails=0 nspawn= mounted=

ok() { if [ "$1" = 0 ]; then echo "ok:   $2"; else echo "FAIL: $2"; fails=$((fails + 1)); fi; }
box() {	# a command in the container, in all its namespaces
	nsenter -t "$(pgrep -P "$nspawn" | head -n 1)" -a \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin SYSTEMD_COLORS=0 "$@"
}
pids() { box prospero status | awk '$3 == "pid" { print $1, $2, $4 }'; }	# name state pid
kept() { [ -z "$(echo "$1" | grep -vxF "$2")" ]; }	# every line of $1 in $2
add_actor() {	# NAME: an actor that sleeps, after the starter's hello
	sed -i "/\"private_network\": true },/a\\
    { \"actor\": \"$1\", \"exec\": [\"/bin/sleep\", \"infinity\"] }," "$conf"
}
cleanup() {
	if [ -n "$nspawn" ]; then
		box systemctl poweroff >/dev/null 2>&1
		for _ in $(seq 60); do kill -0 "$nspawn" 2>/dev/null || break; sleep 1; done
		kill "$nspawn" 2>/dev/null
	fi
	[ -n "$mounted" ] && umount /run/systemd/nspawn
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "== build and install into $root"
mkdir -p "$build" && cd "$build" || exit 1
{ [ -f Makefile ] || "$src/configure" --prefix=/usr --sysconfdir=/etc; } >/dev/null &&
	nice -n 10 make -j1 >/dev/null && rm -f "$conf" &&
	make install DESTDIR="$root" >/dev/null || exit 1
cmp -s "$conf" "$src/systemd/prospero.jsonc"; ok $? "make install put the starter config"

echo "== boot"
if ! mountpoint -q /run/systemd/nspawn; then
	mkdir -p /run/systemd/nspawn && mount -t tmpfs tmpfs /run/systemd/nspawn && mounted=1
fi
systemd-nspawn -D "$root" -b --register=no --keep-unit --console=read-only \
	>/tmp/nspawn-check.console 2>&1 </dev/null &
nspawn=$!
for _ in $(seq 60); do
	case $(box systemctl is-system-running 2>/dev/null) in running|degraded) break;; esac
	sleep 1
done
box systemctl --version | head -n 1

echo "== 1. start"
box systemctl daemon-reload
box systemctl start prospero; ok $? "systemctl start prospero"
sleep 1
box systemctl status prospero --no-pager | sed -n '3,5p'
box systemctl status prospero --no-pager | grep -q 'Status: "1 actor running"'; ok $? "STATUS= in systemctl status"
box prospero status; ok $? "prospero status answers, 0"
before=$(pids)

echo "== 2. reload, one actor added"
add_actor extra
box systemctl reload prospero; ok $? "systemctl reload"
after=$(pids)	# at once: the reload is applied when the command returns
echo "$after"
echo "$after" | grep -q '^extra ready [0-9]'; ok $? "extra ready when systemctl reload returns"
kept "$before" "$after"; ok $? "hello kept its pid"
[ "$(box systemctl show -P ActiveState -P SubState prospero | tr '\n' ' ')" = "active running " ]
ok $? "active (running), not reloading"
box journalctl --sync
box journalctl -b -u prospero --no-pager -o cat | grep 'reload main: added extra'; ok $? "the journal shows the reload"

echo "== 3. reload, broken config"
before=$(pids)
sed -i 's/"actor": "extra",/"actor": "extra"/' "$conf"
box systemctl reload prospero; rc=$?
[ $rc != 0 ]; ok $? "systemctl reload fails ($rc)"
box journalctl --sync
err=$(box journalctl -b -u prospero --no-pager -o cat | grep -E 'prospero\.jsonc:[0-9]+:[0-9]+: error')
ok $? "file:line:col in the journal"
echo "$err" | tail -n 1
box systemctl is-active prospero >/dev/null; ok $? "still active"
[ "$(pids)" = "$before" ]; ok $? "same pids"

echo "== 4. systemctl kill --kill-whom=main -s HUP"
sed -i 's/"actor": "extra"/"actor": "extra",/' "$conf"
add_actor third
box systemctl kill --kill-whom=main -s HUP prospero; ok $? "systemctl kill"
for _ in $(seq 20); do pids | grep -q '^third ready ' && break; sleep 0.5; done
after=$(pids)
echo "$after"
echo "$after" | grep -q '^third ready [0-9]'; ok $? "reloaded: third ready"
kept "$before" "$after"; ok $? "hello and extra kept their pids"
box systemctl is-active prospero >/dev/null; ok $? "still active"

echo "== 5. stop"
uids=$(box prospero status | awk '$3 == "pid" { for (i = 1; i < NF; i++) if ($i == "uid") print $(i + 1) }')
box systemctl stop prospero; ok $? "systemctl stop"
left=0
for pid in $(echo "$after" | cut -d' ' -f3); do box test -d "/proc/$pid" && left=1; done
for uid in $uids; do box ps -o pid=,uid=,args= -u "$uid" && left=1; done
[ $left = 0 ]; ok $? "no actor process left (pids, uids $(echo $uids))"
box test ! -e /run/prospero; ok $? "/run/prospero removed"

echo "== 6. systemd-analyze security"
score=$(box systemd-analyze security prospero --no-pager | sed -n 's/.*exposure level for prospero.service: //p')
readme=$(sed -n '/systemd-analyze security prospero` rates the unit/{n;s/^\*\*\([^*]*\)\*\*.*/\1/p}' "$src/README.md")
echo "measured: $score; README: $readme"
case $score in "$readme"*) ok 0 "the score is the README's";; *) ok 1 "the score is the README's";; esac

cp "$src/systemd/prospero.jsonc" "$conf"
echo "$fails failed"
[ $fails = 0 ]
