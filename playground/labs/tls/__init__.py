"""The handshake lab: one-way and mutual TLS performed in memory, recorded message by message."""
