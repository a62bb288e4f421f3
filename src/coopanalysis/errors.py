"""Errors a user sees: one clear sentence naming the file and what is wrong."""

from __future__ import annotations

from pathlib import Path


class CoopAnalysisError(Exception):
    """Base class of every error the command line reports without a traceback."""


class DataFileError(CoopAnalysisError):
    """A file that cannot be used at all (missing, empty, not a table, a required column absent)."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ParameterError(CoopAnalysisError):
    """A report parameter that is unknown, of the wrong type or outside its allowed values."""
