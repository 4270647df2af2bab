"""What needs an administrator's action, at the top of the overview: sources whose newest harvest failed
(with the reason), counties below 合格, scores that dropped since the previous harvest, and stale catalogs."""
from __future__ import annotations

from dataclasses import dataclass, field

DROP_POINTS = 5.0  # a smaller change between two harvests is noise, not news


@dataclass
class Failure:
    row: object  # dashboard.OverviewRow
    domain: str
    job_id: int
    reason: tuple  # (zh, en) of the job's first error, or (None, None)
    last_good: bool  # a score on data kept from an earlier harvest


@dataclass
class Attention:
    failed: list = field(default_factory=list)  # Failure
    below: list = field(default_factory=list)  # rows rated 不合格
    drops: list = field(default_factory=list)  # (row, domain, before, after)
    stale: list = field(default_factory=list)  # (row, domain, the catalog's date)

    @property
    def empty(self) -> bool:
        return not (self.failed or self.below or self.drops or self.stale)


def attention(store, view) -> Attention:
    """`view` is dashboard.overview(...): its rows, worst first in each list."""
    found, previous = Attention(), store.previous_scores()
    for row in sorted(view.rows, key=lambda r: r.score):
        for domain, state in sorted(row.states.items()):
            status, job_id, _, reason = view.sources[row.code, domain]
            found.failed.append(Failure(row, domain, job_id, reason, state == "last_good"))
        if row.rating == "insufficient" and len(row.states) < len(row.scores):
            found.below.append(row)
        for domain, snap in sorted(row.scores.items()):
            before = previous.get((row.code, domain))
            if before is not None and row.states.get(domain) != "failed" and snap.score <= before - DROP_POINTS:
                found.drops.append((row, domain, before, snap.score))
            if snap.freshness < 1 and row.states.get(domain) != "failed":
                found.stale.append((row, domain, (snap.details or {}).get("published_at")))
    found.drops.sort(key=lambda d: d[3] - d[2])
    return found
