"""Read corpora: NorMedQA JSON, plain text, JSONL with a text field, CSV with a text column."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from amer.errors import DataError

CorpusFormat = Literal["auto", "normedqa", "text", "lines", "jsonl", "csv"]


class Document(BaseModel):
    """One corpus document: an identifier and its text."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str


class _QAItem(BaseModel):
    question_text: str
    answer_text: str = ""
    wrong_answers_text: str = ""
    source_file: str = ""
    question_number: str | int = ""


def read_corpus(
    path: Path, *, fmt: CorpusFormat = "auto", text_field: str = "text"
) -> list[Document]:
    """Read a corpus file (or a folder of ``.txt`` files) into documents.

    Args:
        path: the corpus file or folder.
        fmt: its format; ``auto`` decides by extension (``.json`` NorMedQA, ``.jsonl``,
            ``.csv``, ``.txt`` one document per line, a folder one document per file).
        text_field: the JSONL field or CSV column that holds the text.

    Raises:
        DataError: the file is missing or malformed; the message names file, line, field.
    """
    if not path.exists():
        raise DataError(f"corpus not found: {path}")
    resolved = _detect_format(path) if fmt == "auto" else fmt
    if resolved == "text":
        return _read_text_folder(path)
    if resolved == "lines":
        return _read_lines(path)
    if resolved == "jsonl":
        return _read_jsonl(path, text_field=text_field)
    if resolved == "csv":
        return _read_csv(path, text_field=text_field)
    return _read_normedqa(path)


def _detect_format(path: Path) -> CorpusFormat:
    if path.is_dir():
        return "text"
    suffix = path.suffix.lower()
    formats: dict[str, CorpusFormat] = {
        ".json": "normedqa",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".csv": "csv",
        ".txt": "lines",
    }
    if suffix not in formats:
        raise DataError(
            f"{path}: cannot tell the corpus format from '{suffix}'; "
            "set corpus_format to normedqa, text, lines, jsonl or csv"
        )
    return formats[suffix]


def _read_normedqa(path: Path) -> list[Document]:
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise DataError(f"{path}:{e.lineno}: not valid JSON: {e.msg}") from e
    if not isinstance(items, list):
        raise DataError(f"{path}: expected a JSON list of question objects")
    docs = []
    for index, raw in enumerate(items):
        try:
            item = _QAItem.model_validate(raw)
        except ValidationError as e:
            first = e.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise DataError(f"{path}: item {index}: field '{field}': {first['msg']}") from e
        docs.append(Document(id=_qa_id(item, index), text=_qa_text(item)))
    return docs


def _qa_id(item: _QAItem, index: int) -> str:
    if item.source_file or item.question_number:
        return f"{item.source_file}#{item.question_number}"
    return str(index)


def _qa_text(item: _QAItem) -> str:
    parts = [item.question_text.strip(), item.answer_text.strip()]
    parts += [w.strip() for w in item.wrong_answers_text.split(";")]
    return "\n".join(p for p in parts if p)


def _read_text_folder(path: Path) -> list[Document]:
    files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
    return [Document(id=f.name, text=_read_utf8(f)) for f in files]


def _read_lines(path: Path) -> list[Document]:
    lines = _read_utf8(path).splitlines()
    return [Document(id=f"{path.name}:{i}", text=t) for i, t in enumerate(lines, 1)]


def _read_jsonl(path: Path, *, text_field: str) -> list[Document]:
    docs = []
    for lineno, line in enumerate(_read_utf8(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(f"{path}:{lineno}: not valid JSON: {e.msg}") from e
        if not isinstance(record, dict) or not isinstance(record.get(text_field), str):
            raise DataError(f"{path}:{lineno}: field '{text_field}' missing or not a string")
        doc_id = str(record.get("id", f"{path.name}:{lineno}"))
        docs.append(Document(id=doc_id, text=record[text_field]))
    return docs


def _read_csv(path: Path, *, text_field: str) -> list[Document]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or text_field not in reader.fieldnames:
            raise DataError(f"{path}:1: no column named '{text_field}' in the header")
        docs = []
        for lineno, row in enumerate(reader, start=2):
            text = row.get(text_field)
            if text is None:
                raise DataError(f"{path}:{lineno}: field '{text_field}' is missing")
            docs.append(Document(id=str(row.get("id") or f"{path.name}:{lineno}"), text=text))
    return docs


def _read_utf8(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: not UTF-8 text (byte {e.start})") from e
