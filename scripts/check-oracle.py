#!/usr/bin/env python3
"""Runs oracle JSONL files through `convarith eval` and reports disagreements (a developer aid; the
test suite does the same through the library and the CLI)."""
import json, subprocess, sys

binary = sys.argv[1]
files = sys.argv[2:]
bad = 0
total = 0
for path in files:
    lines = [l for l in open(path) if l.strip()]
    out = subprocess.run([binary, 'eval'], input=''.join(lines), capture_output=True, text=True).stdout.splitlines()
    assert len(out) == len(lines), (len(out), len(lines))
    for line, answer in zip(lines, out):
        total += 1
        case = json.loads(line); got = json.loads(answer); exp = case['expected']
        if exp.get('error'):
            ok = 'error' in got
        else:
            ok = 'error' not in got and got.get('output') == exp['output'] and (
                'output_shape' not in exp or got.get('output_shape') == exp['output_shape'])
        if not ok:
            bad += 1
            req = {k: v for k, v in case.items() if k not in ('expected', 'framework')}
            print(json.dumps(req)); print('   expected', json.dumps(exp)[:200]); print('   got     ', answer[:200])
print(f'{total - bad}/{total} agree', file=sys.stderr)
