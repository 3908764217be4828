"""Where a run's CPU went: the whole machine's busy time (Linux's /proc/stat) and this process's
own (the load generator's threads), so a figure can say whether the cores were the limit and
how much of them the server had."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_STAT = Path("/proc/stat")


def _machine_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of every core since boot."""
    ticks = os.sysconf("SC_CLK_TCK")
    # cpu  user nice system idle iowait irq softirq steal …
    values = [int(v) for v in _STAT.read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / ticks, sum(values) / ticks


def _own_seconds() -> float:
    times = os.times()
    return times.user + times.system


@dataclass
class CpuUse:
    """Filled in when the `measured` block ends."""

    busy: float = 0.0  # CPU seconds the whole machine spent busy
    total: float = 0.0  # CPU seconds the machine had (wall time × cores)
    generator: float = 0.0  # of `busy`, this process's

    @property
    def others(self) -> float:
        """The rest of the busy time: the servers under test (and their database) on a
        machine doing nothing else."""
        return max(0.0, self.busy - self.generator)

    def line(self, per: float, unit: str) -> str:
        share = self.busy / self.total if self.total else 0.0
        server, generator = self.others / per * 1000, self.generator / per * 1000
        return (
            f"CPU: cores {share:.0%} busy; per {unit}: server and database {server:.1f} ms, "
            f"load generator {generator:.1f} ms"
        )


@contextmanager
def measured() -> Iterator[CpuUse]:
    use = CpuUse()
    busy, total = _machine_seconds()
    own = _own_seconds()
    try:
        yield use
    finally:
        busy_after, total_after = _machine_seconds()
        use.busy, use.total = busy_after - busy, total_after - total
        use.generator = _own_seconds() - own
