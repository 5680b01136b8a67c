"""Plots for any study of the engine, as plotly figures.

Each function takes a ``Study`` (or the saved records of one, see ``records``) and
returns a ``plotly.graph_objects.Figure``; the HTML report draws its figures with them.

>>> from autopipe.search.visualization import plot_optimization_history
>>> plot_optimization_history(study).show()  # doctest: +SKIP
"""

from autopipe.search.visualization._records import StudyRecords, records_of, to_dict
from autopipe.search.visualization.contour import plot_contour
from autopipe.search.visualization.history import plot_optimization_history
from autopipe.search.visualization.importance import METHOD, param_importances, plot_param_importances
from autopipe.search.visualization.intermediate import plot_intermediate_values
from autopipe.search.visualization.parallel import plot_parallel_coordinate
from autopipe.search.visualization.slice import plot_slice

__all__ = [
    "METHOD", "StudyRecords", "param_importances", "plot_contour", "plot_intermediate_values",
    "plot_optimization_history", "plot_parallel_coordinate", "plot_param_importances", "plot_slice",
    "records_of", "to_dict",
]
