#!/bin/sh
# Counts stock; its disk "fails" after a few seconds to show a restart.
stock=${STOCK:-10}
echo "stock loaded: $stock widgets"
for i in 1 2 3 4 5 6; do
	sleep 1
	echo "stock check $i: $stock widgets"
done
echo "disk read error" >&2
exit 1
