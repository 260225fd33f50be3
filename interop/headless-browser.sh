#!/usr/bin/env bash
# A headless Chromium usable as BROWSER (which names a program and cannot
# carry arguments):
#
#   BROWSER=/path/to/interop/headless-browser.sh oauth2-sansio login ...
#
# Opens the one http(s) URL it is given in Debian's /usr/bin/chromium with
# the quiet headless flags and a fresh profile; `--dump-dom` follows the
# whole redirect chain (auto-approving sign-in pages included) to the app's
# loopback listener and exits. Its output is discarded.
#
# Returns only when no Chromium process of its profile is left: it waits
# (bounded) for Chromium's helpers after the main process, kills any still
# running by PID, then removes the profile. On SIGTERM, SIGINT or SIGHUP it
# does the same at once. Chromium alone never runs longer than
# HEADLESS_BROWSER_TIMEOUT seconds (default 300), even if this script is
# killed with SIGKILL. Linux only (it reads /proc).
# shellcheck disable=SC2317 # the functions below run from traps
set -euo pipefail

readonly chromium=/usr/bin/chromium

if [ "$#" -ne 1 ]; then
    echo "usage: headless-browser.sh URL (one http or https URL)" >&2
    exit 2
fi
url="$1"
case "$url" in
    http://?* | https://?*) ;;
    *)
        # Not echoed: whatever it is, it is not ours to print.
        echo "headless-browser: refusing to open anything but an http(s) URL" >&2
        exit 2
        ;;
esac
if [ ! -x "$chromium" ]; then
    echo "headless-browser: $chromium is missing; run scripts/interop-setup.sh" >&2
    exit 1
fi
limit="${HEADLESS_BROWSER_TIMEOUT:-300}"
case "$limit" in
    '' | *[!0-9]* | 0)
        echo "headless-browser: HEADLESS_BROWSER_TIMEOUT must be a positive number of seconds" >&2
        exit 2
        ;;
esac

# The profile directory; empty until it exists.
profile=

# The PIDs of every process started for this profile: Chromium's helpers
# carry --user-data-dir, and its crash handlers (which leave Chromium's
# process group and session) carry the crash database inside the profile.
profile_pids() {
    # An empty pattern would match every process.
    [ -n "$profile" ] || return 0
    # The pattern comes from a file, so grep's own command line does not match.
    { grep -laF -f <(printf '%s\n' "$profile") /proc/[0-9]*/cmdline 2>/dev/null || true; } |
        sed -e 's|^/proc/||' -e 's|/cmdline$||'
}

# Tenths of a second left to wait for Chromium's helpers to exit by
# themselves: none once a signal came.
patience=50

# Waits for the profile's processes to exit, kills those left by PID, and
# removes the profile. A signal now only cuts the wait short: the clean-up
# always completes.
finish() {
    trap hurry TERM INT HUP
    [ -n "$profile" ] || return 0
    local pids
    while pids="$(profile_pids)" && [ -n "$pids" ] && [ "$patience" -gt 0 ]; do
        sleep 0.1
        patience=$((patience - 1))
    done
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086 # one PID a word
        kill -KILL $pids 2>/dev/null || true
        # Give the kernel a moment to take them out of /proc.
        local tenths=20
        while [ -n "$(profile_pids)" ] && [ "$tenths" -gt 0 ]; do
            sleep 0.1
            tenths=$((tenths - 1))
        done
    fi
    rm -rf -- "$profile"
}

# Traps call functions: bash 5.2 can fail to parse a trap string that runs
# while it expands a $(...).
hurry() { patience=0; }
stop() {
    patience=0
    exit "$1"
}
on_hup() { stop 129; }
on_int() { stop 130; }
on_term() { stop 143; }
trap finish EXIT
trap on_term TERM
trap on_int INT
trap on_hup HUP

# After the traps, so that no signal leaves the directory behind. A short
# name: Chromium's singleton socket goes below it (TMPDIR is the profile),
# and a Unix socket path has at most 107 bytes.
profile="$(mktemp -d -t chromium.XXXXXX)"

# Chromium's crash database and temporary files go inside the profile too.
status=0
BREAKPAD_DUMP_LOCATION="$profile/crash" TMPDIR="$profile" \
    timeout --kill-after=5 "$limit" "$chromium" \
    --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --dump-dom "$url" \
    </dev/null >/dev/null 2>&1 &
wait "$!" || status=$?
exit "$status"
