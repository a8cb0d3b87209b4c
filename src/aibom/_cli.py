import click


def main() -> None:
    """placeholder"""
