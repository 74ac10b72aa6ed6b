"""Settings read from the environment: nothing secret is committed."""

import os

DATABASE_URL = os.environ["DATABASE_URL"]
STRIPE_KEY = os.getenv("STRIPE_KEY", "")
SLACK_WEBHOOK_URL = os.getenv("SLACK_WEBHOOK_URL")
# Documentation placeholders are not secrets:
EXAMPLE_DSN = "postgres://app:${DB_PASSWORD}@db:5432/app"
password = "<your password>"
api_key = "your_api_key_here"
