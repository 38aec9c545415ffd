#!/bin/sh
# The unit under a real systemd, end to end. Not run by make check or CI:
# it needs root, systemd-nspawn, and a Debian 12 rootfs with systemd, ps
# (procps, in debootstrap's default variant, not in minbase) and
# Prospero's run-time libraries (libev4 libjansson4 libseccomp2 libcap2
# libsqlite3-0), by default /var/lib/machines/pbox:
#   debootstrap --include=systemd,dbus,libev4,libjansson4,libseccomp2,libcap2,libsqlite3-0 \
#       bookworm /var/lib/machines/pbox MIRROR
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
#  6. systemd-analyze security: the score, beside the README's;
#  7. journal priorities: journalctl -p warning shows exits by a signal,
#     give-ups and failed starts, and not starts;
#  8. each actor instance in a cgroup of its own below the unit's
#     (Delegate=yes), a dynamic uid, its LoadCredential= secret alone;
#  9. a capability outside CapabilityBoundingSet=: check in a root shell
#     passes it, systemctl reload refuses it and the tree runs on;
# 10. an actor's IPC namespace is new at each restart (no CAP_SYS_CHROOT);
# 11. systemctl kill --kill-whom=main -s KILL: no actor left, restarted;
# 12. systemctl start returns once a "ready": "notify" actor is ready;
#     WATCHDOG=1 keeps a unit with WatchdogSec=2 alive;
# 13. StateDirectory= 0711, an actor's $STATE_DIRECTORY below it 0700 and
#     its own, the --events file in LogsDirectory=;
# 14. systemctl kill -s HUP (every process): the actor dies and is restarted;
# 15. systemctl stop while systemctl reload waits: failed, Result=signal;
# 16. a program under /root (ProtectHome=): check in a root shell passes
#     it, systemctl reload refuses it;
# 17. configuration errors at journalctl -p err;
# 18. exit 3 (the root gave up) restarted, exit 2 (usage) not;
# 19. systemd-analyze security --offline=yes, with and without the
#     sandboxing, beside the README's;
# 20. a 0644 .dev.vars in /etc (ProtectSystem=full): refused, not made 0600;
# 21. reboot(2) from an actor: EPERM (SystemCallFilter=), no violation event.
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
# without ps, the checks for leftover processes would pass unseen
box ps -p 1 >/dev/null; ok $? "ps runs in the container"

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

echo "== 7. journal priorities"
cat > "$conf" <<'JSONC'
{ "supervisor": "main", "intensity": 50, "period": 5, "children": [
  { "actor": "hello", "exec": ["/bin/sleep", "infinity"], "cwd": "/" },
  { "actor": "segv", "exec": ["/bin/sh", "-c", "sleep 0.2; kill -SEGV $$"], "cwd": "/", "restart": "temporary" },
  { "supervisor": "flaky", "intensity": 1, "period": 5, "restart": "temporary", "children": [
    { "actor": "crasher", "exec": ["/bin/sh", "-c", "sleep 0.2; exit 2"], "cwd": "/" } ] } ] }
JSONC
box systemctl reset-failed prospero 2>/dev/null	# no start limit across sections
box systemctl start prospero; ok $? "systemctl start prospero"
# root's alone: check only warns that a dynamic uid cannot reach it, and
# the start fails; a missing #! interpreter would refuse the reload instead
cp "$root/bin/true" "$root/usr/local/bin/nspawn-check-bad"
chmod 700 "$root/usr/local/bin/nspawn-check-bad"
sed -i 's|^  { "actor": "hello",|  { "actor": "bad", "exec": ["/usr/local/bin/nspawn-check-bad"], "cwd": "/", "restart": "temporary" },\n&|' "$conf"
sleep 2
box systemctl reload prospero	# adds "bad", which cannot start
sleep 0.5
box journalctl --sync
warn=$(box journalctl -b -u prospero -p warning --no-pager -o cat | grep '^prospero: ')
echo "$warn"
for line in 'exit segv .*killed by SIGSEGV' 'exit crasher .*exited with status 2' 'give_up flaky' \
	    'exit bad: could not start' 'restart crasher'; do
	echo "$warn" | grep -q "$line"; ok $? "-p warning: $line"
