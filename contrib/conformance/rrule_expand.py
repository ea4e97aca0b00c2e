"""Expands recurrence sets with python-dateutil's rrule, the reference almanac's own expander
(Sources/AlmanacCore/Model/Recurrence) is compared with in Tests/AlmanacCoreTests/Recurrence.

Usage: rrule_expand.py CASES.json  ->  prints {"id": [UTC epoch seconds, ...], ...}

CASES.json is {"cases": [{"id", "zone" (empty: an all-day series, its values dates YYYY-MM-DD),
"dtstart": "YYYY-MM-DDTHH:MM:SS" (wall clock in zone),
"rrule": RRULE text, "rdates": [wall clock, ...], "exdates": [wall clock, ...],
"window": [start, end] (epoch seconds, end exclusive)}]}, all cases in one batch.

Wall-clock times are attached to the zone with zoneinfo and fold=0: a time in a DST gap is read
with the offset before the gap (moved forward by the gap's length), a time in the overlap is its
first occurrence -- RFC 5545 section 3.3.5, which section 3.3.10 applies to computed instances.
dateutil computes on the wall clock and compares with a UTC UNTIL as an instant, which is what
the RFC asks. The recurrence set is DTSTART (always an instance), the RRULE, the RDATEs, less the
EXDATEs, as dateutil's rruleset with DTSTART added as an RDATE.
"""

import json
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr, rruleset


def wall(text, zone):
    naive = datetime.fromisoformat(text)
    return naive if zone is None else naive.replace(tzinfo=zone, fold=0)


def expand(case):
    # An empty zone is an all-day series: dates ("YYYY-MM-DD") as naive midnights, reported as
    # that midnight in UTC.
    zone = ZoneInfo(case["zone"]) if case["zone"] else None
    start = wall(case["dtstart"], zone)
    rules = rruleset()
    rules.rrule(rrulestr(case["rrule"], dtstart=start))
    rules.rdate(start)
    for text in case.get("rdates", []):
        rules.rdate(wall(text, zone))
    for text in case.get("exdates", []):
        rules.exdate(wall(text, zone))
    low, high = case["window"]
    out = []
    for instance in rules:
        if zone is None:
            instance = instance.replace(tzinfo=timezone.utc)
        seconds = int(instance.timestamp())
        if seconds >= high:
            break
        if seconds >= low:
            out.append(seconds)
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    json.dump({case["id"]: expand(case) for case in cases}, sys.stdout)


if __name__ == "__main__":
    main()
