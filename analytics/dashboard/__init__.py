"""The Streamlit dashboard: pages (``views/``), cached data access (``data``), the page frame and widgets.

Only the modules that draw (``frame``, ``widgets``, ``data`` and ``views/``) import streamlit; ``i18n``,
``charts`` and ``model`` are plain Python so that ``analytics.brief.export`` and the tests can use them.
"""
