"""kuseo_match: pair government officers with poor households.

Every household gets a helper who is near, whose agency fits its needs, and
who is not overloaded; the pairing is a min-cost flow (OR-Tools) proven
optimal over every allowed pair.

>>> import kuseo_match as km
>>> officers, households = km.synthetic_province()      # Khon Kaen's shape
>>> result = km.match(officers, households)
>>> result.status
'optimal'
"""

from ._version import __version__
from .diagnose import Diagnosis, Fix, diagnose
from .errors import InfeasibleError, KuseoError, ValidationError
from .fit import FitTable, default_fit_table
from .io import read_table, with_details
from .matcher import match, pair_costs
from .plan import plan_capacity
from .policy import CapacityBy, Policy
from .quotas import Quota
from .reference import districts, provinces, resolve_province
from .rematch import rematch
from .result import Result, Shortfall
from .solve import SolveOptions
from .synth import synthetic_country, synthetic_province

__all__ = [
    "CapacityBy",
    "Diagnosis",
    "FitTable",
    "Fix",
    "InfeasibleError",
    "KuseoError",
    "Policy",
    "Quota",
    "Result",
    "Shortfall",
    "SolveOptions",
    "ValidationError",
    "__version__",
    "default_fit_table",
    "diagnose",
    "districts",
    "match",
    "pair_costs",
    "plan_capacity",
    "plot_map",
    "provinces",
    "read_table",
    "rematch",
    "resolve_province",
    "synthetic_country",
    "synthetic_province",
    "with_details",
    "write_report",
]

#: Names whose module loads on first use: the report draws with matplotlib's
#: figure machinery, about a quarter of the import time (``python -X importtime``).
_LAZY = {"plot_map": "report", "write_report": "report"}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value  # once loaded, a plain attribute
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
