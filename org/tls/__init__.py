"""TLS for the org: its certificate authority, the listener `serve_tls` runs, and the client
certificate a request arrived with (RFC 8705)."""