done
errs=$(box journalctl -b -u prospero -p err --no-pager -o cat | grep '^prospero: ')
echo "$errs" | grep -q 'give_up flaky' && echo "$errs" | grep -q 'exit bad: could not start'
ok $? "-p err: the give-up and the failed start"
echo "$warn" | grep -q -e 'start hello' -e 'ready main'; [ $? != 0 ]; ok $? "-p warning: no start or ready"
box systemctl stop prospero

echo "== 8. cgroups, uids and credentials"
mkdir -p "$root/etc/systemd/system/prospero.service.d" "$root/etc/prospero/credentials"
printf 'not-a-real-token' > "$root/etc/prospero/credentials/TOKEN"
chmod 600 "$root/etc/prospero/credentials/TOKEN"
printf '[Service]\nLoadCredential=TOKEN:/etc/prospero/credentials/TOKEN\n' \
	> "$root/etc/systemd/system/prospero.service.d/nspawn-check.conf"
cat > "$conf" <<'JSONC'
{ "supervisor": "main", "children": [
  { "actor": "hello", "exec": ["/bin/sleep", "infinity"], "cwd": "/", "secrets": ["TOKEN"] },
  { "actor": "pool", "instances": 2, "exec": ["/bin/sleep", "infinity"], "cwd": "/" } ] }
JSONC
box systemctl daemon-reload
box systemctl reset-failed prospero 2>/dev/null	# no start limit across sections
box systemctl start prospero; ok $? "systemctl start prospero"
for name in hello 'pool#1' 'pool#2'; do
	pid=$(pids | awk -v n="$name" '$1 == n { print $3 }')
	box grep -qx "0::/system.slice/prospero.service/$name.actor" "/proc/$pid/cgroup"
	ok $? "$name (pid $pid) in prospero.service/$name.actor"
done
box grep -qx '0::/system.slice/prospero.service/daemon' "/proc/$(box systemctl show -P MainPID prospero)/cgroup"
ok $? "the daemon in prospero.service/daemon"
uid=$(box prospero status hello | awk '{ for (i = 1; i < NF; i++) if ($i == "uid") print $(i + 1) }')
[ "$uid" -ge 61184 ] 2>/dev/null && [ "$uid" -le 65519 ]; ok $? "hello runs as dynamic uid $uid"
box ls -ln /run/prospero/credentials/hello
[ "$(box stat -c '%u %a' /run/prospero/credentials/hello/TOKEN)" = "$uid 400" ] &&
	[ "$(box cat /run/prospero/credentials/hello/TOKEN)" = not-a-real-token ]
ok $? "TOKEN delivered to hello alone (owner $uid, 0400)"
box test ! -e /run/prospero/credentials/pool#1; ok $? "no credentials for pool#1"

echo "== 9. a capability the unit does not give"
before=$(pids)
sed -i 's|"secrets": \["TOKEN"\] }|"secrets": ["TOKEN"], "capabilities": ["CAP_NET_RAW"] }|' "$conf"
box prospero check -c /etc/prospero/prospero.jsonc; ok $? "check in a root shell passes it"
box systemctl reload prospero; rc=$?
[ $rc != 0 ]; ok $? "systemctl reload refuses it ($rc)"
box journalctl --sync
box journalctl -b -u prospero --no-pager -o cat | grep -q 'this daemon cannot give CAP_NET_RAW'
ok $? "the journal says why"
[ "$(pids)" = "$before" ]; ok $? "the tree runs on, same pids"
box systemctl stop prospero

echo "== 10. namespaces at restarts"
cat > "$conf" <<'JSONC'
{ "supervisor": "main", "intensity": 100, "period": 5, "children": [
  { "actor": "flap", "exec": ["/bin/sh", "-c", "echo ipc $(readlink /proc/self/ns/ipc); sleep 0.3; exit 1"], "cwd": "/" } ] }
JSONC
box systemctl reset-failed prospero 2>/dev/null	# no start limit across sections
box systemctl start prospero; ok $? "systemctl start prospero"
sleep 2.5
box systemctl stop prospero
box journalctl --sync
ns=$(box journalctl -b -u prospero --no-pager -o cat | grep '^flap: ipc' | tail -n 4)
echo "$ns"
[ "$(echo "$ns" | wc -l)" -ge 3 ] && [ -z "$(echo "$ns" | uniq -d)" ]
ok $? "a new IPC namespace at each restart"

