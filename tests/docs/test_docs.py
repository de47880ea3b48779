"""Everything declared once is documented: the README names every component, command, table and input kind."""

import re

from analytics.cli import build_parser
from analytics.cli import ANALYSIS_COMMANDS
from analytics.definition import load_definition
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands():
    head = README[:1500]
    assert "make run" in head and "make test" in head


def test_readme_lists_every_component_with_its_label():
    d = load_definition()
    for version in d.versions.values():
        for group in version.groups:
            assert f"`{group.key}`" in README or group.key in README, group.key
            assert group.label_vi.split(",")[0] in README, group.label_vi


def test_readme_documents_every_cli_command():
    commands = set(build_parser()._subparsers._group_actions[0].choices)
    assert {"ingest", "validate", "scores", "rejects", "memo", *ANALYSIS_COMMANDS} == commands
    for command in commands:
        assert re.search(rf"\b{re.escape(command)}\b", README), command


def test_readme_documents_every_table_and_view():
    schema = (ROOT / "analytics" / "sql" / "schema.sql").read_text(encoding="utf-8")
    tables = re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", schema)
    views = [p.stem for p in (ROOT / "analytics" / "sql").glob("*.sql") if p.stem.startswith(("stg_", "mart_"))]
    for name in tables + views:
        assert f"`{name}`" in README, name


def test_readme_documents_every_input_kind_and_template():
    from analytics.ingest.common import KINDS

    for kind in KINDS:
        assert f"`{kind}`" in README, kind
    for template in (ROOT / "data" / "raw" / "templates").iterdir():
        assert template.name in README or template.stem in README, template.name


def test_readme_has_a_section_per_analysis():
    for title in ("Score gaps", "Changes", "Grades and consistency", "Rankings", "Scoring engine", "What would it take",
                  "Why is it low", "Reconciliation", "Deadline configuration audit", "Plan targets", "Brief"):
        assert f"### {title}" in README, title


def test_readme_tree_matches_the_folders():
    """The "What is in the box" tree names every module on the ground floor and every wing, and nothing gone."""
    tree = README[README.index("## What is in the box"):README.index("## Settings")]
    package = ROOT / "analytics"
    for path in package.glob("*.py"):
        if path.stem not in ("__init__", "__main__"):
            assert f"{path.name}" in tree, path.name
    for folder in (p for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        assert f"{folder.name}/" in tree, folder.name
        for module in folder.glob("*.py"):
            if module.stem not in ("__init__", "__main__"):
                assert module.stem in tree, f"{folder.name}/{module.name}"
    for layer in ("unit", "sql", "ingest", "analyses", "app", "e2e", "notebooks", "docs"):
        assert (ROOT / "tests" / layer).is_dir() and f"{layer}/" in tree, layer
    for name in re.findall(r"\b(\w+)\.py\b", tree):
        assert list(ROOT.rglob(f"{name}.py")), f"the tree names {name}.py, which does not exist"


def test_readme_documents_every_setting():
    from analytics.settings import SETTINGS

    table = README[README.index("## Settings"):README.index("## Inputs")]
    for setting in SETTINGS:
        assert f"`{setting.name}`" in table, setting.name


def test_readme_has_the_limits_and_safety_section():
    assert "## Limits and safety" in README
    for limit in ("ANALYTICS_MAX_CELLS", "ANALYTICS_MAX_UNCOMPRESSED_MB", "ANALYTICS_MAX_COMPRESSION_RATIO"):
        assert f"| `{limit}` |" in README, limit


GUIDE = ROOT / "docs" / "huong-dan-su-dung.md"


def test_the_user_guide_exists_and_is_linked_from_the_top_of_the_readme():
    assert GUIDE.exists()
    assert "(docs/huong-dan-su-dung.md)" in README[:2000]


def test_every_image_of_the_user_guide_exists():
    text = GUIDE.read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text)
    assert len(images) >= 6
    for image in images:
        assert (GUIDE.parent / image).is_file(), image
    for name in ("1-tong-quan.png", "3-vi-sao-thap.png", "6-du-lieu.png", "7-cong-van-1.png"):
        assert f"screenshots/{name}" in images, name


def test_the_user_guide_speaks_to_the_four_users_in_vietnamese():
    text = GUIDE.read_text(encoding="utf-8")
    for heading in ("## 1. Ban Giám đốc", "## 2. Thanh tra Sở", "## 3. Chuyên viên phân tích", "## 4. Cán bộ dữ liệu"):
        assert heading in text, heading
    for topic in ("Vì sao thấp?", "Rà soát thời hạn giải quyết", "Thử tính", "Tệp trùng", "Dòng bị loại",
                  "Kiểm tra trước khi nạp", "Công văn khắc phục", "Tìm đơn vị"):
        assert topic in text, topic
    # numbers the Vietnamese way, never 63.48 or 9,436
    assert "63,48" in text and "3,03 điểm" in text and "8.080" in text and "1.096" in text
    prose = re.sub(r"```.*?```|`[^`]*`|\([^)]*\.(?:png|md)\)|#[\w-]+\)|https?://\S+", " ", text, flags=re.S)
    assert not re.search(r"\b\d+\.\d{1,2}\b(?!\.)", re.sub(r"\d+\.\d{3}\b", "", prose)), "a decimal point"
    english = re.findall(r"\b(?:the|and|of|to|is|for|with|Upload|Download|click|page|file)\b", prose)
    assert not english, english
    for wrong in ("Cong DVCQG", "So Cong Thuong", "Quy II", "Thanh tra So"):  # diacritics kept
        assert wrong not in prose, wrong
