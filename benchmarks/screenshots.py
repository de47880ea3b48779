"""Save a PNG of every dashboard page, as a department head sees it, to docs/screenshots/ (for the README).

    .venv/bin/python benchmarks/screenshots.py [--db data/curated/analytics.duckdb] [--out docs/screenshots]
        [--period 2024Q2] [--lang vi]

Starts `streamlit run app.py` on a free 127.0.0.1 port and drives Debian's headless Chromium
(/usr/bin/chromium; nothing is downloaded). The demo database is built first when it is missing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.demo.serve import browser_page, full_page_screenshot, running_app, wait_rendered  # noqa: E402

PAGES = [  # (file name, url path, text that proves the page has rendered: vi, en)
    ("1-tong-quan", "", ("Những điểm chính cho cuộc họp", "Key findings for the meeting")),  # the default page is /
    ("2-thanh-phan", "thanh-phan", ("Điểm thành phần qua các kỳ", "Component score over time")),
    ("3-vi-sao-thap", "vi-sao-thap", ("Thử tính: nếu cải thiện", "What if: how many points")),
    ("4-so-sanh", "so-sanh", ("Bản đồ nhiệt các thành phần", "Heatmap of the components")),
    ("5-muc-tieu", "muc-tieu", ("Khoảng cách đến chỉ tiêu", "Distance to target")),
    ("6-du-lieu", "du-lieu", ("Nhật ký nạp dữ liệu", "Ingest log")),
    ("8-ho-so", "ho-so", ("Hồ sơ — Sở Công Thương", "Dossiers")),
    ("9-huong-dan", "huong-dan", ("Ban Giám đốc", "Ban Giám đốc")),  # the guide is written in Vietnamese only
]
GUIDE = "9-huong-dan"
PERIOD_OF = {"8-ho-so": "2024Q1"}  # the demo's dossier lists cover Quý I/2024 and Quý II/2025
FIRST_SCREEN = (1280, 720)  # an office laptop: what leadership sees before scrolling


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=str(ROOT / "data" / "curated" / "analytics.duckdb"))
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--period", default="2024Q2")
    ap.add_argument("--unit", default="so cong thuong")
    ap.add_argument("--lang", default="vi", choices=["vi", "en"])
    ap.add_argument("--width", type=int, default=1440)
    args = ap.parse_args(argv)
    db = Path(args.db)
    if not db.exists():
        from analytics.demo.build import build_demo_db

        print(f"building the demo database at {db} …", file=sys.stderr)
        build_demo_db(db, verbose=False)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with running_app(db) as url, browser_page(width=args.width) as page:
        for name, path, text in PAGES:
            started = time.perf_counter()
            period = PERIOD_OF.get(name, args.period)
            page.goto(f"{url}/{path}?unit={args.unit.replace(' ', '+')}&period={period}&lang={args.lang}")
            wait_rendered(page, text[0] if args.lang == "vi" else text[1], timeout_ms=600_000)
            page.wait_for_timeout(1500)  # let the charts finish their transitions
            target = out / f"{name}{'' if args.lang == 'vi' else '-en'}.png"
            if name == GUIDE:  # the guide holds every other screenshot: its first screens are enough
                page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": args.width, "height": 1400},
                                full_page=True)
            else:
                full_page_screenshot(page, target)
            print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}  "
                  f"({time.perf_counter() - started:.1f} s)")
        # the Overview's first screen at 1280×720, the viewport only
        size = page.viewport_size
        page.set_viewport_size({"width": FIRST_SCREEN[0], "height": FIRST_SCREEN[1]})
        page.goto(f"{url}/?unit={args.unit.replace(' ', '+')}&period={args.period}&lang={args.lang}")
        wait_rendered(page, PAGES[0][2][0] if args.lang == "vi" else PAGES[0][2][1], timeout_ms=600_000)
        page.wait_for_timeout(1500)
        target = out / f"0-man-hinh-dau{'' if args.lang == 'vi' else '-en'}.png"
        page.screenshot(path=str(target))
        page.set_viewport_size(size)
        print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}  (1280×720, first screen)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
