"""The Streamlit app's logic (``AppTest``) against a live inference API on loopback."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from amer.clinic.feedback import FeedbackStore

APP = Path(__file__).parents[3] / "src" / "amer" / "ui" / "app.py"
NOTE = "Pasienten har hjerteinfarkt og pneumoni. Fikk paracetamol. Koder: I21.9, E11."


def _app(monkeypatch: pytest.MonkeyPatch, url: str, key: str | None) -> AppTest:
    monkeypatch.setenv("AMER_API_URL", url)
    if key:
        monkeypatch.setenv("AMER_API_KEY", key)
    at = AppTest.from_file(str(APP), default_timeout=30)
    return at.run()


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, live_api: Any) -> AppTest:
    return _app(monkeypatch, live_api.url, live_api.key)


def _press(at: AppTest, button: str, note: str = NOTE) -> AppTest:
    at.text_area(key="note").input(note)
    at.button(key=button).click()
    return at.run()


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The first table shown with ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _html(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_ui_recognize_highlights_entities_and_filters_them(app: AppTest) -> None:
    at = _press(app, "recognize")
    assert not at.exception and not at.error
    html = _html(at)
    assert '<mark class="amer-ent" data-label="CONDITION"' in html
    assert 'data-label="SUBSTANCE"' in html
    assert "Model version 0.0.0 answered" in at.caption[0].value
    table = _table(at, "source")
    assert list(table.columns) == ["text", "label", "start", "end", "source", "icd10"]
    assert table.set_index("text").loc["hjerteinfarkt", "icd10"] == "I21.9"

    at.multiselect(key="labels").set_value(["SUBSTANCE"]).run()
    html = _html(at)
    assert 'data-label="CONDITION"' not in html and 'data-label="SUBSTANCE"' in html
    assert set(_table(at, "source")["label"]) == {"SUBSTANCE"}


def test_ui_escapes_the_note_text(app: AppTest) -> None:
    at = _press(app, "recognize", note='<img src=x onerror="alert(1)"> feber og <b>hoste</b>')
    html = _html(at)
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_ui_model_panel_shows_the_served_model(app: AppTest) -> None:
    sidebar = "\n".join(m.value for m in app.sidebar.markdown)
    assert "version **0.0.0**" in sidebar
    assert any("dataset version: fixture" in c.value for c in app.sidebar.caption)


def test_ui_correct_icd_codes(app: AppTest) -> None:
    at = _press(app, "icd10")
    assert not at.exception
    suggestions = _table(at, "condition")
    assert dict(zip(suggestions["condition"], suggestions["code"], strict=True)) == {
        "hjerteinfarkt": "I21.9",
        "pneumoni": "J18.9",
    }
    assert any("I21.9" in s.value for s in at.success)
    (warning,) = at.warning
    assert "E11" in warning.value and "Proposed: **J18.9**" in warning.value


def test_ui_structure_offers_json_and_csv(app: AppTest) -> None:
    at = _press(app, "structure")
    assert not at.exception
    concepts = _table(at, "mentions")
    assert list(concepts["text"]) == ["hjerteinfarkt", "pneumoni"]
    labels = {b.label for b in at.get("download_button")}
    assert labels == {"Download JSON", "Download CSV"}


def test_ui_summary_counts(app: AppTest) -> None:
    at = _press(app, "summary")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Conditions": "2", "Substances": "1", "Procedures": "0", "Anatomy": "0"}


def test_ui_comorbidity_timeline(app: AppTest) -> None:
    at = _press(app, "timeline")
    at.text_area(key="dated_notes").input("2024-01-10: Feber.\n2024-03-02: Pneumoni og feber.")
    at.button(key="timeline_run").click()
    at.run()
    assert not at.exception and not at.error
    table = _table(at, "first seen")
    assert list(zip(table["condition"], table["mentions"], strict=True)) == [
        ("Feber", 1),
        ("Feber", 1),
        ("Pneumoni", 1),
    ]


def test_ui_timeline_names_a_bad_line(app: AppTest) -> None:
    at = _press(app, "timeline")
    at.text_area(key="dated_notes").input("ingen dato\n2024-01-10: Feber.").run()
    assert "pasted notes:1: a note must start with its date" in at.error[0].value


def test_ui_feedback_is_stored_and_counted(app: AppTest, live_api: Any) -> None:
    at = _press(app, "recognize")
    at.button(key="fb_wrong").click().run()
    at.text_input(key="fb_missed_text").input("Koder")
    at.selectbox(key="fb_missed_label").set_value("PROCEDURE")
    at.button(key="fb_missed").click().run()
    assert not at.error
    assert "2 in total" in at.success[0].value
    records = FeedbackStore(live_api.settings.feedback_path).read()
    assert [r.correction.action for r in records] == ["wrong", "missed"]
    assert all(r.text is None and r.model_version == "0.0.0" for r in records)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ui_says_so_when_the_api_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(monkeypatch, f"http://127.0.0.1:{_closed_port()}", None)
    at = _press(at, "recognize")
    assert not at.exception
    assert all("cannot be reached" in e.value for e in at.error)
    assert len(at.error) == 2  # model panel and the module


def test_ui_says_so_when_the_key_is_refused(monkeypatch: pytest.MonkeyPatch, live_api: Any) -> None:
    at = _press(_app(monkeypatch, live_api.url, "amer_wrong.key"), "recognize")
    assert not at.exception
    assert "refused the API key" in at.error[-1].value
