"""Patient feedback after virtual visits, aggregated (pure).

* **NPS** (net promoter score) from "how likely are you to recommend us, 0-10": promoters
  answer 9-10, passives 7-8, detractors 0-6; NPS = % promoters - % detractors, so it runs
  from -100 (everyone a detractor) to +100 (everyone a promoter). With no answers it is
  None, not 0: "no data" and "as many promoters as detractors" are different things.
* **Satisfaction** is the mean of 1-5 answers.
* **Technical-problem rate** is the share of responses that ticked at least one technical
  problem (a call with three problems counts once); `problem_counts` counts each kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

PROMOTER_MIN = 9
DETRACTOR_MAX = 6


@dataclass(frozen=True)
class FeedbackRow:
    provider: str
    month: str  # "YYYY-MM", in the practice's time zone
    satisfaction: int
    recommend: int
    problems: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.satisfaction <= 5:
            raise ValueError("Satisfaction is 1 to 5.")
        if not 0 <= self.recommend <= 10:
            raise ValueError("Likelihood to recommend is 0 to 10.")


@dataclass(frozen=True)
class FeedbackSummary:
    responses: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    mean_satisfaction: float | None
    problem_rate: float | None
    problem_counts: dict[str, int] = field(default_factory=dict)

    @property
    def problem_percent(self) -> float | None:
        return None if self.problem_rate is None else self.problem_rate * 100


def net_promoter_score(scores: Sequence[int]) -> float | None:
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= PROMOTER_MIN)
    detractors = sum(1 for s in scores if s <= DETRACTOR_MAX)
    return (promoters - detractors) * 100 / len(scores)


def summarize(rows: Iterable[FeedbackRow]) -> FeedbackSummary:
    items = list(rows)
    scores = [r.recommend for r in items]
    promoters = sum(1 for s in scores if s >= PROMOTER_MIN)
    detractors = sum(1 for s in scores if s <= DETRACTOR_MAX)
    counts = Counter(p for r in items for p in set(r.problems))
    n = len(items)
    return FeedbackSummary(
        responses=n, promoters=promoters, passives=n - promoters - detractors,
        detractors=detractors, nps=net_promoter_score(scores),
        mean_satisfaction=sum(r.satisfaction for r in items) / n if n else None,
        problem_rate=sum(1 for r in items if r.problems) / n if n else None,
        problem_counts=dict(counts.most_common()))


def summarize_by(rows: Iterable[FeedbackRow],
                 key: Callable[[FeedbackRow], str]) -> list[tuple[str, FeedbackSummary]]:
    """One summary per key value, in key order."""
    groups: dict[str, list[FeedbackRow]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return [(name, summarize(groups[name])) for name in sorted(groups)]
