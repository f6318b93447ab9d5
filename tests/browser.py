"""Headless Chromium driven over the DevTools protocol on a pipe, for looking at pages as a
person would: at a desktop or phone width, in light or dark mode, on screen or in print.

`--dump-dom` alone cannot set a viewport under 500 px, the colour scheme or print media; the
protocol can (Emulation.*), and it returns screenshots, PDFs and script results directly. The
pipe (file descriptors 3 and 4, `--remote-debugging-pipe`) needs no port and no extra package.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NO_CHROMIUM = "Chromium is not installed (Debian: apt-get install chromium)"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
# Not a timing assertion: a browser that stops answering must fail the test, not hang it.
STALL_S = 120.0


class BrowserError(RuntimeError):
    pass


class Browser:
    """One Chromium process with a fresh profile; `open_page` gives an emulated tab."""

    def __init__(self) -> None:
        assert CHROMIUM is not None, NO_CHROMIUM
        self._profile = tempfile.mkdtemp(prefix="preppath-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipe() -> None:  # in the child: the protocol's fds 3 (commands) and 4 (replies)
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self._process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self._profile}", "--remote-debugging-pipe"],
            preexec_fn=wire_pipe,
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._last_id = 0
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()  # the process this object started, by its own handle
            self._process.wait()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)

    def _read_message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], STALL_S)
            if not ready:
                raise BrowserError(f"Chromium sent nothing for {STALL_S:.0f} s")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the protocol pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)  # type: ignore[no-any-return]

    def send(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params or {}}
        if kw.get("session"):
            message["sessionId"] = kw["session"]
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self._last_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def wait_for(self, event: str, session: str) -> dict[str, Any]:
        def matches(m: dict[str, Any]) -> bool:
            return m.get("method") == event and m.get("sessionId") == session

        for index, message in enumerate(self._events):
            if matches(message):
                return self._events.pop(index)
        while True:
            message = self._read_message()
            if matches(message):
                return message
            self._events.append(message)

    def open_page(
        self, url: str, *, width: int, height: int, dark: bool = False, print_media: bool = False
    ) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        page.send("Page.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            # A phone width is emulated as a phone: the page's viewport meta tag then applies.
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )
        page.send(
            "Emulation.setEmulatedMedia",
            {
                "media": "print" if print_media else "screen",
                "features": [
                    {"name": "prefers-color-scheme", "value": "dark" if dark else "light"}
                ],
            },
        )
        page.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired", session)
        return page


class Page:
    def __init__(self, browser: Browser, session: str) -> None:
        self._browser = browser
        self._session = session

    def send(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self._browser.send(method, params, session=self._session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (returned by value, so JSON-like)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path, *, top: float = 0, height: float | None = None) -> Path:
        """The whole page as PNG, not only the viewport (or `height` px of it from `top`)."""
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": top, "width": size["width"], "scale": 1,
                "height": height if height is not None else size["height"] - top}  # fmt: skip
        shot = self.send(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def pdf(self, path: Path) -> Path:
        """The page as the browser prints it (A4, its print stylesheet, background colours)."""
        printed = self.send(
            "Page.printToPDF",
            {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True,
             "preferCSSPageSize": True},
        )  # fmt: skip
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(printed["data"]))
        return path

    def close(self) -> None:
        self.send("Page.close")


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def pdf_pages(path: Path) -> int:
    """Pages in a PDF Chromium wrote (its page objects are not compressed)."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), f"{path} is not a PDF"
    return data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type /Page>")
