"""Statistical disclosure control: the one module that every aggregate shown to analysts or exported goes
through.

Counts below the threshold (default 10, the NHS England small-number convention for published figures) are
shown as "fewer than 10"; other counts are rounded to the nearest 5 so that suppressed cells cannot be
recovered by subtraction from totals.

A percentage is a count in disguise: share x whole gives the part back, and the whole minus that gives the
rest. So a share is shown only when the part, the whole and the rest are all at least the threshold, and it is
computed from the *rounded* counts: multiplying it by a shown (rounded) whole gives back only the shown
(rounded) part, never the exact one.
"""

from dataclasses import dataclass

SUPPRESSION_THRESHOLD = 10
ROUND_TO = 5
SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class SafeCount:
    value: int | None  # None when suppressed
    text: str

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class SafeShare:
    value: float | None  # a fraction of the whole, from the rounded counts; None when suppressed
    text: str

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class SafeGroup:
    """A subgroup's counts as shown, and whether measures computed over it (AUROC, calibration, rates) may be
    shown; when not, `suppressed_because` says which count was too small."""

    people: str
    events: str
    suppressed_because: str  # "" when the group's measures can be shown

    @property
    def shown(self) -> bool:
        return not self.suppressed_because


def safe_count(count: int, *, threshold: int = SUPPRESSION_THRESHOLD, round_to: int = ROUND_TO) -> SafeCount:
    if count < 0:
        raise ValueError("A count cannot be negative")
    if count < threshold:
        return SafeCount(None, f"fewer than {threshold}")
    rounded = int(round_to * round(count / round_to))
    return SafeCount(rounded, f"{rounded:,}")


def _percent(fraction: float, decimals: int) -> str:
    return f"{100 * fraction:.{decimals}f}%"


def safe_proportion(
    part: int,
    whole: int,
    *,
    decimals: int = 1,
    threshold: int = SUPPRESSION_THRESHOLD,
    round_to: int = ROUND_TO,
) -> SafeShare:
    """`part` (a subset of `whole`: people admitted among people) as a share of `whole`.

    Suppressed when the part, or the rest of the whole (whole - part), is under the threshold (so the whole
    is too); otherwise computed from the rounded counts."""
    if part < 0 or whole < 0:
        raise ValueError("A count cannot be negative")
    if part > whole:
        raise ValueError(f"A part ({part}) cannot be larger than its whole ({whole})")
    if part < threshold or whole - part < threshold:
        return SafeShare(None, SUPPRESSED)
    shown_part = safe_count(part, threshold=threshold, round_to=round_to).value
    shown_whole = safe_count(whole, threshold=threshold, round_to=round_to).value
    fraction = shown_part / shown_whole
    return SafeShare(fraction, _percent(fraction, decimals))


def safe_share(part: int, whole: int, *, threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """A percentage, suppressed when the part, the whole or the rest is small (see `safe_proportion`)."""
    return safe_proportion(part, whole, threshold=threshold).text


def safe_amount_share(
    amount: float,
    total: float,
    *,
    people: int,
    all_people: int,
    decimals: int = 1,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> SafeShare:
    """The share of a total amount (spend) that a group of `people` out of `all_people` accounts for.

    Suppressed when the group, or everyone else, is fewer than the threshold: a few people's share of the
    spend would show what those few cost, and so would 100% minus the share for a few others."""
    if min(amount, total, people, all_people) < 0:
        raise ValueError("Amounts and counts cannot be negative")
    if people > all_people or amount > total:
        raise ValueError("A group cannot be larger than the whole")
    if people < threshold or all_people - people < threshold:
        return SafeShare(None, SUPPRESSED)
    if total == 0:
        return SafeShare(None, "none recorded")
    return SafeShare(amount / total, _percent(amount / total, decimals))


def safe_group(
    people: int,
    events: int,
    *,
    with_event: str = "people admitted",
    without_event: str = "people not admitted",
    threshold: int = SUPPRESSION_THRESHOLD,
) -> SafeGroup:
    """A group of `people` of whom `events` had the outcome: its measures are shown only when the group, those
    with the outcome and those without are each at least the threshold; the label says which was not."""
    if events < 0 or people < events:
        raise ValueError(f"{events} events cannot happen among {people} people")
    small = f"fewer than {threshold}"
    if people < threshold:
        return SafeGroup(small, small, f"{small} people")
    shown_people = safe_count(people, threshold=threshold).text
    if events < threshold:
        return SafeGroup(shown_people, small, f"{small} {with_event}")
    if people - events < threshold:
        # the events are all but a few of the people: showing them would show the few by subtraction
        return SafeGroup(shown_people, SUPPRESSED, f"{small} {without_event}")
    return SafeGroup(shown_people, safe_count(events, threshold=threshold).text, "")


def safe_admitted(people: int | None, admitted: int | None, all_admitted: int | None) -> str:
    """ "N% were admitted; they were M% of all A people admitted" for a selection of `people` (the top of a
    ranking), `admitted` of them, out of `all_admitted` in the whole population; each share suppressed on its
    own, and nothing shown without the counts to check."""
    if people is None or admitted is None or all_admitted is None:
        return "not shown: no counts to check for small numbers"
    precision = safe_proportion(admitted, people)
    capture = safe_proportion(admitted, all_admitted)
    first = (
        f"{precision.text} were admitted" if not precision.suppressed else "the share admitted is suppressed"
    )
    second = (
        f"they were {capture.text} of all {safe_count(all_admitted).text} people admitted"
        if not capture.suppressed
        else "their share of all people admitted is suppressed"
    )
    return f"{first}; {second}"
