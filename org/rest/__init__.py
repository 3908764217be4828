"""The org's REST API (`/services/data/`): Salesforce's resources over one record store."""
