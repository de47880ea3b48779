"""The meeting brief: its findings, the tiles, the one assembly the dashboard and the exports share, the workbook
and the one-pager."""
