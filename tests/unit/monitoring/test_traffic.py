"""The traffic window: aggregates only, bounded on disk, safe with several writer processes."""

from __future__ import annotations

import json
import multiprocessing
import threading
from pathlib import Path

import pytest

from amer.errors import DataError
from amer.model import DocStats
from amer.monitoring.traffic import TrafficRecorder
from amer.settings import Settings


def _stats(i: int) -> DocStats:
    return DocStats(
        n_chars=100 + i,
        n_tokens=20,
        oov_tokens=i % 3,
        lexicon_tokens=2,
        entities_per_label={"CONDITION": 1 + i % 2},
    )


def _write_many(directory: str, offset: int, count: int) -> None:
    recorder = TrafficRecorder(Path(directory), max_bytes=10_000_000)
    for i in range(count):
        recorder.record([_stats(offset + i)])


def test_traffic_from_settings_lives_under_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", traffic_max_bytes=20_000, traffic_backups=2)
    recorder = TrafficRecorder.from_settings(settings)
    assert recorder.directory == tmp_path / "home" / "traffic"
    assert (recorder.max_bytes, recorder.backups) == (20_000, 2)


def test_traffic_round_trip_keeps_counts_and_order(tmp_path: Path) -> None:
    recorder = TrafficRecorder(tmp_path)
    recorder.record([_stats(i) for i in range(5)])
    recorder.record([])
    assert recorder.read_window(3) == [_stats(2), _stats(3), _stats(4)]


def test_traffic_file_holds_aggregates_only(tmp_path: Path, lexicon_model_dir: Path) -> None:
    from amer.model import load_model

    text = "Pasienten Kari Nordmann har diabetes og bruker paracetamol."
    model = load_model(lexicon_model_dir)
    recorder = TrafficRecorder(tmp_path)
    recorder.record([stats for _, stats in model.analyse_batch([text])])
    raw = recorder.path.read_text("utf-8")
    row = json.loads(raw)
    assert set(row) == {"t", "chars", "tokens", "oov", "lex", "ents"}
    for word in ("Kari", "Nordmann", "diabetes", "paracetamol", "Pasienten"):
        assert word.lower() not in raw.lower()


def test_traffic_window_is_bounded_by_rotation(tmp_path: Path) -> None:
    recorder = TrafficRecorder(tmp_path, max_bytes=2_000, backups=2)
    for i in range(300):
        recorder.record([_stats(i)])
    files = recorder.files()
    assert [f.name for f in files] == ["traffic.jsonl.2", "traffic.jsonl.1", "traffic.jsonl"]
    assert sum(f.stat().st_size for f in files) < 3 * 2_000 + 200
    window = recorder.read_window(10_000)
    assert window[-1] == _stats(299)
    assert len(window) < 300


def test_traffic_rotation_without_backups_keeps_only_the_current_file(tmp_path: Path) -> None:
    recorder = TrafficRecorder(tmp_path, max_bytes=1_000, backups=0)
    for i in range(100):
        recorder.record([_stats(i)])
    assert [f.name for f in recorder.files()] in ([], ["traffic.jsonl"])


def test_traffic_threads_do_not_interleave(tmp_path: Path) -> None:
    recorder = TrafficRecorder(tmp_path)
    threads = [
        threading.Thread(
            target=lambda k=k: [recorder.record([_stats(k * 100 + i)]) for i in range(100)]
        )
        for k in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(recorder.read_window(1_000)) == 400


def test_traffic_processes_do_not_interleave(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_write_many, args=(str(tmp_path), k * 1000, 150)) for k in range(3)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    window = TrafficRecorder(tmp_path).read_window(10_000)
    assert sorted(s.n_chars for s in window) == sorted(
        100 + k * 1000 + i for k in range(3) for i in range(150)
    )


def test_traffic_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    recorder = TrafficRecorder(tmp_path)
    recorder.record([_stats(1)])
    with recorder.path.open("a") as f:
        f.write('{"chars": "many"}\n')
    with pytest.raises(DataError, match=r"traffic\.jsonl:2: malformed"):
        recorder.read_window(10)


def test_traffic_clear_forgets_the_window(tmp_path: Path) -> None:
    recorder = TrafficRecorder(tmp_path)
    recorder.record([_stats(1)])
    recorder.clear()
    assert recorder.read_window(10) == []
