"""Highlighting (escaped, one colour per label) and the ``amer ui`` command line."""

from __future__ import annotations

from pathlib import Path

from amer.cli.ui import streamlit_command
from amer.model import Entity
from amer.ui.highlight import COLOURS, highlight_html, legend_html

TEXT = "<b>feber</b> & paracetamol"
ENTITIES = [
    Entity(3, 8, "feber", "CONDITION", "lexicon", "R50.9"),
    Entity(15, 26, "paracetamol", "SUBSTANCE", "lexicon"),
]


def test_highlight_escapes_text_and_marks_each_label_in_its_colour() -> None:
    html = highlight_html(TEXT, ENTITIES, {"CONDITION", "SUBSTANCE"})
    assert html.count('class="amer-ent"') == 2
    assert "&lt;b&gt;" in html and "<b>" not in html and "&amp;" in html
    assert f"background:{COLOURS['CONDITION']}" in html
    assert 'title="CONDITION · ICD-10 R50.9"' in html


def test_highlight_filters_by_label_and_skips_overlaps() -> None:
    overlapping = [*ENTITIES, Entity(4, 7, "ebe", "CONDITION", "model")]
    html = highlight_html(TEXT, overlapping, {"CONDITION"})
    assert html.count('class="amer-ent"') == 1
    assert 'data-label="SUBSTANCE"' not in html


def test_legend_lists_the_chosen_labels_in_amer_order() -> None:
    legend = legend_html({"SUBSTANCE", "CONDITION"})
    assert legend.index("CONDITION") < legend.index("SUBSTANCE")
    assert "ANAT_LOC" not in legend


def test_ui_command_runs_streamlit_headless_without_usage_stats() -> None:
    command = streamlit_command(host="127.0.0.1", port=8601)
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert Path(command[4]).name == "app.py" and Path(command[4]).is_file()
    assert "--browser.gatherUsageStats=false" in command
    assert "--server.headless=true" in command
    assert "--server.port=8601" in command
