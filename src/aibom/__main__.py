"""``python -m aibom``."""

from aibom.cli.main import main

if __name__ == "__main__":
    main()
