#!/usr/bin/env python3
"""`almanac run` on 100,000 SQLite rows to the fake Google Calendar, phase by phase.

A one-way profile (appointments joined with clients, every standard field, window
past_days = 1, future_days = 35, chunk_days = 7) read by the odbc connector over the SQLite3 ODBC
driver and synced by the release binary (`almanac run`, a new process per phase) to
`almanac-fakes --google 0` in its own process on 127.0.0.1. Phases: the initial sync, the first
resync (nothing changed, but the calendar's delta returns the events the initial sync wrote), a
resync after 1 % of the rows changed, the resync after it (its delta returns those 1,000 writes),
and a no-change resync (nothing changed on either side since the last run: the target's phase).

Per phase: wall time, CPU time (user + system, wait4 rusage) and peak RSS (VmHWM) of `almanac run`, the
CPU the fake used, the API requests the fake received (its request log, token requests and admin
calls excluded), and the summary line `almanac run` printed.

Environment: BENCH_COUNT (default 100000), BENCH_ROUNDS (default 1: each round starts a fresh
database, state and fake), ALMANAC_BIN (default .build/release/almanac; almanac-fakes beside it). With ALMANAC_TIMINGS=1
the engine's phase timings are printed under each phase.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
COUNT = int(os.environ.get("BENCH_COUNT", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
TICK = os.sysconf("SC_CLK_TCK")
CLIENT_ID = "almanac-sync100k"

# Targets (issue 14, "Fast at 100,000").
RESYNC_WALL = 1.0
RESYNC_RSS_MB = 100
INITIAL_RATE = 10_000
REQUESTS_PER_EVENT = 1.02 / 50


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def seed(db, count):
    """1,000 clients; COUNT appointments on the next 34 days (08:00-18:00, naive local times),
    every one inside the window."""
    sql = f"""
    CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT,
                          mobile TEXT, home TEXT, work TEXT);
    CREATE TABLE appointments (
        id INTEGER PRIMARY KEY, client_id INTEGER NOT NULL REFERENCES clients(id), subject TEXT,
        notes TEXT, kind TEXT NOT NULL, room TEXT, starts TEXT NOT NULL, ends TEXT NOT NULL,
        all_day INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'confirmed',
        response TEXT, created TEXT NOT NULL, updated TEXT NOT NULL);
    CREATE INDEX appointments_starts ON appointments(starts);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
    INSERT INTO clients SELECT i, 'Client ' || i, 'client' || i || '@example.org',
           CASE WHEN i % 3 = 0 THEN NULL ELSE '+1 312 555 ' || substr('000' || i, -4) END,
           '+1 312 556 ' || substr('000' || i, -4),
           CASE WHEN i % 2 = 0 THEN '+1 312 557 ' || substr('000' || i, -4) END FROM n;
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {count - 1})
    INSERT INTO appointments (id, client_id, subject, notes, kind, room, starts, ends, state, response,
                              created, updated)
    SELECT 100000 + i, 1 + (i % 1000),
           CASE WHEN i % 4 = 0 THEN NULL ELSE 'Follow-up ' || i END,
           CASE WHEN i % 5 = 0 THEN 'Bring the X-rays' END,
           CASE i % 3 WHEN 0 THEN 'Check-up' WHEN 1 THEN 'Cleaning' ELSE 'Consultation' END,
           'Room ' || (1 + i % 12),
           datetime('now', 'start of day', (1 + i % 33) || ' days', (8 + (i / 33) % 10) || ' hours',
                    ((i / 330) % 4 * 15) || ' minutes'),
           datetime('now', 'start of day', (1 + i % 33) || ' days', (8 + (i / 33) % 10) || ' hours',
                    ((i / 330) % 4 * 15 + 45) || ' minutes'),
           CASE WHEN i % 50 = 7 THEN 'tentative' ELSE 'confirmed' END,
           CASE WHEN i % 10 = 3 THEN 'accepted' END,
           '2026-01-01 09:00:00', '2026-01-02 09:00:00'
    FROM n;
    """
    subprocess.run(["sqlite3", db], input=sql.encode(), check=True)


def change_one_percent(db):
    """Every 100th row: a new title and location, a later `updated`."""
    sql = """UPDATE appointments SET subject = 'Moved ' || id, room = 'Room 99',
             updated = '2026-02-01 09:00:00' WHERE id % 100 = 0;"""
    subprocess.run(["sqlite3", db], input=sql.encode(), check=True)


PROFILE = """timezone = "America/Chicago"

