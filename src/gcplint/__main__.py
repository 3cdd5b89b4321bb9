"""`python -m gcplint`."""

from .cli import main

main()
