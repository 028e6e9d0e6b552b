#!/bin/bash
# The manual pages render without warnings and say what the programs say: every command of
# `fastpathctl help`, every option of `fastpathd --help` and every registered configuration
# section (listed by fastpathd's error for an unknown key) is in its page.
# check.sh BUILD_DIR
set -u
B=$1 MAN=$1/docs/man CTL=$1/app/fastpathctl FPD=$1/app/fastpathd
failed=0 passed=0
check() { # description command...
	if "${@:2}"; then passed=$((passed + 1)); else echo "FAIL: $1"; failed=$((failed + 1)); fi
}
# wide enough that no line is folded or hyphenated: lines compare whole
render() { MANWIDTH=1000 man --warnings -l "$MAN/$1" 2>"$TMP/$1.err" | col -bx >"$TMP/$1.txt"; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

for page in fastpathd.8 fastpathctl.8 fastpath.json.5; do
	check "$page renders" render $page
	check "$page renders without warnings" test ! -s "$TMP/$page.err"
	cat "$TMP/$page.err"
done

has_lines() { # page [grep option]: each line of stdin is in the rendered page
	local missing=0 line
	while IFS= read -r line; do
		[ -z "$line" ] && continue
		grep -qF ${2:-} -- "$line" "$TMP/$1.txt" || { echo "  not in $1: $line"; missing=1; }
	done
	return $missing
}
ctl_commands() { "$CTL" help | grep -v '^[[:space:]]' | sed 's/[[:space:]]*$//'; }
check "fastpathctl.8 has every command of fastpathctl help ($(ctl_commands | grep -c .))" \
	has_lines fastpathctl.8 < <(ctl_commands)
check "fastpathctl.8 has fastpathctl --help" has_lines fastpathctl.8 < <("$CTL" --help | sed 's/^ *//')
check "fastpathd.8 has fastpathd --help" has_lines fastpathd.8 < <("$FPD" --help | sed 's/^ *//')
sections() {
	echo '{"no such section": 1}' >"$TMP/bad.json"
	"$FPD" --check-config "$TMP/bad.json" 2>&1 | sed -n 's/.*(expected \(.*\))$/\1/p' | tr -d "'," |
		tr ' ' '\n'
}
check "fastpathd lists its config sections" test "$(sections | wc -l)" -gt 10
# a section is a heading of its own, "   eal" alone on its line
check "fastpath.json.5 has a section for each registered key" has_lines fastpath.json.5 -x \
	< <(sections | sed 's/^/   /')
echo "$passed passed, $failed failed"
[ $failed = 0 ]
