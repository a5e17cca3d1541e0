"""The solve core: the matching network, its engine, potentials, repair and certificate.

Modules, in the order a solve uses them:

``options``      :class:`SolveOptions`, the tuning knobs (speed only), passed down
``network``      :class:`Network` (arcs with bounds and integer costs, supplies),
                 its residual graph, and the :class:`Matching` layout
``engine``       engines behind ``engine.solve(network) -> Flow`` (OR-Tools)
``table``        the candidate table: the long table of pairs and each household's pool
``potentials``   node potentials (officers' prices) of an optimal flow
``repair``       re-optimising a flow after pairs joined, from its potentials
``certificate``  the proof over every allowed pair, behind the :class:`Pricing`
                 interface of a cost model; the :class:`Witness` of a shortfall
``certified``    the rounds: :func:`solve` -> :class:`Outcome`
"""

from .certificate import Pricing, Witness
from .certified import Outcome, choose_scale, solve
from .engine import FlowEngine, OrToolsFlow, engine
from .network import Flow, Matching, Network, Residual
from .options import SolveOptions

__all__ = [
    "Flow",
    "FlowEngine",
    "Matching",
    "Network",
    "OrToolsFlow",
    "Outcome",
    "Pricing",
    "Residual",
    "SolveOptions",
    "Witness",
    "choose_scale",
    "engine",
    "solve",
]
