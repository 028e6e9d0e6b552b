#!/bin/sh
# The layering of lib/ (docs/architecture.md, "Layers"): a file includes only headers of its
# own folder or of folders below it. Prints each include that points upward, with its file and
# line, and fails if there is one. drivers/ is feature-level; app/ and tests/ may include all.
#   base < graph < infra < config < api < cli < feature folders (every other lib/ folder)
# Feature folders may include each other: they are one layer.
cd "$(dirname "$0")/.." || exit 2

rank() {
	case "$1" in
	base) echo 0 ;;
	graph) echo 1 ;;
	infra) echo 2 ;;
	config) echo 3 ;;
	api) echo 4 ;;
	cli) echo 5 ;;
	*) echo 6 ;;
	esac
}

bad=0
for f in $(find lib drivers -name '*.[ch]' | sort); do
	case "$f" in
	lib/*) own=$(echo "$f" | cut -d/ -f2) ;;
	*) own=drivers ;;
	esac
	own_rank=$(rank "$own")
	# '#include "folder/file.h"': the folders of lib/ only (drivers/ headers are its own)
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"/]*/' "$f" |
		sed 's/^\([0-9]*\):.*"\([^"/]*\)\/[^"]*".*/\1 \2/' >/tmp/check-layers.$$
	while read -r line dir; do
		[ -d "lib/$dir" ] || continue
		if [ "$(rank "$dir")" -gt "$own_rank" ]; then
			echo "$f:$line: $own includes $dir/, a layer above it: $(sed -n "${line}p" "$f")"
			bad=1
		fi
	done </tmp/check-layers.$$
done
rm -f /tmp/check-layers.$$
[ $bad = 0 ] || echo "check-layers: an include goes upward (docs/architecture.md, Layers)" >&2
exit $bad
