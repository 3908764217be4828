from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from config.http import allow_form_posts
from org import connected_apps
from org.tls import authority
from org.tls.setup import ClientCertificateForm, tls_setup
from org.visitors import visitor_id


@require_GET
def ca_certificate(request: HttpRequest) -> HttpResponse:
    # Public, as a CA certificate is: clients need it before they can trust the TLS port.
    # A PEM is text: shown as such in a browser, saved under its name by the page's link.
    return HttpResponse(authority.authority_pem(), content_type="text/plain; charset=utf-8")


@require_http_methods(["GET", "POST"])
def setup_tls(request: HttpRequest) -> HttpResponse:
    owner = visitor_id(request.session)
    form = ClientCertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            connected_apps.update_connected_app(
                data["client_id"], owner=owner, client_certificate=data["client_certificate"]
            )
        except connected_apps.ConnectedAppError as error:
            form.add_error("client_certificate", str(error))
        else:
            messages.success(request, "Saved the app's client certificate.")
            return redirect("org:setup_tls")
    context = {"tls": tls_setup(owner), "form": form}
    response = render(request, "org/setup_tls.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return allow_form_posts(response)
