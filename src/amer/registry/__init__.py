"""The MLflow lifecycle of amer: tracked pipeline runs, the model registry, promotion and
rollback, retraining triggers and the environment built from code.

Modules: :mod:`~amer.registry.store` (the :class:`Registry`), :mod:`~amer.registry.tracking`
(one MLflow run per pipeline), :mod:`~amer.registry.loading` (``models:/`` URIs),
:mod:`~amer.registry.triggers`, :mod:`~amer.registry.environment`. Importing this package
does not import MLflow.
"""
