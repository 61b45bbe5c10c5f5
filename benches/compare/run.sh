#!/usr/bin/env bash
# relsim against SimPy on the same model: 100 alternating-renewal components (exponential up
# 100 h, down 1 h) in one k_of_n route, one thread each. Creates a Python virtual environment,
# installs SimPy from PyPI, runs both several times and prints the median events per second of
# each and their ratio. Both count the same events: about 17,300 per replication-year. Usage: benches/compare/run.sh [RUNS]   (default 3 runs each)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work="$root/target/compare"
runs=${1:-3}
components=100
horizon_h=8760          # one year per replication
simpy_reps=100          # about 1.7 million events per SimPy run
relsim_reps=5000        # about 87 million events per relsim run

mkdir -p "$work"
if [ ! -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
fi
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "simpy==4.1.1"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
relsim="$root/target/release/relsim"

python3 "$here/renewal.py" scenario "$components" "$horizon_h" "$relsim_reps" > "$work/renewal-$components.toml"

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

simpy_rates=() relsim_rates=()
for i in $(seq "$runs"); do
  out=$("$work/venv/bin/python" "$here/renewal.py" simpy "$components" "$horizon_h" "$simpy_reps")
  rate=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["events_per_second"])' "$out")
  per_rep=$(python3 -c 'import json, sys; print(round(json.loads(sys.argv[1])["events"] / int(sys.argv[2])))' "$out" "$simpy_reps")
  simpy_rates+=("$rate")
  echo "run $i: SimPy  $(printf '%12.0f' "$rate") events/s   ($per_rep events per replication-year)"

  err=$("$relsim" "$work/renewal-$components.toml" --threads 1 --format json --out "$work/relsim-out" 2>&1 >"$work/relsim.json")
  rate=$(printf '%s\n' "$err" | sed -n 's/.*events in [0-9.]* s (\([0-9.]*\) M events\/s).*/\1/p' | awk '{ print $1 * 1e6 }')
  if [ -z "$rate" ]; then
    echo "could not read relsim's events per second from its output:" >&2
    printf '%s\n' "$err" >&2
    exit 1
  fi
  events=$(printf '%s\n' "$err" | sed -n 's/^relsim: \([0-9]*\) events in.*/\1/p')
  relsim_rates+=("$rate")
  echo "run $i: relsim $(printf '%12.0f' "$rate") events/s   ($((events / relsim_reps)) events per replication-year)"
done

simpy=$(printf '%s\n' "${simpy_rates[@]}" | median)
relsim=$(printf '%s\n' "${relsim_rates[@]}" | median)
echo
echo "model: $components components, exponential up 100 h / down 1 h, k_of_n need $((components / 2)); one thread each"
printf 'SimPy  (median of %d): %12.0f events/s\n' "$runs" "$simpy"
printf 'relsim (median of %d): %12.0f events/s\n' "$runs" "$relsim"
awk -v r="$relsim" -v s="$simpy" 'BEGIN { printf "ratio relsim / SimPy: %.1fx\n", r / s }'
