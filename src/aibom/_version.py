"""The version of aibom (read by the build backend and re-exported as ``aibom.__version__``)."""

__version__ = "0.1.0"
