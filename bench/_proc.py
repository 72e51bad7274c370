"""A process and its descendants as /proc shows them: memory, threads, open files, CPU.

Linux only (the benchmarks, the soak and the teardown tests run under Xvfb on Linux).
CEF's browser, renderer and GPU processes, and the ``cef-host`` helper with its own, are
descendants of the app, so a tree's figures are what the user's machine pays.
"""

import os
from typing import Dict, List, NamedTuple, Optional


class TreeUsage(NamedTuple):
    processes: int
    rss_mb: float
    threads: int
    fds: int


def descendants(pid: int) -> List[int]:
    """The live processes below ``pid`` (zombies, which only wait to be reaped, left out)."""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = parent_of(int(entry))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    found: List[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def parent_of(pid: int) -> Optional[int]:
    """The parent of a live process ``pid``; None for a zombie or a process gone."""
    fields = _stat_fields(pid)
    if fields is None or fields[0] == "Z":
        return None
    return int(fields[1])


def cmdline(pid: int) -> bytes:
    try:
        with open("/proc/{}/cmdline".format(pid), "rb") as file:
            return file.read()
    except OSError:
        return b""


def fd_count(pid: int) -> int:
    try:
        return len(os.listdir("/proc/{}/fd".format(pid)))
    except OSError:
        return 0


def status_value(pid: int, key: str) -> int:
    """A number from ``/proc/<pid>/status`` (``VmRSS`` in kB, ``Threads``); 0 when gone."""
    try:
        with open("/proc/{}/status".format(pid)) as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_kb(pid: int) -> int:
    return status_value(pid, "VmRSS")


def tree_usage(pid: int) -> TreeUsage:
    """Resident memory, threads and open files of ``pid`` and all its descendants."""
    pids = [pid] + descendants(pid)
    return TreeUsage(
        processes=len(pids),
        rss_mb=sum(rss_kb(p) for p in pids) / 1024.0,
        threads=sum(status_value(p, "Threads") for p in pids),
        fds=sum(fd_count(p) for p in pids),
    )


def tree_memory_report(pid: int) -> str:
    """One line per process of the tree: its pid, name (with Chromium's ``--type=``) and
    resident memory in MB (anonymous, shared memory, file-backed), for a failure message
    that says which process holds what."""
    lines = []
    for each in [pid] + descendants(pid):
        words = cmdline(each).replace(b"\0", b" ").split()  # Chromium's processes retitle themselves
        types = b"".join(b" " + word for word in words if word.startswith(b"--type="))
        name = (words or [b"?"])[0].rsplit(b"/", 1)[-1] + types
        kinds = ("RssAnon", "RssShmem", "RssFile")
        lines.append("{} {}: {}".format(each, name.decode(errors="replace"), ", ".join(
            "{} {:.1f} MB".format(kind[3:].lower(), status_value(each, kind) / 1024) for kind in kinds)))
    return "\n".join(lines)


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in [pid] + descendants(pid):
        fields = _stat_fields(each)
        if fields is not None:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _stat_fields(pid: int) -> Optional[List[str]]:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first)."""
    try:
        with open("/proc/{}/stat".format(pid)) as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
