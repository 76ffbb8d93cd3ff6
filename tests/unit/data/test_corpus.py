import json
from pathlib import Path

import pytest

from amer.data.corpus import read_corpus
from amer.errors import DataError


def test_corpus_normedqa_joins_question_and_answers(tmp_path: Path) -> None:
    path = tmp_path / "qa.json"
    item = {
        "source_file": "1.pdf",
        "question_number": "2",
        "question_text": "Hva er feber?",
        "answer_text": "Forhøyet temperatur",
        "wrong_answers_text": "Hoste; Kvalme",
    }
    path.write_text(json.dumps([item]), "utf-8")
    (doc,) = read_corpus(path)
    assert doc.id == "1.pdf#2"
    assert doc.text == "Hva er feber?\nForhøyet temperatur\nHoste\nKvalme"


def test_corpus_text_folder_one_document_per_file(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Andre notat", "utf-8")
    (tmp_path / "a.txt").write_text("Første notat", "utf-8")
    docs = read_corpus(tmp_path)
    assert [(d.id, d.text) for d in docs] == [("a.txt", "Første notat"), ("b.txt", "Andre notat")]


def test_corpus_lines_one_document_per_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("en\nto\n", "utf-8")
    assert [d.text for d in read_corpus(path)] == ["en", "to"]


def test_corpus_jsonl_uses_text_field(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text('{"id": "x", "note": "Feber"}\n\n{"note": "Hoste"}\n', "utf-8")
    docs = read_corpus(path, text_field="note")
    assert [(d.id, d.text) for d in docs] == [("x", "Feber"), ("notes.jsonl:3", "Hoste")]


def test_corpus_csv_uses_named_column(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text('id,body\n1,"Feber, hoste"\n', "utf-8")
    assert [d.text for d in read_corpus(path, text_field="body")] == ["Feber, hoste"]


@pytest.mark.parametrize(
    ("name", "content", "kwargs", "message"),
    [
        ("n.jsonl", '{"text": 1}\n', {}, r"n.jsonl:1: field 'text'"),
        ("n.jsonl", "{oops\n", {}, r"n.jsonl:1: not valid JSON"),
        ("n.csv", "id,body\n1,x\n", {}, r"n.csv:1: no column named 'text'"),
        ("n.json", '[{"answer_text": "x"}]', {}, r"item 0: field 'question_text'"),
        ("n.xml", "<a/>", {}, "cannot tell the corpus format"),
    ],
)
def test_corpus_bad_input_names_file_and_field(
    tmp_path: Path, name: str, content: str, kwargs: dict[str, str], message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, "utf-8")
    with pytest.raises(DataError, match=message):
        read_corpus(path, **kwargs)  # type: ignore[arg-type]
