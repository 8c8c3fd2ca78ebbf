#!/usr/bin/env python3
"""Uses the network page of `convarith serve` in headless Chromium as a user would, with the keyboard: opens a
U-Net at a size it does not accept, reads the failing layer and its repair, moves to the nearest accepted
sizes (focus on the size's button, Enter), picks a layer's receptive field, and follows a layer's link to the
single-layer view, checking each answer against the layer's row. One JSON line per width; exit status 1 when
a check fails.

    python3 scripts/use-network-page.py http://127.0.0.1:8080/ [--widths 1280 420] [--browser chromium]
"""
import argparse, json, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

STATE = """
JSON.stringify({
  solved: Number(document.body.dataset.solved || 0),
  status: document.body.dataset.status || "",
  input: document.getElementById("input").value,
  failed: [...document.querySelectorAll("#table tr.failed")].map((row) => row.dataset.name),
  repairs: [...document.querySelectorAll("#repair-list li")].map((item) => item.textContent),
  accepted: [...document.querySelectorAll("#accepted li")].map((item) => item.textContent),
  field: document.getElementById("field-text").textContent,
  fieldDrawn: document.querySelectorAll('#field-figure rect[data-role="field"]').length,
  overflow: document.documentElement.scrollWidth - window.innerWidth,
})
"""


def wait_solved(browser, session, after):
    """The page's state once it has finished an analysis beyond the `after`-th."""
    for _ in range(200):
        state = json.loads(browser.evaluate(session, STATE))
        if state["solved"] > after:
            return state
        time.sleep(0.05)
    raise SystemExit("the page never finished its analysis")


def press(browser, session, selector):
    """Focuses the element and presses Enter on it, as a keyboard user does."""
    found = browser.evaluate(session, f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return false; e.focus(); return document.activeElement === e; }})()")
    if not found:
        raise SystemExit(f"nothing to focus at {selector}")
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13,
                                                "text": "\r" if kind == "keyDown" else ""}, session)


def check(browser, base):
    problems = []
    session = browser.open(base + "net?model=unet.yaml&input=1x1x100x100")
    state = wait_solved(browser, session, 0)
    if state["failed"] != ["skip3"]:
        problems.append(f"failing rows {state['failed']}, expected skip3")
    if not any(text.startswith("up3: output_padding [0, 0] → [1, 1]") for text in state["repairs"]):
        problems.append(f"repairs {state['repairs']}")
    if not all("sizes ≡ 0 (mod 8) from 8" in text and "nearest: 96" in text for text in state["accepted"]):
        problems.append(f"accepted {state['accepted']}")
    # The nearest accepted size below on each axis, by keyboard: then nothing fails.
    for axis in (2, 3):
        press(browser, session, f'#accepted li[data-axis="{axis}"] button')
        state = wait_solved(browser, session, state["solved"])
    if state["input"] != "1x1x96x96" or state["status"] != "complete" or state["failed"]:
        problems.append(f"after the nearest sizes: input {state['input']}, status {state['status']}, failed {state['failed']}")
    # A unit's receptive field, picked from the table.
    press(browser, session, '#table tr[data-name="enc3"] button')
    for _ in range(100):
        state = json.loads(browser.evaluate(session, STATE))
        if state["fieldDrawn"]:
            break
        time.sleep(0.05)
    if not state["fieldDrawn"] or "axis 1: positions" not in state["field"]:
        problems.append(f"field {state['field']!r}, drawn {state['fieldDrawn']}")
    if state["overflow"] > 0:
        problems.append(f"the page is {state['overflow']} px wider than the window")
    # A layer's link opens the single-layer view of the same layer: the same output size.
    row = json.loads(browser.evaluate(session, """JSON.stringify((() => {
      const row = document.querySelector('#table tr[data-name="up3"]');
      return { href: row.querySelector("a").href, output: row.children[3].textContent };
    })())"""))
    single = browser.open(row["href"])
    output = browser.evaluate(single, "document.getElementById('summary').dataset.output")
    if not row["output"].endswith(output or "?"):
        problems.append(f"up3's view shows output {output!r}, its row {row['output']!r}")
    return {"viewport": browser.width, "problems": problems, "field": state["field"], "view": row["href"].split("?", 1)[1]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base")
    parser.add_argument("--widths", type=int, nargs="+", default=[1280, 420])
    parser.add_argument("--browser", default="chromium")
    arguments = parser.parse_args()
    failed = False
    for width in arguments.widths:
        with Browser(arguments.browser, width=width, height=900) as browser:
            result = check(browser, arguments.base)
            print(json.dumps(result, ensure_ascii=False))
            failed = failed or bool(result["problems"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
