#!/usr/bin/env python3
"""Measures how fast the page of `convarith serve` redraws after a parameter change, in headless Chromium.

Starts Chromium with the DevTools protocol on a pipe (no packages beyond the standard library), opens
the page at URL, then changes one control at a time as a user would (a new value and an `input` event)
and times, in the page, from the change to the end of the redraw (every answer fetched, the frame drawn
and highlighted). Prints the median and the slowest of each kind of change.

    python3 scripts/measure-page.py http://127.0.0.1:8080/ [--repetitions 20]
"""
import argparse, json, os, statistics, subprocess, sys, time

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

    to_browser_read, to_browser_write = os.pipe()
    from_browser_read, from_browser_write = os.pipe()

    def child_pipes():
        # Chromium reads commands on fd 3 and answers on fd 4; copy high first so neither dup2 clobbers the other.
        commands, answers = os.dup(to_browser_read), os.dup(from_browser_write)
        os.dup2(commands, 3)
        os.dup2(answers, 4)

    browser = subprocess.Popen(
        [arguments.browser, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--window-size=1280,800", "about:blank"],
        preexec_fn=child_pipes, pass_fds=(3, 4),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(to_browser_read)
    os.close(from_browser_write)
    writer = os.fdopen(to_browser_write, "wb")
    reader = os.fdopen(from_browser_read, "rb")
    pending = b""
    counter = 0

    def call(method, params=None, session=None):
        nonlocal pending, counter
        counter += 1
        message = {"id": counter, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        writer.write(json.dumps(message).encode() + b"\0")
        writer.flush()
        while True:
            while b"\0" not in pending:
                chunk = reader.read1(65536)
                if not chunk:
                    raise SystemExit("the browser closed its pipe")
                pending += chunk
            line, pending = pending.split(b"\0", 1)
            answer = json.loads(line)
            if answer.get("id") == counter:
                if "error" in answer:
                    raise SystemExit(f"{method}: {answer['error']}")
                return answer["result"]

    try:
        target = call("Target.createTarget", {"url": arguments.url})["targetId"]
        session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        script = SCRIPT % (json.dumps(CHANGES), arguments.repetitions)
        # The page is still loading when the target exists: wait for its first redraw, then measure.
        ready = "new Promise((r) => { const c = () => document.body && document.body.dataset.redraws ? r(true) : setTimeout(c, 5); c(); })"
        for _ in range(100):
            try:
                call("Runtime.evaluate", {"expression": ready, "awaitPromise": True, "returnByValue": True}, session)
                break
            except SystemExit:
                time.sleep(0.1)
        result = call("Runtime.evaluate", {"expression": script, "awaitPromise": True, "returnByValue": True}, session)
        if "exceptionDetails" in result:
            raise SystemExit(f"the measuring script failed: {result['exceptionDetails']}")
        times = json.loads(result["result"]["value"])
        everything = [time for values in times.values() for time in values]
        for name, values in times.items():
            print(f"{name:8} median {statistics.median(values):6.1f} ms   slowest {max(values):6.1f} ms   ({len(values)} changes)")
        print(f"{'all':8} median {statistics.median(everything):6.1f} ms   slowest {max(everything):6.1f} ms   ({len(everything)} changes)")
    finally:
        browser.kill()


if __name__ == "__main__":
    sys.exit(main())
