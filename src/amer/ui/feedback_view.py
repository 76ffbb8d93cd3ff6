"""Clinician feedback: mark an entity wrong or add a missed one; stored by the API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from amer.model import Entity
from amer.settings import AMER_LABELS, Settings
from amer.ui.api import call

NOT_AN_ENTITY = "(not an entity)"


def _describe(entity: Entity) -> str:
    return f"{entity.text} [{entity.label}] {entity.start}–{entity.end}"


def show_feedback(settings: Settings, text: str, entities: Sequence[Entity], version: str) -> None:
    """Forms to correct the recognised entities of ``text``; shows the stored total."""
    st.subheader("Feedback")
    include_text = st.checkbox(
        "Store the note text with my corrections (otherwise only its hash and offsets)",
        key="fb_include_text",
    )
    wrong, missed = st.columns(2)
    with wrong:
        correction = _wrong_form(entities)
    with missed:
        correction = _missed_form(text) or correction
    if correction is not None:
        _send(settings, text, correction, version=version, include_text=include_text)
    if "feedback_total" in st.session_state:
        st.caption(f"{st.session_state['feedback_total']} corrections recorded in total")


def _wrong_form(entities: Sequence[Entity]) -> dict[str, Any] | None:
    st.markdown("**Mark an entity as wrong**")
    if not entities:
        st.caption("no entities to correct")
        return None
    index = st.selectbox(
        "Entity",
        range(len(entities)),
        format_func=lambda i: _describe(entities[i]),
        key="fb_entity",
    )
    right = st.selectbox("Correct label", [NOT_AN_ENTITY, *AMER_LABELS], key="fb_correct_label")
    if not st.button("Mark wrong", key="fb_wrong"):
        return None
    entity = entities[index]
    correct = None if right == NOT_AN_ENTITY or right == entity.label else right
    return {
        "action": "wrong",
        "start": entity.start,
        "end": entity.end,
        "label": entity.label,
        "correct_label": correct,
    }


def _missed_form(text: str) -> dict[str, Any] | None:
    st.markdown("**Add a missed entity**")
    phrase = st.text_input("Text exactly as in the note", key="fb_missed_text")
    label = st.selectbox("Label", AMER_LABELS, key="fb_missed_label")
    if not st.button("Add missed", key="fb_missed"):
        return None
    start = text.find(phrase) if phrase.strip() else -1
    if start < 0:
        st.error("That text does not occur in the note.")
        return None
    return {"action": "missed", "start": start, "end": start + len(phrase), "label": label}


def _send(
    settings: Settings, text: str, correction: dict[str, Any], *, version: str, include_text: bool
) -> None:
    answer, error = call(
        settings,
        lambda c: c.feedback(
            text=text, corrections=[correction], model_version=version, include_text=include_text
        ),
    )
    if answer is None:
        st.error(error)
        return
    st.session_state["feedback_total"] = answer["total"]
    st.success(f"Thank you: correction stored ({answer['total']} in total).")
