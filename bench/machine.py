"""What every bench prints beside its figures and needs to start a server: the machine's load
(the machine is shared and noisy, so each figure carries it), a free loopback port, and pinning to
one CPU for the per-call figures (pin_to_one_cpu says why)."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, e.g. "2.31 3.05 4.10"."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pin_to_one_cpu() -> set[int]:
    """Run this process, and every process it starts from now on (servers, an embedded
    PostgreSQL and its backends), on one CPU; the CPUs it could use before.

    Why the per-call benchmarks do: on this 2-core virtual machine a round trip to a PostgreSQL
    backend that the scheduler put on the other core costs ~100 µs more than one on the same core
    (a bare `SELECT * FROM projects WHERE id = $1`: 142 µs unpinned, 38 µs pinned), and where each
    backend lands is luck that lasts for the connection. The floor and FlexOS use different
    connections, so unpinned ratios measure that luck as much as the code (log_thought at the end
    of a 3,000-deep chain: 1.20-1.55x over runs of the same code). On one CPU every handover costs
    the same for both, and a ratio is the work FlexOS adds."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {max(before)})
    return before


def unpin(cpus: set[int], postgres_data_dir: str | None) -> None:
    """Give this process, and the PostgreSQL whose data directory is given (its postmaster and
    every backend: new backends inherit the postmaster's CPUs), the CPUs back."""
    os.sched_setaffinity(0, cpus)
    if postgres_data_dir is None:
        return
    postmaster = int(Path(postgres_data_dir, "postmaster.pid").read_text().split()[0])
    for pid in [postmaster, *_children(postmaster)]:
        with contextlib.suppress(ProcessLookupError):  # a backend that ended meanwhile
            os.sched_setaffinity(pid, cpus)


def _children(parent: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == parent:
                pids.append(int(entry))
    return pids
