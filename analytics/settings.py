"""Where things are and every ``ANALYTICS_*`` environment variable, declared once.

Paths derive from the project root; each setting is read when asked for (so a test or a server can set
the variable before the call), never cached at import.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
RAW_DIR = PROJECT_ROOT / "data" / "raw"
CURATED_DIR = PROJECT_ROOT / "data" / "curated"
DEFAULT_DB = CURATED_DIR / "analytics.duckdb"
DEFAULT_UPLOADS = RAW_DIR / "uploads"
TEMPLATES_DIR = RAW_DIR / "templates"
CALENDAR_PATH = RAW_DIR / "calendar" / "ngay-nghi-lam-bu.csv"
SQL_DIR = PACKAGE_DIR / "sql"
DEFINITION_PATH = PACKAGE_DIR / "definition.yaml"
HEADERS_PATH = PACKAGE_DIR / "headers.yaml"


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, what it sets and its default (as documented in the README)."""

    name: str
    meaning: str
    default: str


SETTINGS: tuple[Setting, ...] = (
    Setting("ANALYTICS_DB", "the DuckDB database file", "data/curated/analytics.duckdb"),
    Setting("ANALYTICS_LANG", "language of messages and the dashboard's first view (vi or en)", "vi"),
    Setting("ANALYTICS_UPLOADS", "folder where the dashboard keeps uploaded raw files", "data/raw/uploads"),
    Setting("ANALYTICS_UPLOAD_LIMIT_MB", "largest upload accepted by the dashboard, in MB", "50"),
    Setting("ANALYTICS_DEFINITION", "another index definition file (an analyst trying a new metric)",
            "analytics/definition.yaml"),
    Setting("ANALYTICS_MAX_CELLS", "largest sheet accepted, in cells (declared rows × columns), checked before parsing",
            "20000000"),
    Setting("ANALYTICS_MAX_UNCOMPRESSED_MB",
            "largest uncompressed content of an .xlsx/.ods (zip) file, or CSV/JSON file, in MB", "1024"),
    Setting("ANALYTICS_MAX_COMPRESSION_RATIO", "largest compression ratio of a zip member over 10 MB (zip bombs)", "200"),
    Setting("ANALYTICS_PARSE_MEMORY_MB", "memory an upload's reader may use (its own process), in MB", "2048"),
    Setting("ANALYTICS_PARSE_SECONDS", "time an upload's reader may take (its own process), in seconds", "120"),
    Setting("ANALYTICS_DASHBOARD_DEBUG", "show a failing section's traceback instead of a short notice", "(unset)"),
)


def env(name: str) -> str | None:
    """The value of a declared ``ANALYTICS_*`` variable, or None when unset or empty."""
    if name not in {s.name for s in SETTINGS}:
        raise KeyError(f"{name} is not a declared setting")
    return os.environ.get(name) or None


def db_file(path: str | os.PathLike | None = None) -> Path:
    """The database path: the argument, else ANALYTICS_DB, else data/curated/analytics.duckdb."""
    return Path(path or env("ANALYTICS_DB") or DEFAULT_DB)


def uploads_dir() -> Path:
    """Where uploaded raw files are kept (ANALYTICS_UPLOADS, else data/raw/uploads/)."""
    return Path(env("ANALYTICS_UPLOADS") or DEFAULT_UPLOADS)


def upload_limit_mb() -> int:
    """The largest upload accepted, in MB (ANALYTICS_UPLOAD_LIMIT_MB, default 50)."""
    try:
        return int(env("ANALYTICS_UPLOAD_LIMIT_MB") or 50)
    except ValueError:
        return 50


def _int_setting(name: str, default: int) -> int:
    try:
        value = int(env(name) or default)
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class ReadLimits:
    """What a spreadsheet may declare before it is parsed (see README, "Limits and safety")."""

    max_cells: int
    max_uncompressed_bytes: int
    max_compression_ratio: int
    parse_memory_bytes: int
    parse_seconds: int


def read_limits() -> ReadLimits:
    """The limits in force (ANALYTICS_MAX_CELLS, ANALYTICS_MAX_UNCOMPRESSED_MB, …, else their defaults)."""
    return ReadLimits(
        max_cells=_int_setting("ANALYTICS_MAX_CELLS", 20_000_000),
        max_uncompressed_bytes=_int_setting("ANALYTICS_MAX_UNCOMPRESSED_MB", 1024) * 1024 * 1024,
        max_compression_ratio=_int_setting("ANALYTICS_MAX_COMPRESSION_RATIO", 200),
        parse_memory_bytes=_int_setting("ANALYTICS_PARSE_MEMORY_MB", 2048) * 1024 * 1024,
        parse_seconds=_int_setting("ANALYTICS_PARSE_SECONDS", 120),
    )


def staging_dir() -> Path:
    """A folder private to this user (mode 0700) where the dashboard stages uploads before they are confirmed."""
    import tempfile

    return Path(tempfile.gettempdir()) / f"analytics-uploads-{os.getuid()}"


def definition_file() -> Path:
    """The index definition file in use (ANALYTICS_DEFINITION, else analytics/definition.yaml)."""
    return Path(env("ANALYTICS_DEFINITION") or DEFINITION_PATH)


def language(choice: str | None = None) -> str:
    """'vi' or 'en': the explicit choice, else ANALYTICS_LANG, else Vietnamese."""
    text = (choice or env("ANALYTICS_LANG") or "vi").lower()
    return "en" if text.startswith("en") else "vi"


def dashboard_debug() -> bool:
    """Whether a failing dashboard section re-raises (ANALYTICS_DASHBOARD_DEBUG set)."""
    return bool(env("ANALYTICS_DASHBOARD_DEBUG"))
