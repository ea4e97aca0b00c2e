"""The thundering-herd phase of the 1,000-profile run (issue 20, item 5): every profile's scheduled
run falls due in the same minute against the fake Google, with one shared quota of 600 requests a
minute. Run by scale.py after the idle daemon has stopped.

N profiles (BENCH_SCALE_PROFILES) each sync a one-event CSV (a 2-day window in one chunk: one listing
and one batch of one insert, 2 requests a run) to their own calendar on the fake
Google (`almanac-fakes`, its own process, one OAuth client: every profile counts on the quota key
`google:almanac-herd`), with `[schedule] at = ["HH:MM"]` the same minute for all, chosen so that
every worker is ready before it. almanac.toml: `[quota.google] rate = 600, burst = BURST`.

Figures, from the fake's request log (arrival times, the token endpoint left out, a batch counting
its calls) and from `GET /v1/profiles` / `GET /v1/quota`:
- the most requests in any sliding 60 s window, against the quota, 600 (the governor grants no more
  than the rate in any 60 s + LAG, a full bucket at the start included, so requests reaching the
  fake up to LAG after their grants still keep every 60 s within the rate);
- runs finished (a successful scheduled run that started at or after the due minute) out of N;
- each profile's wait, due minute → its run finished: the largest, against the fair share. With
  R requests in all (about N × requests per run), the bucket lets the last of them go
  (R - burst) / (600 / (60 + LAG)) s after the due minute; first-in-first-out turns among the profiles mean no
  profile should finish after that, plus one run's own time. The bound printed is
  (R - burst) / (600 / (60 + LAG)) s × 1.1 + 10 s (10 % and 10 s for the run's work around its requests and the
  machine's load).
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import time
from datetime import datetime, timezone

import bench  # the daemon API and /proc helpers (scale.py, which runs this, puts this directory on the path)

RATE = 600  # requests per minute on the shared key
BURST = int(os.environ.get("BENCH_HERD_BURST", "10"))
LAG = 5.0  # almanac.toml's default `lag` (seconds), left unset here
PACE = RATE / (60.0 + LAG)  # requests a second once the burst has gone
CLIENT = "almanac-herd"


def fakes_binary(binary):
    return os.environ.get("ALMANAC_FAKES") or os.path.join(os.path.dirname(binary), "almanac-fakes")


def start_fake(binary, root):
    """`almanac-fakes --google 0` in its own process; its base URL and the log file."""
    log_file = os.path.join(root, "fake-requests.jsonl")
    fake = subprocess.Popen([fakes_binary(binary), "--google", "0", "--any-client", "--log-file", log_file],
                            stdout=subprocess.PIPE, stderr=open(os.path.join(root, "fake.log"), "w"), text=True)
    line = fake.stdout.readline()  # "google fake listening on http://127.0.0.1:PORT (token endpoint …)"
    if "listening on " not in line:
        fake.kill()
        raise RuntimeError("almanac-fakes did not start: %r" % line)
    base = line.split("listening on ", 1)[1].split()[0]
    return fake, base, log_file


def write_profiles(root, n, base, due):
    """N profiles, each one event to its own calendar, all due at `due` (UTC, whole minute)."""
    profiles = os.path.join(root, "profiles.d")
    os.makedirs(profiles)
    os.makedirs(os.path.join(root, "src"))
    secret = os.path.join(root, "client-secret")
    token = os.path.join(root, "refresh-token")
    for path, text in ((secret, "herd-secret"), (token, "herd-refresh-token")):
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
    tomorrow = datetime.fromtimestamp(due.timestamp() + 86_400, timezone.utc).strftime("%Y-%m-%d")
    for i in range(n):
        csv = os.path.join(root, "src", "h%d.csv" % i)
        with open(csv, "w") as f:
            f.write("external_id,title,start_time,end_time\n1,Visit %d,%sT09:00,%sT09:30\n" % (i, tomorrow, tomorrow))
        p = os.path.join(profiles, "h%d.toml" % i)
        with open(p, "w") as f:
            f.write(
                'timezone = "UTC"\n[schedule]\nat = ["%s"]\n'
                '[connections.src]\nconnector = "csv"\npath = "%s"\n'
                '[connections.cal]\nconnector = "google"\ncalendar_id = "herd-%d"\nbase_url = "%s"\n'
                'token_url = "%s/token"\nclient_id = "%s"\nclient_secret_file = "%s"\nrefresh_token_file = "%s"\n'
                '[[jobs]]\nname = "visits"\nfrom = "src"\nto = "cal"\n'
                'window = { past_days = 0, future_days = 2, chunk_days = 2 }\n'
                % (due.strftime("%H:%M"), csv, i, base, base, CLIENT, secret, token))
        os.chmod(p, 0o600)
    config = os.path.join(root, "almanac.toml")
    with open(config, "w") as f:
        f.write("[quota.google]\nrate = %d\nburst = %d\n" % (RATE, BURST))
    return profiles, config


def requests_of(log_file):
    """(arrival, tokens) of each API request in the fake's log, in arrival order."""
    out = []
    with open(log_file) as f:
        for line in f:
            e = json.loads(line)
            if "batch_part" in e or e.get("path") == "/token" or "time" not in e:
                continue
            t = datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp()
            out.append((t, max(1, e.get("batch_parts", 0))))
    out.sort()
    return out


