"""The holistic assessment's domains, from the Comprehensive Geriatric Assessment, in the order they are
asked, and how one domain's answer is held.

An answer is text. A domain the assessor did not assess is held as NOT_ASSESSED followed by the reason, so
`HolisticAssessment.answers` stays {domain_key: text} and reads sensibly anywhere it is shown.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    key: str
    heading: str
    hint: str


DOMAINS: tuple[Domain, ...] = (
    Domain(
        "physical_health",
        "Physical health",
        "Long-term conditions, symptoms, recent hospital care, vision and hearing, pain, sleep.",
    ),
    Domain(
        "medicines",
        "Medicines review",
        "What they take and how, side effects, whether each medicine is still needed, help with taking them.",
    ),
    Domain(
        "function_and_mobility",
        "Function and mobility",
        "Getting about indoors and out, washing, dressing, cooking, shopping, any aids or equipment.",
    ),
    Domain(
        "falls", "Falls", "Falls or near misses in the last year, fear of falling, what happened and why."
    ),
    Domain(
        "cognition_and_mood",
        "Cognition and mood",
        "Memory, confusion or delirium, low mood, anxiety, loneliness; any diagnosis of dementia.",
    ),
    Domain("continence", "Continence", "Bladder and bowel problems, and how they are managed."),
    Domain("nutrition", "Nutrition", "Appetite, weight change, eating and drinking, swallowing, teeth."),
    Domain(
        "social_situation_and_carers",
        "Social situation and carers",
        "Who they live with, who helps them, how their carers are coping, whether they care for someone.",
    ),
    Domain(
        "home_environment",
        "Home environment",
        "Whether their home is safe, warm and suits their needs: stairs, bathroom, heating, alarms.",
    ),
    Domain(
        "what_matters",
        "What matters to the person",
        "In their own words: what they want from their care and their life, and what worries them.",
    ),
)
BY_KEY = {domain.key: domain for domain in DOMAINS}
# The one domain that cannot be left out: the plan is built around it.
WHAT_MATTERS = "what_matters"
NOT_ASSESSED = "Not assessed:"


def is_not_assessed(answer: str) -> bool:
    return answer.startswith(NOT_ASSESSED)


def not_assessed_reason(answer: str) -> str:
    return answer.removeprefix(NOT_ASSESSED).strip() if is_not_assessed(answer) else ""


def not_assessed(reason: str) -> str:
    return f"{NOT_ASSESSED} {reason.strip()}".strip()


def completion_errors(answers: dict[str, str]) -> dict[str, str]:
    """Why these answers cannot complete an assessment, by domain key (none: they can). What matters to the
    person must be written; every other domain written, or marked not assessed with the reason."""
    errors = {}
    for domain in DOMAINS:
        answer = answers.get(domain.key, "").strip()
        if domain.key == WHAT_MATTERS:
            if not answer or is_not_assessed(answer):
                errors[domain.key] = "Write what matters to the person, in their words"
        elif is_not_assessed(answer):
            if not not_assessed_reason(answer).strip():
                errors[domain.key] = f"{domain.heading}: say why it was not assessed"
        elif not answer:
            errors[domain.key] = f"{domain.heading}: write what you found, or tick 'Not assessed' and say why"
    return errors
