"""The REST API's paths, as Salesforce names them, under /services/data/."""

from __future__ import annotations

from django.urls import path, re_path

from org.rest import views

_VERSION = r"^services/data/v(?P<version>\d{1,3}\.\d)"
_OBJECT = r"/sobjects/(?P<name>\w{1,80})"

urlpatterns = [
    path("services/data/", views.api_versions, name="api_versions"),
    re_path(_VERSION + r"/?$", views.api_resources, name="api_resources"),
    re_path(_VERSION + r"/sobjects/?$", views.describe_global, name="describe_global"),
    re_path(_VERSION + _OBJECT + r"/?$", views.sobject, name="sobject"),
    re_path(_VERSION + _OBJECT + r"/describe/?$", views.sobject_describe, name="sobject_describe"),
    re_path(
        _VERSION + _OBJECT + r"/(?P<kind>updated|deleted)/?$",
        views.sobject_changes,
        name="sobject_changes",
    ),
    re_path(
        _VERSION + _OBJECT + r"/(?P<record_id>[^/]{1,255})/?$",
        views.sobject_record,
        name="sobject_record",
    ),
    re_path(_VERSION + r"/query/?$", views.run_query, name="query"),
    re_path(_VERSION + r"/queryAll/?$", views.run_query_all, name="query_all"),
    re_path(
        _VERSION + r"/query(?:All)?/(?P<locator>[^/]{1,40})/?$", views.query_more, name="query_more"
    ),
    re_path(
        _VERSION + r"/composite/sobjects/?$", views.sobject_collections, name="sobject_collections"
    ),
    re_path(
        _VERSION + r"/composite/sobjects/(?P<name>\w{1,80})/?$",
        views.sobject_collection_records,
        name="sobject_collection_records",
    ),
    re_path(_VERSION + r"/limits/?$", views.api_limits, name="limits"),
    re_path(r"^services/data/(?P<rest>.*)$", views.unknown_resource, name="unknown_resource"),
]
