#!/usr/bin/env python3
"""Compares what loadgen published with what `tinsense export --format csv` stored.

    compare.py EXPECTED_CSV EXPORT_CSV START_MS MODE

EXPECTED_CSV lines are "sensor,step,value" (loadgen); every value is unique per message, so a
reading is identified by (sensor, value). MODE "ts" also checks the stored source time
(START_MS + step * 1000); MODE "bare" cannot (the daemon stamps the receive time).
Prints one line "published=N stored=N lost=N duplicated=N unexpected=N wrong_time=N" and exits
1 unless lost, duplicated, unexpected and wrong_time are all 0.
"""
import csv
import sys
from collections import Counter
from datetime import datetime


def epoch_ms(text):
    return int(round(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000))


def main():
    expected_path, export_path, start, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    expected = {}
    with open(expected_path) as f:
        for sensor, step, value in csv.reader(f):
            expected[(sensor, value)] = start + int(step) * 1000
    stored = Counter()
    wrong_time = 0
    with open(export_path) as f:
        for row in csv.DictReader(f):
            key = (row["sensor"], row["value"])
            stored[key] += 1
            if mode == "ts" and key in expected and epoch_ms(row["source_time"]) != expected[key]:
                wrong_time += 1
    lost = sum(1 for k in expected if stored[k] == 0)
    duplicated = sum(n - 1 for k, n in stored.items() if n > 1)
    unexpected = sum(n for k, n in stored.items() if k not in expected)
    print(f"published={len(expected)} stored={sum(stored.values())} lost={lost} duplicated={duplicated} "
          f"unexpected={unexpected} wrong_time={wrong_time}")
    if lost:
        print("  e.g. lost:", [k for k in expected if stored[k] == 0][:5])
    if duplicated:
        print("  e.g. duplicated:", [k for k, n in stored.items() if n > 1][:5])
    sys.exit(0 if lost == duplicated == unexpected == wrong_time == 0 else 1)


if __name__ == "__main__":
    main()
