"""gcplint: a production-readiness linter for Google Cloud projects."""

__version__ = "0.1.0"
