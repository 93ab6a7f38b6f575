#!/usr/bin/env python3
# The UI benchmarks on a 100 000-deal database, each against an empty libadwaita window
# started the same way in the same run: time from process start to the first presented
# frame of the board, peak RSS, and the time from a move request to both columns updated.
#
#   bench-ui.py CLI DB BENCH_APP BASELINE [RUNS]
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import statistics
import subprocess
import sys
import time

cli, db, bench_app, baseline = sys.argv[1:5]
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 11
MOVES = 41

if not os.path.exists(db):
    print(f'Making the 100 000-deal database {db} (once)…', flush=True)
    subprocess.run([cli, 'demo', '--deals', '100000', '--seed', '1', db], check=True)


def first_frame(argv):
    """Seconds from spawning @argv to its "presented" line, and its peak RSS in MiB."""
    start = time.monotonic()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True)
    line = child.stdout.readline()
    elapsed = time.monotonic() - start
    child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if line.strip() != 'presented' or child.returncode != 0:
        sys.exit(f'{argv[0]} did not present a frame (exit {child.returncode})')
    return elapsed, usage.ru_maxrss / 1024.0


app_argv = [bench_app, db, 'first-frame']
base_argv = [baseline]
# One unmeasured start each, so both find the libraries and the database in the page cache.
first_frame(base_argv)
first_frame(app_argv)

base_t, base_rss, app_t, app_rss = [], [], [], []
for _ in range(runs):
    t, rss = first_frame(base_argv)
    base_t.append(t)
    base_rss.append(rss)
    t, rss = first_frame(app_argv)
    app_t.append(t)
    app_rss.append(rss)

moves = subprocess.run([bench_app, db, 'move', str(MOVES)], check=True, capture_output=True,
                       text=True).stdout.split('\n')
move_ms = [float(line.split()[1]) for line in moves if line.startswith('move ')]

bt, at = statistics.median(base_t), statistics.median(app_t)
br, ar = statistics.median(base_rss), statistics.median(app_rss)
mm = statistics.median(move_ms)

ok_frame = at <= 1.5 * bt
ok_rss = ar <= br + 40
ok_move = mm < 16

print(f'First frame of the board (median of {runs}): {at * 1000:.0f} ms; '
      f'empty window {bt * 1000:.0f} ms; ratio {at / bt:.2f} (target ≤ 1.50) '
      f'{"ok" if ok_frame else "MISSED"}')
print(f'Peak RSS (median of {runs}): {ar:.1f} MiB; empty window {br:.1f} MiB; '
      f'difference {ar - br:+.1f} MiB (target ≤ +40) {"ok" if ok_rss else "MISSED"}')
print(f'Move to both columns updated (median of {len(move_ms)}): {mm:.2f} ms; '
      f'max {max(move_ms):.2f} ms (target < 16 ms) {"ok" if ok_move else "MISSED"}')
sys.exit(0 if ok_frame and ok_rss and ok_move else 1)