echo "== 11. SIGKILL of the daemon"
cat > "$conf" <<'JSONC'
{ "supervisor": "main", "children": [
  { "actor": "hello", "exec": ["/bin/sleep", "infinity"], "cwd": "/" },
  { "actor": "dbl", "exec": ["/bin/sh", "-c", "setsid sleep 1000 & exec sleep infinity"], "cwd": "/" } ] }
JSONC
box systemctl reset-failed prospero 2>/dev/null	# no start limit across sections
box systemctl start prospero; ok $? "systemctl start prospero"
sleep 0.5
uids=$(box prospero status | awk '$3 == "pid" { for (i = 1; i < NF; i++) if ($i == "uid") print $(i + 1) }')
main=$(box systemctl show -P MainPID prospero)
box systemctl kill --kill-whom=main -s KILL prospero; ok $? "systemctl kill -s KILL"
sleep 0.5
left=0
for uid in $uids; do box ps -o pid=,uid=,args= -u "$uid" && left=1; done
[ $left = 0 ]; ok $? "no actor process left (uids $(echo $uids))"
for _ in $(seq 20); do box systemctl is-active -q prospero && break; sleep 0.5; done
[ "$(box systemctl show -P MainPID prospero)" != "$main" ] && box prospero status >/dev/null
ok $? "restarted by Restart=on-failure"
box systemctl stop prospero

echo "== 12. READY=1 once the whole tree is ready; the watchdog"
printf '[Service]\nWatchdogSec=2\n' > "$root/etc/systemd/system/prospero.service.d/nspawn-check.conf"
cat > "$conf" <<'JSONC'
{ "supervisor": "main", "children": [
  { "actor": "slow", "ready": "notify", "start_timeout": 10000,
    "exec": ["/bin/sh", "-c", "sleep 3; systemd-notify --ready; exec sleep infinity"], "cwd": "/" },
  { "actor": "hello", "exec": ["/bin/sleep", "infinity"], "cwd": "/" } ] }
JSONC
box systemctl daemon-reload
box systemctl reset-failed prospero 2>/dev/null	# no start limit across sections
t0=$(date +%s%N)
box systemctl start prospero; ok $? "systemctl start prospero"
ms=$((($(date +%s%N) - t0) / 1000000))
[ $ms -ge 3000 ] && pids | grep -q '^hello ready '; ok $? "systemctl start returned after the notify actor was ready (${ms} ms)"
sleep 5	# WatchdogSec=2: a daemon that did not pet would be killed by now
[ "$(box systemctl show -P NRestarts prospero)" = 0 ] && box systemctl is-active -q prospero
ok $? "WatchdogSec=2: no watchdog kill in 5 s"
box systemctl stop prospero

echo "== 13. StateDirectory= and LogsDirectory="
rm -f "$root/etc/systemd/system/prospero.service.d/nspawn-check.conf"
cat > "$conf" <<'JSONC'
{ "supervisor": "main", "children": [
  { "actor": "keeper", "state": true, "cwd": "/",
    "exec": ["/bin/sh", "-c", "echo dir=$STATE_DIRECTORY; echo kept > $STATE_DIRECTORY/f; exec sleep infinity"] } ] }
JSONC
box systemctl daemon-reload
box systemctl reset-failed prospero 2>/dev/null
box systemctl start prospero; ok $? "systemctl start prospero"
sleep 0.5
uid=$(box prospero status keeper | awk '{ for (i = 1; i < NF; i++) if ($i == "uid") print $(i + 1) }')
[ "$(box stat -c %a /var/lib/prospero)" = 711 ]; ok $? "/var/lib/prospero is 0711"
[ "$(box stat -c '%u %a' /var/lib/prospero/keeper)" = "$uid 700" ] &&
	[ "$(box cat /var/lib/prospero/keeper/f)" = kept ]
ok $? "keeper's state in /var/lib/prospero/keeper (owner $uid, 0700)"
box journalctl --sync
box journalctl -b -u prospero --no-pager -o cat | grep -q '^keeper: dir=/var/lib/prospero/keeper$'
ok $? "\$STATE_DIRECTORY is /var/lib/prospero/keeper"
box grep -q '"event": *"ready", *"name": *"keeper"' /var/log/prospero/events.jsonl
ok $? "the events in /var/log/prospero/events.jsonl"

