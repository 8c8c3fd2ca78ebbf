#!/usr/bin/env python3
"""Points at every output cell of the page of `convarith serve`, in headless Chromium, and checks the page names
the cell under the pointer — pointing where its number is drawn, as a user does — and that nothing above the
figure moved. Prints one JSON line per page and width; exit status 1 when a cell is misnamed or the figure moved.

    python3 scripts/point-page.py http://127.0.0.1:8080/ '?op=conv&input=5x5&kernel=3&stride=2&padding=1' … [--widths 1280 420]
"""
import argparse, json, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

# Every output cell's centre in the viewport (scrolled into view first), and the figure's top.
CELLS = """
(() => {
  const cells = [...document.querySelectorAll('#figure rect[data-grid="output"]')].map((rect) => rect.dataset.cell);
  return JSON.stringify(cells);
})()
"""
LOCATE = """
((cell) => {
  const rect = document.querySelector(`#figure rect[data-grid="output"][data-cell="${cell}"]`);
  rect.scrollIntoView({ block: "center", inline: "center" });
  const box = rect.getBoundingClientRect();
  return JSON.stringify({ x: box.left + box.width / 2, y: box.top + box.height / 2,
                          top: document.getElementById("figure").getBoundingClientRect().top });
})(%s)
"""
STATUS = """
new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(JSON.stringify({
  status: document.getElementById("highlight-status").textContent,
  top: document.getElementById("figure").getBoundingClientRect().top,
  playing: document.getElementById("play").textContent,
  frame: document.getElementById("frame-label").textContent,
})), 60)))
"""


def check(browser, url):
    session = browser.open(url)
    cells = json.loads(browser.evaluate(session, CELLS))
    wrong, moved = [], []
    for cell in cells:
        where = json.loads(browser.evaluate(session, LOCATE % json.dumps(cell)))
        browser.move_mouse(session, where["x"], where["y"])
        seen = json.loads(browser.evaluate(session, STATUS))
        named = "Output (" + cell.replace(",", ", ") + ")"
        if not seen["status"].startswith(named):
            wrong.append({"cell": cell, "status": seen["status"][:60]})
        if abs(seen["top"] - where["top"]) > 0.5:
            moved.append({"cell": cell, "by": round(seen["top"] - where["top"], 1)})
    width = browser.evaluate(session, "JSON.stringify([document.querySelector('#figure svg').getBoundingClientRect().width, document.getElementById('figure').clientWidth])")
    return {"url": url, "viewport": browser.width, "outputs": len(cells), "wrong": wrong, "moved": moved,
            "figure_and_box_width": json.loads(width)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base")
    parser.add_argument("queries", nargs="+")
    parser.add_argument("--widths", type=int, nargs="+", default=[1280, 420])
    parser.add_argument("--browser", default="chromium")
    arguments = parser.parse_args()
    failed = False
    for width in arguments.widths:
        with Browser(arguments.browser, width=width, height=900) as browser:
            for query in arguments.queries:
                result = check(browser, arguments.base + query)
                print(json.dumps(result))
                failed = failed or bool(result["wrong"] or result["moved"]) or result["outputs"] == 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
