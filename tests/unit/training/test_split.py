import pytest

from amer.training.split import split_documents


def test_split_is_seeded_and_order_independent() -> None:
    items = [f"doc{i}" for i in range(100)]
    rest, held = split_documents(items, keys=items, fraction=0.2, seed=1)
    rest2, held2 = split_documents(items[::-1], keys=items[::-1], fraction=0.2, seed=1)
    assert len(held) == 20 and len(rest) == 80
    assert set(held) == set(held2) and not set(held) & set(rest)
    _, other_seed = split_documents(items, keys=items, fraction=0.2, seed=2)
    assert set(other_seed) != set(held)


def test_split_adding_a_document_moves_no_other() -> None:
    items = [f"doc{i}" for i in range(100)]
    _, held = split_documents(items, keys=items, fraction=0.2, seed=7)
    _, held_more = split_documents(items + ["new"], keys=items + ["new"], fraction=0.2, seed=7)
    assert len(set(held) - set(held_more)) <= 1


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1])
def test_split_rejects_bad_fraction(fraction: float) -> None:
    with pytest.raises(ValueError):
        split_documents(["a", "b"], keys=["a", "b"], fraction=fraction, seed=0)
