"""The exception tree of amer.

::

    AmerError
    ├── ConfigError            settings or a config file are wrong
    ├── DataError              a user's data file is missing or malformed
    │   ├── FetchError         a download failed or its checksum did not match
    │   └── VerificationError  data verification refused the data
    ├── ModelError             a model cannot be loaded or run
    ├── TrainingError          spaCy training failed
    ├── GateError              a quality gate failed
    ├── RegistryError          the MLflow registry refused an operation
    │   └── PromotionError     a promotion or rollback was refused
    ├── AuthError              an API key is missing, unknown or revoked
    └── ServiceError           the inference service could not be reached or answered badly

Only the CLI turns these into exit codes; library code raises them.
"""

from __future__ import annotations


class AmerError(Exception):
    """Base of every error amer raises on purpose."""

    exit_code: int = 1


class ConfigError(AmerError):
    """Settings or a configuration file are wrong."""

    exit_code = 2


class DataError(AmerError):
    """A user's data file is missing or malformed."""

    exit_code = 3


class FetchError(DataError):
    """A download failed or its checksum did not match."""


class VerificationError(DataError):
    """Data verification refused the data."""

    exit_code = 4


class ModelError(AmerError):
    """A model cannot be loaded or run."""

    exit_code = 5


class TrainingError(AmerError):
    """spaCy training failed."""

    exit_code = 6


class GateError(AmerError):
    """A quality gate failed."""

    exit_code = 7


class RegistryError(AmerError):
    """The MLflow registry refused an operation."""

    exit_code = 8


class PromotionError(RegistryError):
    """A promotion or rollback was refused."""


class AuthError(AmerError):
    """An API key is missing, unknown or revoked."""

    exit_code = 9


class ServiceError(AmerError):
    """The inference service could not be reached or answered badly."""

    exit_code = 10
