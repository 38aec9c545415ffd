#!/bin/sh
# Charges orders.
trap 'echo "closing the card gateway"; exit 0' TERM
while :; do
	sleep 1 & wait $!
	echo "charged an order"
done
