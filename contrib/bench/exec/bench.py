#!/usr/bin/env python3
"""contrib/bench/exec: the same items read through an exec plugin and through the csv connector.

Both are `almanac run NAME --dry-run` of a one-way job whose `to` side is an empty CSV file, with a
fresh state each time: the engine reads every item of the source, reads the empty target, and
plans one create per item. The only difference is the source connector. Printed per round, as
items/s: the read of the source as the engine times it (`ALMANAC_TIMINGS=1`, "read from": wall
and CPU time of the reading thread's process, from the first request to the last item handed to
the engine: for exec that includes the plugin writing its lines, the pipe, the host's line
splitting and JSON decoding, the mapping to events); the run (the report's duration: connector
start, both reads, the plan) and the whole command (process start, profile check, which for exec
asks the plugin for its spec). Then the ratio exec/csv of the read path, and the load average.
"""
import argparse
import datetime
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))


def prepare(d, count, seed):
    os.makedirs(d, exist_ok=True)
    stamp = os.path.join(d, f"items-{count}-{seed}.done")
    if os.path.exists(stamp):
        return
    rnd = random.Random(seed)
    base = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    base += datetime.timedelta(days=1)
    types = ["check-up", "follow-up", "cleaning", "consultation"]
    with open(os.path.join(d, "items.ndjson"), "w") as nd, open(os.path.join(d, "items.csv"), "w") as csv:
        csv.write("external_id,title,location,start_time,end_time,appt_type\n")
        for i in range(count):
            start = base + datetime.timedelta(minutes=5 * i)
            end = start + datetime.timedelta(minutes=rnd.choice([15, 30, 45]))
            title = f"Appointment {i} with patient {rnd.randrange(100000)}"
            room = f"Room {rnd.randrange(1, 40)}"
            kind = rnd.choice(types)
            s, e = start.strftime("%Y-%m-%dT%H:%M:%S"), end.strftime("%Y-%m-%dT%H:%M:%S")
            event = {"title": title, "location": room, "start": {"date_time": s + "Z"},
                     "end": {"date_time": e + "Z"}, "custom": {"appt_type": kind}}
            nd.write("," + json.dumps({"key": f"A{i}", "version": None, "event": event}, separators=(",", ":"))[1:] + "\n")
            csv.write(f"A{i},{title},{room},{s},{e},{kind}\n")
    with open(os.path.join(d, "out.csv"), "w") as f:
        f.write("external_id,title,location,start_time,end_time,appt_type\n")
    open(stamp, "w").close()


def profile(d, source):
    src = {
        "exec": f'connector = "exec"\ncommand = ["{HERE}/echo-plugin.py", "{d}/items.ndjson"]\n',
        "csv": f'connector = "csv"\npath = "{d}/items.csv"\nsettle = "0s"\n',
    }[source]
    os.makedirs(os.path.join(d, source), exist_ok=True)
    with open(os.path.join(d, source, "bench.toml"), "w") as f:
        f.write(f"""timezone = "UTC"
[schedule]
manual = true
[connections.src]
{src}
[connections.dst]
connector = "csv"
path = "{d}/out.csv"
settle = "0s"
[[jobs]]
name = "j"
from = "src"
to = "dst"
window = {{ past_days = 0, future_days = 400, chunk_days = 400 }}
""")


def run_once(binary, d, source):
    state = os.path.join(d, "state-" + source)
    shutil.rmtree(state, ignore_errors=True)
    t0 = time.monotonic()
    env = dict(os.environ, ALMANAC_TIMINGS="1")
    p = subprocess.run([binary, "run", "bench", "--dry-run", "--profiles", os.path.join(d, source), "--state", state],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    wall = time.monotonic() - t0
    out = p.stdout.decode()
    m = re.search(r"job j: success in ([0-9.]+) (ms|s)", out)
    if p.returncode != 0 or not m:
        sys.exit(f"{source}: run failed ({p.returncode}):\n{out[-2000:]}\n{p.stderr.decode()[-2000:]}")
    read = re.search(r"timing: read from +wall +([0-9.]+) s +cpu +([0-9.]+) s .* (\d+) items", p.stderr.decode())
    if not read or int(read.group(3)) == 0:
        sys.exit(f"{source}: no read timing in:\n{p.stderr.decode()[-2000:]}")
    seconds = float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
    return float(read.group(1)), float(read.group(2)), int(read.group(3)), seconds, wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "almanac-bench-exec"))
    ap.add_argument("--bin", default=os.environ.get("ALMANAC_BIN", os.path.join(ROOT, ".build/release/almanac")))
    a = ap.parse_args()
    prepare(a.dir, a.count, a.seed)
    for s in ("exec", "csv"):
        profile(a.dir, s)
    print(f"{a.count:,} items, binary {a.bin}; load average before: {os.getloadavg()[0]:.2f}")
    ratios = []
    for r in range(a.rounds):
        res = {}
        for s in ("exec", "csv"):
            read, cpu, items, run, wall = run_once(a.bin, a.dir, s)
            if items != a.count:
                sys.exit(f"{s}: read {items} items, expected {a.count}")
            res[s] = read
            print(f"round {r + 1} {s:4}: read {read:6.3f} s = {items / read:9,.0f} items/s "
                  f"(cpu {cpu:6.3f} s = {items / cpu:9,.0f}); run {run:6.3f} s = {items / run:8,.0f} items/s; "
                  f"whole command {wall:6.3f} s = {items / wall:8,.0f} items/s")
        ratios.append(res["csv"] / res["exec"])
        print(f"round {r + 1} read path exec/csv items/s ratio: {ratios[-1]:.2f}; load average {os.getloadavg()[0]:.2f}")
    ratios.sort()
    print(f"median read path exec/csv ratio over {a.rounds} rounds: {ratios[len(ratios) // 2]:.2f}")


main()
