"""The org's event bus: platform event definitions, the event log channels read by replay id."""
