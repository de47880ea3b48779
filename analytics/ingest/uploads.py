"""Uploads from the dashboard: staged in a folder private to the app's user, and read in a child process.

A reader that aborts (a crafted workbook asking for 512 GB, a zip bomb the checks did not catch) or runs
away must never take the dashboard server down for everyone. So an upload is parsed by ``parse_isolated``:
the same ``pipeline.parse_file``, in its own process with an address-space limit
(``ANALYTICS_PARSE_MEMORY_MB``) and a time limit (``ANALYTICS_PARSE_SECONDS``). A child that dies or
overruns becomes an ``IngestError`` with a message, like any other bad file.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import stat
from pathlib import Path

from analytics.ingest.common import Options, Parsed
from analytics.ingest.errors import IngestError
from analytics.settings import SETTINGS, read_limits, staging_dir


def private_folder(folder: Path) -> Path:
    """The folder, created with mode 0700 and checked to be this user's own directory (not a link, not shared)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = os.lstat(folder)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        raise PermissionError(f"{folder} is not a private folder of this user")
    if stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(folder, 0o700)
    return folder


def stage(content: bytes, sha: str, name: str) -> Path:
    """An uploaded file written (mode 0600) to the private staging folder, ``<staging>/<sha256>/<name>``."""
    folder = private_folder(private_folder(staging_dir()) / sha)
    target = folder / name
    if not target.exists():
        tmp = folder / f".{name}.{os.getpid()}.part"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, target)
    return target


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _child(conn, path: str, options: Options, display: str, memory_bytes: int, settings: dict) -> None:
    import resource

    from analytics.ingest.pipeline import parse_file

    for name, value in settings.items():  # the forkserver started with another environment: use the caller's
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if memory_bytes:
        limit = _vm_bytes() + memory_bytes
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    try:
        conn.send(("ok", parse_file(Path(path), options, display)))
    except IngestError as exc:
        conn.send(("error", exc))
    except MemoryError:
        conn.send(("crash", "MemoryError"))
    finally:
        conn.close()


def parse_isolated(path: Path, options: Options, display: str | None = None) -> Parsed:
    """``parse_file`` run in a child process under memory and time limits; IngestError when the child fails."""
    limits = read_limits()
    display = display or path.name
    # forkserver: the child is forked from a clean server process, never from the dashboard's threads. The
    # server listens on a Unix socket under the temporary folder; where that path is too long for a socket
    # (a deep TMPDIR), a spawned child does the same job, only slower to start.
    args = (str(path), options, display, limits.parse_memory_bytes, {s.name: os.environ.get(s.name) for s in SETTINGS})
    try:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["analytics.ingest.pipeline"])
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(send, *args), daemon=True)
        proc.start()
    except OSError:
        receive.close()
        send.close()
        ctx = multiprocessing.get_context("spawn")
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(send, *args), daemon=True)
        proc.start()
    send.close()
    try:
        if not receive.poll(limits.parse_seconds):
            if proc.is_alive():
                proc.kill()
                proc.join(5)
                raise IngestError("reader_timeout", file=display, seconds=limits.parse_seconds)
        try:
            status, value = receive.recv()
        except (EOFError, OSError):
            proc.join(5)
            raise IngestError("reader_crashed", file=display, detail=_exit_text(proc.exitcode)) from None
    finally:
        receive.close()
    proc.join(5)
    if status == "ok":
        return value
    if status == "error":
        raise value
    raise IngestError("reader_crashed", file=display, detail=value)


def _exit_text(code: int | None) -> str:
    if code is None:
        return "?"
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit {code}"
