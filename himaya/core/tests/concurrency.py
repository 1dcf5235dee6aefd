"""The same work started at once on two connections, for the tests of concurrent writes."""

import threading
from collections.abc import Callable

from django.db import connection


def at_once(work: Callable[[], object], *, times: int = 2) -> list[object]:
    """Run ``work`` in ``times`` threads released together, each on its own database
    connection; return what each returned, or the exception it raised."""
    barrier = threading.Barrier(times)
    outcomes: list[object] = []

    def run() -> None:
        try:
            barrier.wait()
            outcomes.append(work())
        except Exception as error:  # the failure is an outcome the test reads
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
