"""`python -m vivier …`: the same as the `vivier` command."""

from vivier.cli import main

if __name__ == "__main__":  # not when a spawned ingest worker re-imports this module
    main()
