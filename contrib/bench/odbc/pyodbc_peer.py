"""The peer of the odbc benchmark: the same query, driver and chunks through pyodbc.

usage: pyodbc_peer.py CONNECTION_STRING WINDOW_START WINDOW_END CHUNK_DAYS ROUNDS
Rows are fetched with fetchmany(1000) and each row's title is touched, as the Swift side does.
"""
import datetime
import sys
import time

import pyodbc

QUERY = """
    SELECT id AS external_id, subject AS title, notes AS content, room AS location,
           starts AS start_time, ends AS end_time, status, client_name AS participant_0_name,
           client_mobile AS participant_0_phone_mobile, client_email AS participant_0_email,
           kind AS appt_type, updated
    FROM bench_appointments
    WHERE starts >= ? AND starts < ?
"""


def parse(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")


def main():
    cs, start, end, chunk_days, rounds = sys.argv[1], parse(sys.argv[2]), parse(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    conn = pyodbc.connect(cs, autocommit=False)
    best = 0.0
    for r in range(1, rounds + 1):
        t0 = time.perf_counter()
        c0 = time.process_time()
        rows = 0
        checksum = 0
        s = start
        while s < end:
            e = min(end, s + datetime.timedelta(days=chunk_days))
            cur = conn.cursor()
            cur.execute(QUERY, s, e)
            while True:
                batch = cur.fetchmany(1000)
                if not batch:
                    break
                rows += len(batch)
                for row in batch:
                    checksum += len(row[1] or "")
            cur.close()
            conn.commit()
            s = e
        secs = time.perf_counter() - t0
        cpu = time.process_time() - c0
        rate = rows / secs
        best = max(best, rate)
        print(f"pyodbc round {r}: {rows} rows in {secs:.2f} s = {rate:.0f} rows/s, {cpu:.2f} CPU s = {rows / cpu:.0f} rows/CPU-s (checksum {checksum})")
    print(f"pyodbc best: {best:.0f} rows/s")


if __name__ == "__main__":
    main()
