"""A real browser against a real server: Debian's Chromium driven by Playwright, `tractatus serve` on loopback.

Submits feedback holding an email address and a phone number, then checks the response page,
that the raw email and phone appear nowhere in the database files or the server's logs, and
the dashboard. Screenshots go to $TRACTATUS_E2E_ARTIFACTS (default: the test's tmp dir).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
API_KEY = "browser-test-key-42"
EMAIL = "jane.roe@example.org"
PHONE = "+1 415 555 0134"
PHONE_DIGITS = ("415 555 0134", "4155550134", "415-555-0134")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (scripts/system-deps.sh)"),
]
playwright_sync = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    data_dir = tmp_path / "data"
    log_path = tmp_path / "server.log"
    env = {**os.environ, "TRACTATUS_API_KEY": API_KEY}
    env.pop("DATABASE_URL", None)  # this test reads the SQLite files themselves
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "from tractatus.cli.main import main; main()", "serve", "--port", "0",
             "--data-dir", str(data_dir), "--rate-limit", "50", "--rate-burst", "200"],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )
    try:
        deadline = time.monotonic() + 60
        url = None
        while time.monotonic() < deadline and url is None:
            match = re.search(r"serving on (http://127\.0\.0\.1:\d+)", log_path.read_text(errors="replace"))
            if match:
                url = match.group(1)
            elif process.poll() is not None:
                pytest.fail(f"server exited with {process.returncode}: {log_path.read_text()[-2000:]}")
            else:
                time.sleep(0.2)
        assert url, f"server did not start: {log_path.read_text()[-2000:]}"
        yield url, data_dir, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def artifacts_dir(tmp_path: Path) -> Path:
    target = Path(os.environ.get("TRACTATUS_E2E_ARTIFACTS", tmp_path / "artifacts"))
    target.mkdir(parents=True, exist_ok=True)
    return target


def test_feedback_in_a_real_browser(server, tmp_path):
    url, data_dir, log_path = server
    shots = artifacts_dir(tmp_path)
    console_errors: list[str] = []
    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

            # 1. The form, filled in like a person would.
            page.goto(f"{url}/feedback")
            page.fill("#message", f"The signup page crashes every time I press submit. Write to me at {EMAIL} "
                                  f"or call {PHONE} if you need details.")
            page.fill("#email", EMAIL)
            page.check("#consent")
            page.screenshot(path=str(shots / "1-feedback-form.png"), full_page=True)
            page.click("#submit")

            # 2. The response page.
            page.wait_for_selector("#response-text")
            page.screenshot(path=str(shots / "2-response.png"), full_page=True)
            assert page.inner_text("#category") == "website bug"
            assert page.inner_text("#severity") == "high"
            assert page.is_visible("#pii-notice")
            assert "kept your email address" in page.inner_text("#contact-notice")
            response_text = page.inner_text("#response-text")
            assert response_text and EMAIL not in response_text
            stored = page.inner_text("#stored")
            assert EMAIL not in stored and not any(p in stored for p in PHONE_DIGITS) and "[EMAIL]" in stored
            if page.query_selector("#helpful-yes"):
                page.click("#helpful-yes")
                page.wait_for_selector("text=Your rating helps us answer better.")

            # 3. The dashboard, behind the login.
            page.goto(f"{url}/dashboard")
            assert page.url.endswith("/login")
            page.fill("#api_key", API_KEY)
            page.click("#login")
            page.wait_for_selector("#total-submissions")
            assert int(page.inner_text("#total-submissions")) == 1
            assert int(page.inner_text("#total-decisions")) >= 2
            page.wait_for_load_state("networkidle")
            widths = page.eval_on_selector_all("img.chart", "imgs => imgs.map(i => i.naturalWidth)")
            assert len(widths) == 3 and all(w > 0 for w in widths), "every chart rendered"
            assert "pii.email" in page.inner_text("#top-findings")
            page.screenshot(path=str(shots / "3-dashboard.png"), full_page=True)
        finally:
            browser.close()
    assert console_errors == [], f"browser console errors (CSP violations?): {console_errors}"

    # 4. No raw email or phone anywhere on disk or in the logs (after the server has stopped).
    time.sleep(0.2)
    haystacks = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    haystacks["server.log"] = log_path.read_bytes()
    assert {"service.db", "audit.db", "server.log"} <= set(haystacks)
    for name, content in haystacks.items():
        assert EMAIL.encode() not in content, f"raw email found in {name}"
        for digits in PHONE_DIGITS:
            assert digits.encode() not in content, f"raw phone found in {name}"
    assert b"POST /feedback" in haystacks["server.log"]  # the log is real, and holds no body
