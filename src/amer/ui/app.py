"""Streamlit entry point of the clinical web app: ``amer ui`` runs this file.

The app talks only to the inference API (``AMER_API_URL``, ``AMER_API_KEY``) through
:class:`amer.client.Client`; it loads no model.
"""

from amer.ui.page import main

main()
