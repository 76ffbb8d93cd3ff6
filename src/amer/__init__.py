"""amer: Automated Medical Entity Recognizer for Norwegian clinical text, run like software.

``amer.load_model(path_or_registry_uri).extract(text)`` is the one way to run a model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "load_model"]

if TYPE_CHECKING:
    from amer.model import AmerModel


def load_model(uri: Any) -> AmerModel:
    """Load a model from a directory or ``models:/NAME@ALIAS`` (:func:`amer.model.load_model`)."""
    from amer.model import load_model as _load

    return _load(uri)
