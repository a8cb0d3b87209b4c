"""``python -m aibom``."""

from aibom._cli import main

if __name__ == "__main__":
    main()
