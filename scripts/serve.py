"""Serve Himaya for development: the web server and the task queue's consumer together.

Starts ``manage.py runserver HOST:PORT`` and ``manage.py run_huey`` side by side. Ctrl-C
(SIGINT) or SIGTERM stops both; when either stops on its own, the other is stopped too and
the script exits with its status. Each runs in a process group of its own, so that the
stop reaches what it started in turn (runserver's reloader runs the server in a child).

    python scripts/serve.py 127.0.0.1:8000
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
GRACE_SECONDS = 10


def start(*arguments: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
        [sys.executable, "manage.py", *arguments], cwd=ROOT, start_new_session=True
    )


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each group, then SIGKILL to what is left after the grace period."""
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # What the children started (runserver's reloader child) goes with their group.
    for process in processes:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    address = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"
    stopping: list[int] = []

    def on_signal(number: int, frame: FrameType | None) -> None:
        stopping.append(number)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    processes = [start("runserver", address), start("run_huey")]
    print(f"web server (pid {processes[0].pid}) and task consumer (pid {processes[1].pid})")
    status = 0
    try:
        while not stopping:
            ended = [process for process in processes if process.poll() is not None]
            if ended:
                status = ended[0].returncode or 1
                print(f"{ended[0].args[2]} stopped (status {ended[0].returncode}); stopping all")
                break
            time.sleep(0.2)
    finally:
        stop(processes)
    if stopping:
        print("stopped")
        return 128 + stopping[0]
    return status


if __name__ == "__main__":
    sys.exit(main())
