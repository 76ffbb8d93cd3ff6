"""The AMER inference service: a FastAPI app over the current model, with keys, cache and limits.

``app.create_app(settings)`` builds the app; ``amer serve`` runs it under uvicorn.
"""
