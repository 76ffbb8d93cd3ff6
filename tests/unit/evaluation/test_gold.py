import json
from pathlib import Path

import pytest

from amer.errors import DataError
from amer.evaluation.gold import read_gold


def test_gold_reads_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text(
        json.dumps(
            {"text": "Han har feber.", "spans": [{"start": 8, "end": 13, "label": "CONDITION"}]}
        )
        + "\n"
    )
    (doc,) = read_gold(path, labels=["CONDITION"])
    assert doc.text[doc.spans[0].start : doc.spans[0].end] == "feber"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"text": "feber", "spans": [{"start": 0, "end": 9, "label": "CONDITION"}]},
            "outside the text",
        ),
        ({"spans": []}, "field 'text'"),
        ({"text": "feber", "spans": [{"start": 0, "end": 5, "label": "DISEASE"}]}, "unknown label"),
    ],
)
def test_gold_bad_record_names_line(tmp_path: Path, record: dict, message: str) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text("\n" + json.dumps(record) + "\n")
    with pytest.raises(DataError, match=f"g.jsonl:2: .*{message}"):
        read_gold(path, labels=["CONDITION"])
