"""Step builders the flows share: authorize, token, resource and device."""
