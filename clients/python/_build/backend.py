"""In-tree PEP 517 build backend for dita_v2_client: the standard library only, so
``pip install clients/python`` works offline with nothing to fetch (no setuptools, no wheel).

It builds a pure-Python wheel (py3-none-any) holding the ``dita_v2_client`` package, an sdist of
the source tree, and editable installs (a .pth file pointing at this directory). Name, version,
summary and the Python requirement are read from pyproject.toml's [project] table.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "dita_v2_client"


def _project() -> dict[str, str]:
    text = open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8").read()
    table = text.split("[project]", 1)[1].split("\n[", 1)[0]
    out = {}
    for key in ("name", "version", "description", "requires-python"):
        m = re.search(rf'^{key}\s*=\s*"([^"]*)"', table, re.M)
        if m is None:
            raise RuntimeError(f"pyproject.toml [project] has no {key}")
        out[key] = m.group(1)
    return out


def _metadata(p: dict[str, str]) -> str:
    return (f"Metadata-Version: 2.1\nName: {p['name']}\nVersion: {p['version']}\nSummary: {p['description']}\n"
            f"Requires-Python: {p['requires-python']}\n")


def _dist_info(p: dict[str, str]) -> str:
    return f"{p['name']}-{p['version']}.dist-info"


def _wheel(directory: str, files: dict[str, bytes]) -> str:
    p = _project()
    info = _dist_info(p)
    files = dict(files)
    files[f"{info}/METADATA"] = _metadata(p).encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: dita-v2-client-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    name = f"{p['name']}-{p['version']}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            z.writestr(path, data)
    return name


def _package_files() -> dict[str, bytes]:
    out = {}
    src = os.path.join(ROOT, PACKAGE)
    for entry in sorted(os.listdir(src)):
        if entry.endswith(".py") or entry == "py.typed":
            with open(os.path.join(src, entry), "rb") as f:
                out[f"{PACKAGE}/{entry}"] = f.read()
    return out


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, _package_files())


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {f"{PACKAGE}.pth": (ROOT + "\n").encode()})


def build_sdist(sdist_directory, config_settings=None):
    p = _project()
    base = f"{p['name']}-{p['version']}"
    name = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as tar:
        for rel in ["pyproject.toml", "README.md", "_build/backend.py", *_package_files()]:
            tar.add(os.path.join(ROOT, rel), arcname=f"{base}/{rel}")
        data = _metadata(p).encode()
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return name
