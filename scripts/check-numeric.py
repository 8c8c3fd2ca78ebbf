#!/usr/bin/env python3
"""Runs numeric oracle JSONL files through `convarith eval` (optionally forcing an impl) and reports
cases whose y is outside atol + rtol·|expected| (a developer aid; the tests do the same)."""
import json, subprocess, sys, math

binary, impl, files = sys.argv[1], sys.argv[2], sys.argv[3:]
bad = total = 0
for path in files:
    cases = [json.loads(l) for l in open(path) if l.strip()]
    lines = []
    for c in cases:
        if impl != 'default':
            c = dict(c, impl=impl)
        lines.append(json.dumps(c))
    out = subprocess.run([binary, 'eval'], input='\n'.join(lines) + '\n', capture_output=True, text=True).stdout.splitlines()
    for case, answer in zip(cases, out):
        total += 1
        got = json.loads(answer); exp = case['expected']
        if impl != 'default' and case['op'] == 'pool':
            continue
        if impl == 'stretched' and case['op'] != 'transposed':
            continue
        if 'error' in got:
            bad += 1; print(case['id'], 'error:', got['error'][:200]); continue
        y, ey = got['y'], exp['y']
        if y['shape'] != ey['shape']:
            bad += 1; print(case['id'], 'shape', y['shape'], ey['shape']); continue
        worst = max((abs(a - b) - (exp['atol'] + exp['rtol'] * abs(b)) for a, b in zip(y['data'], ey['data'])), default=-1)
        if worst > 0:
            bad += 1; print(case['id'], case['op'], 'excess', worst, {k: case.get(k) for k in ('input','kernel','stride','padding','dilation','output_padding','pool_mode','ceil_mode','count_include_pad','groups')})
print(f'{total - bad}/{total} agree ({impl})', file=sys.stderr)
