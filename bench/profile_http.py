"""Where a Streamable HTTP `get_project` request spends its time in the server process: the server
(`flexos-mcp serve --transport http`) and the SDK echo server run the same way
(bench/echo_server.py) are each sampled by py-spy while one client posts get_project for a few
seconds, and the samples are summed per function, into bench/profiles/:

- `http-<label>-ours.txt`, `http-<label>-echo.txt`: the share of the samples (CPU only, idle
  waits left out) in which each function is on the stack (inclusive) and on top (own time), the
  calls per second during the sampling and the server process's CPU time per call (py-spy's
  sampling slows both a little).

Run: python bench/profile_http.py [label] [seconds]  (FLEXOS_PROFILE_RAW=1 keeps py-spy's collapsed
stacks beside them as `http-<label>-<name>.raw.txt`, for a flame graph; large, not kept in git)
(py-spy: `pip install py-spy`; it needs ptrace, root or CAP_SYS_PTRACE; FLEXOS_BENCH_DATABASE_URL
as for every bench)
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from pathlib import Path

from machine import free_port, load_average  # bench/machine.py
from scratch_db import scratch_database  # bench/scratch_db.py
from tool_calls import EMAIL, Fixture, stdio_env, throughput, wait_for_port  # bench/tool_calls.py

from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain import tokens

HERE = Path(__file__).resolve().parent
TOP = 150


def summarise(raw: Path, rate: float, cpu_us: float, title: str) -> str:
    """py-spy's collapsed stacks (`a;b;c count` per line) as inclusive and own shares per function."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")[1:]  # the first frame is the thread
        n = int(count)
        total += n
        for frame in set(frames):
            inclusive[_short(frame)] += n
        if frames:
            own[_short(frames[-1])] += n
    lines = [
        f"# {title}: {rate:.0f} calls/s while sampled, the server's CPU {cpu_us:.0f} µs per call; {total} samples; load average {load_average()}"
    ]
    for heading, counts in (("inclusive (on the stack)", inclusive), ("own (on top)", own)):
        lines.append(f"\n## {heading}, % of samples")
        lines += [f"{n / total * 100:6.1f}  {frame}" for frame, n in counts.most_common(TOP)]
    return "\n".join(lines) + "\n"


def _short(frame: str) -> str:
    """`fn (path/to/site-packages/pkg/mod.py:12)` -> `fn (pkg/mod.py)`: lines merged per function."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rpartition(":")[0]
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"


async def sample(
    command: list[str], port: int, url: str, token: str, tool: str, args: dict, seconds: float
) -> tuple[Path, float, float]:
    raw = Path(tempfile.mkstemp(prefix="flexos-pyspy-", suffix=".txt")[1])
    env = stdio_env(**{k: v for k, v in os.environ.items() if k == "DATABASE_URL"})
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(server, port)
        await throughput(url, token, tool, args, 4, 2.0)  # warm up
        spy = subprocess.Popen(
            [
                shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"),
                "record",
                "--format",
                "raw",
                "--rate",
                "500",
                "--output",
                str(raw),
                "--pid",
                str(server.pid),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        await asyncio.sleep(1.0)
        cpu_before = cpu_seconds(server.pid)
        rate = await throughput(url, token, tool, args, 1, seconds)
        cpu_per_call = (cpu_seconds(server.pid) - cpu_before) / (rate * seconds) * 1e6
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return raw, rate, cpu_per_call


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def main(label: str, seconds: float) -> None:
    out = HERE / "profiles"
    async with scratch_database("flexos_bench_profile_http") as db_url:
        fx = Fixture(db_url)
        await fx.build()
        pool = await create_pool(db_url, max_size=1)
        token, _ = await tokens.create_token(Database(pool), EMAIL, "profile")
        await pool.close()
        results = Path(tempfile.mkstemp(prefix="flexos-echo-", suffix=".json")[1])
        results.write_text(json.dumps(fx.echo_results))
        echo_token = "echo-" + uuid.uuid4().hex
        args = fx.read_args["get_project"]
        os.environ["DATABASE_URL"] = db_url
        try:
            for name in ("ours", "echo"):
                port = free_port()
                url = f"http://127.0.0.1:{port}/mcp"
                if name == "ours":
                    command = [sys.executable, "-m", "flexos_mcp", "serve", "--transport", "http", "--port", str(port)]
                    raw, rate, cpu = await sample(command, port, url, token, "get_project", args, seconds)
                else:
                    command = [
                        sys.executable,
                        str(HERE / "echo_server.py"),
                        str(results),
                        "--http",
                        str(port),
                        "--token",
                        echo_token,
                    ]
                    raw, rate, cpu = await sample(command, port, url, echo_token, "echo_get_project", args, seconds)
                text = summarise(raw, rate, cpu, f"{name}, 1 client posting get_project over Streamable HTTP")
                (out / f"http-{label}-{name}.txt").write_text(text)
                if os.environ.get("FLEXOS_PROFILE_RAW"):  # py-spy's collapsed stacks, for a flame graph
                    shutil.move(raw, out / f"http-{label}-{name}.raw.txt")
                else:
                    raw.unlink()
                print(text[: text.index("## own")])
        finally:
            del os.environ["DATABASE_URL"]
            results.unlink(missing_ok=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "before", float(sys.argv[2]) if len(sys.argv) > 2 else 10.0))
