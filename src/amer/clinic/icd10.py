"""ICD-10 coding of a note: codes for recognised conditions, and a check of written codes.

The index maps ICD-10 codes to their Norwegian descriptions, read from the NorMedTerm
rows whose source is ``ICD``. :func:`code_note` suggests codes for each recognised
CONDITION entity and checks every code written in the note (``I21.9``): a code that does
not exist, or whose description matches none of the recognised conditions, is flagged,
and the code of the nearest condition that no written code covers is proposed instead.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from amer.clinic.text import content_stems
from amer.data.terminology import Term, iter_terminology
from amer.errors import DataError
from amer.model import Entity

CODE_PATTERN = re.compile(r"(?<![\w.])([A-TV-Z][0-9]{2}(?:\.[0-9]{1,2})?)(?![\w]|\.[0-9])")
"""An ICD-10 code as written in a note: letter (not U), two digits, optional ``.d`` or ``.dd``."""

_NOT_A_CODE_BEFORE = re.compile(r"vitamin\s*$", re.IGNORECASE)
_PAREN = re.compile(r"\([^()]*\)")
_MIN_SUBSTRING = 5
ICD_SOURCE = "ICD"

Status = Literal["ok", "unknown", "mismatch"]


@dataclass(frozen=True, slots=True)
class CodeSuggestion:
    """An ICD-10 code, its Norwegian description and how well it fits (0–1)."""

    code: str
    description: str
    score: float


@dataclass(frozen=True, slots=True)
class ConditionCoding:
    """Suggested codes for one recognised condition."""

    start: int
    end: int
    text: str
    suggestions: list[CodeSuggestion]


@dataclass(frozen=True, slots=True)
class WrittenCode:
    """A code written in the note and the verdict on it."""

    start: int
    end: int
    code: str
    status: Status
    description: str | None
    message: str
    matches: list[str] = field(default_factory=list)
    proposed: CodeSuggestion | None = None


@dataclass(frozen=True, slots=True)
class Icd10Report:
    """The ICD-10 coding of one note."""

    conditions: list[ConditionCoding]
    codes: list[WrittenCode]

    @property
    def flagged(self) -> list[WrittenCode]:
        """The written codes that need a correction."""
        return [c for c in self.codes if c.status != "ok"]


class Icd10Index:
    """ICD-10 codes with their Norwegian descriptions, searchable by condition terms."""

    def __init__(self, descriptions: Mapping[str, Sequence[str]]) -> None:
        self._descriptions = {code: list(texts) for code, texts in descriptions.items() if texts}
        self._stems: dict[str, list[frozenset[str]]] = {
            code: [content_stems(_PAREN.sub("", t)) for t in texts]
            for code, texts in self._descriptions.items()
        }
        self._by_stem: dict[str, set[str]] = defaultdict(set)
        for code, stem_sets in self._stems.items():
            for stems in stem_sets:
                for s in stems:
                    self._by_stem[s].add(code)
        self._categories = {code[:3] for code in self._descriptions}
        self._cache: dict[str, list[CodeSuggestion]] = {}

    @classmethod
    def from_terms(cls, terms: Iterable[Term]) -> Icd10Index:
        """The index of the terminology rows whose source is ICD and that carry a code."""
        found: dict[str, list[str]] = defaultdict(list)
        for term in terms:
            if term.source.upper() == ICD_SOURCE and term.icd10:
                found[term.icd10.strip().upper()].append(term.term)
        return cls(found)

    @classmethod
    def from_file(cls, path: Path) -> Icd10Index:
        """The index of a NorMedTerm-style TSV file.

        Raises:
            DataError: the file is missing or malformed, or holds no ICD-10 rows.
        """
        index = cls.from_terms(iter_terminology(path))
        if not len(index):
            raise DataError(f"{path}: no rows with source ICD and an ICD-10 code")
        return index

    def __len__(self) -> int:
        return len(self._descriptions)

    def exists(self, code: str) -> bool:
        """True for a listed code, or a three-character category with listed subcodes."""
        code = code.upper()
        return code in self._descriptions or (len(code) == 3 and code in self._categories)

    def describe(self, code: str) -> str | None:
        """The Norwegian description of a code (a category: that of its first subcode)."""
        code = code.upper()
        if code in self._descriptions:
            return self._descriptions[code][0]
        if len(code) == 3 and code in self._categories:
            first = min(c for c in self._descriptions if c.startswith(code))
            return self._descriptions[first][0]
        return None

    def suggest(
        self, term: str, *, known: str | None = None, limit: int = 3
    ) -> list[CodeSuggestion]:
        """The codes whose descriptions best fit a condition term, best first.

        At most one code per three-character category is suggested, so the choices differ.

        Args:
            term: the condition as written (``hjerteinfarktet``).
            known: a code the model already attached to the entity; ranked first if listed.
            limit: the most suggestions returned.
        """
        ranked = self._ranked(term)
        if known and self.exists(known):
            ranked = [CodeSuggestion(known.upper(), self.describe(known) or "", 1.0), *ranked]
        seen: set[str] = set()
        chosen = []
        for suggestion in ranked:
            if suggestion.code[:3] not in seen:
                seen.add(suggestion.code[:3])
                chosen.append(suggestion)
        return chosen[:limit]

    def fits(self, code: str, term: str, *, known: str | None = None) -> bool:
        """True if ``code`` (or its category) is among the codes that fully cover ``term``."""
        categories = {s.code[:3] for s in self._ranked(term) if s.score > 0}
        if known:
            categories.add(known.upper()[:3])
        return code.upper()[:3] in categories

    def _ranked(self, term: str) -> list[CodeSuggestion]:
        key = term.lower()
        if key not in self._cache:
            self._cache[key] = self._rank(content_stems(term))
        return self._cache[key]

    def _rank(self, wanted: frozenset[str]) -> list[CodeSuggestion]:
        if not wanted:
            return []
        codes = self._codes_with_all(wanted)
        scored = [(self._score(code, wanted), code) for code in codes]
        scored.sort(key=lambda pair: (-pair[0], not self._unspecified(pair[1]), pair[1]))
        return [CodeSuggestion(c, self._descriptions[c][0], round(s, 3)) for s, c in scored]

    def _codes_with_all(self, wanted: frozenset[str]) -> set[str]:
        per_stem = [self._codes_for_stem(s) for s in wanted]
        return set.intersection(*per_stem) if per_stem else set()

    def _codes_for_stem(self, wanted: str) -> set[str]:
        codes = set(self._by_stem.get(wanted, ()))
        if len(wanted) >= _MIN_SUBSTRING:
            for known, found in self._by_stem.items():
                if wanted in known and known != wanted:
                    codes |= found
        return codes

    def _score(self, code: str, wanted: frozenset[str]) -> float:
        best = 0.0
        for stems in self._stems[code]:
            hits = sum(1 for w in wanted if any(w in s for s in stems))
            best = max(best, hits / len(wanted | stems))
        return best

    def _unspecified(self, code: str) -> bool:
        return any("uspesifisert" in t.lower() for t in self._descriptions[code])


@lru_cache(maxsize=4)
def load_index(path: Path) -> Icd10Index:
    """The index of a terminology file, built once per path and process."""
    return Icd10Index.from_file(path)


def find_codes(text: str) -> list[tuple[int, int, str]]:
    """ICD-10 codes written in ``text`` as ``(start, end, code)``; ``vitamin B12`` is none."""
    found = []
    for match in CODE_PATTERN.finditer(text):
        if _NOT_A_CODE_BEFORE.search(text[max(0, match.start() - 10) : match.start()]):
            continue
        found.append((match.start(), match.end(), match.group(1)))
    return found


def code_note(
    text: str, entities: Sequence[Entity], index: Icd10Index, *, limit: int = 3
) -> Icd10Report:
    """Suggest codes for the recognised conditions and check the codes written in ``text``."""
    conditions = [e for e in entities if e.label == "CONDITION"]
    coded = [
        ConditionCoding(e.start, e.end, e.text, index.suggest(e.text, known=e.icd10, limit=limit))
        for e in conditions
    ]
    written = find_codes(text)
    covered = {
        i
        for _, _, code in written
        if index.exists(code)
        for i, e in enumerate(conditions)
        if index.fits(code, e.text, known=e.icd10)
    }
    uncovered = [
        (e, c)
        for i, (e, c) in enumerate(zip(conditions, coded, strict=True))
        if i not in covered and c.suggestions
    ]
    checks = [_check(s, e, code, conditions, uncovered, index) for s, e, code in written]
    return Icd10Report(conditions=coded, codes=checks)


def _check(
    start: int,
    end: int,
    code: str,
    conditions: Sequence[Entity],
    uncovered: list[tuple[Entity, ConditionCoding]],
    index: Icd10Index,
) -> WrittenCode:
    """Judge one written code; a flagged code takes the nearest uncovered condition's code."""
    if not index.exists(code):
        proposed = _take_nearest(start, uncovered, category=code[:3].upper())
        proposed = proposed or _category_proposal(code, index) or _take_nearest(start, uncovered)
        message = f"{code} is not an ICD-10 code"
        return WrittenCode(
            start, end, code, "unknown", None, _with(message, proposed), proposed=proposed
        )
    description = index.describe(code)
    matches = [e.text for e in conditions if index.fits(code, e.text, known=e.icd10)]
    if matches:
        message = "matches a recognised condition"
        return WrittenCode(start, end, code, "ok", description, message, matches=matches)
    proposed = _take_nearest(start, uncovered)
    message = f"{code} ({description}) matches none of the recognised conditions"
    return WrittenCode(
        start, end, code, "mismatch", description, _with(message, proposed), proposed=proposed
    )


def _take_nearest(
    position: int,
    uncovered: list[tuple[Entity, ConditionCoding]],
    *,
    category: str | None = None,
) -> CodeSuggestion | None:
    """The best code of the uncovered condition nearest ``position`` (optionally one whose
    best code is in ``category``); that condition is used up."""
    pool = [
        i
        for i, (_, coding) in enumerate(uncovered)
        if category is None or coding.suggestions[0].code.startswith(category)
    ]
    if not pool:
        return None
    nearest = min(pool, key=lambda i: abs(uncovered[i][0].start - position))
    return uncovered.pop(nearest)[1].suggestions[0]


def _category_proposal(code: str, index: Icd10Index) -> CodeSuggestion | None:
    category = code.upper()[:3]
    for candidate in (f"{category}.9", category):
        if index.exists(candidate):
            return CodeSuggestion(candidate, index.describe(candidate) or "", 0.0)
    return None


def _with(message: str, proposed: CodeSuggestion | None) -> str:
    if proposed is None:
        return message
    return f"{message}; proposed {proposed.code} ({proposed.description})"
