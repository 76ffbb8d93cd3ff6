"""The alias log: ordering and the production lineage that rollback replays."""

from __future__ import annotations

import json

from amer.registry.audit import MOVE_TAG_PREFIX, AliasMove, production_lineage, read_moves


def _move(to: str, action: str = "promote", alias: str = "production", at: int = 0) -> AliasMove:
    return AliasMove(alias, None, to, "tester", None, action, False, at)  # type: ignore[arg-type]


def test_audit_read_moves_orders_by_tag_key_and_skips_other_tags() -> None:
    tags = {
        f"{MOVE_TAG_PREFIX}00000000000000000002.bbbb": json.dumps(_move("2", at=2).to_dict()),
        f"{MOVE_TAG_PREFIX}00000000000000000001.aaaa": json.dumps(_move("1", at=1).to_dict()),
        "owner": "team",
    }
    assert [m.to_version for m in read_moves(tags)] == ["1", "2"]


def test_audit_lineage_pops_rolled_back_versions() -> None:
    moves = [
        _move("1"),
        _move("2"),
        _move("3", alias="staging"),
        _move("3"),
        _move("2", "rollback"),
    ]
    assert production_lineage(moves) == ["1", "2"]
    assert production_lineage([*moves, _move("1", "rollback")]) == ["1"]
