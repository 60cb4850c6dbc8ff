#!/usr/bin/env bash
# Runs a command as if the real clock showed a stated Copenhagen time: `tests/at_time.sh "2027-03-28
# 01:59" pytest ...`. Debian's libfaketime, loaded directly with a fixed offset (not the `faketime`
# wrapper, whose "start at" time restarts in every child process and whose shared-memory set-up can
# hang a multithreaded child): every process of a test stack is shifted by the same seconds, so they
# still agree with each other. docs/testing.md, "Time in tests".
set -euo pipefail
when="$1"; shift
lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n1)
[ -n "$lib" ] || { echo "libfaketime is missing: apt-get install faketime" >&2; exit 2; }
offset=$(( $(TZ=Europe/Copenhagen date -d "$when" +%s) - $(date +%s) ))
echo "== real clock at $when Copenhagen time (offset ${offset}s): $*" >&2
export LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}"
export FAKETIME="$(printf '%+d' "$offset")s"
# asyncio and thread waits use the monotonic clock; shifting it as well buys nothing and can hang them.
export FAKETIME_DONT_FAKE_MONOTONIC=1
exec "$@"
