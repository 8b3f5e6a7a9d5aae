"""Access rules sit below everything that uses them: the capabilities import nothing from the web layer, and
the analytics import nothing from Django at all."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "neighbourhood"


def imported_modules(folder: Path) -> dict[str, set[str]]:
    found = {}
    for path in folder.rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names |= {f"{node.module}.{alias.name}" for alias in node.names}
        found[str(path.relative_to(PACKAGE))] = names
    return found


@pytest.mark.parametrize("capability", ["governance", "register", "casefinding", "risk", "synth"])
def test_capabilities_do_not_import_the_web_layer(capability):
    offenders = {
        path: sorted(n for n in names if n.startswith("neighbourhood.web"))
        for path, names in imported_modules(PACKAGE / capability).items()
    }
    assert {path: names for path, names in offenders.items() if names} == {}


@pytest.mark.parametrize("analytics", ["risk", "synth"])
def test_analytics_do_not_import_django(analytics):
    offenders = {
        path: sorted(n for n in names if n.split(".")[0] == "django")
        for path, names in imported_modules(PACKAGE / analytics).items()
        if "management" not in path and path.rsplit("/", 1)[-1] != "apps.py"  # Django's own glue
    }
    assert {path: names for path, names in offenders.items() if names} == {}
