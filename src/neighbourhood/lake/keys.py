"""Person keys (`neighbourhood.person_key`) as Ibis expressions, for the analytics on every engine: which
kind a key is, and a sample of people chosen by the key's own characters."""

import ibis
import ibis.expr.types as ir

from neighbourhood import person_key
from neighbourhood.nhs_number import WEIGHTS

PSEUDONYM_REGEX = (
    f"^{person_key.PSEUDONYM_PREFIX}[{person_key.PSEUDONYM_ALPHABET}]{{{person_key.PSEUDONYM_BODY_LENGTH}}}$"
)
# A pseudonym sample reads the three characters after the prefix: 32**3 values, in the alphabet's order,
# which is also the order of their text (digits, then capital letters).
PSEUDONYM_SAMPLE_CHARACTERS = 3


def valid_nhs_number(column: ir.StringValue) -> ir.BooleanValue:
    """Ten digits with a correct Modulus 11 check digit (`nhs_number.validate`), as an expression every engine
    can run."""
    well_formed = column.notnull() & (column.length() == 10) & column.re_search(r"^[0-9]{10}$")
    # digits are cast only where the text is ten digits: Spark (ANSI mode) refuses to cast a letter
    digits = [well_formed.ifelse(column.substr(i, 1), "0").cast("int64") for i in range(10)]
    total = sum(d * w for d, w in zip(digits[:9], WEIGHTS, strict=True))
    check = (11 - total % 11) % 11
    return well_formed.ifelse((check != 10) & (check == digits[9]), False)


def is_pseudonym(column: ir.StringValue) -> ir.BooleanValue:
    return column.notnull() & column.re_search(PSEUDONYM_REGEX)


def person_key_kind(column: ir.StringValue) -> ir.StringValue:
    """`person_key.kind_of` as an expression: 'nhs_number', 'pseudonym', or null for neither."""
    return ibis.cases(
        (valid_nhs_number(column), ibis.literal(person_key.NHS_NUMBER)),
        (is_pseudonym(column), ibis.literal(person_key.PSEUDONYM)),
        else_=ibis.null(str),
    )


def pseudonym_sample_threshold(per_thousand: int) -> str:
    """The text below which a pseudonym's first PSEUDONYM_SAMPLE_CHARACTERS characters (after the prefix)
    put it in a per-thousand sample."""
    alphabet = person_key.PSEUDONYM_ALPHABET
    values = len(alphabet) ** PSEUDONYM_SAMPLE_CHARACTERS
    value = min(values - 1, -(-per_thousand * values // 1000))  # rounded up, like the NHS number's digits
    text = []
    for _ in range(PSEUDONYM_SAMPLE_CHARACTERS):
        value, index = divmod(value, len(alphabet))
        text.append(alphabet[index])
    return "".join(reversed(text))


def in_sample(column: ir.StringValue, kind: str, per_thousand: int) -> ir.BooleanValue:
    """About `per_thousand` in 1,000 people, by their key alone: an NHS number's 7th to 9th digits below
    it, or a pseudonym's 2nd to 4th characters below the same share of their values. As text: such characters
    compare as their values do, and a malformed key cannot fail a cast."""
    if kind == person_key.PSEUDONYM:
        start = len(person_key.PSEUDONYM_PREFIX)
        return column.substr(start, PSEUDONYM_SAMPLE_CHARACTERS) < pseudonym_sample_threshold(per_thousand)
    return column.substr(6, 3) < f"{per_thousand:03d}"
