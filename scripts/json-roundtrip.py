#!/usr/bin/env python3
"""The baseline `convarith eval` is measured against: a bare Python loop that reads JSON lines, decodes
each with json.loads and writes it back with json.dumps, computing nothing.

Usage: scripts/json-roundtrip.py < lines.jsonl > /dev/null
"""
import json
import sys

write = sys.stdout.write
for line in sys.stdin:
    write(json.dumps(json.loads(line)))
    write("\n")
