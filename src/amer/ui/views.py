"""The app's result views: entities, ICD-10 coding, structured record, summary, model panel.

Each view formats data the API returned (or that the library derives from it); none runs
a model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from amer.clinic.structure import structure_record, to_csv
from amer.clinic.summary import summarize
from amer.model import Entity
from amer.ui.highlight import highlight_html, legend_html

ENTITY_COLUMNS = ["text", "label", "start", "end", "source", "icd10"]


def entity_table(entities: Sequence[Entity]) -> pd.DataFrame:
    """One row per entity: text, label, offsets, source, ICD-10."""
    rows = [{c: getattr(e, c) for c in ENTITY_COLUMNS} for e in entities]
    return pd.DataFrame(rows, columns=ENTITY_COLUMNS)


def show_entities(
    text: str, entities: Sequence[Entity], labels: Sequence[str], version: str
) -> None:
    """The highlighted note, its legend and the entity table, both filtered by ``labels``."""
    shown = [e for e in entities if e.label in labels]
    st.caption(f"Model version {version} answered · {len(shown)} of {len(entities)} entities shown")
    st.markdown(legend_html(labels), unsafe_allow_html=True)
    st.markdown(highlight_html(text, shown, labels), unsafe_allow_html=True)
    st.dataframe(entity_table(shown), hide_index=True, key="entity_table")


def show_icd10(answer: dict[str, Any]) -> None:
    """Suggested codes per condition, and the verdict on each code written in the note."""
    st.caption(f"Model version {answer['version']} answered")
    st.subheader("Suggested ICD-10 codes")
    rows = [
        {
            "condition": c["text"],
            "start": c["start"],
            "code": s["code"],
            "description": s["description"],
        }
        for c in answer["conditions"]
        for s in c["suggestions"][:1]
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="icd10_suggestions")
    else:
        st.info("No condition with an ICD-10 code was recognised.")
    st.subheader("Codes written in the note")
    if not answer["codes"]:
        st.info("The note contains no ICD-10 code.")
    for code in answer["codes"]:
        _show_written(code)


def _show_written(code: dict[str, Any]) -> None:
    proposed = code.get("proposed")
    if code["status"] == "ok":
        st.success(f"{code['code']} — {code['description']}: {code['message']}")
        return
    fix = f" Proposed: **{proposed['code']}** ({proposed['description']})." if proposed else ""
    if code["status"] == "unknown":
        st.error(f"{code['code']} does not exist in ICD-10.{fix}")
    else:
        what = f"{code['code']} ({code['description']})"
        st.warning(f"{what} matches none of the recognised conditions.{fix}")


def show_structure(entities: Sequence[Entity], version: str) -> None:
    """Entities grouped by category, downloadable as JSON and CSV."""
    record = structure_record(entities, model_version=version)
    for label, concepts in record["categories"].items():
        with st.expander(f"{label} ({record['counts'][label]})", expanded=True):
            st.dataframe(pd.DataFrame(concepts), hide_index=True, key=f"structure_{label}")
    if not record["categories"]:
        st.info("No entities to structure.")
    left, right = st.columns(2)
    left.download_button(
        "Download JSON",
        json.dumps(record, ensure_ascii=False, indent=2),
        file_name="amer-record.json",
        mime="application/json",
        key="download_json",
    )
    right.download_button(
        "Download CSV",
        to_csv(entities),
        file_name="amer-record.csv",
        mime="text/csv",
        key="download_csv",
    )


def show_summary(entities: Sequence[Entity]) -> None:
    """Conditions, substances, procedures and anatomy with counts and first mention."""
    summary = summarize(entities)
    counts = summary.counts
    for column, name in zip(st.columns(len(counts)), counts, strict=True):
        column.metric(name.capitalize(), counts[name])
    for name, items in summary.sections.items():
        st.markdown(f"**{name.capitalize()}**")
        if not items:
            st.caption("none")
            continue
        rows = [
            {
                "term": i.text,
                "count": i.count,
                "first mention (char)": i.first_mention,
                "icd10": i.icd10,
            }
            for i in items
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"summary_{name}")


def show_model(info: dict[str, Any]) -> None:
    """Model name, version, alias, dataset version and headline metrics."""
    st.markdown(f"**{info['name']}** version **{info['version']}**")
    if info.get("alias"):
        st.caption(f"alias: {info['alias']}")
    st.caption(f"dataset version: {info.get('dataset_version') or 'unknown'}")
    micro = (info.get("metrics") or {}).get("micro") or {}
    for name in ("precision", "recall", "f1"):
        if isinstance(micro.get(name), int | float):
            st.metric(name.upper() if name == "f1" else name.capitalize(), f"{micro[name]:.3f}")
    if not micro:
        st.caption("no evaluation metrics recorded")
