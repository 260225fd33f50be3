#!/usr/bin/env bash
# Builds every cargo-fuzz target in fuzz/ and runs each for FUZZ_SECONDS
# (default 20) seconds, starting from a temporary copy of its committed seed
# corpus (fuzz/corpus/<target>/, which stays untouched). Exits non-zero if
# any target crashes; the crashing input is kept under fuzz/artifacts/<target>/.
#
# Needs the nightly toolchain; installs cargo-fuzz if it is missing.
# Environment: FUZZ_SECONDS (per target), FUZZ_SANITIZER (default address).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-20}"
sanitizer="${FUZZ_SANITIZER:-address}"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

cd "$root"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo +nightly fuzz build --sanitizer "$sanitizer"

mapfile -t targets < <(cargo +nightly fuzz list)
failed=()
for target in "${targets[@]}"; do
    corpus="$work/$target"
    mkdir -p "$corpus"
    if [ -d "fuzz/corpus/$target" ]; then
        cp -R "fuzz/corpus/$target/." "$corpus/"
    fi
    echo "== fuzzing $target for ${seconds}s"
    if ! cargo +nightly fuzz run --sanitizer "$sanitizer" "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1; then
        failed+=("$target")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz-smoke: crashes in: ${failed[*]} (inputs under fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz-smoke: ${#targets[@]} targets ran ${seconds}s each without a crash"
