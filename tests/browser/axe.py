"""Accessibility checks with axe-core (shipped in axe-playwright-python)."""

from axe_playwright_python.sync_playwright import Axe

FAILING_IMPACTS = {"serious", "critical"}
_axe = Axe()


def assert_accessible(page) -> None:
    """Fail listing every serious or critical axe violation on the page as it is now."""
    violations = _axe.run(page).response["violations"]
    failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {', '.join(str(n['target']) for n in v['nodes'])}"
        for v in failing
    )
    assert not failing, f"Accessibility violations on {page.url}:\n{report}"