echo "== 14. systemctl kill -s HUP to every process"
before=$(pids)
box systemctl kill -s HUP prospero; ok $? "systemctl kill -s HUP"
sleep 1
after=$(pids)
echo "$after"
old=$(echo "$before" | cut -d' ' -f3) new=$(echo "$after" | awk '$1 == "keeper" { print $3 }')
[ -n "$new" ] && [ "$new" != "$old" ]; ok $? "keeper died of the SIGHUP and was restarted"
box systemctl is-active -q prospero; ok $? "still active"

echo "== 15. systemctl stop while systemctl reload waits"
cat > "$conf" <<'JSONC'
{ "supervisor": "main", "children": [
  { "actor": "hello", "exec": ["/bin/sleep", "infinity"], "cwd": "/" } ] }
JSONC
box systemctl stop prospero
cat > "$conf" <<'JSONC'
{ "supervisor": "main", "children": [
  { "actor": "hello", "exec": ["/bin/sleep", "infinity"], "cwd": "/" },
  { "actor": "deaf", "shutdown": 5000, "exec": ["/bin/sh", "-c", "trap '' TERM; exec sleep infinity"], "cwd": "/" } ] }
JSONC
box systemctl start prospero; ok $? "systemctl start prospero"
sed -i '/"deaf"/d; s/"cwd": "\/" },$/"cwd": "\/" } ] }/' "$conf"
box systemctl reload prospero &	# waits out deaf's 5 s shutdown
rl=$!
sleep 1
box systemctl stop prospero; ok $? "systemctl stop"
wait $rl; rc=$?
[ $rc != 0 ]; ok $? "the waiting systemctl reload fails ($rc)"
state="$(box systemctl show -P ActiveState prospero) $(box systemctl show -P Result prospero)"
[ "$state" = "failed signal" ]; ok $? "left failed, Result=signal ($state)"
box systemctl reset-failed prospero

echo "== 16. a program under /root, ProtectHome=yes"
cp "$src/systemd/prospero.jsonc" "$conf"
box systemctl start prospero; ok $? "systemctl start prospero"
before=$(pids)
mkdir -p "$root/root/bin" && cp "$root/bin/sleep" "$root/root/bin/nspawn-check-sleep"
add_actor homed
sed -i 's|"actor": "homed", "exec": \["/bin/sleep"|"actor": "homed", "exec": ["/root/bin/nspawn-check-sleep"|' "$conf"
box prospero check -c /etc/prospero/prospero.jsonc >/dev/null; ok $? "check in a root shell passes it"
box systemctl reload prospero 2>/dev/null; rc=$?
[ $rc != 0 ]; ok $? "systemctl reload refuses it ($rc)"
box journalctl --sync
box journalctl -b -u prospero --no-pager -o cat | grep 'nspawn-check-sleep' | tail -n 2
[ "$(pids)" = "$before" ]; ok $? "the tree runs on, same pids"
echo "== 17. configuration errors at -p err"
sed -i 's/"actor": "homed",/"actor": "homed"/' "$conf"
box systemctl reload prospero 2>/dev/null
box journalctl --sync
box journalctl -b -u prospero -p err --no-pager -o cat | grep -q 'prospero\.jsonc:[0-9]*:[0-9]*: error'
ok $? "-p err: file:line:col: error"
box systemctl stop prospero
rm -rf "$root/root/bin/nspawn-check-sleep"

echo "== 18. Restart=on-failure: exit 3 restarted, exit 2 not"
cat > "$conf" <<'JSONC'
{ "supervisor": "main", "intensity": 0, "children": [
  { "actor": "once", "exec": ["/bin/sh", "-c", "sleep 0.3; exit 1"], "cwd": "/" } ] }
JSONC
box systemctl reset-failed prospero 2>/dev/null
box systemctl start prospero; ok $? "systemctl start prospero"
for _ in $(seq 20); do [ "$(box systemctl show -P NRestarts prospero)" -ge 1 ] && break; sleep 0.5; done
[ "$(box systemctl show -P NRestarts prospero)" -ge 1 ]; ok $? "the root's give-up (exit 3) restarted"
box systemctl stop prospero
box journalctl --sync
box journalctl -b -u prospero --no-pager -o cat | grep -E 'Main process exited, code=exited, status=3' | tail -n 1
cp "$src/systemd/prospero.jsonc" "$conf"
printf '[Service]\nExecStart=\nExecStart=/usr/bin/prospero run --no-such-option\n' \
	> "$root/etc/systemd/system/prospero.service.d/nspawn-check.conf"
