"""The advisor's rules as data: a vocabulary, one table per decision, and alerts."""
