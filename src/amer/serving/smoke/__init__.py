"""The staging smoke suite: pytest tests run by ``amer deploy staging`` against a live URL.

They read ``AMER_API_URL`` and ``AMER_API_KEY`` through the settings; ``--expected-version``
checks that the server answers with the version under test.
"""
