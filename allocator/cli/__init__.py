"""The command line: a thin edge that turns outcomes into messages and exit codes.

Exit codes (DESIGN.md §3): 0 a plan was found; 2 bad input or usage; 3 infeasible; 4 the solver
failed or found no plan in time. A bad input is never a traceback (``--debug`` shows one).
"""

from __future__ import annotations

import sys

# isort: off
# the commands register in this order, the order `allocator --help` lists them
from allocator.cli import run, datasets, studies, uncertainty, report, alternatives  # noqa: F401
from allocator.cli import history, meeting  # noqa: F401

# isort: on
from allocator.cli.base import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SystemExit as exc:
        sys.exit(exc.code)
