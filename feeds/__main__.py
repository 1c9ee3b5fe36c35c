"""`python -m feeds` runs the command line."""

from .console import run

run()
