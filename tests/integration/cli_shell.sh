#!/bin/bash
# fastpathctl's interactive shell against a live fastpathd: TAB completion of
# command words and of the daemon's interface names, ?, history kept across
# sessions, Ctrl-C, and `fastpathctl complete` with contrib/fastpathctl.bash.
#
# usage: cli_shell.sh SOCKET [FASTPATHCTL]
#   FASTPATHCTL defaults to $FASTPATHCTL, else build/app/fastpathctl.
# Prints a PASS or FAIL line per check; exits 1 if any failed.
# shellcheck disable=SC2317 # functions called through check()
set -u

SOCK=${1:?usage: cli_shell.sh SOCKET [FASTPATHCTL]}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CTL=${2:-${FASTPATHCTL:-$ROOT/build/app/fastpathctl}}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
WORK=$(mktemp -d /tmp/cli_shell.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
failed=0

pass() { echo "PASS: $1"; }
fail() {
	echo "FAIL: $1"
	failed=1
}
check() { # description, command...
	local what=$1
	shift
	if "$@" >"$WORK/check.out" 2>&1; then pass "$what"; else
		fail "$what"
		sed 's/^/    /' "$WORK/check.out" | head -20
	fi
}

# A terminal for the shell: tmux is not needed, python's pty module is enough
# (script(1) would do too, but cannot pace the keys).
echo "# pty: python3 pty; tmux: $(command -v tmux || echo none); script: $(command -v script || echo none)"

# drive STEP... : runs the shell on a pty with HOME=$WORK, types each step
# (escapes such as \t, \x03 allowed) and waits for the output to settle;
# what the terminal showed after step N, without escape sequences, is in
# $WORK/step.N.
drive() {
	HOME=$WORK "$PY" - "$CTL" "$SOCK" "$WORK" "$@" <<'EOF'
import os, pty, re, select, signal, sys, time

ctl, sock, work, steps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "xterm"
    os.execv(ctl, [ctl, "-s", sock])

def settle(quiet=0.4, limit=8.0):
    out, end, last = b"", time.time() + limit, time.time()
    while time.time() < end and time.time() - last < quiet:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            out += data
            last = time.time()
    text = out.decode(errors="replace")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r|\x07", "", text)

settle(limit=3)
for i, step in enumerate(steps):
    os.write(fd, step.encode().decode("unicode_escape").encode())
    with open(os.path.join(work, "step.%d" % i), "w") as f:
        f.write(settle())
for _ in range(50):
    if os.waitpid(pid, os.WNOHANG)[0]:
        sys.exit(0)
    time.sleep(0.1)
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
sys.exit(1)
EOF
}

has() { # file string...: every string is in the file
	local f=$1 s
	shift
	for s in "$@"; do
		grep -qF -- "$s" "$f" || {
			echo "'$s' not in:"
			cat "$f"
			return 1
		}
	done
}

if ! "$CTL" -s "$SOCK" show version >/dev/null; then
	fail "fastpathctl $CTL reaches the daemon at $SOCK"
	exit 1
fi
mapfile -t IFACES < <("$CTL" -s "$SOCK" -j show interfaces |
	"$PY" -c 'import json, sys; print("\n".join(sorted(i["name"] for i in json.load(sys.stdin)["interfaces"])))')
if [ ${#IFACES[@]} -eq 0 ]; then
	fail "the daemon has interfaces to complete"
	exit 1
fi
echo "# interfaces: ${IFACES[*]}"

# `complete` and the bash completion script
check "complete: the interface names from the daemon" \
	test "$("$CTL" -s "$SOCK" complete ip addr add 10.255.0.1/24 dev '')" = "$(printf '%s\n' "${IFACES[@]}")"
check "complete: command words" \
	test "$("$CTL" -s "$SOCK" complete ip ro)" = route
bash_complete() { # words...: COMPREPLY from contrib/fastpathctl.bash
	# shellcheck source=/dev/null
	. "$ROOT/contrib/fastpathctl.bash"
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_fastpathctl
	printf '%s\n' "${COMPREPLY[@]}"
}
check "bash completion: the interface names" \
	test "$(bash_complete "$CTL" -s "$SOCK" ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev '')" = \
	"$(printf '%s\n' "${IFACES[@]}")"
check "bash completion: options" has <(bash_complete "$CTL" --so) --socket

# The shell, first session
# the second TAB lists them when the first could only complete their common start
printf -v tab_line 'ip addr add 10.255.0.1/24 dev \t\t'
if drive 'show ver\t' '\n' "$tab_line" '\x01\x0b' 'show ?' '\x01\x0b' \
	'show interfaces\x03' 'exit\n'; then
	pass "shell: exit leaves it"
else
	fail "shell: exit leaves it"
fi
check "shell: TAB completes a command word" has "$WORK/step.0" "show version "
check "shell: the completed command runs" has "$WORK/step.1" "fastpathd "
check "shell: TAB offers the daemon's interface names" has "$WORK/step.2" "${IFACES[@]}"
check "shell: ? lists what may come next, with help" has "$WORK/step.4" \
	"interfaces" "List the interfaces" "routes" "version"
check "shell: Ctrl-C drops the line" sh -c "! grep -q 'link/ether' '$WORK/step.6'"
check "shell: history saved in ~/.fastpathctl_history" \
	grep -qE 'show( |\\040)version' "$WORK/.fastpathctl_history"

# Second session: the history of the first, recalled with Ctrl-P
drive '\x10' '\n' 'exit\n' >/dev/null
check "shell: history recalled in a new session" has "$WORK/step.0" "show version"
check "shell: the recalled command runs" has "$WORK/step.1" "fastpathd "

# Not a terminal: batch mode, no prompt
check "batch mode on a pipe" sh -c "echo 'show version' | '$CTL' -s '$SOCK' | grep -q fastpathd && ! (echo 'show version' | '$CTL' -s '$SOCK' | grep -q 'fastpath>')"

# docs/fastpathctl.md's command reference is `fastpathctl help --markdown`
docs_current() {
	sed -n '/^<!-- BEGIN generated commands/,/^<!-- END generated commands/p' \
		"$ROOT/docs/fastpathctl.md" |
		sed '1d;$d' >"$WORK/doc.md"
	"$CTL" help --markdown | diff -u "$WORK/doc.md" -
}
check "docs/fastpathctl.md lists the commands as help --markdown does" docs_current

exit $failed
