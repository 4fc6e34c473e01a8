"""pytest plugin (loaded with `-p` in pyproject) that sets the test environment before
pytest-django imports the settings.

Tests run with DEBUG off, as in production, and a throwaway key; DATABASE_URL and REDIS_URL
pass through, so `.ci/run` points the same suite at PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-never-used-outside-the-test-suite")
os.environ.setdefault("DEBUG", "0")
# Never read the developer's `.env` (written by `make run`: DEBUG and demo flags on).
os.environ["TELEPT_ENV_FILE"] = ""
