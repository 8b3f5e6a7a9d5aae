"""Unit costs the generator puts on hospital and social care activity.

The defaults are dated, illustrative figures shaped like recent English reference costs and council
social care rates (around 2023/24 prices); they are not a tariff anyone is paid by. Override any of
them with `--tariff FILE` (JSON or TOML with the same keys) to see how costs move.
"""

import json
import math
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path


class TariffError(ValueError):
    """A tariff file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Tariff:
    ae_attendance: float = 250.0
    emergency_admission_base: float = 1_900.0
    emergency_bed_day: float = 450.0
    elective_admission: float = 3_500.0
    # Weekly social care costs, before each person's own variation.
    home_care_weekly: float = 420.0
    day_care_weekly: float = 160.0
    residential_care_weekly: float = 900.0
    nursing_care_weekly: float = 1_150.0
    reablement_weekly: float = 380.0
    telecare_weekly: float = 6.0
    equipment_weekly: float = 12.0

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def load_tariff(path: Path) -> Tariff:
    """Read a JSON (`.json`) or TOML (anything else) file of overrides on the default tariff."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TariffError(f"Tariff file {path}: cannot read it ({error.strerror})") from error
    try:
        overrides = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise TariffError(
            f"Tariff file {path}: not valid {path.suffix.lstrip('.') or 'TOML'}: {error}"
        ) from error
    if not isinstance(overrides, dict):
        raise TariffError(
            f"Tariff file {path}: expected a table of key = cost, found {type(overrides).__name__}"
        )
    return tariff_with(overrides, source=str(path))


def tariff_with(overrides: dict, source: str = "tariff") -> Tariff:
    known = {f.name for f in fields(Tariff)}
    values: dict[str, float] = {}
    for key, value in overrides.items():
        if key not in known:
            raise TariffError(f"{source}: unknown key {key!r}; known keys: {', '.join(sorted(known))}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise TariffError(f"{source}: {key!r} must be a number of pounds, not {value!r}")
        if value < 0:
            raise TariffError(f"{source}: {key!r} must not be negative, got {value!r}")
        values[key] = float(value)
    return replace(Tariff(), **values)
