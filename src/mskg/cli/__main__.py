"""``python -m mskg.cli``: the same as the ``mskg`` command."""

from mskg.cli import run

run()
