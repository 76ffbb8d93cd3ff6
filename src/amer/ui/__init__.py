"""The clinical web app (Streamlit): a thin client of the inference API, no model inside."""
