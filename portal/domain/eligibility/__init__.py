"""Eligibility: facts about one applicant + a policy profile -> findings, each citing its clause.

The public face of the engine; import from here. Its modules:

- :mod:`~portal.domain.eligibility.facts`: the facts a check reads (:class:`Facts` and its parts; every
  field may be None = unknown) and their strict reading from FACTS.json.
- :mod:`~portal.domain.eligibility.years`: full years (周年) of work to a cutoff (CUT-06).
- :mod:`~portal.domain.eligibility.rules`: the check itself, policy-spec sections A-M (:func:`check`,
  :class:`Finding`), and the years it counts (:func:`counted_years`).

Pure Python: imports neither Flask nor SQLAlchemy. Policy values come from the profile, never from here.
"""

from portal.domain.eligibility.facts import (
    CATEGORIES,
    DEGREE_TYPES,
    OWNERSHIPS,
    Education,
    Employer,
    Exam,
    Facts,
    Qualification,
    SocialInsurance,
    Title,
    WorkPeriod,
)
from portal.domain.eligibility.rules import CountedYears, Finding, check, counted_years, refused_at_start
from portal.domain.eligibility.years import full_years, merge_periods

__all__ = [
    "CATEGORIES",
    "DEGREE_TYPES",
    "OWNERSHIPS",
    "CountedYears",
    "Education",
    "Employer",
    "Exam",
    "Facts",
    "Finding",
    "Qualification",
    "SocialInsurance",
    "Title",
    "WorkPeriod",
    "check",
    "counted_years",
    "full_years",
    "merge_periods",
    "refused_at_start",
]
