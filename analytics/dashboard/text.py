"""The dashboard's text: ``t(key)`` in the language the person chose in the running app."""

from __future__ import annotations

import streamlit as st

from analytics.i18n import LANGUAGES, translate


def current_language() -> str:
    """'vi' or 'en', as chosen in the sidebar (Vietnamese when nothing was chosen)."""
    try:
        lang = st.session_state.get("lang", "vi")
    except Exception:  # outside a Streamlit run
        return "vi"
    return lang if lang in LANGUAGES else "vi"


def t(key: str, **params) -> str:
    """The text of a key in the language chosen in the running app."""
    return translate(key, current_language(), **params)
