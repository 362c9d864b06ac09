"""``python -m ndcodecs``: the same command line as the ``ndcodecs`` console script."""

from ._cli import main

main()
