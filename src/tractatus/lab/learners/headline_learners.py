"""Learners of the headline environment: they choose one of K offered headlines from word features.

Every learner is batched over N independent agents, each writing `slots` headlines per round
(rows agent-major: row r belongs to agent `owner[r]`). They see candidates only as feature rows
(learners/text_features.py), never labels, CTRs or the governor's rules.

- `act(x, available, owner, rng)`: x is (R, K, D), available (R, K) bool; returns (R,) indices
  of available candidates (the caller guarantees each row has one).
- `update(x, available, chosen, rewards, owner)`: one sample per attempt, stored for the round.
- `end_round()`: applies the round's samples (batched, as Agent Lightning's training rounds are).

Learners:
- `linear-ts` (alias `bandit`): linear Thompson sampling (Agrawal and Goyal 2013), Bayesian linear
  regression of reward on features with a Gaussian prior N(0, prior_variance I) and the noise
  variance estimated from the agent's own rewards; each row draws its own posterior sample.
- `pg`: policy gradient (REINFORCE with a per-agent running baseline) on a softmax over linear
  scores of the available candidates.
- `random`: uniform over the available candidates. A null agent: it learns nothing.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from scipy.linalg import cho_solve, cholesky, solve_triangular

from tractatus.governance.errors import ConfigError


class HeadlineLearner(Protocol):
    name: str
    num_agents: int

    def act(self, x: np.ndarray, available: np.ndarray, owner: np.ndarray, rng: np.random.Generator) -> np.ndarray: ...

    def update(self, x: np.ndarray, available: np.ndarray, chosen: np.ndarray, rewards: np.ndarray, owner: np.ndarray) -> None: ...

    def end_round(self) -> None: ...


def _masked(scores: np.ndarray, available: np.ndarray) -> np.ndarray:
    return np.where(available, scores, -np.inf)


class LinearThompson:
    name = "linear-ts"

    def __init__(self, num_agents: int, dims: int, *, prior_variance: float = 1.0, min_noise_variance: float = 1e-3) -> None:
        self.num_agents = num_agents
        self.dims = dims
        self.prior_precision = 1.0 / prior_variance
        self.min_noise_variance = min_noise_variance
        self.xtx = np.zeros((num_agents, dims, dims))
        self.xty = np.zeros((num_agents, dims))
        self.count = np.zeros(num_agents)
        self.total = np.zeros(num_agents)
        self.total_sq = np.zeros(num_agents)
        self.mean = np.zeros((num_agents, dims))
        # Lower Cholesky factor F of each agent's posterior precision (precision = F F^T).
        self.factor = np.broadcast_to(np.eye(dims) * np.sqrt(self.prior_precision), (num_agents, dims, dims)).copy()
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def act(self, x: np.ndarray, available: np.ndarray, owner: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        z = rng.standard_normal((len(owner), self.dims))
        theta = np.empty_like(z)
        for agent in np.unique(owner).tolist():
            mine = owner == agent
            # F^-T z has covariance F^-T F^-1 = precision^-1: one triangular solve per agent and round.
            theta[mine] = self.mean[agent] + solve_triangular(self.factor[agent], z[mine].T, lower=True, trans="T").T
        scores = np.einsum("rkd,rd->rk", x, theta)
        return np.argmax(_masked(scores, available), axis=1)

    def update(self, x: np.ndarray, available: np.ndarray, chosen: np.ndarray, rewards: np.ndarray, owner: np.ndarray) -> None:
        self._pending.append((x[np.arange(len(chosen)), chosen], np.asarray(rewards, dtype=np.float64), owner))

    def end_round(self) -> None:
        if not self._pending:
            return
        features = np.concatenate([p[0] for p in self._pending])
        rewards = np.concatenate([p[1] for p in self._pending])
        owner = np.concatenate([p[2] for p in self._pending])
        self._pending.clear()
        for agent in np.unique(owner).tolist():
            mine = owner == agent
            x, y = features[mine], rewards[mine]
            self.xtx[agent] += x.T @ x
            self.xty[agent] += x.T @ y
            self.count[agent] += len(y)
            self.total[agent] += y.sum()
            self.total_sq[agent] += y @ y
            n = self.count[agent]
            variance = (self.total_sq[agent] - self.total[agent] ** 2 / n) / max(n - 1.0, 1.0)
            noise = max(float(variance), self.min_noise_variance)
            precision = self.prior_precision * np.eye(self.dims) + self.xtx[agent] / noise
            factor = cholesky(precision, lower=True)
            self.factor[agent] = factor
            self.mean[agent] = cho_solve((factor, True), self.xty[agent] / noise)


class SoftmaxPolicyGradient:
    name = "pg"

    def __init__(self, num_agents: int, dims: int, *, learning_rate: float = 2.0, baseline_decay: float = 0.9) -> None:
        self.num_agents = num_agents
        self.theta = np.zeros((num_agents, dims))
        self.learning_rate = learning_rate
        self.baseline_decay = baseline_decay
        self.baseline = np.full(num_agents, np.nan)
        self._gradient = np.zeros((num_agents, dims))
        self._reward_sum = np.zeros(num_agents)
        self._count = np.zeros(num_agents)

    def _probabilities(self, x: np.ndarray, available: np.ndarray, owner: np.ndarray) -> np.ndarray:
        logits = _masked(np.einsum("rkd,rd->rk", x, self.theta[owner]), available)
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        return weights / weights.sum(axis=1, keepdims=True)

    def act(self, x: np.ndarray, available: np.ndarray, owner: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        probs = self._probabilities(x, available, owner)
        cdf = np.cumsum(probs, axis=1)
        u = rng.random(len(owner))[:, None] * cdf[:, -1:]
        return np.minimum((cdf <= u).sum(axis=1), probs.shape[1] - 1)

    def update(self, x: np.ndarray, available: np.ndarray, chosen: np.ndarray, rewards: np.ndarray, owner: np.ndarray) -> None:
        probs = self._probabilities(x, available, owner)  # theta is fixed within a round
        expected = np.einsum("rk,rkd->rd", probs, x)
        score = x[np.arange(len(chosen)), chosen] - expected  # grad of log softmax
        baseline = np.where(np.isnan(self.baseline[owner]), 0.0, self.baseline[owner])
        np.add.at(self._gradient, owner, (np.asarray(rewards) - baseline)[:, None] * score)
        np.add.at(self._reward_sum, owner, rewards)
        np.add.at(self._count, owner, 1.0)

    def end_round(self) -> None:
        seen = self._count > 0
        self.theta[seen] += self.learning_rate * self._gradient[seen] / self._count[seen, None]
        mean = np.divide(self._reward_sum, self._count, out=np.zeros_like(self._reward_sum), where=seen)
        first = seen & np.isnan(self.baseline)
        self.baseline[first] = mean[first]
        later = seen & ~first
        self.baseline[later] = self.baseline_decay * self.baseline[later] + (1 - self.baseline_decay) * mean[later]
        self._gradient[:] = 0.0
        self._reward_sum[:] = 0.0
        self._count[:] = 0.0


class RandomChooser:
    name = "random"

    def __init__(self, num_agents: int, dims: int) -> None:
        self.num_agents = num_agents

    def act(self, x: np.ndarray, available: np.ndarray, owner: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return np.argmax(np.where(available, rng.random(available.shape), -1.0), axis=1)

    def update(self, x: np.ndarray, available: np.ndarray, chosen: np.ndarray, rewards: np.ndarray, owner: np.ndarray) -> None:
        pass

    def end_round(self) -> None:
        pass


HEADLINE_LEARNERS = {"linear-ts": LinearThompson, "bandit": LinearThompson, "pg": SoftmaxPolicyGradient, "random": RandomChooser}


def make_headline_learner(name: str, num_agents: int, dims: int) -> HeadlineLearner:
    try:
        return HEADLINE_LEARNERS[name](num_agents, dims)
    except KeyError:
        raise ConfigError(f"unknown headline learner {name!r}; expected one of {', '.join(HEADLINE_LEARNERS)}") from None
