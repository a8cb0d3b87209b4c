"""Helpers for tests that run the installed ``aibom`` in a subprocess and check its exit status."""

from __future__ import annotations

import platform
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

HANG_GUARD = 300
"""Seconds after which a subprocess is taken to hang (a guard, not a timing target)."""

_READ_SYSCALL = {"x86_64": 0, "aarch64": 63}
CAN_SEE_STDIN_READ = Path("/proc/self/syscall").exists() and platform.machine() in _READ_SYSCALL
"""``blocked_reading_stdin`` works here (Linux /proc/PID/syscall on a known architecture)."""


def assert_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit 2, nothing on stdout, a message (not a traceback) on stderr naming ``needles``."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for needle in needles:
        assert needle in result.stderr


def blocked_reading_stdin(proc: subprocess.Popen[str]) -> bool:
    """Linux's view of the main thread: inside read(0, ...)."""
    try:
        fields = Path(f"/proc/{proc.pid}/syscall").read_text().split()
    except OSError:
        return False
    number = _READ_SYSCALL.get(platform.machine())
    return len(fields) > 1 and fields[0] == str(number) and int(fields[1], 16) == 0


def interrupt_when(
    proc: subprocess.Popen[str], blocked: Callable[[], bool]
) -> tuple[int, str, str]:
    """Wait until ``blocked()`` holds, send SIGINT, and return (status, stdout, stderr)."""
    deadline = time.monotonic() + HANG_GUARD
    while not blocked():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the command never blocked"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=HANG_GUARD)
    return proc.returncode, out, err
