"""Eligibility pre-check rules for the Citizen Account program (issue 3).

Plain Python: no Rasa. The numbers come from bot/content/program.yml (sections
`eligibility`, `entitlement_shares`, `eligibility_precheck`); the rules come from
the seed documents in ../shared/seeds:

- nationality: Saudi, or an exception: holder of a mobility card (بطاقة التنقل),
  child of a Saudi mother married to a foreigner, foreign wife of a Saudi (002, 004);
- age: 18 or over (002, 003, 004);
- permanent residence in the Kingdom, not away more than three months (002, 004);
- not residing in a government shelter or a prison (003, 004);
- an applicant with no dependants registers as an independent beneficiary, which
  needs independent housing (003: "بشرط أن يثبت استقلالية السكن");
- household monthly income under the cap for that household, which depends on its
  size and the ages of the dependants (003, 004);
- no high-value assets or real estate (003);
- data matching official records (003, 004): only the program can check it, so the
  result always says so.

Entitlement (004, "جدول الاستحقاق الفعلي"): the primary beneficiary gets 100% of the
individual entitlement, each dependant 18 or over 50%, each dependant under 18 30%.
Each member also brings the same share of the exemption threshold and of the cap.
Above the exemption threshold support falls at "معدل التناقص" = base entitlement /
(base cap - base exemption), which takes it to zero exactly at the household cap.

Every result is an indicative pre-check, never the program's decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Dict, List, Optional, Tuple

from bot import content

# Outcomes
LIKELY_ELIGIBLE = "likely_eligible"
LIKELY_NOT_ELIGIBLE = "likely_not_eligible"
CANNOT_TELL = "cannot_tell"

# Finding statuses
PASS = "pass"
FAIL = "fail"
UNKNOWN = "unknown"

# Nationality exceptions (002, 004); NO_EXCEPTION when none applies.
MOBILITY_CARD = "mobility_card"
SAUDI_MOTHER = "saudi_mother"
FOREIGN_WIFE = "foreign_wife"
NO_EXCEPTION = "none"
NATIONALITY_EXCEPTIONS = (MOBILITY_CARD, SAUDI_MOTHER, FOREIGN_WIFE)


@dataclass(frozen=True)
class Params:
    """Program parameters. Shares are whole percentages; money in riyals a month."""

    min_age: int
    max_absence_months: Fraction
    share_primary: int
    share_adult: int
    share_minor: int
    base_entitlement: Fraction
    base_exemption: Fraction
    base_cap: Fraction
    illustrative: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.base_exemption < self.base_cap:
            raise ValueError("the exemption threshold must be below the income cap")

    @classmethod
    def from_content(cls) -> "Params":
        fact = content.fact
        return cls(
            min_age=int(fact("eligibility.min_age")),
            max_absence_months=Fraction(str(fact("eligibility.max_absence_months"))),
            share_primary=int(fact("entitlement_shares.primary")),
            share_adult=int(fact("entitlement_shares.dependant_adult")),
            share_minor=int(fact("entitlement_shares.dependant_minor")),
            base_entitlement=Fraction(str(fact("eligibility_precheck.base_entitlement"))),
            base_exemption=Fraction(str(fact("eligibility_precheck.base_exemption_threshold"))),
            base_cap=Fraction(str(fact("eligibility_precheck.base_income_cap"))),
            illustrative=bool(fact("eligibility_precheck.illustrative_amounts")),
        )

    @property
    def taper_rate(self) -> Fraction:
        """Riyals of support lost per riyal of income above the exemption (004)."""
        return self.base_entitlement / (self.base_cap - self.base_exemption)


@dataclass(frozen=True)
class Answers:
    """What the citizen told us. None means not asked, or "I don't know"."""

    saudi: Optional[bool] = None
    nationality_exception: Optional[str] = None  # one of NATIONALITY_EXCEPTIONS or NO_EXCEPTION
    age: Optional[int] = None
    permanent_resident: Optional[bool] = None
    months_abroad: Optional[float] = None
    in_shelter_or_prison: Optional[bool] = None
    dependants: Optional[int] = None  # everyone the applicant supports
    dependants_adult: Optional[int] = None  # of whom 18 or over
    independent_housing: Optional[bool] = None  # asked only when there are no dependants
    monthly_income: Optional[float] = None  # the whole household, riyals
    high_value_assets: Optional[bool] = None

    def __post_init__(self) -> None:
        if self.dependants is not None and self.dependants < 0:
            raise ValueError("dependants cannot be negative")
        if self.dependants_adult is not None:
            if self.dependants_adult < 0:
                raise ValueError("dependants_adult cannot be negative")
            if self.dependants is not None and self.dependants_adult > self.dependants:
                raise ValueError("more adult dependants than dependants")
        if self.monthly_income is not None and self.monthly_income < 0:
            raise ValueError("income cannot be negative")
        if self.months_abroad is not None and self.months_abroad < 0:
            raise ValueError("months abroad cannot be negative")
        if (
            self.nationality_exception is not None
            and self.nationality_exception not in NATIONALITY_EXCEPTIONS + (NO_EXCEPTION,)
        ):
            raise ValueError(f"unknown nationality exception {self.nationality_exception!r}")

    @property
    def household_known(self) -> bool:
        if self.dependants is None:
            return False
        return self.dependants == 0 or self.dependants_adult is not None

    @property
    def adults_and_minors(self) -> Tuple[int, int]:
        """(dependants 18 or over, dependants under 18); needs household_known."""
        deps = self.dependants or 0
        adults = (self.dependants_adult or 0) if deps else 0
        return adults, deps - adults


@dataclass(frozen=True)
class Finding:
    """One rule's verdict. `code` names its explanation (bot/content/eligibility.yml, reasons),
    worded by bot.services.eligibility.reasons.reason_text."""

    rule: str
    status: str
    code: str
    values: Dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Estimate:
    """Estimated monthly support in riyals (exact fractions; round for display)."""

    household_share: int  # sum of percentages, e.g. 100 + 50 + 30 + 30 = 210
    full: Fraction  # support before the taper
    reduction: Fraction  # taken off because income is above the exemption
    total: Fraction
    primary: Fraction
    adults: Fraction  # all dependants 18 or over together
    minors: Fraction  # all dependants under 18 together
    adult_count: int
    minor_count: int
    exemption: Fraction  # household exemption threshold
    cap: Fraction  # household income cap

    def rounded(self) -> Dict[str, int]:
        """Whole riyals. The parts are rounded so that they add up to the rounded
        total (largest remainder), so the breakdown never disagrees with the total."""
        exact = {"primary": self.primary, "adults": self.adults, "minors": self.minors}
        total = _round(self.total)
        parts = {k: int(v) for k, v in exact.items()}  # floor (all >= 0)
        by_remainder = sorted(exact, key=lambda k: exact[k] - parts[k], reverse=True)
        for key in by_remainder[: max(0, total - sum(parts.values()))]:
            parts[key] += 1
        parts["total"] = total
        parts["reduction"] = _round(self.full) - total
        return parts


@dataclass(frozen=True)
class Result:
    outcome: str
    findings: List[Finding]
    estimate: Optional[Estimate] = None

    @property
    def failures(self) -> List[Finding]:
        return [f for f in self.findings if f.status == FAIL]

    @property
    def unknowns(self) -> List[Finding]:
        return [f for f in self.findings if f.status == UNKNOWN]

    @property
    def passes(self) -> List[Finding]:
        return [f for f in self.findings if f.status == PASS]


def _round(value: Fraction) -> int:
    """Half up, for money shown to people."""
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def _params(params: Optional[Params]) -> Params:
    return params if params is not None else Params.from_content()


# ---------------------------------------------------------------------------
# Household figures
# ---------------------------------------------------------------------------


def household_share(adults: int, minors: int, params: Optional[Params] = None) -> int:
    """Sum of entitlement shares in percent: 100 + 50 per adult + 30 per minor."""
    p = _params(params)
    if adults < 0 or minors < 0:
        raise ValueError("counts cannot be negative")
    return p.share_primary + p.share_adult * adults + p.share_minor * minors


def household_income_cap(adults: int, minors: int, params: Optional[Params] = None) -> Fraction:
    """Monthly income at which support reaches zero for this household."""
    p = _params(params)
    return p.base_cap * household_share(adults, minors, p) / 100


def household_exemption(adults: int, minors: int, params: Optional[Params] = None) -> Fraction:
    """Monthly income up to which the household gets full support."""
    p = _params(params)
    return p.base_exemption * household_share(adults, minors, p) / 100


def estimate_support(
    adults: int, minors: int, income: float, params: Optional[Params] = None
) -> Estimate:
    """Estimated monthly support, split between the primary beneficiary and the
    dependants in proportion to their shares (004)."""
    p = _params(params)
    if income < 0:
        raise ValueError("income cannot be negative")
    share = household_share(adults, minors, p)
    income_f = Fraction(str(income))
    full = p.base_entitlement * share / 100
    exemption = household_exemption(adults, minors, p)
    cap = household_income_cap(adults, minors, p)
    reduction = min(full, max(Fraction(0), income_f - exemption) * p.taper_rate)
    total = full - reduction
    return Estimate(
        household_share=share,
        full=full,
        reduction=reduction,
        total=total,
        primary=total * p.share_primary / share,
        adults=total * p.share_adult * adults / share,
        minors=total * p.share_minor * minors / share,
        adult_count=adults,
        minor_count=minors,
        exemption=exemption,
        cap=cap,
    )


# ---------------------------------------------------------------------------
# Rules: each returns a Finding, or None when the rule does not apply
# ---------------------------------------------------------------------------


def check_nationality(a: Answers, p: Params) -> Finding:
    if a.saudi is True:
        return Finding("nationality", PASS, "saudi")
    if a.saudi is None:
        return Finding("nationality", UNKNOWN, "nationality_unknown")
    if a.nationality_exception in NATIONALITY_EXCEPTIONS:
        return Finding("nationality", PASS, f"exception_{a.nationality_exception}")
    if a.nationality_exception == NO_EXCEPTION:
        return Finding("nationality", FAIL, "not_saudi")
    return Finding("nationality", UNKNOWN, "nationality_unknown")


def check_age(a: Answers, p: Params) -> Finding:
    if a.age is None:
        return Finding("age", UNKNOWN, "age_unknown", {"min_age": p.min_age})
    values = {"age": a.age, "min_age": p.min_age}
    if a.age < p.min_age:
        return Finding("age", FAIL, "age_under_min", values)
    return Finding("age", PASS, "age_ok", values)


def check_residence(a: Answers, p: Params) -> Finding:
    if a.permanent_resident is False:
        return Finding("residence", FAIL, "not_resident")
    if a.permanent_resident is None:
        return Finding("residence", UNKNOWN, "residence_unknown")
    return Finding("residence", PASS, "resident")


def check_absence(a: Answers, p: Params) -> Optional[Finding]:
    if a.permanent_resident is False:
        return None  # already fails on residence
    values = {"max_months": p.max_absence_months}
    if a.months_abroad is None:
        return Finding("absence", UNKNOWN, "absence_unknown", values)
    values["months"] = a.months_abroad
    if Fraction(str(a.months_abroad)) > p.max_absence_months:
        return Finding("absence", FAIL, "absent_too_long", values)
    if a.months_abroad == 0:
        return Finding("absence", PASS, "no_travel", values)
    return Finding("absence", PASS, "absence_ok", values)


def check_shelter(a: Answers, p: Params) -> Finding:
    if a.in_shelter_or_prison is True:
        return Finding("shelter", FAIL, "in_shelter_or_prison")
    if a.in_shelter_or_prison is None:
        return Finding("shelter", UNKNOWN, "shelter_unknown")
    return Finding("shelter", PASS, "not_in_shelter")


def check_independence(a: Answers, p: Params) -> Optional[Finding]:
    """Only for an applicant with no dependants: independent housing (003)."""
    if a.dependants != 0:
        return None
    if a.independent_housing is True:
        return Finding("independence", PASS, "independent_housing")
    if a.independent_housing is False:
        return Finding("independence", FAIL, "not_independent")
    return Finding("independence", UNKNOWN, "independence_unknown")


def check_income(a: Answers, p: Params) -> Finding:
    if a.monthly_income is None or not a.household_known:
        return Finding("income", UNKNOWN, "income_unknown")
    adults, minors = a.adults_and_minors
    cap = household_income_cap(adults, minors, p)
    values = {"income": a.monthly_income, "cap": cap}
    if Fraction(str(a.monthly_income)) >= cap:
        return Finding("income", FAIL, "income_at_or_over_cap", values)
    return Finding("income", PASS, "income_under_cap", values)


def check_assets(a: Answers, p: Params) -> Finding:
    if a.high_value_assets is True:
        return Finding("assets", FAIL, "high_value_assets")
    if a.high_value_assets is None:
        return Finding("assets", UNKNOWN, "assets_unknown")
    return Finding("assets", PASS, "no_high_value_assets")


# In the order the pre-check asks about them.
RULES = (
    check_nationality,
    check_age,
    check_residence,
    check_absence,
    check_shelter,
    check_independence,
    check_income,
    check_assets,
)


def findings(answers: Answers, params: Optional[Params] = None) -> List[Finding]:
    p = _params(params)
    return [f for f in (rule(answers, p) for rule in RULES) if f is not None]


def first_failure(answers: Answers, params: Optional[Params] = None) -> Optional[Finding]:
    """The first hard condition that already fails on partial answers, if any:
    the dialogue stops there instead of asking the rest."""
    return next((f for f in findings(answers, params) if f.status == FAIL), None)


def evaluate(answers: Answers, params: Optional[Params] = None) -> Result:
    """The indicative outcome with every reason, and an estimate when likely eligible."""
    p = _params(params)
    found = findings(answers, p)
    if any(f.status == FAIL for f in found):
        return Result(LIKELY_NOT_ELIGIBLE, found)
    if any(f.status == UNKNOWN for f in found):
        return Result(CANNOT_TELL, found)
    adults, minors = answers.adults_and_minors
    estimate = estimate_support(adults, minors, answers.monthly_income, p)
    return Result(LIKELY_ELIGIBLE, found, estimate)
