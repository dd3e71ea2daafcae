"""python -m coord: the same as the `coord` command."""

from coord.cli import main

main()
