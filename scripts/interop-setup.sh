#!/usr/bin/env bash
# Installs what the interop tests need (tests/interop/, tests/cli/):
#   - the pinned oidc-provider in interop/node_modules (`npm ci`, from the
#     committed package-lock.json), unless installed since the lock file
#     last changed;
#   - Debian's chromium, the headless browser of the installed-app scenarios,
#     unless /usr/bin/chromium exists (needs root for apt-get);
#   - Debian's redis-server, the shared store of the fleet tests
#     (tests/io/redis_fleet/, benches/fleet.rs), unless /usr/bin/redis-server
#     exists (needs root for apt-get);
#   - google-auth, the reference for the metadata server, with its pinned
#     dependencies (interop/requirements.txt) in a virtual environment,
#     interop/.venv, unless installed since the requirements last changed.
#     A venv rather than `pip install --user`: the pinned versions are the
#     ones the test imports whatever else the user's Python has, and
#     nothing outside the repository is changed.
# Idempotent and quiet; a second run does nothing and takes well under a second.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
interop="$root/interop"

# Stops unless the command $1 is on PATH; $2 says what needs it.
need() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "interop-setup: '$1' is not on PATH; ${2:-the interop tests need Node.js >= 20.18 and npm}" >&2
        exit 1
    fi
}
need node
need npm
# oidc-provider 9 uses URL.parse (Node.js 20.18+).
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 18) ? 0 : 1)'; then
    echo "interop-setup: Node.js $(node --version) is too old; oidc-provider 9 needs >= 20.18" >&2
    exit 1
fi

# npm ci writes node_modules/.package-lock.json: install when it is missing or
# older than the committed lock file (a checkout that changed the lock).
installed_lock="$interop/node_modules/.package-lock.json"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Runs a command with its output kept aside, shown only if it fails.
quietly() {
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "interop-setup: failed: $*" >&2
        exit 1
    fi
}

if [ ! -f "$installed_lock" ] || [ "$interop/package-lock.json" -nt "$installed_lock" ]; then
    quietly npm ci --prefix "$interop" --no-audit --no-fund
fi

if [ ! -x /usr/bin/chromium ]; then
    export DEBIAN_FRONTEND=noninteractive
    quietly apt-get update
    quietly apt-get install -y chromium
fi

if [ ! -x /usr/bin/redis-server ]; then
    export DEBIAN_FRONTEND=noninteractive
    quietly apt-get update
    quietly apt-get install -y redis-server
fi

# pip writes nothing like npm's installed lock file: a stamp records the
# requirements last installed.
venv="$interop/.venv"
stamp="$venv/.requirements.txt"
if [ ! -f "$stamp" ] || ! cmp -s "$interop/requirements.txt" "$stamp"; then
    need python3 "the google-auth interop test needs Python 3 (with venv)"
    if [ ! -x "$venv/bin/python" ]; then
        quietly python3 -m venv "$venv"
    fi
    quietly "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-input -r "$interop/requirements.txt"
    cp "$interop/requirements.txt" "$stamp"
fi
