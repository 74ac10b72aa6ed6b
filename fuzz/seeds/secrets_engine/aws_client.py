"""Uploads invoices to S3. FAKE credentials for the stagegate demo: they never worked."""

import boto3

# Hard-coded "temporarily" in 2023 and forgotten: stagegate flags both halves of the pair.
AWS_ACCESS_KEY_ID = "AKIAHUGO274PAFHSG4A7"
AWS_SECRET_ACCESS_KEY = "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"


def client():
    return boto3.client(
        "s3",
        aws_access_key_id=AWS_ACCESS_KEY_ID,
        aws_secret_access_key=AWS_SECRET_ACCESS_KEY,
    )
