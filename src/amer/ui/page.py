"""Layout and flow of the clinical web app: sidebar, note, module buttons, result views.

Results live in ``st.session_state`` so that changing the entity-type filter or sending
feedback re-renders them without asking the API again.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from amer.settings import AMER_LABELS, Settings, get_settings
from amer.ui import views
from amer.ui.api import call, entities_of
from amer.ui.feedback_view import show_feedback
from amer.ui.timeline_view import build_timeline, notes_input, show_timeline

MODULES = {
    "recognize": "Recognize Entities",
    "icd10": "Correct ICD Codes",
    "structure": "Structure EHR",
    "summary": "Summarize EHR",
    "timeline": "Visualize Comorbidity Progression",
}
"""Module buttons: key → label."""

EXAMPLE_NOTE = (
    "Pasienten har hjerteinfarkt og pneumoni. Fikk paracetamol mot feber. "
    "Røntgen thorax av lunge. Diagnosekoder: I21.9, E11."
)


def main() -> None:
    """Render the app once (Streamlit reruns this on every interaction)."""
    st.set_page_config(page_title="AMER – clinical entities", layout="wide")
    settings = get_settings()
    labels = _sidebar(settings)
    st.title("AMER: medical entities in Norwegian clinical notes")
    st.text_area("Clinical note", key="note", height=180, placeholder=EXAMPLE_NOTE)
    for column, (key, label) in zip(st.columns(len(MODULES)), MODULES.items(), strict=True):
        if column.button(label, key=key, type="primary" if key == "recognize" else "secondary"):
            _run(settings, key)
    if error := st.session_state.get("error"):
        st.error(error)
        return
    _render(settings, st.session_state.get("view"), labels)


def _sidebar(settings: Settings) -> list[str]:
    with st.sidebar:
        st.header("AMER")
        st.caption(f"API: {settings.api_url}")
        labels: list[str] = st.multiselect(
            "Entity types", list(AMER_LABELS), default=list(AMER_LABELS), key="labels"
        )
        st.subheader("Model")
        if "model_info" not in st.session_state or st.button("Refresh", key="model_refresh"):
            st.session_state["model_info"] = call(settings, lambda c: c.model_info())
        info, error = st.session_state["model_info"]
        if info is None:
            st.error(error)
        else:
            views.show_model(info)
    return labels


def _run(settings: Settings, module: str) -> None:
    st.session_state["view"] = module
    st.session_state["error"] = None
    text: str = st.session_state.get("note", "")
    if module == "timeline":
        st.session_state["timeline_requested"] = bool(st.session_state.get("dated_notes"))
        return
    if not text.strip():
        st.session_state["error"] = "Paste a clinical note first."
        return
    if module == "icd10":
        answer, error = call(settings, lambda c: c.icd10(text))
        st.session_state.update(icd10_answer=answer, error=error)
        if answer is not None:
            _keep_result(text, answer)
        return
    answer, error = call(settings, lambda c: c.entities(text))
    st.session_state["error"] = error
    if answer is not None:
        _keep_result(text, answer)


def _keep_result(text: str, answer: dict[str, Any]) -> None:
    st.session_state["result"] = {
        "text": text,
        "version": answer["version"],
        "entities": entities_of(answer),
    }


def _render(settings: Settings, view: str | None, labels: list[str]) -> None:
    if view == "timeline":
        _timeline(settings)
        return
    result = st.session_state.get("result")
    if view is None or result is None:
        st.info("Paste a note, choose entity types and press a module button.")
        return
    text, version, entities = result["text"], result["version"], result["entities"]
    chosen = [e for e in entities if e.label in labels]
    if view == "recognize":
        views.show_entities(text, entities, labels, version)
        show_feedback(settings, text, entities, version)
    elif view == "icd10":
        views.show_icd10(st.session_state["icd10_answer"])
    elif view == "structure":
        views.show_structure(chosen, version)
    elif view == "summary":
        views.show_summary(chosen)


def _timeline(settings: Settings) -> None:
    st.subheader(MODULES["timeline"])
    notes, problem = notes_input()
    if problem:
        st.error(problem)
        return
    requested = st.session_state.pop("timeline_requested", False)
    if st.button("Build timeline", key="timeline_run") or requested:
        if notes:
            st.session_state["timeline_result"] = build_timeline(settings, notes)
        else:
            st.session_state["timeline_result"] = ([], "Paste dated notes or upload a CSV file.")
    if "timeline_result" not in st.session_state:
        return
    points, error = st.session_state["timeline_result"]
    if error:
        st.error(error)
    else:
        show_timeline(points)
