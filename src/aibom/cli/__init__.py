"""Click commands of each area, registered on the ``aibom`` group in ``aibom.cli.main``.

Each module defines plain ``click.Command`` objects and imports heavy libraries inside the command body.
"""
