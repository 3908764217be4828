"""Bulk API 2.0's paths, as Salesforce names them, under /services/data/vNN.N/jobs/."""

from __future__ import annotations

from django.urls import re_path

from org.bulk import views

_JOBS = r"^services/data/v(?P<version>\d{1,3}\.\d)/jobs"
_JOB = r"/(?P<job_id>[A-Za-z0-9]{15,18})"

urlpatterns = [
    re_path(_JOBS + r"/ingest/?$", views.ingest_jobs, name="bulk_ingest_jobs"),
    re_path(_JOBS + r"/ingest" + _JOB + r"/?$", views.ingest_job, name="bulk_ingest_job"),
    re_path(_JOBS + r"/ingest" + _JOB + r"/batches/?$", views.ingest_batches, name="bulk_batches"),
    re_path(
        _JOBS
        + r"/ingest"
        + _JOB
        + r"/(?P<which>successfulResults|failedResults|unprocessedrecords)/?$",
        views.ingest_results,
        name="bulk_ingest_results",
    ),
    re_path(_JOBS + r"/query/?$", views.query_jobs, name="bulk_query_jobs"),
    re_path(_JOBS + r"/query" + _JOB + r"/?$", views.query_job, name="bulk_query_job"),
    re_path(
        _JOBS + r"/query" + _JOB + r"/results/?$", views.query_results, name="bulk_query_results"
    ),
]