[schedule]
manual = true

[connections.db]
connector         = "odbc"
connection_string = "Driver=SQLite3;Database={db};"

[connections.calendar]
connector          = "google"
calendar_id        = "primary"
base_url           = "{google}"
token_url          = "{google}/token"
client_id          = "{client_id}"
client_secret_file = "{secret}"
refresh_token_file = "{token}"

[[jobs]]
name      = "appointments"
from      = "db"
to        = "calendar"
direction = "one-way"
window    = {{ past_days = 1, future_days = 35, chunk_days = 7 }}

[jobs.source]
read_query = \"\"\"
SELECT a.id AS external_id, a.subject AS title, a.notes AS content, a.room AS location,
       a.starts AS start_time, a.ends AS end_time, a.all_day AS all_day, a.state AS status,
       a.created AS created, a.updated AS updated,
       c.name AS participant_0_name, c.email AS participant_0_email, a.response AS participant_0_response,
       c.mobile AS participant_0_phone_mobile, c.home AS participant_0_phone_home,
       c.work AS participant_0_phone_work, a.kind AS appt_type
FROM appointments a JOIN clients c ON c.id = a.client_id
WHERE a.starts >= :window_start AND a.starts < :window_end
\"\"\"
"""


class Fake:
    """almanac-fakes --google 0 in its own process."""

    def __init__(self, binary, work):
        self.out = open(os.path.join(work, "fakes.log"), "w")
        self.proc = subprocess.Popen(
            [binary, "--google", "0", "--client-id", CLIENT_ID, "--tokens-dir", work],
            stdout=self.out, stderr=subprocess.STDOUT)
        self.token_file = os.path.join(work, "google.refresh_token")
        for _ in range(200):
            with open(self.out.name) as f:
                m = re.search(r"google fake listening on (http://127\.0\.0\.1:\d+)", f.read())
            if m and os.path.exists(self.token_file):
                self.url = m.group(1)
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise SystemExit("almanac-fakes did not start; see " + self.out.name)

    def cpu(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def requests(self):
        """API requests logged since the last call (then the log is cleared): (requests, listing
        requests, batch requests, batch parts). Inner calls of batches and admin calls are not
        requests; token requests are counted apart by the caller's reading of the log."""
        with urllib.request.urlopen(self.url + "/_fake/log") as r:
            lines = [json.loads(x) for x in r.read().splitlines() if x.strip()]
        req = urllib.request.Request(self.url + "/_fake/log", method="DELETE")
        urllib.request.urlopen(req).read()
        outer = [x for x in lines if "batch_part" not in x and not x.get("path", "").startswith("/_fake")]
        api = [x for x in outer if x.get("path") != "/token"]
        listings = [x for x in api if x.get("method") == "GET" and x.get("path", "").endswith("/events")]
        batches = [x for x in api if x.get("batch_parts", 0) > 0]
        return len(api), len(listings), len(batches), sum(x["batch_parts"] for x in batches)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        self.out.close()


def peak_rss_kb(pid):
    """VmHWM of `pid` (its peak resident set since its exec), or None once it has exited."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def almanac_run(binary, profiles, state):
    """`almanac run sync100k`: (wall s, CPU s, peak RSS MB, exit status, stdout).

    The peak is the process's VmHWM, read every 2 ms until it exits (the last reading; memory
    is only given back after it). wait4's ru_maxrss is not used for it: a child started from this
    Python process keeps the parent's peak as its own from its exec on (Linux carries the
    peak of the address space it replaces over), and this process holds the fake's request logs."""
    out = tempfile.TemporaryFile()
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "run", "sync100k", "--profiles", profiles, "--state", state],
                         stdout=out, stderr=subprocess.STDOUT)
    peak = 0
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, peak_rss_kb(p.pid) or 0)
        time.sleep(0.002)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    text = out.read().decode(errors="replace").strip()
    return wall, usage.ru_utime + usage.ru_stime, peak / 1024, p.returncode, text


