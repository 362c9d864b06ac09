"""The ``ndcodecs`` console script: the Rust command line carried by the native module.

``pip install ndcodecs`` puts an ``ndcodecs`` command on the PATH that runs this; it is the same
program as the ``ndcodecs`` binary built with cargo (``ndcodecs --help`` lists the commands).
"""

from __future__ import annotations

import signal
import sys

from . import _native


def main(argv: list[str] | None = None) -> int:
    """Run the ``ndcodecs`` command line with ``argv`` (default ``sys.argv[1:]``).

    Returns the exit status (0 success, 1 error, 2 bad usage) when called as a function; as the
    console script, exits with it.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    # The Rust program runs with the GIL released and Python's SIGINT handler could not run
    # before it returns: restore the default so that Ctrl-C stops it as it stops the binary.
    if argv is None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.stdout.flush()
    sys.stderr.flush()
    status = _native.cli_main(["ndcodecs", *args])
    if argv is None:
        sys.exit(status)
    return status
