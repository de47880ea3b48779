"""Hướng dẫn sử dụng (User guide): docs/huong-dan-su-dung.md shown in the app, its screenshots from docs/screenshots/.

Read from the local file on every open, so an office laptop without a network shows the guide the repository
holds; Markdown images (``![…](screenshots/….png)``) are drawn with ``st.image`` from the file beside it.
"""

from __future__ import annotations

import re

import streamlit as st

from analytics.dashboard import frame
from analytics.dashboard.text import t
from analytics.settings import PROJECT_ROOT

GUIDE = PROJECT_ROOT / "docs" / "huong-dan-su-dung.md"
IMAGE = re.compile(r"^!\[([^\]]*)\]\(([^)\s]+)\)\s*$", re.MULTILINE)


def parts(text: str) -> list[tuple[str, str, str]]:
    """The guide cut at its images: ("text", markdown, "") and ("image", path relative to docs/, caption)."""
    out, at = [], 0
    for m in IMAGE.finditer(text):
        if text[at:m.start()].strip():
            out.append(("text", text[at:m.start()], ""))
        out.append(("image", m.group(2), m.group(1)))
        at = m.end()
    if text[at:].strip():
        out.append(("text", text[at:], ""))
    return out


def render() -> None:
    frame.link_notice()
    if frame.language() == "en":
        st.info(t("guide.only_vi"), icon=":material/translate:")
    if not GUIDE.exists():
        st.warning(t("guide.missing", path=str(GUIDE)))
        return
    for kind, body, caption in parts(GUIDE.read_text(encoding="utf-8")):
        if kind == "text":
            st.markdown(body)
        else:
            path = GUIDE.parent / body
            if path.exists():
                st.image(str(path), caption=caption or None, width="stretch")
            else:
                st.caption(caption)


render()
