"""Headless Chromium driven over the DevTools protocol on a pipe, with nothing beyond the standard library.

    with Browser("chromium", width=1280, height=800) as browser:
        session = browser.open("http://127.0.0.1:8080/")
        value = browser.evaluate(session, "document.title")
"""
import json, os, subprocess, time


class Browser:
    def __init__(self, executable="chromium", width=1280, height=800):
        to_browser_read, to_browser_write = os.pipe()
        from_browser_read, from_browser_write = os.pipe()

        def child_pipes():
            # Chromium reads commands on fd 3 and answers on fd 4; copy high first so neither dup2 clobbers the other.
            commands, answers = os.dup(to_browser_read), os.dup(from_browser_write)
            os.dup2(commands, 3)
            os.dup2(answers, 4)

        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--remote-debugging-pipe",
             f"--window-size={width},{height}", "about:blank"],
            preexec_fn=child_pipes, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.writer = os.fdopen(to_browser_write, "wb")
        self.reader = os.fdopen(from_browser_read, "rb")
        self.pending = b""
        self.counter = 0
        self.width, self.height = width, height

    def __enter__(self):
        return self

    def __exit__(self, *details):
        self.process.kill()

    def call(self, method, params=None, session=None):
        self.counter += 1
        message = {"id": self.counter, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.writer.write(json.dumps(message).encode() + b"\0")
        self.writer.flush()
        while True:
            while b"\0" not in self.pending:
                chunk = self.reader.read1(65536)
                if not chunk:
                    raise SystemExit("the browser closed its pipe")
                self.pending += chunk
            line, self.pending = self.pending.split(b"\0", 1)
            answer = json.loads(line)
            if answer.get("id") == self.counter:
                if "error" in answer:
                    raise SystemExit(f"{method}: {answer['error']}")
                return answer["result"]

    def open(self, url):
        """A session on a new tab at `url` of the browser's size, once the page has drawn (data-redraws set)."""
        target = self.call("Target.createTarget", {"url": url})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False}, session)
        ready = "new Promise((r) => { const c = () => document.body && document.body.dataset.redraws ? r(true) : setTimeout(c, 5); c(); })"
        for _ in range(100):
            try:
                self.evaluate(session, ready)
                return session
            except SystemExit:
                time.sleep(0.1)
        raise SystemExit(f"the page at {url} never drew")

    def evaluate(self, session, expression):
        """The value of a JavaScript expression (awaited if a promise) in the page."""
        result = self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}, session)
        if "exceptionDetails" in result:
            raise SystemExit(f"the page's script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def move_mouse(self, session, x, y):
        self.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y}, session)
