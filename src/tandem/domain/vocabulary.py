"""The words Tandem's records are made of, each defined once (issue 9 item 3).

Storage (model choices), services (checks), forms, the API and the case schema take
these tuples from here, so a value one part accepts another cannot refuse. Human labels
for them live with every other label (``tandem.domain.labels``).
"""

from __future__ import annotations

from typing import Final, Literal

# Staff roles in a clinic (DESIGN.md s1); permissions per role: services/permissions.py.
Role = Literal["intake", "therapist", "prescriber", "peer_specialist", "director", "admin"]
ROLES: Final[tuple[Role, ...]] = (
    "intake", "therapist", "prescriber", "peer_specialist", "director", "admin",
)  # fmt: skip

# A patient's sex as recorded (ruleset-v2.md s1: "other" and "unknown" take the more
# sensitive AUDIT-C cut-off).
Sex = Literal["male", "female", "other", "unknown"]
SEXES: Final[tuple[Sex, ...]] = ("female", "male", "other", "unknown")
