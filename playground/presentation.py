"""How a run page is shown: in full, or in the presenter view for a room (larger type, each
finished step folded to one line, the page moving on to the due step after every click)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

PRESENTER = "presenter"
# A step slug is short; anything longer in `open` is not one of ours.
_MAX_SLUG = 60


@dataclass(frozen=True)
class Presentation:
    """The view a run page is in, carried in its URL (`?view=presenter`) so that it works
    without JavaScript and survives every form post, redirect and htmx swap."""

    presenter: bool = False
    unfolded: str = ""  # a finished step shown open anyway: the one just broken on purpose

    @classmethod
    def of(cls, query: Mapping[str, str]) -> Presentation:
        if query.get("view") != PRESENTER:
            return cls()
        return cls(True, query.get("open", "")[:_MAX_SLUG])

    @property
    def query(self) -> str:
        """What the page's forms add to their address to stay in this view ("" in full)."""
        return f"?view={PRESENTER}" if self.presenter else ""

    @property
    def link_query(self) -> str:
        """The query of a page address in this view, the unfolded step included."""
        if not self.presenter:
            return ""
        fields = {"view": PRESENTER} | ({"open": self.unfolded} if self.unfolded else {})
        return "?" + urlencode(fields)

    def after(self, step: str, *, broken: bool, due: str) -> tuple[Presentation, str]:
        """The view and the step to land on once `step` has been sent.

        In full view the page lands on the step's own result. In presenter view it moves on to
        the step now due (`due`, "" at the end of the run), the finished one folded above it;
        after Break it it stays on the broken step, unfolded, so the refusal is on screen.
        """
        if not self.presenter:
            return self, step
        if broken:
            return Presentation(True, step), step
        return Presentation(True), due or step


# The full view, which a page shows unless its address asks for another.
FULL = Presentation()
