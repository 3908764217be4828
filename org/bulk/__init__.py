"""Bulk API 2.0: ingest and query jobs over the REST API's record store, processed in the
background (views → jobs; worker → processing → org.rest.writes)."""
