from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from advisor import adr, diagrams
from advisor.questions import (
    COUNT_QUESTION,
    QUESTIONS,
    Answers,
    differences,
    fieldsets,
    given,
    parse_answers,
    parse_permalink,
    typed_fields,
)
from advisor.recommendation import Recommendation, recommend
from advisor.record import KEYS, STATUSES, RecordDetails, design_query, parse_record
from advisor.scenarios import SCENARIO_BY_ID, SCENARIOS
from config.http import HtmxHttpRequest


def _with_query(url_name: str, query: str) -> str:
    path = reverse(url_name)
    return f"{path}?{query}" if query else path


def _permalink(answers: Answers, record: RecordDetails) -> str:
    # The public base URL, never the Host header (the same rule the org's issuer follows).
    design = design_query(answers, record)
    return settings.HANDSHAKE_BASE_URL + _with_query("advisor:wizard", design)


def _count_url(answers: Answers, systems: int | None, record_query: str) -> str:
    if systems is None:
        return ""
    query = answers.query_with(COUNT_QUESTION, systems)
    return _with_query("advisor:wizard", "&".join(part for part in (query, record_query) if part))


def _result_context(recommendation: Recommendation, record: RecordDetails) -> dict[str, Any]:
    query = recommendation.answers.to_query()
    design = design_query(recommendation.answers, record)
    return {
        "recommendation": recommendation,
        "answers": recommendation.answers,
        "record": record,
        "record_errors": {key.removeprefix("record-"): record.error(key) for key in KEYS},
        "statuses": STATUSES,
        "record_suffix": f"&{record.to_query()}" if record.to_query() else "",
        # The playground's flow pages take the design along, and link back to it.
        "design_param": urlencode({"design": design}) if design else "",
        "question_count": len(QUESTIONS),
        "page_url": _with_query("advisor:wizard", design),
        "permalink": _permalink(recommendation.answers, record),
        "diagram_url": _with_query("advisor:diagram", query),
        "adr_url": _with_query("advisor:adr_markdown", design),
        "adr_download_url": _with_query(
            "advisor:adr_markdown", f"{design}&download=1" if design else "download=1"
        ),
        "adr_zip_url": _with_query("advisor:adr_zip", design),
        "json_url": _with_query("advisor:recommendation_json", query),
        "compare_url": reverse("advisor:compare")
        + "?"
        + QueryDict.fromkeys(["a"], query).urlencode(),
        "chart": diagrams.connection_chart(recommendation.answers.numbers.get(COUNT_QUESTION)),
        "systems_chart": (systems := diagrams.systems_chart(recommendation)),
        "fewer_url": _count_url(recommendation.answers, systems.fewer, record.to_query()),
        "more_url": _count_url(recommendation.answers, systems.more, record.to_query()),
        "links": diagrams.describe(recommendation),
        "given": given(recommendation.answers),
    }


def _is_canonical(query: QueryDict, design: str) -> bool:
    given = [(key, value) for key, values in query.lists() for value in values]
    return given == parse_qsl(design)


@require_GET
# The page is ≈ 110 kB of markup that compresses to a sixth; it holds no secret for a
# compression side channel (BREACH) to reveal, and Django pads the gzip header at random.
@gzip_page
@vary_on_headers("HX-Request")
def wizard(request: HtmxHttpRequest) -> HttpResponse:
    answers, record = parse_answers(request.GET), parse_record(request.GET)
    context = _result_context(recommend(answers), record)
    if request.htmx and not request.htmx.history_restore_request:
        context["typed_fields"] = typed_fields(answers)
        response = render(request, "advisor/wizard.html#result", context)
        return push_url(response, context["page_url"])
    design = design_query(answers, record)
    if not answers.errors and not record.errors and not _is_canonical(request.GET, design):
        # A plain form submission carries every skipped question; the permalink doesn't.
        return HttpResponseRedirect(context["page_url"])
    return render(request, "advisor/wizard.html", {**context, "fieldsets": fieldsets(answers)})


@require_GET
@cache_control(max_age=3600)
def diagram(request: HttpRequest) -> HttpResponse:
    graph = diagrams.build_graph(recommend(parse_answers(request.GET)))
    return HttpResponse(diagrams.render_svg(graph), content_type="image/svg+xml")


def _decision_record(request: HttpRequest) -> dict[str, Any]:
    """What a decision record is written from: the recommendation, its permalink, the day and
    the record's own details, all read from the query."""
    answers, record = parse_answers(request.GET), parse_record(request.GET)
    return {
        "recommendation": recommend(answers),
        "permalink": _permalink(answers, record),
        "today": timezone.localdate(),
        "record": record,
    }


@require_GET
def adr_markdown(request: HttpRequest) -> HttpResponse:
    text = adr.to_markdown(**_decision_record(request))
    if request.GET.get("download"):
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{adr.MARKDOWN_NAME}"'
        return response
    # To read or copy in the browser: browsers only ever download text/markdown.
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_GET
def adr_zip(request: HttpRequest) -> HttpResponse:
    archive = adr.to_zip(**_decision_record(request))
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="integration-decision.zip"'
    return response


@require_GET
def recommendation_json(request: HttpRequest) -> HttpResponse:
    answers, record = parse_answers(request.GET), parse_record(request.GET)
    text = adr.to_json(recommend(answers), permalink=_permalink(answers, record), record=record)
    return HttpResponse(text, content_type="application/json; charset=utf-8")


@require_GET
def scenarios(request: HttpRequest) -> HttpResponse:
    library = [
        (scenario, recommend(parse_permalink(scenario.to_query())), scenario.to_query())
        for scenario in SCENARIOS
    ]
    return render(request, "advisor/scenarios.html", {"library": library, "scenarios": SCENARIOS})


def _side(raw: str) -> tuple[str, Recommendation]:
    scenario = SCENARIO_BY_ID.get(raw.strip())
    answers = parse_permalink(scenario.to_query() if scenario else raw)
    return (scenario.title if scenario else "", recommend(answers))


def _sides(query: QueryDict) -> tuple[tuple[str, Recommendation] | None, ...]:
    """Design A from `a`; design B from `b`, or from the answers of the variant form."""
    raw_a, raw_b = query.get("a", "").strip(), query.get("b", "").strip()
    first = _side(raw_a) if raw_a else None
    if query.get("variant"):
        return first, ("Your variant", recommend(parse_answers(query)))
    return first, (_side(raw_b) if raw_b else None)


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    raw_a, raw_b = request.GET.get("a", ""), request.GET.get("b", "")
    context: dict[str, Any] = {"raw_a": raw_a, "raw_b": raw_b, "scenarios": SCENARIOS}
    sides = _sides(request.GET)
    if sides[0] is not None:
        (title_a, first), second_side = sides[0], sides[1]
        variant = second_side[1].answers if second_side else first.answers
        context |= {"first": first, "title_a": title_a or "Design A"}
        context |= {"fieldsets": fieldsets(variant), "url_a": _page(first)}
    if sides[0] is not None and sides[1] is not None:
        (title_b, second) = sides[1]
        context |= {
            "title_b": title_b or "Design B",
            "second": second,
            "rows": list(zip(first.decisions, second.decisions, strict=True)),
            "differences": differences(first.answers, second.answers),
            "url_b": _page(second),
        }
    return render(request, "advisor/compare.html", context)


def _page(recommendation: Recommendation) -> str:
    return _with_query("advisor:wizard", recommendation.answers.to_query())
