#!/usr/bin/env bash
# Instructions and allocations per call of every per-request step, ours
# beside oauth2 5.0 and the hand-written floor (benches/instructions.rs),
# as a markdown table on stdout:
#
#   bash scripts/instructions.sh [--count N] [--keep DIR]
#
# Builds the bench, then runs every mode under callgrind for N calls
# (default 1000), collecting only inside `instructions::measured`, the
# function that makes one call and drops its output: one call is Ir / N.
# Setup, the checks that each side's output equals ours, the inputs each
# call consumes (made before the call) and process start are not counted.
# Allocations are the exact allocator calls inside the N calls, per call.
# --keep DIR keeps each mode's callgrind profile as DIR/<mode>.out, for
# `callgrind_annotate DIR/<mode>.out`.
# Installs valgrind with apt-get when it is missing (Debian, as root).
# Takes about ten seconds once built.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly root
count=1000
keep=
while (($#)); do
    case "$1" in
    --count) count="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    *) printf 'usage: %s [--count N] [--keep DIR]\n' "$0" >&2; exit 2 ;;
    esac
done
[[ "$count" =~ ^[1-9][0-9]*$ ]] || { echo "instructions.sh: --count must be a positive number" >&2; exit 2; }

if ! command -v valgrind >/dev/null; then
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        echo "instructions.sh: valgrind is missing; install it (apt-get install valgrind)" >&2
        exit 1
    fi
    echo "installing valgrind..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >&2 ||
        { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >&2; }
fi

cd "$root"
build_log="$(cargo bench --bench instructions --no-run 2>&1)" ||
    { printf '%s\n' "$build_log" >&2; echo "instructions.sh: the build failed" >&2; exit 1; }
bench="$(sed -n 's/^ *Executable benches\/instructions.rs (\(.*\))$/\1/p' <<<"$build_log")"
[[ -x "$bench" ]] || { echo "instructions.sh: no executable in cargo's output" >&2; exit 1; }
[[ -z "$keep" ]] || mkdir -p "$keep"

stdout="$(mktemp -t instructions.XXXXXX)"
trap 'rm -f "$stdout"' EXIT

# Runs mode $1 at count $2 under callgrind, profile to $3; prints the
# instructions collected in the measured calls, and leaves the bench's own
# output in $stdout.
instructions() {
    local collected
    collected="$(valgrind --tool=callgrind --toggle-collect='instructions::measured*' \
        --callgrind-out-file="$3" "$bench" "$1" "$2" 2>&1 >"$stdout" |
        sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p')"
    [[ -n "$collected" ]] || { echo "instructions.sh: $1 $2 failed under valgrind" >&2; exit 1; }
    [[ "$collected" -gt 0 ]] ||
        { echo "instructions.sh: nothing collected in instructions::measured (renamed or inlined?)" >&2; exit 1; }
    echo "$collected"
}

declare -A ir allocs
for mode in $("$bench" list); do
    profile=/dev/null
    [[ -z "$keep" ]] || profile="$keep/$mode.out"
    collected="$(instructions "$mode" "$count" "$profile")"
    ir[$mode]=$(((collected + count / 2) / count))
    # The bench prints "allocations A reallocations R count N".
    allocs[$mode]="$(awk '{ s = sprintf("%g", $2 / $6); if ($4 > 0) s = s sprintf(" (+%g re)", $4 / $6); print s }' "$stdout")"
done

ratio() { # $1 / $2 to two decimals, or a dash
    if [[ -n "$1" && -n "$2" ]]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; else echo "–"; fi
}

echo "| step | ours Ir | oauth2 Ir | floor Ir | oauth2/ours | ours/floor | allocations ours / oauth2 / floor |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
for step in $("$bench" list | sed 's/-[a-z0-9]*$//' | uniq); do
    o="${ir[$step-ours]:-}" t="${ir[$step-oauth2]:-}" f="${ir[$step-floor]:-}"
    printf '| %s | %s | %s | %s | %s | %s | %s / %s / %s |\n' "$step" \
        "${o:-–}" "${t:-–}" "${f:-–}" "$(ratio "$t" "$o")" "$(ratio "$o" "$f")" \
        "${allocs[$step-ours]:-–}" "${allocs[$step-oauth2]:-–}" "${allocs[$step-floor]:-–}"
done
echo
echo "Ir: instructions per call under callgrind, collected in instructions::measured over $count calls."
echo "Allocations: allocator calls per call (\"re\": reallocations)."
