"""Convert the hand-annotated gold set from inline markup to JSONL, and verify it.

The markup file (``tests/fixtures/gold/clinical_gold.md``) holds one document per
paragraph (paragraphs are separated by blank lines; a paragraph may wrap over several
lines, which are joined with single spaces). An entity is written inline as
``[surface text](LABEL)``. Paragraphs that start with ``#`` (section headings) and
HTML comments (``<!-- ... -->``) are not documents and are skipped.

The output (``tests/fixtures/gold/clinical_gold.jsonl``) has one JSON object per line::

    {"id": "g001", "text": "...", "spans": [{"start": 0, "end": 5, "label": "CONDITION"}]}

with character offsets into the plain text (markup removed). Ids are assigned in file
order. Every span is verified: ``text[start:end]`` equals the bracketed surface, the
surface has no surrounding whitespace, the label is one of the six project labels, and
no two spans overlap. Left-over markup characters (``[``, ``]``, ``](``) in the plain
text and duplicate documents are reported as errors. Standard library only.

Usage::

    python bench/gold_markup.py                      # default paths, writes the JSONL
    python bench/gold_markup.py --check              # verify only, write nothing
    python bench/gold_markup.py IN.md -o OUT.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

LABELS = ("CONDITION", "SUBSTANCE", "PHYSIOLOGY", "PROCEDURE", "ANAT_LOC", "MICROORGANISM")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_IN = ROOT / "tests" / "fixtures" / "gold" / "clinical_gold.md"
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "gold" / "clinical_gold.jsonl"

# [surface](LABEL): the surface may not contain brackets; the label is upper case.
ENTITY = re.compile(r"\[([^\[\]]+)\]\(([A-Z_]+)\)")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


class MarkupError(ValueError):
    """The markup file is malformed; the message names the paragraph."""


def paragraphs(source: str) -> list[tuple[int, str]]:
    """Document paragraphs as (first line number, text with lines joined by spaces)."""
    # Blank out comments but keep their newlines so line numbers stay right.
    source = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    out: list[tuple[int, str]] = []
    block: list[str] = []
    start = 0
    for lineno, line in enumerate(source.splitlines() + [""], start=1):
        if line.strip():
            if not block:
                start = lineno
            block.append(line.strip())
            continue
        if block:
            text = " ".join(block)
            if not text.startswith("#"):
                out.append((start, text))
            block = []
    return out


def parse_document(markup: str, where: str) -> tuple[str, list[dict[str, int | str]]]:
    """Plain text and spans of one markup paragraph."""
    parts: list[str] = []
    spans: list[dict[str, int | str]] = []
    pos = 0
    length = 0
    for m in ENTITY.finditer(markup):
        before = markup[pos : m.start()]
        parts.append(before)
        length += len(before)
        surface, label = m.group(1), m.group(2)
        if label not in LABELS:
            raise MarkupError(f"{where}: unknown label {label!r} on {surface!r}")
        if surface != surface.strip():
            raise MarkupError(f"{where}: surface {surface!r} has surrounding whitespace")
        spans.append({"start": length, "end": length + len(surface), "label": label})
        parts.append(surface)
        length += len(surface)
        pos = m.end()
    parts.append(markup[pos:])
    text = "".join(parts)
    for stray in ("[", "]", "]("):
        if stray in text:
            i = text.index(stray)
            near = text[max(0, i - 30) : i + 30]
            raise MarkupError(f"{where}: stray {stray!r} in text near {near!r}")
    return text, spans


def verify(doc: dict, surfaces: list[str], where: str) -> None:
    """Check the spans of one converted document against the surfaces they came from."""
    text = doc["text"]
    prev_end = -1
    for span, surface in zip(doc["spans"], surfaces, strict=True):
        start, end, label = span["start"], span["end"], span["label"]
        if not 0 <= start < end <= len(text):
            raise MarkupError(f"{where}: span {start}-{end} outside the text")
        if text[start:end] != surface:
            raise MarkupError(f"{where}: text[{start}:{end}]={text[start:end]!r} != {surface!r}")
        if label not in LABELS:
            raise MarkupError(f"{where}: unknown label {label!r}")
        if start < prev_end:
            raise MarkupError(f"{where}: span {surface!r} overlaps the previous span")
        prev_end = end


def convert(source: str) -> list[dict]:
    """All documents of a markup file, verified."""
    docs: list[dict] = []
    seen: dict[str, str] = {}
    for n, (lineno, markup) in enumerate(paragraphs(source), start=1):
        doc_id = f"g{n:03d}"
        where = f"line {lineno} ({doc_id})"
        text, spans = parse_document(markup, where)
        if text in seen:
            raise MarkupError(f"{where}: duplicate of {seen[text]}")
        seen[text] = doc_id
        doc = {"id": doc_id, "text": text, "spans": spans}
        verify(doc, [m.group(1) for m in ENTITY.finditer(markup)], where)
        docs.append(doc)
    if not docs:
        raise MarkupError("no documents found")
    return docs


def summary(docs: list[dict]) -> str:
    """Per-label counts as a small text table."""
    counts = Counter(s["label"] for d in docs for s in d["spans"])
    lines = [f"documents: {len(docs)}", f"entities:  {sum(counts.values())}"]
    lines += [f"  {label:<14}{counts.get(label, 0):>5}" for label in LABELS]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Convert the inline-markup gold set ([surface](LABEL)) to verified JSONL.",
    )
    parser.add_argument(
        "markup",
        nargs="?",
        type=Path,
        default=DEFAULT_IN,
        help=f"markup file (default: {DEFAULT_IN.relative_to(ROOT)})",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=DEFAULT_OUT,
        help=f"JSONL file to write (default: {DEFAULT_OUT.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--check", action="store_true", help="only parse and verify; do not write the output"
    )
    args = parser.parse_args(argv)

    try:
        docs = convert(args.markup.read_text(encoding="utf-8"))
    except (OSError, MarkupError) as e:
        print(f"error: {args.markup}: {e}", file=sys.stderr)
        return 1
    if not args.check:
        with args.output.open("w", encoding="utf-8") as f:
            for doc in docs:
                f.write(json.dumps(doc, ensure_ascii=False) + "\n")
        # Re-read what was written and check it once more.
        for line in args.output.read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            for s in doc["spans"]:
                assert 0 <= s["start"] < s["end"] <= len(doc["text"]) and s["label"] in LABELS
        print(f"wrote {args.output}")
    print(summary(docs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
