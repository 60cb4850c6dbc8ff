#!/usr/bin/env bash
# `make test-clock`: runs pytest once per real-clock time below (tests/at_time.sh), five runs at a
# time, and fails if any run fails. Each run's output goes to results/clock/.
#   tests/at_times.sh <tests for every time> [-- <tests for the times marked e2e only>]
# The in-process tests are cheap and run at every time; the end-to-end ones start Rasa and are run
# at night, in the evening and across the autumn DST change (docs/testing.md, "Proof: make test-clock").
set -uo pipefail
cd "$(dirname "$0")/.."
every=() e2e=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do every+=("$1"); shift; done
[ $# -gt 0 ] && shift && e2e=("$@")
# The e2e times first: they take longest, so they start in the first batch.
times=("2027-01-13 02:30|e2e" "2027-01-13 19:59|e2e" "2027-10-31 02:59 +0200|e2e"
       "2027-01-13 07:59" "2027-01-13 12:00" "2027-01-13 23:30" "2027-03-28 01:59")
parallel=${CLOCK_PARALLEL:-5}
mkdir -p results/clock
pids=() logs=() names=() failed=0
for entry in "${times[@]}"; do
  when="${entry%|e2e}"
  tests=("${every[@]}")
  [ "$entry" != "$when" ] && tests+=("${e2e[@]}")
  log="results/clock/$(echo "$when" | tr -c '0-9\n' '-').log"
  tests/at_time.sh "$when" .venv/bin/python -m pytest -q -p no:cacheprovider "${tests[@]}" >"$log" 2>&1 &
  pids+=($!) logs+=("$log") names+=("$when (${#tests[@]} modules)")
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do sleep 1; done
done
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then status=ok; else status=FAILED; failed=1; fi
  # pytest's summary line (a client's message at exit can come after it)
  echo "clock run ${names[$i]}: $status: $(grep -E '[0-9]+ (passed|failed|errors?)' "${logs[$i]}" | tail -n1)"
  [ $status = ok ] || tail -n 60 "${logs[$i]}"
done
exit $failed
