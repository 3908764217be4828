"""The run page's step cards for a share link, every secret replaced by its placeholder name.

Redacted by value, not by template: every string a card's results carry goes through the run's
`Redaction` (the transcript's, `export.redaction_of`), so a partial that shows a new field
cannot show a secret by forgetting to hide it. What a string match cannot catch is cut here
too: a shortened secret, a JWT's raw parts (its claims stay: they are what the room learns
from), a Basic header read out, and the values a step keeps for the next one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, cast

from playground import export
from playground.artefacts import Parameter, PkceProof
from playground.cards import StepCard, step_cards
from playground.decoded_bodies import Decoded, Field
from playground.exchange import HttpExchange
from playground.inspector import InspectedJwt
from playground.models import FlowRun
from playground.redaction import Redaction
from playground.vocabulary import Flow, StepResult


@dataclass(frozen=True)
class _SharedExchange(HttpExchange):
    """An exchange whose every field is redacted, its Basic credentials read out beforehand:
    once the header says <basic_credentials> there is nothing left in it to decode."""

    basic: tuple[Field, ...] = ()
    basic_unreadable: bool = False

    def decoded(self) -> Decoded:
        return replace(super().decoded(), basic=self.basic, basic_unreadable=self.basic_unreadable)


def shared_cards(run: FlowRun, flow: Flow) -> tuple[StepCard, ...]:
    """The run's cards as a share page shows them: nothing to fill in, no secret anywhere."""
    hide = export.transcript_of(run, flow).redaction
    return tuple(
        replace(
            card,
            result=_result(card.result, hide) if card.result else None,
            breakages=tuple(replace(b, result=_result(b.result, hide)) for b in card.breakages),
            link=hide.text(card.link),
            fields=(),
        )
        for card in step_cards(run, flow)
    )


def _result(result: StepResult, hide: Redaction) -> StepResult:
    # `remember` holds what the next step needs (a verifier, a private key): never shown.
    return replace(_hidden(result, hide), remember=())


def _name(value: str, fallback: str, hide: Redaction) -> str:
    """The placeholder of a value known to be a secret; one too short to have a placeholder
    of its own (`redaction._MIN_SECRET_LENGTH`) is still hidden, under the name of its kind."""
    if not value:
        return ""
    return f"<{dict(hide.placeholders).get(value, fallback)}>"


def _hidden[T](value: T, hide: Redaction) -> T:
    """`value` with every string redacted, walking tuples, mappings and frozen dataclasses."""
    shown: object
    if isinstance(value, str):
        shown = hide.text(value)
    elif isinstance(value, tuple):
        shown = tuple(_hidden(item, hide) for item in value)
    elif isinstance(value, Mapping):
        shown = {_hidden(k, hide): _hidden(v, hide) for k, v in value.items()}
    elif isinstance(value, Parameter) and value.secret:
        shown = replace(value, value=_name(value.whole or value.value, value.name, hide), whole="")
    elif isinstance(value, PkceProof):
        shown = replace(value, verifier=_name(value.verifier, "code_verifier", hide))
    elif isinstance(value, InspectedJwt):
        # The raw parts together are the token itself; a share page shows what they decode to.
        parts = replace(value, header_part="", payload_part="", signature_part="")
        shown = _walked(parts, hide)
    elif isinstance(value, HttpExchange):
        shown = _exchange(value, hide)
    elif is_dataclass(value) and not isinstance(value, type):
        shown = _walked(value, hide)
    else:
        shown = value
    return cast(T, shown)


def _walked[T](value: T, hide: Redaction) -> T:
    instance: Any = value  # a dataclass instance: `_hidden` checked
    changes = {f.name: _hidden(getattr(instance, f.name), hide) for f in fields(instance) if f.init}
    return cast(T, replace(instance, **changes))


def _exchange(exchange: HttpExchange, hide: Redaction) -> _SharedExchange:
    read = exchange.decoded()
    basic = tuple(
        Field(f.name, _name(f.value, f.name, hide) if f.secret else hide.text(f.value), f.secret)
        for f in read.basic
    )
    walked = {f.name: _hidden(getattr(exchange, f.name), hide) for f in fields(exchange)}
    return _SharedExchange(**walked, basic=basic, basic_unreadable=read.basic_unreadable)
