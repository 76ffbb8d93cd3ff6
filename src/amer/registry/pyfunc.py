"""The AMER model as an MLflow pyfunc (spaCy's flavour has no pyfunc for an NER-only pipeline).

The logged model holds the raw spaCy directory as the artifact ``amer_model`` (what
:meth:`amer.registry.store.Registry.download` returns), the amer package as code, a
signature (a ``text`` column in; one row per entity out) and pinned pip requirements.
"""

from __future__ import annotations

import warnings
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mlflow.pyfunc
from mlflow.pyfunc.model import PythonModel

from amer.registry.store import MODEL_DIR_ARTIFACT

if TYPE_CHECKING:
    from mlflow.models import ModelSignature
    from mlflow.models.model import ModelInfo

PINNED_PACKAGES: tuple[str, ...] = (
    "mlflow",
    "spacy",
    "pydantic",
    "pydantic-settings",
    "numpy",
    "pandas",
    "cloudpickle",
)
"""Distributions the pyfunc needs, pinned to the versions installed when it was logged."""

AMER_PACKAGE_DIR = Path(__file__).resolve().parents[1]
"""The installed ``amer`` package, logged with the model as code."""

ENTRY_POINT = Path(__file__).with_name("pyfunc_entry.py")
"""The models-from-code file MLflow logs (no pickled Python object)."""

ENTITY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("doc", "long"),
    ("start", "long"),
    ("end", "long"),
    ("text", "string"),
    ("label", "string"),
    ("source", "string"),
    ("icd10", "string"),
)


def pinned_requirements() -> list[str]:
    """``name==version`` for every package in :data:`PINNED_PACKAGES`."""
    return [f"{name}=={metadata.version(name)}" for name in PINNED_PACKAGES]


def signature() -> ModelSignature:
    """Input: a ``text`` column; output: one row per entity with its document index."""
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema

    inputs = Schema([ColSpec("string", "text")])
    outputs = Schema(
        [ColSpec(kind, name, required=name != "icd10") for name, kind in ENTITY_COLUMNS]
    )
    return ModelSignature(inputs=inputs, outputs=outputs)


# Defining a PythonModel makes MLflow warn that ``predict`` has no type hints; it needs none.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", r".*Add type hints to the `predict`", UserWarning)

    class AmerPyfunc(PythonModel):
        """Runs an AMER model on a ``text`` column; one output row per entity."""

        def load_context(self, context: Any) -> None:
            """Load the raw spaCy directory logged as the artifact ``amer_model``."""
            from amer.model import load_model

            self.model = load_model(context.artifacts[MODEL_DIR_ARTIFACT])

        # ``model_input`` is left unannotated on purpose: MLflow derives (and warns about) a
        # schema from a type hint, while the signature is given explicitly at logging.
        def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]
            """Entities of every text in ``model_input["text"]``, as a DataFrame."""
            import pandas as pd

            texts = [str(t) for t in model_input["text"]]
            rows = [
                {"doc": i, **entity.to_dict()}
                for i, entities in enumerate(self.model.extract_batch(texts))
                for entity in entities
            ]
            return pd.DataFrame(rows, columns=[name for name, _ in ENTITY_COLUMNS])


def log_pyfunc(model_dir: Path, *, name: str = "model") -> ModelInfo:
    """Log the model directory as a pyfunc in the active MLflow run."""
    with warnings.catch_warnings():
        # MLflow nags about type hints and input examples; the signature is given explicitly.
        warnings.filterwarnings("ignore", r".*(type hint|input_example)", UserWarning)
        info: ModelInfo = mlflow.pyfunc.log_model(
            name=name,
            python_model=str(ENTRY_POINT),
            artifacts={MODEL_DIR_ARTIFACT: str(model_dir)},
            code_paths=[str(AMER_PACKAGE_DIR)],
            signature=signature(),
            pip_requirements=pinned_requirements(),
        )
    return info
