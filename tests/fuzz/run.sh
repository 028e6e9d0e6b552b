#!/bin/bash
# make fuzz: each libFuzzer target for FUZZ_SECONDS, then what it found that adds coverage merged
# into its corpus (tests/fuzz/corpus/<target>), the corpus minimised (-merge=1), and one line of
# figures per target. Crashes, leaks, sanitizer reports and hangs are kept as artifacts and fail
# the run. A hang is an input that takes 60 s: the machine may be busy with other work.
# usage: run.sh BUILD_DIR [TARGET...]   (FUZZ_SECONDS=120, FUZZ_ARGS="-fork=2" ... for libFuzzer)
set -u
BUILD=${1:?usage: run.sh BUILD_DIR [TARGET...]}
shift
TARGETS=${*:-graph api config}
SECONDS_EACH=${FUZZ_SECONDS:-120}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${FUZZ_OUT:-$BUILD/fuzz-out}
mkdir -p "$OUT"
# fuzzed packets and API calls stay out of the machine's network: a namespace of their own
NETNS=()
[ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null && NETNS=(unshare --net)

fail=0
summary=()
for t in $TARGETS; do
	bin=$BUILD/tests/fuzz/fuzz_$t
	corpus=$HERE/corpus/$t
	new=$(mktemp -d "$OUT/new-$t.XXXXXX")
	fresh=$(mktemp -d "$OUT/min-$t.XXXXXX")
	log=$OUT/$t.log
	mkdir -p "$corpus"
	echo "== fuzz_$t: ${SECONDS_EACH}s, corpus $(ls "$corpus" | wc -l) files, log $log"
	dict=()
	[ -f "$HERE/$t.dict" ] && dict=(-dict="$HERE/$t.dict")
	# new inputs go to the first directory; the corpus is read only
	"${NETNS[@]}" "$bin" -max_total_time="$SECONDS_EACH" -timeout=60 -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix="$OUT/$t-" "${dict[@]}" ${FUZZ_ARGS:-} \
		"$new" "$corpus" >"$log" 2>&1
	rc=$?
	grep -E "^(==[0-9]+==ERROR|SUMMARY|.*runtime error)" "$log" | head -5
	[ $rc = 0 ] || { echo "fuzz_$t: exit $rc, artifacts: $(ls "$OUT" | grep "^$t-" | tr '\n' ' ')"; fail=1; }
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o "cov: [0-9]* ft: [0-9]*" "$log" | tail -1)
	# the corpus and the new inputs, minimised together into the corpus: an input per edge or
	# node reached, not per hit count (a few hundred files)
	"${NETNS[@]}" "$bin" -merge=1 -use_counters=0 -timeout=60 -rss_limit_mb=4096 "$fresh" "$corpus" "$new" \
		>"$OUT/$t-merge.log" 2>&1 && [ -n "$(ls "$fresh")" ] &&
		rm -f "$corpus"/* && cp "$fresh"/* "$corpus"/
	# what a target that died (crash, leak, timeout) left: its EAL runtime files, its socket
	for d in /var/run/dpdk/fuzz_"${t}"_* /tmp/fuzz_"${t}".*; do
		pid=${d#*fuzz_"${t}"[_.]}
		pid=${pid%%.*}
		[ -e "$d" ] && ! kill -0 "$pid" 2>/dev/null && rm -rf "$d"
	done
	summary+=("fuzz_$t: ${execs:-?} executions in ${SECONDS_EACH}s, ${cov:-no coverage figures}, corpus $(ls "$corpus" | wc -l) files, $(cat "$corpus"/* | wc -c) bytes")
	rm -rf "$new" "$fresh"
done
printf '%s\n' "${summary[@]}"
exit $fail