def max_window(reqs, seconds=60.0):
    """The most tokens in any window [t, t + seconds) starting at a request, and that window's
    start in seconds after the first request."""
    best, at, j, total = 0, 0.0, 0, 0
    for i in range(len(reqs)):
        while j < len(reqs) and reqs[j][0] < reqs[i][0] + seconds:
            total += reqs[j][1]
            j += 1
        if total > best:
            best, at = total, reqs[i][0] - reqs[0][0]
        total -= reqs[i][1]
    return best, at


def run(binary, root, n):
    """The herd phase; returns its figures (see the module's doc)."""
    os.makedirs(root)
    fake, base, log_file = start_fake(binary, root)
    try:
        return measure(binary, root, n, base, log_file)
    finally:
        fake.send_signal(signal.SIGTERM)
        try:
            fake.wait(timeout=10)
        except subprocess.TimeoutExpired:
            fake.kill()


def measure(binary, root, n, base, log_file):
    state, runtime = os.path.join(root, "state"), os.path.join(root, "run")
    sock = os.path.join(runtime, "almanac.sock")
    # The due minute: the first whole minute at least the expected start-up time away (about
    # 60 ms a worker on a loaded machine, at least 60 s).
    now = time.time()
    due_ts = (int(now + max(60.0, n * 0.12)) // 60 + 1) * 60
    due = datetime.fromtimestamp(due_ts, timezone.utc)
    profiles, config = write_profiles(root, n, base, due)
    out = {"n": n, "burst": BURST, "due": due.strftime("%H:%M"), "load_before": bench.loadavg()}
    daemon = subprocess.Popen(
        [binary, "daemon", "--profiles", profiles, "--state", state, "--runtime", runtime, "--config", config],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(root, "daemon.log"), "w"))
    try:
        t0 = time.time()
        if not bench.wait_up(sock, n, due_ts - 1 - time.time(), every=0.5):
            raise RuntimeError("herd: not all %d workers ready before the due minute %s" % (n, out["due"]))
        out["ready_s"] = time.time() - t0
        bench.log("herd: %d workers ready in %.1f s; their runs fall due at %s UTC (in %.0f s)…"
            % (n, out["ready_s"], out["due"], due_ts - time.time()))
        while time.time() < due_ts:
            time.sleep(min(1.0, due_ts - time.time() + 0.01))
        total_tokens = n * 2  # about 2 requests a run (a listing, an insert); the measured figure replaces it
        deadline = due_ts + 2 * (total_tokens / PACE) + 180
        finished = {}
        load_peak = bench.loadavg()
        while time.time() < deadline:
            time.sleep(2)
            try:
                st = bench.api(sock, "/v1/profiles")["profiles"]
            except (OSError, ValueError, KeyError):
                continue
            for p in st:
                r = p.get("last_run")
                if r and r.get("result") == "success" and r.get("trigger") in ("startup", "schedule"):
                    started = datetime.fromisoformat(r["started"].replace("Z", "+00:00")).timestamp()
                    if started >= due_ts - 1:
                        finished[p["name"]] = datetime.fromisoformat(r["finished"].replace("Z", "+00:00")).timestamp()
            if time.time() - due_ts > 30 and len(finished) < n:
                load_peak = max(load_peak, bench.loadavg(), key=lambda s: float(s.split()[0]))
            if len(finished) == n:
                break
        out["load_during"] = load_peak
        out["finished"] = len(finished)
        waits = [finished[k] - due_ts for k in finished]
        out["wait_max"] = max(waits) if waits else float("nan")
        out["wait_p50"] = statistics.median(waits) if waits else float("nan")
        quota = bench.api(sock, "/v1/quota")["buckets"]
        shared = next((b for b in quota if b["key"] == "google:" + CLIENT), {})
        out["granted"], out["waits"], out["rate_limited"] = (
            shared.get("granted", 0), shared.get("waits", 0), shared.get("rate_limited", 0))
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=120)
        time.sleep(1.5)  # the fake appends its log every second
        reqs = requests_of(log_file)
        out["requests"] = sum(t for _, t in reqs)
        out["per_run"] = out["requests"] / float(n)
        out["window_max"], out["window_at"] = max_window(reqs)
        # What reached the fake in the first and in the last 10 s of the busiest window: a
        # governor holding the rate spreads them evenly; arrivals that lag their grants bunch.
        start = reqs[0][0] + out["window_at"] if reqs else 0.0
        out["window_head"] = sum(k for t, k in reqs if start <= t < start + 10)
        out["window_tail"] = sum(k for t, k in reqs if start + 50 <= t < start + 60)
        out["span_s"] = (reqs[-1][0] - reqs[0][0]) if reqs else 0.0
        # The bound counts the requests the runs should make (2 each) when fewer reached the fake.
        out["fair_s"] = max(0, max(out["requests"], 2 * n) - BURST) / PACE
        out["bound_s"] = out["fair_s"] * 1.1 + 10
        out["elapsed_s"] = time.time() - t0
        out["load_after"] = bench.loadavg()
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    with open(os.path.join(root, "daemon.log")) as f:
        text = f.read()
    out["no_heartbeat_kills"] = text.count("no heartbeat for")
    return out


