"""Stored runs of flows (who owns them, which app, what each step recorded) and the external
servers a visitor points the playground at."""

from __future__ import annotations

import secrets

from django.db import models


def new_run_id() -> str:
    # 192 random bits: a run's URL is its only name, so it must not be guessable.
    return secrets.token_urlsafe(24)


class ExternalServer(models.Model):
    """An OpenID provider outside this site, as a visitor described it and discovery found it."""

    id = models.CharField(primary_key=True, max_length=64, default=new_run_id, editable=False)
    owner = models.CharField(max_length=64, db_index=True)  # the browser session's visitor id
    issuer = models.CharField(max_length=500)
    client_id = models.CharField(max_length=300)
    # A real credential: sealed with the org's vault, never shown again, never logged.
    sealed_secret = models.TextField(blank=True)
    scope = models.CharField(max_length=500, blank=True)
    client_auth = models.CharField(max_length=30, default="client_secret_basic")
    metadata = models.JSONField(default=dict)  # the endpoints and features discovery published
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.issuer} as {self.client_id}"


class FlowRun(models.Model):
    id = models.CharField(primary_key=True, max_length=64, default=new_run_id, editable=False)
    owner = models.CharField(max_length=64, db_index=True)  # the browser session's visitor id
    flow = models.CharField(max_length=40)
    base_url = models.CharField(max_length=300)  # the org this run talks to
    redirect_uri = models.CharField(max_length=500)
    client_id = models.CharField(max_length=100)
    # A practice credential of the simulated org, kept so back-channel steps can authenticate.
    client_secret = models.CharField(max_length=200, blank=True)
    oauth_state = models.CharField(max_length=100, blank=True, db_index=True)
    values = models.JSONField(default=dict)  # what earlier steps kept for later ones
    steps = models.JSONField(default=list)  # [{"step": slug, "result": StepResult as JSON}]
    # Break it: [{"step": slug, "fault": slug, "result": StepResult as JSON}], in order.
    faults = models.JSONField(default=list)
    # A read-only link for anyone, separate from the run's own id, made and revoked by the owner.
    share_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    server = models.ForeignKey(
        ExternalServer, null=True, blank=True, on_delete=models.CASCADE, related_name="runs"
    )
    version = models.PositiveIntegerField(default=0)  # bumped on every save of a step
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["owner", "flow", "-created"])]

    def __str__(self) -> str:
        return f"{self.flow} run {self.id[:8]}…"


class TlsLabRun(models.Model):
    """A visitor's handshake lab (/playground/tls/): every handshake performed for them."""

    id = models.CharField(primary_key=True, max_length=64, default=new_run_id, editable=False)
    owner = models.CharField(max_length=64, db_index=True)  # the browser session's visitor id
    # [Transcript as JSON], in the order the server performed them (playground/labs/tls).
    handshakes = models.JSONField(default=list)
    # The practice app whose registered client certificate the lab's last step presents.
    client_id = models.CharField(max_length=100, blank=True)
    # [BoundTokenAttempt as JSON]: certificate-bound tokens from the org, used or stolen.
    token_attempts = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=0)  # bumped on every handshake stored
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"TLS lab run {self.id[:8]}…"


class EventLabRun(models.Model):
    """A visitor's event lab (/playground/events/): its practice app, the state of its two
    CometD subscribers and every action it performed, as the exchanges that went over the wire."""

    id = models.CharField(primary_key=True, max_length=64, default=new_run_id, editable=False)
    owner = models.CharField(max_length=64, db_index=True)  # the browser session's visitor id
    client_id = models.CharField(max_length=100)
    # A practice credential of the simulated org, kept so the lab can get its tokens.
    client_secret = models.CharField(max_length=200, blank=True)
    # What actions kept for later ones: the token, the record, each subscriber's clientId,
    # channel and last replay id (playground/labs/events/subscribers.py).
    values = models.JSONField(default=dict)
    # [{"step": slug, "fault": slug or "", "result": StepResult as JSON}], in order.
    actions = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=0)  # bumped on every action stored
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Event lab run {self.id[:8]}…"
