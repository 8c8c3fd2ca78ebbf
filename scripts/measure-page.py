#!/usr/bin/env python3
"""Measures how fast the page of `convarith serve` redraws after a parameter change, in headless Chromium.

Starts Chromium with the DevTools protocol on a pipe (no packages beyond the standard library), opens
the page at URL, then changes one control at a time as a user would (a new value and an `input` event)
and times, in the page, from the change to the end of the redraw (every answer fetched, the frame drawn
and highlighted). Prints the median and the slowest of each kind of change.

    python3 scripts/measure-page.py http://127.0.0.1:8080/ [--repetitions 20]
"""
import argparse, json, os, statistics, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

CHANGES = [
    ("kernel", ["2", "4", "3"]),
    ("stride", ["1", "3", "2"]),
    ("padding", ["0", "2", "same", "1"]),
    ("input", ["7x7", "9x5", "5x5"]),
    ("op", ["transposed", "pool", "conv"]),
]

SCRIPT = """
(async () => {
  const form = document.getElementById("controls");
  const redraws = () => Number(document.body.dataset.redraws || 0);
  const settled = (before) => new Promise((resolve) => {
    const check = () => redraws() > before ? resolve() : setTimeout(check, 0);
    check();
  });
  while (redraws() === 0) await new Promise((r) => setTimeout(r, 5));
  const changes = %s, repetitions = %d, times = {};
  for (let round = 0; round < repetitions; round++) {
    for (const [name, values] of changes) {
      for (const value of values) {
        const control = form.elements[name];
        const before = redraws();
        const started = performance.now();
        control.value = value;
        control.dispatchEvent(new Event("input", { bubbles: true }));
        await settled(before);
        (times[name] = times[name] || []).push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
  return JSON.stringify(times);
})()
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--browser", default="chromium")
    arguments = parser.parse_args()

    with Browser(arguments.browser, width=1280, height=800) as browser:
        session = browser.open(arguments.url)
        script = SCRIPT % (json.dumps(CHANGES), arguments.repetitions)
        times = json.loads(browser.evaluate(session, script))
        everything = [time for values in times.values() for time in values]
        for name, values in times.items():
            print(f"{name:8} median {statistics.median(values):6.1f} ms   slowest {max(values):6.1f} ms   ({len(values)} changes)")
        print(f"{'all':8} median {statistics.median(everything):6.1f} ms   slowest {max(everything):6.1f} ms   ({len(everything)} changes)")


if __name__ == "__main__":
    sys.exit(main())
