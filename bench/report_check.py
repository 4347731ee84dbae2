"""Open data/aggregate/report.html in headless Chromium: it must render with no console message and no
network request, its document index's script must run, and a screenshot goes to bench/results/report.png.

How (no DevTools protocol needed):
- `--dump-dom` loads the page and prints the DOM after load: the page rendered and its sections are there;
- `--enable-logging=stderr --v=0` makes Chromium print every console message as `...:CONSOLE:<line>] "..."`
  on stderr (errors, warnings and uncaught exceptions included);
- `--log-net-log=FILE` records every URL request. A request the page made carries the page's site
  (`file://`) in its network isolation key; requests Chromium makes for itself (its clock, account checks)
  have the initiator "not an origin" and are counted separately, not held against the page. All names are
  mapped to nowhere (`--host-resolver-rules`), so nothing leaves the machine even if a request is made.
- `--screenshot` writes the PNG in a second run.
- The page's one script (the document index's search, filter and sort) must have run: the DOM after load
  shows its controls and its "N of M documents shown" count.

The same run checks a control page that makes one external request and logs one console error: the
checker must catch both (the baseline: proof that a clean result is not a blind spot).

Usage: python bench/report_check.py [REPORT] [--screenshot PNG] [--window W,H]
Needs Debian's `chromium` (apt-get install -y chromium); exits 2 with that advice when it is absent.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REPORT = ROOT / "data" / "aggregate" / "report.html"
DEFAULT_SCREENSHOT = ROOT / "bench" / "results" / "report.png"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = ("headless Chromium is needed and was not found on PATH (tried: " + ", ".join(BROWSERS) + ").\n"
                "Install it with:  apt-get install -y chromium   (Debian/Ubuntu, as root)\n"
                "then rerun:       python bench/report_check.py")
CONSOLE_LINE = re.compile(r":CONSOLE(?::\d+|\(\d+\))\] (.*)")
NETWORK_SCHEMES = ("http:", "https:", "ws:", "wss:", "ftp:")
COMMON_FLAGS = ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
                "--disable-sync", "--disable-extensions", "--hide-scrollbars",
                "--host-resolver-rules=MAP * ~NOTFOUND"]
CONTROL_PAGE = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>control</title></head><body>'
                '<p>control page</p><img src="https://example.com/control.png" alt="">'
                '<script>console.error("control console error")</script></body></html>')
TIMEOUT_S = 120


def find_chromium() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def page_requests(net_log: Path) -> tuple[list[str], int]:
    """(URLs the page requested over the network, number of Chromium's own requests) from a NetLog file."""
    text = net_log.read_text(encoding="utf-8", errors="replace")
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a log cut short lacks its closing brackets
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    names = {value: key for key, value in log["constants"]["logEventTypes"].items()}
    from_page, internal = [], 0
    for event in log.get("events", []):
        params = event.get("params") or {}
        url = params.get("url")
        if names.get(event.get("type")) != "URL_REQUEST_START_JOB" or not url:
            continue
        if not url.startswith(NETWORK_SCHEMES):
            continue
        if params.get("initiator") == "not an origin":
            internal += 1
        else:
            from_page.append(url)
    return sorted(set(from_page)), internal


def check_html(path: Path, chromium: str | None = None, timeout_s: int = TIMEOUT_S) -> dict:
    """Load `path` in headless Chromium; return console messages, page network requests and DOM facts."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="report_check_") as tmp:
        net_log = Path(tmp) / "netlog.json"
        cmd = [chromium, *COMMON_FLAGS, f"--user-data-dir={tmp}/profile", "--enable-logging=stderr", "--v=0",
               f"--log-net-log={net_log}", "--dump-dom", path.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        console = [m.group(1) for m in CONSOLE_LINE.finditer(proc.stderr)]
        requests, internal = page_requests(net_log) if net_log.exists() else ([], 0)
    dom = proc.stdout
    # The document index's inline script ran when it revealed its controls and counted the rows it shows.
    has_index = 'id="doc-index"' in dom
    script_ran = has_index and 'id="doc-index-controls" class="controls" hidden' not in dom \
        and bool(re.search(r'id="doc-index-count"[^>]*>\d+ of \d+ documents shown<', dom))
    return {"returncode": proc.returncode, "console": console, "requests": requests,
            "internal_requests": internal, "dom_chars": len(dom), "svg_count": dom.count("<svg"),
            "sections": re.findall(r'<section id="([a-z_]+)"', dom),
            "index_rows": len(re.findall(r'<tr id="doc-', dom)), "index_script_ran": script_ran,
            "ok": (proc.returncode == 0 and not console and not requests and "<body" in dom
                   and (script_ran or not has_index))}


def screenshot(path: Path, out: Path, chromium: str | None = None, window: str = "1280,3000",
               timeout_s: int = TIMEOUT_S) -> bool:
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError(INSTALL_HINT)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="report_shot_") as tmp:
        cmd = [chromium, *COMMON_FLAGS, f"--user-data-dir={tmp}/profile", f"--window-size={window}",
               f"--screenshot={out.resolve()}", path.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    return proc.returncode == 0 and out.exists() and out.stat().st_size > 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", type=Path, default=DEFAULT_REPORT)
    parser.add_argument("--screenshot", type=Path, default=DEFAULT_SCREENSHOT)
    parser.add_argument("--window", default="1280,3000", help="screenshot size W,H in pixels")
    args = parser.parse_args()

    chromium = find_chromium()
    if chromium is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    if not args.report.exists():
        print(f"{args.report} does not exist: build it first (make run, or python -m stages.aggregate)",
              file=sys.stderr)
        return 2
    version = subprocess.run([chromium, "--version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="report_control_") as tmp:
        control_path = Path(tmp) / "control.html"
        control_path.write_text(CONTROL_PAGE, encoding="utf-8")
        control = check_html(control_path, chromium)
    report = check_html(args.report, chromium)
    shot = screenshot(args.report, args.screenshot, chromium, args.window)

    print(f"browser: {version}")
    rows = [("page bytes", args.report.stat().st_size, len(CONTROL_PAGE.encode())),
            ("loaded (exit 0)", report["returncode"] == 0, control["returncode"] == 0),
            ("console messages", len(report["console"]), len(control["console"])),
            ("network requests by the page", len(report["requests"]), len(control["requests"])),
            ("Chromium's own requests (ignored)", report["internal_requests"], control["internal_requests"]),
            ("inline SVG charts in DOM", report["svg_count"], control["svg_count"]),
            ("document index rows in DOM", report["index_rows"], control["index_rows"]),
            ("index script ran (search/filter/sort)", report["index_script_ran"], control["index_script_ran"]),
            ("sections in DOM", len(report["sections"]), len(control["sections"]))]
    print(f"{'':36} {'report.html':>14} {'control page':>14}")
    for name, mine, base in rows:
        print(f"{name:36} {str(mine):>14} {str(base):>14}")
    print("sections: " + ", ".join(report["sections"]))
    for message in report["console"]:
        print(f"  console: {message}")
    for url in report["requests"]:
        print(f"  request: {url}")
    control_caught = bool(control["console"]) and bool(control["requests"])
    if not control_caught:
        print("CONTROL FAILED: the checker did not see the control page's console error and request; "
              "its verdict on the report cannot be trusted", file=sys.stderr)
    shot_path = args.screenshot.resolve()
    shown = shot_path.relative_to(ROOT) if shot_path.is_relative_to(ROOT) else shot_path
    print(f"screenshot: {shown} ({'written' if shot else 'FAILED'})")
    verdict = report["ok"] and control_caught and shot
    print("RESULT: " + ("PASS (renders offline, no console messages, no network requests)" if verdict else "FAIL"))
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
