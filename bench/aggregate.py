#!/usr/bin/env python3
"""Runs a bench program RUNS times and prints each of its figures as the median of the runs,
with min and max, in bench/lib.sh's columns. For programs that print one measurement per row
(`benchmark,value,unit,target,note`) and compare against no peer in the same process, so there
is no order to alternate. The note of the first run is kept, without figures that vary.

    python3 bench/aggregate.py RUNS PROGRAM [ARGS...]
"""
import csv
import io
import statistics
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: aggregate.py RUNS PROGRAM [ARGS...]")
    runs = int(sys.argv[1])
    cmd = sys.argv[2:]
    values, meta, order = {}, {}, []
    for _ in range(runs):
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rows = [r for r in csv.reader(io.StringIO(out)) if r and not r[0].startswith('#')]
        for r in rows:
            if r[0] == 'benchmark':
                continue
            name, value, unit, target, note = (r + [''] * 5)[:5]
            if name not in values:
                values[name] = []
                meta[name] = (unit, target, note)
                order.append(name)
            values[name].append(float(value))
    w = csv.writer(sys.stdout, lineterminator='\n')
    w.writerow(['benchmark', 'median', 'min', 'max', 'runs', 'unit', 'target', 'note'])
    for name in order:
        v = values[name]
        unit, target, note = meta[name]
        w.writerow([name, f'{statistics.median(v):.6g}', f'{min(v):.6g}', f'{max(v):.6g}',
                    len(v), unit, target, note])


if __name__ == '__main__':
    main()
