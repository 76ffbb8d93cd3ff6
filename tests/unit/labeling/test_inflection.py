import pytest

from amer.labeling.inflection import inflect_term, inflect_word


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("mutasjon", {"mutasjonen", "mutasjoner", "mutasjonene"}),
        ("infeksjon", {"infeksjoner"}),
        ("symptom", {"symptomene", "symptomet"}),
        ("lunge", {"lungen", "lunger", "lungene"}),
        ("muskel", {"muskler", "musklene"}),
    ],
)
def test_inflection_produces_definite_and_plural_forms(word: str, expected: set[str]) -> None:
    assert expected <= set(inflect_word(word))


@pytest.mark.parametrize("word", ["KOLS", "HbA1c", "abd", "ileum", "palpere"])
def test_inflection_skips_acronyms_short_latin_and_verbs(word: str) -> None:
    assert inflect_word(word) == []


def test_inflection_neuter_e_only_when_asked() -> None:
    assert "hjertet" not in inflect_word("hjerte")
    assert "hjertet" in inflect_word("hjerte", neuter_e=True)


def test_inflection_multiword_term_inflects_last_word() -> None:
    assert "akutt hjerteinfarktet" in inflect_term("akutt hjerteinfarkt")
    assert all(form.startswith("akutt ") for form in inflect_term("akutt hjerteinfarkt"))
