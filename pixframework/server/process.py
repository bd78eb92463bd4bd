"""Start ``pixf serve`` in a child process (benchmarks, tests, a GUI launching a local server)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Sequence

from ..errors import PixfError


def spawn_server(
    data_root: str | Path, *, address: str = "127.0.0.1:0", args: Sequence[str] = (), timeout: float = 60.0
) -> tuple[subprocess.Popen, str]:
    """Run ``pixf serve`` in a new Python process and wait until it listens.

    :param data_root: the server's data root.
    :param address: where to listen; port 0 (default) picks a free port.
    :param args: further ``pixf serve`` options, e.g. ``["--token-file", "t", "--log-level", "WARNING"]``.
    :param timeout: seconds to wait for the server to come up.
    :returns: ``(process, "host:port")``; stop it with ``process.send_signal(signal.SIGTERM)``
        (graceful, saves open projects) and ``process.wait()``. Its log goes to a temporary file
        (``process.stderr``), so a chatty server never blocks on a full pipe.
    :raises PixfError: the server exited or did not come up in time (with its error output).
    """
    command = [sys.executable, "-m", "pixframework.cli", "serve", "--address", address, "--data-root", str(data_root), *args]
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=log, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1")
    )
    proc.stderr = log
    # serve() prints one line with the bound address, then only logs (to stderr)
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    line = first[0] if first else ""
    if "listening on " not in line:
        proc.kill()
        proc.wait(10)
        log.seek(0)
        raise PixfError(f"pixf serve did not start: {line.strip()} {log.read().strip()}".strip())
    return proc, line.split("listening on ")[1].split()[0]