def one_round(binary, fakes_binary, n):
    work = tempfile.mkdtemp(prefix="almanac-sync100k-")
    fake = None
    try:
        db = os.path.join(work, "clinic.db")
        seed(db, COUNT)
        fake = Fake(fakes_binary, work)
        secret = os.path.join(work, "client-secret")
        with open(secret, "w") as f:
            f.write("bench-secret\n")
        profiles = os.path.join(work, "profiles")
        state = os.path.join(work, "state")
        os.makedirs(profiles)
        os.makedirs(state)
        with open(os.path.join(profiles, "sync100k.toml"), "w") as f:
            f.write(PROFILE.format(db=db, google=fake.url, client_id=CLIENT_ID, secret=secret,
                                   token=fake.token_file))
        fake.requests()
        load = os.getloadavg()[0]
        print(f"round {n}: {COUNT} rows, load average {load:.2f} at start")
        print(f"  {'phase':<20} {'wall s':>7} {'CPU s':>6} {'RSS MB':>7} {'fake CPU s':>10} "
              f"{'requests':>8} {'listings':>8} {'batches':>7}  almanac run printed")
        rows = []
        for phase in ["initial sync", "first resync", "1 %-changed resync", "resync after the change",
                      "no-change resync"]:
            if phase.startswith("1 %"):
                change_one_percent(db)
            cpu0 = fake.cpu()
            wall, cpu, rss, code, text = almanac_run(binary, profiles, state)
            fake_cpu = fake.cpu() - cpu0
            api, listings, batches, parts = fake.requests()
            timing = [line for line in text.splitlines() if line.startswith("timing: ")]
            summary = " | ".join([line.strip() for line in text.splitlines() if line not in timing][:3])
            print(f"  {phase:<20} {wall:7.2f} {cpu:6.2f} {rss:7.1f} {fake_cpu:10.2f} {api:8d} {listings:8d} "
                  f"{batches:7d}  {summary}", flush=True)
            for line in timing:
                print("      " + line)
            if code != 0:
                raise SystemExit(f"almanac run failed (exit {code}):\n{text}")
            created = re.search(r"(\d+) created", text)
            rows.append((phase, wall, cpu, rss, api, int(created.group(1)) if created else 0))
        return rows
    finally:
        if fake:
            fake.stop()
        shutil.rmtree(work, ignore_errors=True)


def main():
    binary = os.environ.get("ALMANAC_BIN") or os.path.join(REPO, ".build", "release", "almanac")
    fakes_binary = os.path.join(os.path.dirname(binary), "almanac-fakes")
    for b in (binary, fakes_binary):
        if not os.path.exists(b):
            raise SystemExit(f"{b} is missing: run `make release` first")
    print(f"sync100k: `almanac run` ({binary}), SQLite3 ODBC driver → almanac-fakes (own process, 127.0.0.1)")
    verdicts = []
    for n in range(1, ROUNDS + 1):
        rows = one_round(binary, fakes_binary, n)
        initial = rows[0]
        resyncs = [r for r in rows if r[0] == "no-change resync"]
        rate = initial[5] / initial[1]  # events created (tentative rows are skipped) per second
        allowed = REQUESTS_PER_EVENT * COUNT
        ok_initial = rate >= INITIAL_RATE and initial[4] <= allowed
        ok_resync = all(r[1] <= RESYNC_WALL and r[3] <= RESYNC_RSS_MB for r in resyncs)
        print(f"  initial: {initial[5]:,} events in {initial[1]:.2f} s = {rate:,.0f} events/s (target ≥ {INITIAL_RATE:,}), {initial[4]} requests "
              f"(allowed ≤ {allowed:.0f}) — {'meets' if ok_initial else 'MISSES'}")
        print(f"  no-change resync: {', '.join(f'{r[1]:.2f} s / {r[3]:.0f} MB' for r in resyncs)} "
              f"(target ≤ {RESYNC_WALL} s, ≤ {RESYNC_RSS_MB} MB) — {'meets' if ok_resync else 'MISSES'}")
        print("  (a resync after a run that wrote, with no change of its own, reads its writes back in the "
              "calendar's delta: a sync token cannot leave them out; Plugins/GoogleCalendar/README.md "
              "\"What it does\")")
        verdicts.append(ok_initial and ok_resync)
    print(f"  load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