def print_lines(h, line):
    """The herd's rows of the scale table (`line(label, value, target, ok)`)."""
    print("thundering herd: %d profiles due at %s UTC, quota %d/min burst %d; load before %s, during %s, after %s;"
          " %.0f s from start to stop" % (h["n"], h["due"], RATE, h["burst"], h["load_before"], h["load_during"],
                                          h["load_after"], h["elapsed_s"]))
    limit = RATE
    line("herd: most requests in a 60 s window", "%d" % h["window_max"], "<= %d" % limit, h["window_max"] <= limit)
    line("herd: busiest window from, after first request", "%.1f s" % h["window_at"], "", None)
    line("herd: busiest window, first / last 10 s", "%d / %d" % (h["window_head"], h["window_tail"]), "", None)
    line("herd: runs finished", "%d / %d" % (h["finished"], h["n"]), "all", h["finished"] == h["n"])
    line("herd: wait due → finished, max", "%.1f s" % h["wait_max"], "<= %.1f s" % h["bound_s"],
         h["wait_max"] <= h["bound_s"])
    line("herd: wait due → finished, median", "%.1f s" % h["wait_p50"], "", None)
    line("herd: requests (per run)", "%d (%.2f)" % (h["requests"], h["per_run"]), "", None)
    line("herd: first → last request", "%.1f s" % h["span_s"], "~%.1f s" % h["fair_s"], None)
    line("herd: workers killed, no heartbeat", "%d" % h["no_heartbeat_kills"], "0", h["no_heartbeat_kills"] == 0)
    line("herd: governor granted / waits / 429s", "%d / %d / %d" % (h["granted"], h["waits"], h["rate_limited"]),
         "", None)
