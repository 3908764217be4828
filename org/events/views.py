from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from config.http import allow_form_posts
from org.events import changes, definitions
from org.events.setup import (
    ChangeCaptureForm,
    DefineEventForm,
    RetentionForm,
    change_rows,
    channel_rows,
    known_channel,
    set_retention,
)
from org.seed import current_org
from org.visitors import visitor_id


@require_http_methods(["GET", "POST"])
def setup_events(request: HttpRequest) -> HttpResponse:
    org, space = current_org(), visitor_id(request.session)
    form = DefineEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            definitions.define(org, space, data["api_name"], data["label"], data["custom_fields"])
        except definitions.DefinitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Defined {data['api_name']}.")
            return redirect("org:setup_events")
    context = {
        "rows": channel_rows(org, space),
        "change_rows": change_rows(org, space),
        "capture_form": ChangeCaptureForm(
            initial={"objects": sorted(changes.selected(org, space))}
        ),
        "form": form,
        "retention_form": RetentionForm(),
    }
    response = render(request, "org/setup_events.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return allow_form_posts(response)


@require_http_methods(["POST"])
def setup_event_retention(request: HttpRequest) -> HttpResponse:
    org, space = current_org(), visitor_id(request.session)
    form = RetentionForm(request.POST)
    if not form.is_valid() or not known_channel(org, space, form.cleaned_data["channel"]):
        messages.error(
            request, "Choose a listed channel and a whole number of minutes from 1 to 4320."
        )
        return allow_form_posts(redirect("org:setup_events"))
    channel, minutes = form.cleaned_data["channel"], form.cleaned_data["minutes"]
    set_retention(org, space, channel, minutes)
    kept = "72 hours" if minutes is None else f"{minutes} minutes"
    messages.success(request, f"{channel} now keeps its events for {kept}.")
    return allow_form_posts(redirect("org:setup_events"))


@require_http_methods(["POST"])
def setup_change_capture(request: HttpRequest) -> HttpResponse:
    org, space = current_org(), visitor_id(request.session)
    form = ChangeCaptureForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose objects from the list.")
        return allow_form_posts(redirect("org:setup_events"))
    chosen = set(form.cleaned_data["objects"])
    changes.select(org, space, chosen)
    captured = ", ".join(sorted(chosen)) or "no object"
    messages.success(request, f"Change Data Capture now captures {captured} in your data.")
    return allow_form_posts(redirect("org:setup_events"))
