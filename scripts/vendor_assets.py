"""Refresh the vendored front-end assets from the npm registry.

Run `uv run python scripts/vendor_assets.py` after changing a version in package.json. The files are
committed so that a fresh clone needs nothing but Python: nothing is fetched at run time and no CDN is used.

NHS.UK frontend's CSS points at `/assets/images/...` and loads the Frutiger web font from assets.nhs.uk.
We rewrite image URLs to our static path and drop the @font-face rules (Frutiger is licensed to NHS.UK;
the stylesheet's own fallback, Arial, is used instead).
"""

import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "src" / "neighbourhood" / "web" / "static" / "vendor"
STATIC_URL_PREFIX = "/static/vendor/nhsuk-frontend/assets/"


def npm_pack(name: str, version: str, into: Path) -> Path:
    subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--silent"], cwd=into, check=True, capture_output=True
    )
    tarball = next(into.glob(f"{name.replace('.', '?')}-{version}.tgz"))
    out = into / name
    with tarfile.open(tarball) as tar:
        tar.extractall(out, filter="data")
    return out / "package"


def localise_css(css: str) -> str:
    css = re.sub(r"@font-face\{[^}]*\}", "", css)
    return css.replace("url(/assets/", f"url({STATIC_URL_PREFIX}")


def main() -> None:
    versions = json.loads((ROOT / "package.json").read_text())["dependencies"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        nhsuk = npm_pack("nhsuk-frontend", versions["nhsuk-frontend"], tmp_path) / "dist" / "nhsuk"
        target = VENDOR / "nhsuk-frontend"
        shutil.rmtree(target, ignore_errors=True)
        (target / "assets").mkdir(parents=True)
        css = (nhsuk / "nhsuk-frontend.min.css").read_text()
        (target / "nhsuk-frontend.min.css").write_text(localise_css(css))
        shutil.copy(nhsuk / "nhsuk-frontend.min.js", target / "nhsuk-frontend.min.js")
        shutil.copytree(nhsuk / "assets", target / "assets", dirs_exist_ok=True)
        (target / "VERSION").write_text(versions["nhsuk-frontend"] + "\n")

        htmx = npm_pack("htmx.org", versions["htmx.org"], tmp_path) / "dist"
        target = VENDOR / "htmx"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        shutil.copy(htmx / "htmx.min.js", target / "htmx.min.js")
        (target / "VERSION").write_text(versions["htmx.org"] + "\n")


if __name__ == "__main__":
    main()