box systemctl daemon-reload
box systemctl reset-failed prospero 2>/dev/null
box systemctl start prospero 2>/dev/null
sleep 4	# RestartSec=2
state="$(box systemctl show -P ActiveState prospero) $(box systemctl show -P ExecMainStatus prospero) $(box systemctl show -P NRestarts prospero)"
[ "$state" = "failed 2 0" ]; ok $? "a usage error (exit 2) not restarted ($state)"
box systemctl reset-failed prospero 2>/dev/null

echo "== 19. systemd-analyze security, offline and without the sandboxing"
unit=$(box systemctl show -P FragmentPath prospero)
off=$(box systemd-analyze security --offline=yes "$unit" --no-pager | sed -n 's/.*exposure level for prospero.service: //p')
box sh -c "sed '/^CapabilityBoundingSet=/,/^SystemCallErrorNumber=/d' $unit > /tmp/prospero.service"
bare=$(box systemd-analyze security --offline=yes /tmp/prospero.service --no-pager | sed -n 's/.*exposure level for prospero.service: //p')
echo "offline: $off; without the sandboxing: $bare"
tr '\n' ' ' < "$src/README.md" | grep -q -- "--offline=yes\` on the file gives ${off%% *};"; ok $? "the offline score is the README's"
tr '\n' ' ' < "$src/README.md" | grep -q "; ${bare%% :*} without the sandboxing"; ok $? "the score without the sandboxing is the README's"

echo "== 20. a readable .dev.vars under ProtectSystem=full"
rm -f "$root/etc/systemd/system/prospero.service.d/nspawn-check.conf"
box systemctl daemon-reload
cat > "$conf" <<'JSONC'
{ "supervisor": "main", "children": [
  { "actor": "hello", "exec": ["/bin/sleep", "infinity"], "cwd": "/", "secrets": ["DEVTOKEN"] } ] }
JSONC
printf 'DEVTOKEN=not-a-real-token\n' > "$root/etc/prospero/.dev.vars"
chmod 644 "$root/etc/prospero/.dev.vars"
box systemctl reset-failed prospero 2>/dev/null
box systemctl start prospero 2>/dev/null; rc=$?
box journalctl --sync
box journalctl -b -u prospero --no-pager -o cat | grep 'dev.vars' | tail -n 2
[ $rc != 0 ] && [ "$(stat -c %a "$root/etc/prospero/.dev.vars")" = 644 ]
ok $? "a 0644 .dev.vars in /etc is not made 0600, the start fails ($rc)"
box systemctl stop prospero 2>/dev/null
chmod 600 "$root/etc/prospero/.dev.vars"
box systemctl reset-failed prospero 2>/dev/null
box systemctl start prospero; ok $? "a 0600 one is used"
box systemctl stop prospero
rm -f "$root/etc/prospero/.dev.vars"

echo "== 21. a call SystemCallFilter= denies: EPERM, no violation event"
cat > "$conf" <<'JSONC'
{ "supervisor": "main", "children": [
  { "actor": "rb", "cwd": "/", "exec": ["/usr/bin/perl", "-e",
    "$| = 1; $r = syscall(169, 0xfee1dead, 672274793, 0, 0); print qq(reboot $r $!\n); sleep 1000"] } ] }
JSONC
box systemctl reset-failed prospero 2>/dev/null
box systemctl start prospero; ok $? "systemctl start prospero"
sleep 1
box journalctl --sync
rb=$(box journalctl -b -u prospero --no-pager -o cat | grep '^rb: reboot' | tail -n 1)
echo "$rb"
[ "$rb" = 'rb: reboot -1 Operation not permitted' ]
ok $? "reboot(2) fails with EPERM"
box grep '"name": *"rb"' /var/log/prospero/events.jsonl | grep -q violation; [ $? != 0 ]
ok $? "no violation event"
box systemctl stop prospero

rm -f "$root/etc/systemd/system/prospero.service.d/nspawn-check.conf" "$root/usr/local/bin/nspawn-check-bad"
box systemctl daemon-reload
cp "$src/systemd/prospero.jsonc" "$conf"
echo "$fails failed"
[ $fails = 0 ]
