"""The models-from-code entry point MLflow logs with every AMER pyfunc (see ``pyfunc.py``)."""

import mlflow.models

from amer.registry.pyfunc import AmerPyfunc

mlflow.models.set_model(AmerPyfunc())
