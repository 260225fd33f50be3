#!/usr/bin/env bash
# The main job, end to end, on a fresh machine:
#
#   bash scripts/demo.sh
#
# 1. installs what it needs (scripts/interop-setup.sh: the pinned
#    oidc-provider from npm, Debian's chromium);
# 2. builds the CLI (cargo build --features cli --bin oauth2-sansio);
# 3. starts a local OpenID provider (interop/server.mjs, panva's
#    oidc-provider on 127.0.0.1; it signs in and consents by itself);
# 4. writes a client_secrets.json for its public native client;
# 5. runs `oauth2-sansio login --save` with headless Chromium as the
#    browser (BROWSER=interop/headless-browser.sh), timing it;
# 6. runs `oauth2-sansio token` twice, and checks the token at the
#    provider's userinfo endpoint.
#
# Prints what happens at each step, but no secret: tokens only by length.
# Works from any directory; leaves nothing behind (a fresh temporary
# directory each run; the server and the browser are stopped by PID on
# every exit path). Exits non-zero if any step fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly root
readonly ready_timeout=30 browser_exit_timeout=20

step() { printf '\n==> %s\n' "$*"; }
say() { printf '    %s\n' "$*"; }
fail() {
    printf 'demo: %s\n' "$*" >&2
    exit 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

work="$(mktemp -d -t oauth2-sansio-demo.XXXXXX)"
server_pid=
# Marks the processes `login` starts (the browser wrapper, Chromium) in
# their environment, so that they can be found, waited for and stopped.
marker="OAUTH2_SANSIO_DEMO_RUN=$$-$RANDOM$RANDOM"

# The PIDs of the marked processes still running. The pattern comes from a
# file, and the marker is not in this script's environment, so neither grep
# nor this shell matches.
marked_pids() {
    { grep -laF -f <(printf '%s\n' "$marker") /proc/[0-9]*/environ 2>/dev/null || true; } |
        sed -e 's|^/proc/||' -e 's|/environ$||'
}

# Waits up to $1 tenths of a second for the marked processes to exit; then
# asks those left to stop (the wrapper stops Chromium), and kills any still
# there. Returns 1 if it had to stop any.
stop_marked() {
    local tenths="$1" pids
    while pids="$(marked_pids)" && [ -n "$pids" ] && [ "$tenths" -gt 0 ]; do
        sleep 0.1
        tenths=$((tenths - 1))
    done
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086 # one PID a word
    kill -TERM $pids 2>/dev/null || true
    tenths=30
    while pids="$(marked_pids)" && [ -n "$pids" ] && [ "$tenths" -gt 0 ]; do
        sleep 0.1
        tenths=$((tenths - 1))
    done
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
    return 1
}

cleanup() {
    local status=$?
    # A second signal must not cut the clean-up short.
    trap '' INT TERM HUP
    stop_marked 0 || true
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "$status" -ne 0 ] && [ -e "$work/server.err" ]; then
        echo "--- oidc-provider error events ---" >&2
        cat "$work/events.jsonl" 2>/dev/null >&2 || echo "(none)" >&2
        echo "--- oidc-provider stderr ---" >&2
        tail -n 20 "$work/server.err" >&2
    fi
    rm -rf -- "$work"
    exit "$status"
}
trap cleanup EXIT
# Functions, not `exit N` strings: bash 5.2 can fail to parse a trap
# string that runs while it expands a $(...) (then it exits with 2).
interrupted() { exit 130; }
terminated() { exit 143; }
hung_up() { exit 129; }
trap interrupted INT
trap terminated TERM
trap hung_up HUP

step "Installing the interop dependencies (scripts/interop-setup.sh)"
bash "$root/scripts/interop-setup.sh"
say "oidc-provider: interop/node_modules; browser: /usr/bin/chromium"

step "Building the CLI (cargo build --features cli --bin oauth2-sansio)"
cargo build --quiet --manifest-path "$root/Cargo.toml" --features cli --bin oauth2-sansio
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" |
    node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => console.log(JSON.parse(s).target_directory))')"
