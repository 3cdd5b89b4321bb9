"""gcplint: a production-readiness linter for Google Cloud projects."""

__version__ = "0.1.0"
HOMEPAGE = "https://github.com/gcplint/gcplint"
