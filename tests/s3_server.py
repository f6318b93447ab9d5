"""A real S3 protocol server for the sync tests: moto's ThreadedMotoServer on 127.0.0.1, and
the environment that points PrepPath and boto3 at it (credentials from the standard AWS
variables, never from PrepPath's settings)."""

from __future__ import annotations

import json
import logging
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class S3:
    endpoint: str

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def require_signed_requests(self, on: bool) -> None:
        """Make moto check credentials (off by default: it accepts any signature)."""
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/reset-auth",
            data=b"0" if on else b"inf",
            method="POST",
            headers={"Content-Type": "text/plain"},  # a form body would hide the number
        )
        with urllib.request.urlopen(request) as reply:
            json.load(reply)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # its per-request log is noise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield S3(f"http://{host}:{port}")
    server.stop()


AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def sync_env(endpoint: str, bucket: str) -> dict[str, str]:
    return {
        **AWS_ENV,
        "PREPPATH_S3_BUCKET": bucket,
        "PREPPATH_S3_ENDPOINT_URL": endpoint,
        "PREPPATH_S3_REGION": "us-east-1",
    }


@pytest.fixture
def bucket(s3_server: S3, home: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new, empty bucket, and this test's environment pointed at it."""
    name = f"preppath-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=name)
    for key, value in sync_env(s3_server.endpoint, name).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return name
