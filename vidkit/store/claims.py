"""Claims on store items: a lock file per item, created atomically with the holder's pid, host
and a token, refreshed by a heartbeat thread while held, and broken by the next claimant once
stale (its process has ended on this host, or it has not been refreshed for
:data:`LOCK_STALE_SECONDS`). :meth:`vidkit.store.RunStore.claim` is the public face of these.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from vidkit.files import HOST, HOST_TAG, pid_alive, temp_name
from vidkit.store.layout import read_json, utc_now

__all__ = [
    "LOCK_HEARTBEAT_SECONDS",
    "LOCK_STALE_SECONDS",
    "break_stale",
    "held_by_me",
    "lock_info",
    "lock_stale",
    "try_lock",
    "unlock",
]

# a claim (lock file) not refreshed for this long is stale (its holder refreshes it every
# LOCK_HEARTBEAT_SECONDS); on the holder's own host a claim is stale as soon as its pid has ended
LOCK_STALE_SECONDS = 600.0
LOCK_HEARTBEAT_SECONDS = 30.0


# lock files held by this process: path -> (token, pid, thread id). Module-wide, so that two
# RunStore objects on one folder in one process share their claims (a claim is re-entrant for the
# thread that holds it).
_HELD: dict[str, tuple[str, int, int]] = {}
_HELD_GUARD = threading.Lock()
_HEARTBEAT_PID: list[int] = []


def _heartbeat() -> None:
    """Refresh the modification time of every claim this process holds (daemon thread)."""
    pid = os.getpid()
    while True:
        time.sleep(LOCK_HEARTBEAT_SECONDS)
        with _HELD_GUARD:
            paths = [p for p, (_, owner, _) in _HELD.items() if owner == pid]
        for p in paths:
            with contextlib.suppress(OSError):
                os.utime(p)


def _start_heartbeat() -> None:
    pid = os.getpid()
    if _HEARTBEAT_PID[-1:] != [pid]:  # first claim of this process (also after a fork)
        _HEARTBEAT_PID.append(pid)
        threading.Thread(target=_heartbeat, name="vidkit-claims", daemon=True).start()


def held_by_me(path: Path) -> bool:
    with _HELD_GUARD:
        h = _HELD.get(str(path))
    return h is not None and h[1:] == (os.getpid(), threading.get_ident())


def lock_info(path: Path) -> tuple[dict[str, Any] | None, float] | None:
    """(parsed content or None, age in seconds) of a lock file; None when there is none."""
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None
    except OSError:
        return None, 0.0
    info = read_json(path)
    return (info if isinstance(info, dict) else None), age


def lock_stale(path: Path, info: dict[str, Any] | None, age: float) -> bool:
    if age > LOCK_STALE_SECONDS:
        return True
    if info is None:
        return False  # unreadable: only its age can tell
    if info.get("host") != HOST_TAG:
        return False
    pid = info.get("pid")
    if pid == os.getpid():  # our pid, but not a claim we hold: left by a former process
        with _HELD_GUARD:
            h = _HELD.get(str(path))
        return h is None or h[0] != info.get("token")
    return not pid_alive(pid)


def break_stale(path: Path) -> bool:
    """Remove ``path`` if it is a stale claim; True when it was removed (or is gone).

    Breakers are serialised by a second lock file (``<lock>.break``), and the claim is re-read
    under it, so two processes that both find a claim stale cannot remove a fresh one.
    """
    got = lock_info(path)
    if got is None:
        return True
    info, age = got
    if not lock_stale(path, info, age):
        return False
    brk = path.with_name(path.name + ".break")
    try:
        fd = os.open(brk, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        with contextlib.suppress(OSError):
            if time.time() - brk.stat().st_mtime > 30.0:  # a breaker killed in between
                brk.unlink()
        return False
    os.close(fd)
    try:
        again = lock_info(path)
        if again is None:
            return True
        info2, age2 = again
        same = (info2 or {}).get("token") == (info or {}).get("token")
        if same and lock_stale(path, info2, age2):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return True
        return False
    finally:
        with contextlib.suppress(OSError):
            brk.unlink()


def try_lock(path: Path) -> bool:
    """Create the lock file ``path`` atomically with this process's pid and host; True if made."""
    token = uuid.uuid4().hex
    info = {"pid": os.getpid(), "host": HOST_TAG, "hostname": HOST, "token": token}
    info["created"] = utc_now()
    data = json.dumps(info).encode("utf-8")
    tmp = temp_name(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.link(tmp, path)  # fails if the lock exists: creation and content in one step
    except FileExistsError:
        return False
    except OSError:  # a filesystem without hard links: exclusive create, then the content
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    with _HELD_GUARD:
        _HELD[str(path)] = (token, os.getpid(), threading.get_ident())
    _start_heartbeat()
    return True


def unlock(path: Path) -> None:
    with _HELD_GUARD:
        h = _HELD.pop(str(path), None)
    if h is None:
        return
    info = read_json(path)
    if isinstance(info, dict) and info.get("token") == h[0]:  # still ours (not broken as stale)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
