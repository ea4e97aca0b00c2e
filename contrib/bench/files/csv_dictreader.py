"""The Python peer of the csv connector in contrib/bench/files: the same job on the same file.

csv.DictReader reads every row of the generated export and maps it as the connector does: the
standard fields to one dict per row (key trimmed, empty values absent, start and end parsed as
ISO 8601 and read in America/Chicago, status checked, participant 0 with name, email and mobile
phone, the other columns as custom fields), keeping the rows whose start falls in the window,
each key once (a later row with a listed key is a problem, as for the connector). Nothing else
is kept after a row is mapped (the connector's pages are dropped too).

    python3 csv_dictreader.py FILE [START END]     START/END: ISO 8601 instants (the window)

Prints one JSON line like the bench's own phases: rows, bytes, seconds (wall), cpuSeconds
(user + system of this process), peakRSSKB (ru_maxrss).
"""

import csv
import json
import os
import resource
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("America/Chicago")
STATUSES = {"": "confirmed", "confirmed": "confirmed", "tentative": "tentative",
            "cancelled": "cancelled", "canceled": "cancelled"}
STANDARD = {"external_id", "title", "content", "location", "start_time", "end_time", "status",
            "participant_0_name", "participant_0_email", "participant_0_phone_mobile"}


def when(text):
    """A naive ISO 8601 date-time read in the profile's zone; an explicit offset is kept."""
    t = datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=ZONE)


def read(path, start, end):
    rows = 0
    seen = set()
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        custom_columns = [c for c in reader.fieldnames if c not in STANDARD]
        for r in reader:
            key = r["external_id"].strip()
            if not key:
                raise ValueError(f"line {reader.line_num}: no external_id")
            begins = when(r["start_time"])
            if not (start <= begins < end):
                continue
            ends = when(r["end_time"]) if r["end_time"] else None
            if ends is not None and ends < begins:
                raise ValueError(f"line {reader.line_num}: ends before it starts")
            if key in seen:
                raise ValueError(f"line {reader.line_num}: {key} listed before")
            seen.add(key)
            status = STATUSES[r["status"].strip().lower()]
            participant = {"name": r["participant_0_name"] or None, "email": r["participant_0_email"] or None,
                           "phones": {"mobile": r["participant_0_phone_mobile"]}
                           if r["participant_0_phone_mobile"] else {}}
            event = {
                "key": key, "title": r["title"] or None, "description": r["content"] or None,
                "location": r["location"] or None, "start": begins, "end": ends, "status": status,
                "participants": [participant],
                "custom": {c: r[c] for c in custom_columns if r[c]},
            }
            rows += 1 if event else 0
    return rows


def main():
    path = sys.argv[1]
    start = datetime.fromisoformat(sys.argv[2]) if len(sys.argv) > 2 else datetime(1970, 1, 1, tzinfo=ZONE)
    end = datetime.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 else datetime(2100, 1, 1, tzinfo=ZONE)
    wall = time.monotonic()
    cpu = time.process_time()
    rows = read(path, start, end)
    print(json.dumps({
        "rows": rows, "bytes": os.path.getsize(path), "seconds": time.monotonic() - wall,
        "cpuSeconds": time.process_time() - cpu,
        "peakRSSKB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == "__main__":
    main()
