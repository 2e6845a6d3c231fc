"""One feed that N agents compete for (Q1 on real headlines, issue 10 item 7).

Every round each agent puts at most one allowed proposal (a pool index) to the feed. The feed has
`slots` places and ranks the proposals by predicted CTR (the engagement model's, the platform's own
predictor, as a real feed ranks by predicted engagement), publishing the best `slots` DISTINCT
headlines: two agents offered the same headline cannot both publish it (a feed shows a story once).
Ties (equal CTR, or the same headline from two agents) go to the agent that comes first in
`order`, a fresh random permutation each round, so no agent is favoured by its index.

With N <= slots and no duplicates the feed takes every allowed proposal: competition starts only
when the agents outnumber the slots.
"""

from __future__ import annotations

import numpy as np

NOTHING = -1


def publish_top(proposed: np.ndarray, ctr: np.ndarray, slots: int, order: np.ndarray) -> np.ndarray:
    """(agents,) published pool index per agent (NOTHING where the feed passed over it or there was no proposal).

    `proposed`: (agents,) pool index or NOTHING; `ctr`: (pool,) predicted CTR; `order`: a permutation
    of the agents, the tie-break.
    """
    proposed = np.asarray(proposed, dtype=np.int64)
    published = np.full(proposed.shape, NOTHING, dtype=np.int64)
    agents = np.asarray(order, dtype=np.int64)
    agents = agents[proposed[agents] != NOTHING]
    if len(agents) == 0 or slots <= 0:
        return published
    # lexsort: the last key is primary. Highest CTR first; among equals the earlier place in `order`.
    ranked = agents[np.lexsort((np.arange(len(agents)), -ctr[proposed[agents]]))]
    _, first = np.unique(proposed[ranked], return_index=True)  # first (best-placed) agent per distinct headline
    winners = ranked[np.sort(first)][:slots]
    published[winners] = proposed[winners]
    return published
