"""Start the dashboard (``streamlit run app.py``) on a free 127.0.0.1 port, for the browser test and the scripts
that take screenshots or time a cold start; plus where a headless Chromium is and how to launch it.

Plain Python: the server is a subprocess, stopped (by its own process id) when the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from analytics.db import PROJECT_ROOT

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def chromium_path() -> str | None:
    """Debian's Chromium, if installed (never downloaded)."""
    for p in CHROMIUM_CANDIDATES:
        if Path(p).exists():
            return p
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(db: str | os.PathLike, *, uploads: str | os.PathLike | None = None, timeout: float = 60.0,
                log: str | os.PathLike | None = None, script: str | os.PathLike | None = None):
    """Yield the base URL of ``streamlit run app.py`` (or ``script``) serving the database ``db``; stop it
    afterwards."""
    port = free_port()
    env = {**os.environ, "ANALYTICS_DB": str(db), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    if uploads:
        env["ANALYTICS_UPLOADS"] = str(uploads)
    cmd = [sys.executable, "-m", "streamlit", "run", str(script or PROJECT_ROOT / "app.py"), "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    out = open(log, "w") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {proc.returncode}")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not answer on {url} within {timeout} s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()


@contextlib.contextmanager
def browser_page(width: int = 1440, height: int = 1000):
    """A Playwright page in headless Debian Chromium (raises FileNotFoundError when Chromium is missing)."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise FileNotFoundError("no Chromium at /usr/bin/chromium (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, locale="vi-VN")
            yield page
        finally:
            browser.close()


def wait_rendered(page, text: str | None = None, timeout_ms: int = 120_000) -> None:
    """Wait until the app has stopped running and shows its first chart or tile (and ``text``, if given)."""
    if text:
        page.get_by_text(text, exact=False).first.wait_for(timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelector('[data-testid=\"stMain\"]')",
        timeout=timeout_ms)


def content_height(page) -> int:
    """The height of the app's content (Streamlit scrolls inside its main block, not the document)."""
    return int(page.evaluate(
        "() => Math.max(...['stMainBlockContainer', 'stMain', 'stSidebarContent'].map(id => {"
        " const e = document.querySelector(`[data-testid=\"${id}\"]`); return e ? e.scrollHeight : 0; }))"))


def full_page_screenshot(page, path: str | os.PathLike, settle_ms: int = 30_000) -> None:
    """A PNG of the whole page, once the content has stopped growing; the viewport grows to fit it first."""
    size = page.viewport_size or {"width": 1440, "height": 1000}
    deadline = time.monotonic() + settle_ms / 1000
    last = -1
    while time.monotonic() < deadline:
        height = content_height(page)
        if height == last:
            break
        last = height
        page.wait_for_timeout(700)
    page.set_viewport_size({"width": size["width"], "height": min(last + 60, 16000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


# Every text of the page a person or a screen reader meets: the accessible labels, tooltips and placeholders of
# every element, and each visible piece of text (icon ligatures such as "download" are drawn as icons, not read).
_PAGE_STRINGS_JS = r"""
(attrs) => {
  const out = [];
  for (const e of document.querySelectorAll('*')) {
    for (const a of attrs) { const v = e.getAttribute(a); if (v && v.trim()) out.push([a, v.trim()]); }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const s = n.nodeValue.trim(), p = n.parentElement;
    if (!s || !p || p.closest('script, style, noscript, code, pre')) continue;
    const css = getComputedStyle(p);
    if (css.fontFamily.includes('Material') || css.fontSize === '0px') continue;
    if (!p.checkVisibility({checkVisibilityCSS: true})) continue;
    out.push(['text', s]);
  }
  return out;
}
"""
PAGE_ATTRS = ("aria-label", "title", "placeholder", "data-title", "aria-valuetext", "aria-description", "alt",
              "aria-roledescription")


def page_strings(page) -> list[tuple[str, str]]:
    """(where, text) for every accessible label, tooltip, placeholder ("aria-label", "title", …) and visible
    text ("text") of the page now."""
    return [tuple(x) for x in page.evaluate(_PAGE_STRINGS_JS, list(PAGE_ATTRS))]
