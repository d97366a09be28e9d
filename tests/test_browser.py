"""JupyterLab in a real browser: run the quickstart notebook, see a video play and a widget answer.

Starts JupyterLab on a free localhost port (known token, no browser, a temporary root holding a
copy of ``notebooks/01_quickstart.ipynb`` in QUICK mode plus two cells: ``vk.show`` of two videos
and a ``vk.widgets.CompareViewer``), drives Debian's chromium with Python playwright (no browser
download), runs all cells from the Run menu, and checks that a ``<video>`` element plays, that the
figures of the notebook show as images, that the viewer's frames follow its slider, and that its
play button plays in the page at the video's frame rate: the frames shown per second, counted in
the page over 3 s, must lie between 60% and 115% of the nominal fps (a wrong interval, a frame
that waits for the kernel or a play loop that skips frames falls outside; the lower bound leaves
room for a loaded machine: 15.7 of 16 fps idle, 14.3 with two other test jobs on 2 cores, where a
90% bound failed). No cell may raise.
A screenshot is saved as ``test-artifacts/jupyterlab.png``.

``make test`` installs the system dependencies (``apt-get install chromium``, ``pip install
playwright``); this test is skipped only when they could not be installed, and says why.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACT = ROOT / "test-artifacts" / "jupyterlab.png"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
EXTRA_CELLS = [
    # a video that plays
    'a = vk.synth.render("bounce", seed=0)\n'
    'b = vk.synth.render("bounce", seed=0, violation="teleport")\n'
    'vk.show({"clean": a.video, "teleport": b.video})',
    # a widget that answers its slider
    'viewer = vk.widgets.CompareViewer({"clean": a.video, "teleport": b.video}, height=160)\n'
    "viewer",
]


#: counts for ``ms`` milliseconds how often the frame shown by the CompareViewer changes (its time
#: label, "k/N  t = ..."), with a MutationObserver on the viewer (every change of the page's DOM,
#: whatever the screen's refresh rate) and, as a check, on every animation frame; the nominal
#: rate is the video's fps, read from the labels
FPS_JS = """
(ms) => new Promise((resolve) => {
  const root = document.querySelector('.vidkit-compare-viewer');
  const current = () => {
    const e = root.querySelector('.vidkit-time');
    return e ? e.textContent : '';
  };
  const rate = (text) => {
    const m = /t = ([0-9.]+) s/.exec(text);
    const k = parseInt(text);
    return k > 4 && m ? (k - 1) / parseFloat(m[1]) : NaN;
  };
  let last = current(), changes = 0, nominal = NaN;
  let painted = current(), paintedChanges = 0, ticks = 0;
  const observer = new MutationObserver(() => {
    const text = current();
    if (text && text !== last) {
      changes += 1; last = text;
      if (isNaN(nominal)) { nominal = rate(text); }
    }
  });
  observer.observe(root, {childList: true, subtree: true, characterData: true});
  const t0 = performance.now();
  const tick = (now) => {
    ticks += 1;
    const text = current();
    if (text !== painted) { paintedChanges += 1; painted = text; }
    if (now - t0 < ms) { requestAnimationFrame(tick); return; }
    observer.disconnect();
    const dt = now - t0;
    resolve({changes, ms: dt, fps: changes * 1000 / dt, nominal_fps: nominal,
             painted_fps: paintedChanges * 1000 / dt, ticks});
  };
  requestAnimationFrame(tick);
})
"""


def _missing_dependency() -> str | None:
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing and could not be installed (`make test` runs `apt-get install "
            "chromium` first; see its output for why it failed)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"the playwright Python package could not be installed ({exc})"
    return None


def _notebook(root: Path) -> Path:
    """A copy of notebook 01 in QUICK mode with the two extra cells (or a small notebook of ours
    if notebook 01 is absent)."""
    import nbformat

    src = ROOT / "notebooks" / "01_quickstart.ipynb"
    if src.is_file():
        nb = nbformat.read(src, as_version=4)
        for cell in nb.cells:
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                cell.source = cell.source.replace("QUICK = False", "QUICK = True")
    else:
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_markdown_cell("# vidkit in the browser"),
            nbformat.v4.new_code_cell("import vidkit as vk"),
        ]
    nb.cells.extend(nbformat.v4.new_code_cell(src) for src in EXTRA_CELLS)
    nb.metadata["kernelspec"] = KERNELSPEC
    path = root / "quickstart.ipynb"
    nbformat.write(nb, path)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _jupyterlab(root: Path, work: Path):
    port, token = _free_port(), secrets.token_hex(16)
    settings = work / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # no news or update checks (no network, no pop-up over the notebook)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(work / "config"),
        JUPYTER_RUNTIME_DIR=str(work / "runtime"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    env.pop("MPLBACKEND", None)  # the kernel shows figures inline
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={work / 'settings'}",
        f"--LabApp.workspaces_dir={work / 'workspaces'}",
        "--LabApp.news_url=None",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(work / "jupyterlab.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {(work / 'jupyterlab.log').read_text()}")
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("JupyterLab did not answer within 60 s") from None
                time.sleep(0.2)
        yield base, token
    finally:
        with contextlib.suppress(OSError):
            req = urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(req, timeout=5)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)  # the server we started and its kernels
                server.wait()
        log.close()


def test_notebook_runs_in_jupyterlab(tmp_path: Path) -> None:
    why = _missing_dependency()
    if why:
        print(f"skipping the browser test: {why}", file=sys.stderr)
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    root, work = tmp_path / "root", tmp_path / "work"
    root.mkdir()
    work.mkdir()
    nb = _notebook(root)
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    with _jupyterlab(root, work) as (base, token), sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab/tree/{nb.name}?token={token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
            # the kernel has started and is idle
            page.wait_for_function(
                "() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
                ".some(e => e.textContent.includes('| Idle'))",
                timeout=60_000,
            )
            # Run > Run All Cells
            page.click(".lm-MenuBar-item:has-text('Run')")
            page.click(".lm-Menu-item[data-command='runmenu:run-all']")
            try:
                page.wait_for_selector(".vidkit-compare-viewer img.vidkit-frame", timeout=90_000)
            except Exception:
                page.screenshot(path=str(ARTIFACT))
                prompts = page.locator(".jp-InputPrompt").all_inner_texts()
                raise AssertionError(f"the notebook did not finish; prompts: {prompts}") from None
            errors = page.locator("[data-mime-type='application/vnd.jupyter.error']")
            assert errors.count() == 0, errors.first.inner_text()

            # a <video> renders and plays
            page.wait_for_function(
                "() => [...document.querySelectorAll('.jp-OutputArea video')]"
                ".some(v => !v.paused && v.currentTime > 0 && v.readyState >= 2)",
                timeout=30_000,
            )

            # the quickstart's figures (frame strips, trajectory plots) show as images
            assert page.locator(".jp-OutputArea-output img[src^='data:image/png']").count() >= 3

            # the widget follows its slider...
            viewer = page.locator(".vidkit-compare-viewer")
            img = viewer.locator("img.vidkit-frame").first
            label = viewer.locator(".vidkit-time")
            src0, text0 = img.get_attribute("src"), label.inner_text()
            assert text0.startswith("1/32"), text0
            viewer.locator(".noUi-handle").first.focus()
            for _ in range(5):
                page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "(s) => document.querySelector('.vidkit-compare-viewer img.vidkit-frame').src !== s",
                arg=src0,
                timeout=20_000,
            )
            page.wait_for_function(
                "() => document.querySelector('.vidkit-compare-viewer .vidkit-time')"
                ".textContent.startsWith('6/32')",
                timeout=20_000,
            )
            # ...and its play button plays both videos in the page at the video's frame rate
            src1 = [i.get_attribute("src") for i in viewer.locator("img.vidkit-frame").all()]
            viewer.locator(".widget-play button").first.click()
            page.wait_for_function(
                "(s) => [...document.querySelectorAll('.vidkit-compare-viewer img.vidkit-frame')]"
                ".every((e, i) => e.src !== s[i])",
                arg=src1,
                timeout=20_000,
            )
            page.wait_for_timeout(500)  # one loop done: every frame's image decoded once
            shown = page.evaluate(FPS_JS, 3000)
            nominal = shown["nominal_fps"]
            print(
                f"CompareViewer in the page: {shown['fps']:.1f} frames/s shown, nominal "
                f"{nominal:.1f} ({shown['changes']} changes in {shown['ms']:.0f} ms; seen on "
                f"{shown['ticks']} animation frames: {shown['painted_fps']:.1f}/s)"
            )
            # a rate, not a wall time: on a busy 2-core machine the page's timer falls behind
            # (14.3 of 16 fps measured beside two other test jobs), a broken play loop far more
            assert 0.6 * nominal <= shown["fps"] <= 1.15 * nominal, shown
            viewer.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACT))
        finally:
            browser.close()
    assert ARTIFACT.is_file() and ARTIFACT.stat().st_size > 10_000


def test_artifact_folder_is_ignored_by_git() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "check-ignore", "-q", "test-artifacts/jupyterlab.png"], cwd=ROOT, check=False
    )
    assert out.returncode == 0
