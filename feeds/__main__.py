"""`python -m feeds` runs the command line."""

from .cli import run

run()
