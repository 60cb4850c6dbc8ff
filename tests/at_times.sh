#!/usr/bin/env bash
# `make test-clock`: runs pytest on the given tests once per real-clock time below (tests/at_time.sh),
# three runs at a time, and fails if any run fails. Each run's output goes to results/clock/.
set -uo pipefail
cd "$(dirname "$0")/.."
times=("2027-01-13 02:30" "2027-01-13 07:59" "2027-01-13 19:59" "2027-01-13 23:30"
       "2027-03-28 01:59" "2027-10-31 02:59 +0200")
parallel=${CLOCK_PARALLEL:-3}
mkdir -p results/clock
pids=() logs=() failed=0
for when in "${times[@]}"; do
  log="results/clock/$(echo "$when" | tr -c '0-9\n' '-').log"
  tests/at_time.sh "$when" .venv/bin/python -m pytest -q -p no:cacheprovider "$@" >"$log" 2>&1 &
  pids+=($!) logs+=("$log")
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do sleep 1; done
done
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then status=ok; else status=FAILED; failed=1; fi
  echo "clock run ${times[$i]}: $status: $(tail -n1 "${logs[$i]}")"
  [ $status = ok ] || tail -n 60 "${logs[$i]}"
done
exit $failed
