"""The SNOMED CT codes the generator records, all taken from the project's codelists."""

from functools import cache

from neighbourhood.terminology import load_codelist

from .conditions import CONDITIONS

SYSTOLIC_BP = "271649006"
HBA1C = "999791000000106"  # mmol/mol
COPD_EXACERBATION = "195951007"
HOUSEBOUND = "160689007"
LIVES_ALONE = "105529008"
SOCIAL_ISOLATION = "422650009"

# Rows in the eFI mapping that are artefacts of the Read-to-SNOMED maps ("Old-age" under Falls).
EFI_MAPPING_ARTEFACTS = frozenset({"49808004", "501661000000103"})
FALL_TERMS = ("fall (event)", "falls (finding)", "accidental fall", "elderly fall", "recurrent falls")

# eFI deficits the generator records with their own codes. The others come from long-term condition
# codes (hypertension, diabetes, ...), falls, housebound and lives alone, which are eFI codes themselves.
EXTRA_DEFICITS: tuple[tuple[str, float], ...] = (
    ("Visual impairment", 3.0),
    ("Hearing impairment", 3.0),
    ("Urinary incontinence", 2.0),
    ("Mobility and transfer problems", 2.0),
    ("Dizziness", 1.5),
    ("Sleep disturbance", 1.5),
    ("Thyroid disease", 1.5),
    ("Anaemia & haematinic deficiency", 1.5),
    ("Dyspnoea", 1.2),
    ("Foot problems", 1.0),
    ("Urinary system disease", 1.0),
    ("Peptic ulcer", 1.0),
    ("Fragility fracture", 1.0),
    ("Memory & cognitive problems", 1.0),
    ("Activity limitation", 0.8),
    ("Hypotension / syncope", 0.8),
    ("Skin ulcer", 0.8),
    ("Weight loss & anorexia", 0.6),
    ("Requirement for care", 0.6),
    ("Peripheral vascular disease", 0.6),
    ("Heart valve disease", 0.5),
)


@cache
def single_deficit_codes() -> dict[str, tuple[str, ...]]:
    """eFI deficit -> its codes that belong to that deficit alone (so each event counts once)."""
    efi = load_codelist("efi_deficits")
    groups = efi.group_of()
    by_deficit: dict[str, list[str]] = {}
    for row in efi.rows:
        if len(set(groups[row.code])) == 1 and row.code not in EFI_MAPPING_ARTEFACTS:
            by_deficit.setdefault(row.group, [])
            if row.code not in by_deficit[row.group]:
                by_deficit[row.group].append(row.code)
    return {deficit: tuple(codes) for deficit, codes in by_deficit.items()}


@cache
def extra_deficit_codes() -> tuple[tuple[str, ...], ...]:
    """Per deficit in EXTRA_DEFICITS, codes to record it with: never a long-term condition's own code
    (nor a dementia under memory problems), so a deficit never implies a condition the person lacks."""
    terms = load_codelist("efi_deficits").term_of()
    ltc_codes = load_codelist("long_term_conditions").codes
    chosen = []
    for deficit, _ in EXTRA_DEFICITS:
        codes = tuple(
            code
            for code in single_deficit_codes()[deficit]
            if code not in ltc_codes and not any(w in terms[code].lower() for w in ("dementia", "alzheimer"))
        )
        chosen.append(codes)
    return tuple(chosen)


@cache
def falls_codes() -> tuple[str, ...]:
    """Codes that record one fall: Falls-deficit codes for the fall itself, not referrals or alarms."""
    terms = load_codelist("efi_deficits").term_of()
    return tuple(
        code
        for code in single_deficit_codes()["Falls"]
        if any(t in terms[code].lower() for t in FALL_TERMS)
        and not any(word in terms[code].lower() for word in ("referral", "related"))
    )


@cache
def carer_codes() -> tuple[str, ...]:
    return tuple(sorted(load_codelist("proactive_care").codes_for("is_a_carer")))


@cache
def condition_codes() -> tuple[tuple[str, ...], ...]:
    """Per condition in CONDITIONS, its codes in codelist order."""
    ltc = load_codelist("long_term_conditions")
    codes = []
    for spec in CONDITIONS:
        group = [row.code for row in ltc.rows if row.group == spec.group]
        if len(group) != len(spec.code_weights):
            raise ValueError(
                f"long_term_conditions codelist has {len(group)} codes for {spec.group!r}; "
                f"the generator expects {len(spec.code_weights)}"
            )
        codes.append(tuple(group))
    return tuple(codes)
