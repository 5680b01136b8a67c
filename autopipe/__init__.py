"""autopipe: machine-learning pipelines for tables, searched, pruned, saved and explained."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("autopipe")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

from autopipe.api import AutoClassifier, AutoRegressor, fit  # noqa: E402
from autopipe.artifact import load  # noqa: E402
from autopipe.exceptions import AutopipeError  # noqa: E402

__all__ = ["AutoClassifier", "AutoRegressor", "AutopipeError", "__version__", "fit", "load"]
