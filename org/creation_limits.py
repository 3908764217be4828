"""How many connected apps, playground runs and external servers one visitor, and one
address, may create in a while.

Each creation is counted in the org's throttle table (org/throttles.py), so every process
shares the count. The limit per visitor stops one browser making hundreds of apps a second;
the limit per address, far higher, stops a script that drops its cookies to become a new
visitor each time, while a training room of 200 people behind one NAT address still works.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Concatenate

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from org import throttles
from org.visitors import visitor_id

WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class CreationLimit:
    kind: str  # what is created, in words for the page: "connected apps"
    per_visitor: int  # in any WINDOW
    per_address: int  # in any WINDOW: room for 200 visitors at a human pace


APPS = CreationLimit("connected apps", per_visitor=20, per_address=1000)
RUNS = CreationLimit("playground runs", per_visitor=60, per_address=3000)
SERVERS = CreationLimit("external servers", per_visitor=10, per_address=500)


@dataclass(frozen=True)
class TooMany:
    limit: CreationLimit
    allowed: int
    retry_after: int  # seconds, for Retry-After (RFC 6585 §4)


def count_creation(limit: CreationLimit, *, visitor: str, address: str) -> TooMany | None:
    """Count one creation for the visitor and the address; TooMany, counting nothing, when
    either has already used its share of the window."""
    now = timezone.now()
    keys = (
        (throttles.key_of("create", limit.kind, "visitor", visitor), limit.per_visitor),
        (throttles.key_of("create", limit.kind, "address", address), limit.per_address),
    )
    for key, allowed in keys:
        if (until := throttles.locked_until(key, now=now)) is not None:
            return TooMany(limit, allowed, throttles.retry_after(until, now=now))
    for key, allowed in keys:
        # The allowed-th creation closes the window: the next one is refused until it ends.
        share = throttles.Limit(failures=allowed, window=WINDOW, lockout=WINDOW)
        throttles.record_failure(key, share, now=now)
    return None


def creation_limited[**P](
    limit: CreationLimit,
) -> Callable[
    [Callable[Concatenate[HttpRequest, P], HttpResponse]],
    Callable[Concatenate[HttpRequest, P], HttpResponse],
]:
    """A view decorator: every POST counts as one creation of `limit`'s kind; over the limit
    the view does not run and the visitor gets a 429 page saying when to try again."""

    def decorate(
        view: Callable[Concatenate[HttpRequest, P], HttpResponse],
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
        @wraps(view)
        def limited(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if request.method == "POST":
                refused = count_creation(
                    limit,
                    visitor=visitor_id(request.session),
                    address=request.META.get("REMOTE_ADDR", ""),
                )
                if refused is not None:
                    return _too_many(request, refused)
            return view(request, *args, **kwargs)

        return limited

    return decorate


def _too_many(request: HttpRequest, refused: TooMany) -> HttpResponse:
    minutes = max(1, round(refused.retry_after / 60))
    response = render(
        request,
        "429.html",
        {"kind": refused.limit.kind, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(refused.retry_after)
    response["Cache-Control"] = "no-store"
    return response
