"""Tests of ``aibom merge`` (``aibom.merge``)."""
