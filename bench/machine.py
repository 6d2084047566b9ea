"""What every bench prints beside its figures and needs to start a server: the machine's load
(the machine is shared and noisy, so each figure carries it) and a free loopback port."""

from __future__ import annotations

import os
import socket


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, e.g. "2.31 3.05 4.10"."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
