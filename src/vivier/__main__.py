"""`python -m vivier …`: the same as the `vivier` command."""

from vivier.cli import main

main()
