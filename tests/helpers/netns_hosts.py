"""A test host at a *public-looking* address, inside a network namespace the test makes itself.

The fetcher refuses every non-public address, so a test that fetches successfully needs a server
at a global address. This puts one in a namespace joined to this one by a veth pair, with a /32
route to it over that pair; before any request, `ip route get` must show that the address is
reached through our veth (so no packet could leave the machine). Needs root and iproute2: CI runs
as root, so there a missing host is a failure; elsewhere the tests skip and say so loudly.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# A global (non-private, non-reserved) IPv4 address: the AS112 anycast block, never contacted —
# the /32 route below sends it into our namespace.
HOST_ADDRESS = "192.31.196.10"
LOCAL_ADDRESS = "192.31.196.1"
PORT = 8080
SERVER = Path(__file__).resolve().parent / "netns_web.py"


@dataclass(frozen=True)
class WebHost:
    address: str
    port: int

    def url(self, path: str) -> str:
        return f"http://{self.address}:{self.port}{path}"


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, text=True, timeout=20)


def unavailable(reason: str) -> None:
    """Fail in CI (which runs as root and must run these tests: .ci/run sets FLEXOS_REQUIRE_NETNS);
    skip loudly elsewhere."""
    message = (
        f"NETWORK-NAMESPACE TESTS NOT RUN: {reason}. The positive fetch and the redirect refusals need a "
        f"test host at a public-looking address in a network namespace (root and iproute2)."
    )
    if os.environ.get("CI") or os.environ.get("FLEXOS_REQUIRE_NETNS"):
        pytest.fail(message)
    print(f"\n*** {message} ***", file=sys.stderr)
    pytest.skip(message)


@contextmanager
def public_web_host() -> Iterator[WebHost]:
    if os.geteuid() != 0:
        unavailable("not running as root")
    if not shutil.which("ip"):
        unavailable("the `ip` command (iproute2) is missing")
    tag = uuid.uuid4().hex[:6]
    namespace, outer, inner = f"flexos-web-{tag}", f"fxo{tag}", f"fxi{tag}"
    server = None
    try:
        try:
            _run("ip", "netns", "add", namespace)
            _run("ip", "link", "add", outer, "type", "veth", "peer", "name", inner)
            _run("ip", "link", "set", inner, "netns", namespace)
            _run("ip", "addr", "add", f"{LOCAL_ADDRESS}/32", "dev", outer)
            _run("ip", "link", "set", outer, "up")
            _run("ip", "route", "add", f"{HOST_ADDRESS}/32", "dev", outer, "src", LOCAL_ADDRESS)
            for command in (
                ("ip", "link", "set", "lo", "up"),
                ("ip", "addr", "add", f"{HOST_ADDRESS}/32", "dev", inner),
                ("ip", "link", "set", inner, "up"),
                ("ip", "route", "add", f"{LOCAL_ADDRESS}/32", "dev", inner),
                ("ip", "route", "add", "default", "via", LOCAL_ADDRESS, "dev", inner),
            ):
                _run("ip", "netns", "exec", namespace, *command)
        except (subprocess.CalledProcessError, OSError) as exc:
            unavailable(f"setting up the namespace failed: {getattr(exc, 'stderr', '') or exc}")
        route = subprocess.run(["ip", "route", "get", HOST_ADDRESS], capture_output=True, text=True).stdout
        if f"dev {outer}" not in route:
            unavailable(f"the route to {HOST_ADDRESS} does not go through our veth ({route.strip()})")
        server = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                namespace,
                sys.executable,
                str(SERVER),
                "--bind",
                HOST_ADDRESS,
                "--port",
                str(PORT),
                "--lifetime",
                "900",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert server.stdout is not None and server.stdout.readline().strip() == "ready", server.stderr
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection((HOST_ADDRESS, PORT), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield WebHost(HOST_ADDRESS, PORT)
    finally:
        if server is not None:
            server.kill()
            server.wait(timeout=10)
        subprocess.run(["ip", "link", "del", outer], capture_output=True)
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
