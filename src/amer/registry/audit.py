"""The durable log of alias moves: who moved which alias, when, from which version to which, why.

Each move is one tag on the registered model, keyed by time and a random suffix, so two
processes writing at once never overwrite each other and the log lives (and dies) with the
registered model in whatever store holds it.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from mlflow import MlflowClient

MOVE_TAG_PREFIX = "amer.alias_move."
"""Prefix of the registered-model tags that hold alias moves."""

Action = Literal["promote", "rollback"]


@dataclass(frozen=True, slots=True)
class AliasMove:
    """One alias move; ``from_version`` is None when the alias was new."""

    alias: str
    from_version: str | None
    to_version: str
    actor: str
    reason: str | None
    action: Action
    forced: bool
    at_ms: int

    def to_dict(self) -> dict[str, Any]:
        """The move as a JSON-ready dict."""
        return asdict(self)


def record_move(
    client: MlflowClient,
    name: str,
    *,
    alias: str,
    from_version: str | None,
    to_version: str,
    actor: str,
    reason: str | None,
    action: Action,
    forced: bool = False,
) -> AliasMove:
    """Append one move to the log of registered model ``name``."""
    at_ms = int(time.time() * 1000)
    move = AliasMove(alias, from_version, to_version, actor, reason, action, forced, at_ms)
    key = f"{MOVE_TAG_PREFIX}{time.time_ns():020d}.{uuid.uuid4().hex[:8]}"
    client.set_registered_model_tag(name, key, json.dumps(move.to_dict(), ensure_ascii=False))
    return move


def read_moves(tags: dict[str, str]) -> list[AliasMove]:
    """The moves held in a registered model's ``tags``, oldest first."""
    moves = []
    for key in sorted(k for k in tags if k.startswith(MOVE_TAG_PREFIX)):
        raw = json.loads(tags[key])
        moves.append(AliasMove(**raw))
    return moves


def production_lineage(moves: list[AliasMove], alias: str = "production") -> list[str]:
    """Versions that held ``alias``, oldest first, with rolled-back versions popped off.

    Replaying the log this way makes a second rollback go one further back rather than
    bouncing between the last two versions.
    """
    stack: list[str] = []
    for move in moves:
        if move.alias != alias:
            continue
        if move.action == "rollback":
            if stack:
                stack.pop()
            if not stack or stack[-1] != move.to_version:
                stack.append(move.to_version)
        else:
            stack.append(move.to_version)
    return stack
