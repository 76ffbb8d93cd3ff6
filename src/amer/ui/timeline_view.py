"""Comorbidity progression: dated notes → conditions over time (an Altair chart)."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from amer.clinic.timeline import (
    DatedNote,
    TimelinePoint,
    comorbidity_timeline,
    parse_dated_notes,
    read_dated_notes_csv,
)
from amer.errors import DataError
from amer.settings import Settings
from amer.ui.api import batch_entities, call

EXAMPLE = "2024-01-10: Feber og hoste.\n2024-03-02: Innlagt med pneumoni og feber.\n"


def notes_input() -> tuple[list[DatedNote] | None, str | None]:
    """Notes from the pasted text or an uploaded CSV (``date,text``); a message on bad input."""
    pasted = st.text_area(
        "Dated notes (each note starts with its date, YYYY-MM-DD or DD.MM.YYYY)",
        key="dated_notes",
        height=150,
        placeholder=EXAMPLE,
    )
    upload = st.file_uploader(
        "…or a CSV file with the columns date,text", type=["csv"], key="notes_csv"
    )
    try:
        if upload is not None:
            return read_dated_notes_csv(upload.getvalue().decode("utf-8"), name=upload.name), None
        if pasted.strip():
            return parse_dated_notes(pasted), None
    except (DataError, UnicodeDecodeError) as e:
        return None, str(e)
    return None, None


def build_timeline(
    settings: Settings, notes: Sequence[DatedNote]
) -> tuple[list[TimelinePoint], str | None]:
    """Conditions of every note, from one batch request to the API."""
    answer, error = call(
        settings, lambda c: c.entities_batch([n.text for n in notes], labels=["CONDITION"])
    )
    if answer is None:
        return [], error
    return comorbidity_timeline(notes, batch_entities(answer)), None


def timeline_frame(points: Sequence[TimelinePoint]) -> pd.DataFrame:
    """One row per condition and date."""
    return pd.DataFrame(
        [
            {
                "date": pd.Timestamp(p.date),
                "condition": p.condition,
                "icd10": p.icd10 or "",
                "mentions": p.mentions,
                "first seen": p.first_seen.isoformat(),
            }
            for p in points
        ],
        columns=["date", "condition", "icd10", "mentions", "first seen"],
    )


def show_timeline(points: Sequence[TimelinePoint]) -> None:
    """The chart (conditions over time, size by mentions) and its table."""
    if not points:
        st.info("No conditions were recognised in these notes.")
        return
    frame = timeline_frame(points)
    order = list(dict.fromkeys(frame["condition"]))
    chart = alt.Chart(frame).mark_circle(opacity=0.85).encode(
        x=alt.X("date:T", title="Date"),
        y=alt.Y("condition:N", sort=order, title="Condition"),
        size=alt.Size("mentions:Q", title="Mentions", scale=alt.Scale(range=[80, 400])),
        color=alt.Color("condition:N", legend=None),
        tooltip=["date:T", "condition:N", "icd10:N", "mentions:Q", "first seen:N"],
    ) + alt.Chart(frame).mark_line(opacity=0.3).encode(
        x="date:T", y=alt.Y("condition:N", sort=order), color="condition:N"
    )
    st.altair_chart(chart, width="stretch")
    st.dataframe(frame, hide_index=True, key="timeline_table")
