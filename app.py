"""The dashboard's entry point: ``streamlit run app.py`` (or ``make run``). Pages live in analytics/dashboard/views/."""

import streamlit as st

from analytics.dashboard import frame
from analytics.dashboard.text import t

frame.language()
st.set_page_config(page_title=t("app.title"), page_icon=":material/monitoring:", layout="wide")

VIEWS = "analytics/dashboard/views"
pages = {
    t("nav.analysis"): [
        st.Page(f"{VIEWS}/overview.py", title=t("page.overview"), icon=":material/dashboard:", url_path="tong-quan",
                default=True),
        st.Page(f"{VIEWS}/components.py", title=t("page.components"), icon=":material/stacked_bar_chart:",
                url_path="thanh-phan"),
        st.Page(f"{VIEWS}/why_low.py", title=t("page.why_low"), icon=":material/troubleshoot:", url_path="vi-sao-thap"),
        st.Page(f"{VIEWS}/compare.py", title=t("page.compare"), icon=":material/leaderboard:", url_path="so-sanh"),
        st.Page(f"{VIEWS}/targets.py", title=t("page.targets"), icon=":material/flag:", url_path="muc-tieu"),
        st.Page(f"{VIEWS}/dossiers.py", title=t("page.dossiers"), icon=":material/folder_open:", url_path="ho-so"),
    ],
    t("nav.manage"): [
        st.Page(f"{VIEWS}/data_manager.py", title=t("page.data"), icon=":material/database:", url_path="du-lieu"),
    ],
    t("nav.help"): [  # the user guide (docs/huong-dan-su-dung.md), shown from the local file: works offline
        st.Page(f"{VIEWS}/guide.py", title=t("page.guide"), icon=":material/menu_book:", url_path="huong-dan"),
    ],
}
# Streamlit's own menu drops the query string on a page switch, so the selection would have to be written back
# (a second history entry: Back pressed twice). The sidebar draws the menu itself, links carrying ?unit=&period=.
page = st.navigation(pages, position="hidden")
frame.sidebar(pages)
page.run()
