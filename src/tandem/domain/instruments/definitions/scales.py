"""Answer scales shared by several instruments (facts.md s2)."""

from __future__ import annotations

from tandem.domain.instruments.model import Option

# PHQ-9, PHQ-2 and GAD-7 frequency anchors, "over the last 2 weeks" (facts.md s2.1, s2.3;
# LOINC answers LA6568-5 / LA6569-3 / LA6570-1 / LA6571-9).
FREQUENCY_TWO_WEEKS = (
    Option(0, "Not at all"),
    Option(1, "Several days"),
    Option(2, "More than half the days"),
    Option(3, "Nearly every day"),
)

# The PHQ-9, PHQ-2 and GAD-7 forms' instruction (Pfizer; free to reproduce, facts.md s2.1,
# s2.3), as on the Pfizer form; re-check against phqscreeners.com with the item wording.
TWO_WEEKS_INSTRUCTION = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)

# The unscored PHQ-9/GAD-7 functional item (facts.md s2.1).
DIFFICULTY = (
    Option(0, "Not difficult at all"),
    Option(1, "Somewhat difficult"),
    Option(2, "Very difficult"),
    Option(3, "Extremely difficult"),
)

NO_YES = (Option(0, "No"), Option(1, "Yes"))


def neutral(highest: int) -> tuple[Option, ...]:
    """Neutral labels "0".."highest" where the anchors themselves are licensed text."""
    return tuple(Option(value, str(value)) for value in range(highest + 1))
