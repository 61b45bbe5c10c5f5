"""The alternating-renewal model of benches/renewal.rs, for the SimPy comparison.

N components, each up for an exponential time (mean 100 h) and then down for an exponential time
(mean 1 h), over and over; one failure or one repair is one event. The components form one
k_of_n route that needs half of them, and the run measures its availability.

  python3 renewal.py scenario N HORIZON_H REPS   writes the relsim scenario to stdout
  python3 renewal.py simpy N HORIZON_H REPS      runs the model in SimPy, prints JSON
"""

import json
import random
import sys
import time

HOUR = 3600.0


def scenario(n, horizon_h, reps):
    out = [f'[simulation]\nhorizon = "{horizon_h}h"\nreplications = {reps}\nseed = 1\n']
    for i in range(n):
        out.append(
            f'[components.c{i}]\nfailure = {{ dist = "exponential", mean = "100h" }}\n'
            f'repair = {{ dist = "exponential", mean = "1h" }}\n'
        )
    members = ", ".join(f'"c{i}"' for i in range(n))
    out.append(f"[routes.fleet]\nk_of_n = {{ need = {n // 2}, of = [{members}] }}\n")
    out.append('[traffic.t]\nrate = "1/s"\n\n[architectures.a]\nt = ["fleet"]\n')
    return "\n".join(out)


def simpy_run(n, horizon_h, reps):
    import simpy

    horizon = horizon_h * HOUR
    need = n // 2
    events = 0
    up_time = 0.0
    started = time.perf_counter()
    for rep in range(reps):
        rng = random.Random(rep)
        env = simpy.Environment()
        state = {"up": n, "since": 0.0, "up_time": 0.0, "events": 0}

        def settle(now, before):
            # Availability of the route: time with at least `need` components up.
            if before >= need:
                state["up_time"] += now - state["since"]
            state["since"] = now

        def component(env):
            while True:
                yield env.timeout(rng.expovariate(1.0 / (100 * HOUR)))
                settle(env.now, state["up"])
                state["up"] -= 1
                state["events"] += 1
                yield env.timeout(rng.expovariate(1.0 / HOUR))
                settle(env.now, state["up"])
                state["up"] += 1
                state["events"] += 1

        for _ in range(n):
            env.process(component(env))
        env.run(until=horizon)
        settle(horizon, state["up"])
        events += state["events"]
        up_time += state["up_time"]
    seconds = time.perf_counter() - started
    return {
        "events": events,
        "seconds": seconds,
        "events_per_second": events / seconds,
        "availability": up_time / (horizon * reps),
        "simpy": simpy.__version__ if hasattr(simpy, "__version__") else "unknown",
    }


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("scenario", "simpy"):
        sys.exit(__doc__)
    n, horizon_h, reps = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    if sys.argv[1] == "scenario":
        sys.stdout.write(scenario(n, horizon_h, reps))
    else:
        print(json.dumps(simpy_run(n, horizon_h, reps)))


if __name__ == "__main__":
    main()
