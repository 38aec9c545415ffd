#!/bin/sh
# Takes orders, one a second.
n=0
trap 'echo "finishing order $n and stopping"; exit 0' TERM
while :; do
	n=$((n + 1))
	echo "order #$n placed"
	sleep 1 & wait $!
done
