"""The solve core: the matching network, its engines, potentials, certificate and rounds.

Modules, in the order a solve uses them:

``options``      :class:`SolveOptions`, the tuning knobs, passed down
``model``        :class:`CostModel`, what the solver needs of a cost model
                 (:class:`Pricing` for the built-in cost, ``ListedModel`` for a
                 costs table), one typed protocol, never probed with getattr
``network``      :class:`Network` (arcs with bounds and integer costs, supplies),
                 its residual graph, and the :class:`Matching` layout
``engine``       engines behind ``engine.solve(network) -> Flow``: LEMON's network
                 simplex, with its potentials (the default), and OR-Tools
``seed``         a first pairing from a transport between grid cells
``table``        the candidate table: the long table of pairs and each household's pool
``potentials``   node potentials (officers' prices) of an optimal flow, and the
                 label-correcting search the other modules share
``certificate``  the search beyond the pool in bounded memory, through
                 :class:`Pricing`; the :class:`Witness`
``dual``         the dual completion: prices over every allowed pair, or a cycle
``repair``       re-optimising a flow after a few pairs joined, from its potentials
``minimum``      minimum loads: widening the candidates, and why none meets them
``certified``    the rounds: :func:`solve` -> :class:`Outcome`
``walk``         one broken quota proven by the walk between two priced flows
``sat``          CP-SAT on a candidate table (quotas, compact pairs)
``refine``       quotas and compact pairs from the flow's answer, with their bound
"""

from .certificate import Witness
from .certified import Outcome, choose_scale, solve
from .engine import FlowEngine, LemonFlow, OrToolsFlow, engine
from .model import CostModel, Pricing
from .network import Flow, Matching, Network, Residual
from .options import SolveOptions

__all__ = [
    "CostModel",
    "Flow",
    "FlowEngine",
    "LemonFlow",
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
