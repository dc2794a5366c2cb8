"""What every EdgeAgent exporter does the same way: the identity and output-path rules, the creation stamp,
and writing the finished graph (fixed output shapes, identity, edgeagent.* metadata, checked, saved).

The kinds differ in their modules, parameters and checks; these steps must not, or one kind's models would
be named, stamped or validated differently from another's.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from typing import Callable, Mapping, Sequence

import onnx

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
VERSION_RE = re.compile(r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")


def check_identity(name: str, version: str, out: str, error: Callable[[str], Exception]) -> None:
    """Raises error(message) unless the name, the semantic version and the .onnx output path are acceptable."""
    if not NAME_RE.match(name):
        raise error(f"--name must match {NAME_RE.pattern}; got {name!r}")
    if not VERSION_RE.match(version):
        raise error(f"--version must be a semantic version like 1.0.0; got {version!r}")
    if not out.endswith(".onnx"):
        raise error(f"--out must end in .onnx; got {out!r}")
    out_dir = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(out_dir):
        raise error(f"--out directory does not exist: {out_dir}")


def sha256_file(path: str) -> str:
    """Hex SHA-256 of a file, read in 1 MiB pieces."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fmt(x: float) -> str:
    """Shortest decimal that round-trips, as the metadata writes numbers (1.0 -> '1', 0.25 -> '0.25')."""
    r = repr(float(x))
    return r.rstrip("0").rstrip(".") if "e" not in r and "." in r else r


def created_utc() -> str:
    """The export time; SOURCE_DATE_EPOCH (reproducible-builds convention) pins the stamp, and so the file's bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def finish(model: onnx.ModelProto, out: str, exporter: str, contract: str, name: str, version: str,
           metadata: Mapping[str, str], output_dims: Mapping[str, Sequence[int]], ir_version: int | None = None) -> None:
    """Fixes the outputs' non-batch dims (torch leaves them symbolic), stamps identity and metadata, checks, saves."""
    if ir_version is not None:
        model.ir_version = ir_version
    for output in model.graph.output:
        dims = output.type.tensor_type.shape.dim
        for d, v in zip(dims[1:], output_dims[output.name]):
            d.Clear()
            d.dim_value = v
    model.producer_name = f"edgeagent-{exporter}"
    model.doc_string = f"EdgeAgent {contract}: {name} {version}"
    del model.metadata_props[:]
    for k, v in metadata.items():
        model.metadata_props.add(key=k, value=v)
    onnx.checker.check_model(model)
    onnx.save(model, out)
