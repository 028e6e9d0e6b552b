#!/bin/sh
# 4 GiB of 2 MiB hugepages and a hugetlbfs mount, unless already there.
set -e
nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
want=${FP_HUGEPAGES:-2048}
if [ -w "$nr" ] && [ "$(cat $nr)" -lt "$want" ]; then
	echo "$want" > "$nr" || true
fi
if ! grep -q hugetlbfs /proc/mounts; then
	mkdir -p /dev/hugepages
	mount -t hugetlbfs nodev /dev/hugepages || true
fi
echo "hugepages: $(cat $nr) x 2 MiB"
