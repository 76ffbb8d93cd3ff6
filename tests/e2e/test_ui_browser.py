"""The clinical web app in a real browser: Debian's Chromium, driven by Selenium, against
``amer serve`` and ``amer ui`` started as subprocesses on loopback ports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from amer.serving.auth import KeyStore

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "test-artifacts"
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "data"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1400,1600",
)
NOTE = "Pasienten har hjerteinfarkt og pneumoni. Fikk paracetamol mot feber. Koder: I21.9."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ok(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} did not come up:\n{log.read_text()[-3000:]}")


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    amer = str(Path(sys.executable).parent / "amer")
    with log.open("wb") as out:
        return subprocess.Popen([amer, *args], env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture
def ui_url(tmp_path: Path, lexicon_model_dir: Path) -> Iterator[str]:
    """``amer serve`` (fixture model) and ``amer ui`` running; the UI's address."""
    home = tmp_path / "home"
    key = KeyStore(home / "api_keys.json").create("e2e")
    api_port, ui_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMER_")}
    env |= {
        "HOME": str(tmp_path),
        "AMER_HOME": str(home),
        "AMER_DATA_DIR": str(FIXTURE_DATA),
        "AMER_RELOAD_INTERVAL_S": "0",
        "AMER_LOG_FORMAT": "text",
    }
    api = _start(
        ["serve", "--model", str(lexicon_model_dir), "--port", str(api_port)],
        env,
        tmp_path / "api.log",
    )
    processes = [api]
    try:
        _wait_ok(f"http://127.0.0.1:{api_port}/readyz", api, tmp_path / "api.log")
        ui_env = env | {"AMER_API_URL": f"http://127.0.0.1:{api_port}", "AMER_API_KEY": key}
        ui = _start(["ui", "--port", str(ui_port)], ui_env, tmp_path / "ui.log")
        processes.append(ui)
        _wait_ok(f"http://127.0.0.1:{ui_port}/_stcore/health", ui, tmp_path / "ui.log")
        yield f"http://127.0.0.1:{ui_port}"
    finally:
        for process in reversed(processes):
            _stop(process)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    """Headless Debian Chromium with a fresh profile (no browser is downloaded)."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        message = "Debian's chromium and chromium-driver are needed (.ci/run installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _marks(driver: WebDriver, label: str) -> list[str]:
    found = driver.find_elements(By.CSS_SELECTOR, f'mark.amer-ent[data-label="{label}"]')
    return [m.text.removesuffix(label).strip() for m in found]


def _remove_type(driver: WebDriver, label: str) -> None:
    """Untick one entity type in the selector (the chip's remove button)."""
    selector = f'button[aria-label="Remove {label}"]'
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, 30).until(lambda d: not d.find_elements(By.CSS_SELECTOR, selector))


def test_ui_browser_recognize_highlights_and_filters(ui_url: str, browser: WebDriver) -> None:
    driver = browser
    wait = WebDriverWait(driver, 60)
    driver.get(ui_url)
    note = wait.until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, 'textarea[aria-label="Clinical note"]'))
    )
    wait.until(
        lambda d: "version" in d.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"]').text
    )

    _remove_type(driver, "MICROORGANISM")  # choose the types
    note.send_keys(NOTE)
    note.send_keys(Keys.CONTROL, Keys.ENTER)
    button = driver.find_element(By.XPATH, '//button[normalize-space()="Recognize Entities"]')
    wait.until(lambda _: button.is_enabled())
    button.click()

    wait.until(lambda d: _marks(d, "CONDITION"))
    assert _marks(driver, "CONDITION") == ["hjerteinfarkt", "pneumoni", "feber"]
    assert _marks(driver, "SUBSTANCE") == ["paracetamol"]
    assert "Model version 0.0.0 answered" in driver.page_source

    _remove_type(driver, "SUBSTANCE")
    wait.until(lambda d: not _marks(d, "SUBSTANCE"))
    assert _marks(driver, "CONDITION") == ["hjerteinfarkt", "pneumoni", "feber"]

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "ui_recognize.png"
    assert driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
