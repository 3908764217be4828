"""Bulk API 2.0 jobs and their results, in the database: any server process can take a job's
next slice, and a job survives the process that started it (org.models imports these)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from org.models import Org, OrgUser


class BulkJob(models.Model):
    """One ingest or query job, from creation to its final state."""

    job_id = models.CharField(max_length=18, unique=True)
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    space = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(OrgUser, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=6)  # "ingest" or "query"
    operation = models.CharField(max_length=12)
    sobject = models.CharField(max_length=40)
    external_id_field = models.CharField(max_length=80, blank=True)
    line_ending = models.CharField(max_length=4, default="LF")
    column_delimiter = models.CharField(max_length=10, default="COMMA")
    api_version = models.CharField(max_length=5)
    state = models.CharField(max_length=16, db_index=True)
    error_message = models.TextField(blank=True)
    # Ingest: the uploaded CSV; query: the SOQL text.
    content = models.TextField(blank=True)
    # Query results' header line, written once the query has run.
    result_header = models.TextField(blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    records_processed = models.PositiveIntegerField(default=0)
    records_failed = models.PositiveIntegerField(default=0)
    processing_ms = models.PositiveIntegerField(default=0)
    # Whoever holds an unexpired lease is processing the job's next slice; an expired lease
    # (its process died) lets another take over from rows_done.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_holder = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"bulk {self.kind} job {self.job_id} ({self.state})"


class BulkChunk(models.Model):
    """The results of one chunk of a job: CSV lines, without their header."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    first_row = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()
    # Ingest: the chunk's lines of the successful and failed results files.
    successful = models.TextField(blank=True)
    failed = models.TextField(blank=True)
    # Query: one CSV line per record, so a page can start at any record.
    lines = models.JSONField(default=list)

    class Meta:
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="one_bulk_chunk_per_index")
        ]

    def __str__(self) -> str:
        return f"chunk {self.index} of {self.job_id}"
