"""`python -m feeds` runs the command line."""

from .cli import main

main()
