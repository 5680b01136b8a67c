"""Errors raised by autopipe.

Every error a user can cause by their input is an ``AutopipeError``; its message says
what went wrong, where (which column, which parameter) and what to do. ``TrialPruned``
is control flow inside the search, not an error a user sees.
"""


class AutopipeError(Exception):
    """Base class for errors caused by the user's input or environment."""


class DataError(AutopipeError, ValueError):
    """The table or the target cannot be used as given."""


class ParameterError(AutopipeError, ValueError):
    """A parameter of a public function or estimator has a bad value."""


class ArtifactError(AutopipeError):
    """A run directory is missing, incomplete or was modified."""


class SchemaMismatchError(DataError):
    """Data given at predict time does not match the schema seen at fit time."""


class StudyError(AutopipeError):
    """A study cannot be created, loaded or queried as asked."""


class TrialPruned(Exception):
    """Raised inside an objective to stop a trial that the pruner judged unpromising."""