cli="$target_dir/debug/oauth2-sansio"
[ -x "$cli" ] || fail "the build made no $cli"
say "$cli"

step "Starting the local OpenID provider (node interop/server.mjs)"
# Its stdin is a FIFO this script holds open: INTEROP_EXIT_WITH_STDIN makes
# it exit when the FIFO closes, so even a killed demo leaves no server.
mkfifo "$work/server.stdin"
INTEROP_EXIT_WITH_STDIN=1 INTEROP_MAX_SECONDS=600 \
    node "$root/interop/server.mjs" --event-log "$work/events.jsonl" \
    <"$work/server.stdin" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
exec 3>"$work/server.stdin"
port=
for ((tenths = 0; tenths < ready_timeout * 10; tenths++)); do
    port="$(sed -n 's/^READY \([0-9][0-9]*\)$/\1/p' "$work/server.out")"
    [ -z "$port" ] || break
    kill -0 "$server_pid" 2>/dev/null || fail "the provider exited before it was ready"
    sleep 0.1
done
[ -n "$port" ] || fail "the provider printed no READY line within ${ready_timeout} s"
issuer="http://127.0.0.1:$port"
say "issuer $issuer (PID $server_pid)"

step "Writing client_secrets.json for its public native client"
secrets="$work/client_secrets.json"
cat >"$secrets" <<EOF
{"installed": {"client_id": "native-public",
               "auth_uri": "$issuer/auth",
               "token_uri": "$issuer/token",
               "redirect_uris": ["http://127.0.0.1/"]}}
EOF
say "$secrets: client native-public (no secret: PKCE), auth_uri $issuer/auth"

step "oauth2-sansio login, headless Chromium as the browser"
credentials="$work/credentials.json"
start="$(now_ms)"
# The marker is in this command's environment only, and so in the
# browser's. In the background, so that a signal stops the demo at once.
{
    env "$marker" BROWSER="$root/interop/headless-browser.sh" \
        "$cli" login --client-secrets "$secrets" \
        --scope openid --scope email --scope offline_access \
        --save "$credentials" --timeout 60 2>&1 | sed -u 's/^/    | /'
} &
status=0
wait "$!" || status=$?
login_ms=$(($(now_ms) - start))
[ "$status" -eq 0 ] || fail "login failed (exit $status)"
[ -s "$credentials" ] || fail "login saved no credentials"
say "login wall time: $((login_ms / 1000)).$(printf '%03d' $((login_ms % 1000))) s" \
    "(from start to saved credentials; mostly the provider and Chromium)"
say "credentials.json: mode $(stat -c %a "$credentials"), $(wc -c <"$credentials") bytes"
stop_marked $((browser_exit_timeout * 10)) ||
    fail "the browser was still running ${browser_exit_timeout} s after login"
say "the browser wrapper and Chromium have exited"

step "oauth2-sansio token, twice"
first="$("$cli" token --credentials "$credentials")"
say "token: ${#first} characters, fresh (printed from the file, no refresh needed)"
second="$("$cli" token --credentials "$credentials")"
[ "$second" = "$first" ] || fail "the second token differs from the first, though the first was fresh"
say "token again: ${#second} characters, the same token"

step "Using the token at the provider's userinfo endpoint"
# The token goes to node through the environment, never on a command line.
# shellcheck disable=SC2016 # JavaScript, not shell
subject="$(TOKEN="$first" URL="$issuer/me" node --input-type=module -e '
  const res = await fetch(process.env.URL, { headers: { authorization: `Bearer ${process.env.TOKEN}` } });
  if (!res.ok) { console.error(`userinfo answered HTTP ${res.status}`); process.exit(1); }
  console.log((await res.json()).sub);')"
say "userinfo: sub=$subject"

step "Done: signed in with the browser, saved credentials, printed a valid token"
