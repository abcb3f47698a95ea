"""allocator: where the money and people against child poverty should go, neighbourhood by
neighbourhood.

The data flow, one module a step: inputs (:mod:`allocator.loading`) → validated scenario
(:mod:`allocator.schema`) → model (:mod:`allocator.model`, pure) → solution (:mod:`allocator.solve`)
→ results (:mod:`allocator.results`) → reports (:mod:`allocator.outputs`, :mod:`allocator.summary`).
"""

__version__ = "0.1.0"
