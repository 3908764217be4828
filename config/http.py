"""HTTP pieces every room shares: the htmx request type and the responses built by hand."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def allow_form_posts(response: HttpResponse) -> HttpResponse:
    """Let this page's forms POST: send the Referer to this origin only.

    Under the site-wide `no-referrer`, browsers send `Origin: null` with a form POST (the Fetch
    standard's "serializing a request origin"), and Django's CSRF check rightly refuses it.
    `same-origin` still keeps every URL away from other sites (RFC 9700 §4.2.4).
    """
    response["Referrer-Policy"] = "same-origin"
    return response


def forms_post_back[**P](view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """A view whose page's forms POST back to this site (see allow_form_posts)."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        return allow_form_posts(view(*args, **kwargs))

    return wrapped


class _Redirect(HttpResponse):
    @property
    def url(self) -> str:
        # As HttpResponseRedirect has, so Django's test client can follow it.
        return self["Location"]


def redirect_to(location: str, *, after_post: bool = True) -> HttpResponse:
    """303 after a POST (RFC 9110 §15.4.4: "GET this"), else 302.

    RFC 9700 §4.12: never 307 after a POST that carried credentials. Built by hand: a
    callback may use an app's own scheme, which HttpResponseRedirect refuses.
    """
    response = _Redirect(status=303 if after_post else 302)
    response["Location"] = location
    return response
