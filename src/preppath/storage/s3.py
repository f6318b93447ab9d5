"""PrepPath's objects in an S3 bucket (or any S3-compatible store), through boto3.

Layout under `s3_prefix/profiles/<profile>/`: `manifest.json` (every synced record and
tombstone, replaced only by a conditional write), `blobs/<sha256>` (recordings, immutable and
named by their content) and `shares/<interview global id>/` (what `interview share` uploaded).
Every object is written with server-side encryption (AES256). Failures become one-line
`PrepPathError`s that name the bucket or endpoint, never a credential or a signed URL.

boto3 is imported inside `connect` (it costs ~100 ms); only sync and share commands pay it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from preppath.errors import ExitCode, PrepPathError
from preppath.storage.base import check_key

SSE = "AES256"
MAX_PRESIGN_S = 7 * 24 * 3600  # SigV4 presigned URLs cannot live longer
_CHUNK = 1 << 20
_REFUSED = frozenset(
    {
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AccessDenied",
        "ExpiredToken",
        "InvalidToken",
        "InvalidClientTokenId",
        "403",
    }
)


class ManifestConflict(Exception):
    """The manifest changed since it was read: a conditional write was refused (HTTP 412)."""


class CorruptObject(PrepPathError):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"the object {key} in the bucket does not match its checksum; nothing here was "
            "changed (push again from a machine that has it, or delete the object)",
            ExitCode.DATA,
        )


@dataclass
class Bucket:
    client: Any
    name: str
    root: str
    """The profile's key prefix, ending in '/'."""
    where: str
    """How errors name the store: the bucket, and the endpoint when it is not AWS."""

    def key(self, *parts: str) -> str:
        return self.root + "/".join(parts)

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """Turn boto3's failures into one line each, with a documented exit code."""
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            EndpointConnectionError,
            NoCredentialsError,
            PartialCredentialsError,
        )

        try:
            yield
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            # S3 answers 409 ConditionalRequestConflict to a conditional write racing another.
            if code in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                raise ManifestConflict from None
            if code in ("NoSuchBucket",):
                raise PrepPathError(
                    f"the bucket {self.where} does not exist; create it or set s3_bucket",
                    ExitCode.UNAVAILABLE,
                ) from None
            if code in _REFUSED:
                raise PrepPathError(
                    f"S3 refused the credentials for {self.where} ({code}); check the AWS "
                    "credentials (environment, ~/.aws or the instance role)",
                    ExitCode.UNAVAILABLE,
                ) from None
            raise PrepPathError(
                f"S3 error from {self.where}: {code or 'unknown'}", ExitCode.UNAVAILABLE
            ) from None
        except (NoCredentialsError, PartialCredentialsError):
            raise PrepPathError(
                "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                "AWS_PROFILE, or ~/.aws/credentials",
                ExitCode.UNAVAILABLE,
            ) from None
        except EndpointConnectionError:
            raise PrepPathError(
                f"cannot reach S3 at {self.where}: no network, or nothing listening there",
                ExitCode.UNAVAILABLE,
            ) from None
        except BotoCoreError as exc:
            raise PrepPathError(
                f"S3 at {self.where} failed: {type(exc).__name__}", ExitCode.UNAVAILABLE
            ) from None

    # --- the manifest ------------------------------------------------------------------

    def get_manifest(self, if_none_match: str | None) -> tuple[bytes | None, str | None]:
        """(body, etag); (None, None) when there is none; (None, etag) when it is unchanged
        since `if_none_match` (HTTP 304: nothing transferred)."""
        from botocore.exceptions import ClientError

        args: dict[str, Any] = {"Bucket": self.name, "Key": self.key("manifest.json")}
        if if_none_match:
            args["IfNoneMatch"] = if_none_match
        try:
            with self.errors():
                try:
                    reply = self.client.get_object(**args)
                except ClientError as exc:
                    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                    code = str(exc.response.get("Error", {}).get("Code", ""))
                    if status == 304 or code == "304":
                        return None, if_none_match
                    if code in ("NoSuchKey", "404"):
                        return None, None
                    raise
                return reply["Body"].read(), str(reply["ETag"])
        except ManifestConflict:  # a 412 on a read: treat as changed, read it whole
            return self.get_manifest(None)

    def put_manifest(self, body: bytes, if_match: str | None) -> str:
        """Replace the manifest only if it is still the one read (`if_match`), or create it
        only if there is none; ManifestConflict when another machine wrote first."""
        condition = {"IfMatch": if_match} if if_match else {"IfNoneMatch": "*"}
        with self.errors():
            reply = self.client.put_object(
                Bucket=self.name,
                Key=self.key("manifest.json"),
                Body=body,
                ContentType="application/json",
                ServerSideEncryption=SSE,
                **condition,
            )
        return str(reply["ETag"])

    # --- objects -----------------------------------------------------------------------

    def list_sizes(self, *parts: str) -> dict[str, int]:
        """Every key under a sub-prefix, with its size (listing pages carry no content)."""
        prefix = self.key(*parts)
        sizes: dict[str, int] = {}
        with self.errors():
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.name, Prefix=prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    sizes[str(item["Key"])] = int(item["Size"])
        return sizes

    def upload(self, source: Path, key: str, content_type: str) -> int:
        """Put a file; returns the bytes sent."""
        size = source.stat().st_size
        with self.errors(), source.open("rb") as body:
            self.client.put_object(
                Bucket=self.name,
                Key=key,
                Body=body,
                ContentType=content_type,
                ServerSideEncryption=SSE,
            )
        return size

    def upload_bytes(self, data: bytes, key: str, content_type: str) -> int:
        with self.errors():
            self.client.put_object(
                Bucket=self.name,
                Key=key,
                Body=data,
                ContentType=content_type,
                ServerSideEncryption=SSE,
            )
        return len(data)

    def download_blob(self, sha256: str, out: BinaryIO, on_bytes: Callable[[int], None]) -> int:
        """Write blob `sha256` to `out`, verified: CorruptObject if its bytes hash otherwise."""
        key = self.key("blobs", sha256)
        digest = hashlib.sha256()
        size = 0
        with self.errors():
            body = self.client.get_object(Bucket=self.name, Key=key)["Body"]
            for chunk in iter(lambda: body.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
                on_bytes(len(chunk))
        if digest.hexdigest() != sha256:
            raise CorruptObject(key)
        return size

    def delete(self, keys: list[str]) -> None:
        with self.errors():
            for start in range(0, len(keys), 1000):  # DeleteObjects takes 1000 at most
                batch = [{"Key": k} for k in keys[start : start + 1000]]
                self.client.delete_objects(
                    Bucket=self.name, Delete={"Objects": batch, "Quiet": True}
                )

    def presign(self, key: str, expires_s: int) -> str:
        if not 0 < expires_s <= MAX_PRESIGN_S:
            raise ValueError("a presigned URL lives between 1 second and 7 days")
        with self.errors():
            return str(
                self.client.generate_presigned_url(
                    "get_object", Params={"Bucket": self.name, "Key": key}, ExpiresIn=expires_s
                )
            )


class S3RecordingStore:
    """Recordings as content-addressed blobs: the key is `blobs/<sha256>` (RecordingStore)."""

    def __init__(self, bucket: Bucket) -> None:
        self.bucket = bucket

    def put(self, source: Path, key: str) -> None:
        self.bucket.upload(source, self.bucket.key(*check_key(key).parts), "audio/octet-stream")

    def open(self, key: str) -> BinaryIO:
        import io

        parts = check_key(key).parts
        out = io.BytesIO()
        self.bucket.download_blob(parts[-1], out, lambda _n: None)
        out.seek(0)
        return out

    def delete(self, key: str) -> bool:
        self.bucket.delete([self.bucket.key(*check_key(key).parts)])
        return True

    def share_url(self, key: str, expires_s: int) -> str:
        return self.bucket.presign(self.bucket.key(*check_key(key).parts), expires_s)


def connect(
    *, bucket: str, prefix: str, endpoint_url: str, region: str, profile: str, transfers: int
) -> Bucket:
    """A client for the bucket, credentials from the standard AWS chain. Retries are few and
    connections time out quickly, so an unreachable endpoint fails in seconds, not minutes."""
    if not bucket:
        raise PrepPathError(
            "no bucket is set: preppath config set s3_bucket NAME (and s3_endpoint_url for "
            "an S3-compatible server)",
            ExitCode.USAGE,
        )
    try:
        import boto3  # noqa: F401  (an optional extra: say so rather than fail on import)
    except ImportError:
        raise PrepPathError(
            "sync and share need boto3: pip install 'preppath[s3]'", ExitCode.UNAVAILABLE
        ) from None
    client = _client(endpoint_url, region, transfers, _chain_identity())
    root = "/".join(p for p in (prefix.strip("/"), "profiles", profile) if p) + "/"
    where = f"s3://{bucket}" + (f" at {endpoint_url}" if endpoint_url else "")
    return Bucket(client, bucket, root, where)


def _chain_identity() -> tuple[str, ...]:
    """What picks the credentials from the AWS chain, so a changed choice gets a new client.
    Only names and key IDs: the secret never becomes part of a cache key."""
    import os

    names = ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE")
    return tuple(os.environ.get(n, "") for n in names)


@functools.lru_cache(maxsize=4)
def _client(endpoint_url: str, region: str, transfers: int, _identity: tuple[str, ...]) -> Any:
    """One client per process and configuration: building one loads botocore's service model
    (~100 ms), more than an unchanged sync costs. Clients are safe to share between threads."""
    import logging

    import boto3
    from botocore.config import Config

    # Their records carry request headers and presigned URLs: never let Python's last-resort
    # handler print them, whoever configures logging later.
    for name in ("boto3", "botocore", "s3transfer", "urllib3"):
        quiet = logging.getLogger(name)
        quiet.addHandler(logging.NullHandler())
        quiet.propagate = False
    config = Config(
        retries={"max_attempts": 2, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
        max_pool_connections=max(10, transfers * 2),
        signature_version="s3v4",
    )
    session = boto3.session.Session(region_name=region or None)
    return session.client("s3", endpoint_url=endpoint_url or None, config=config)
