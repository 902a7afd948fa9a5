"""Eligibility pre-check rules (bot/services/eligibility/rules.py): every rule and boundary.

Most tables use fixed parameters (`P`) so the arithmetic is checked by hand and does
not move when the illustrative figures in program.yml change; a few tests check
that the real parameters are read from program.yml.
"""

from fractions import Fraction

import pytest

from bot.content import fact
from bot.services.eligibility import reasons as eligibility_reasons
from bot.services.eligibility import rules as e
from bot.services.eligibility.rules import Answers

# base entitlement 720, exemption 2000, cap 6000 → taper 720 / 4000 = 0.18 per riyal
P = e.Params(
    min_age=18,
    max_absence_months=Fraction(3),
    share_primary=100,
    share_adult=50,
    share_minor=30,
    base_entitlement=Fraction(720),
    base_exemption=Fraction(2000),
    base_cap=Fraction(6000),
)

# A single applicant who passes everything; tests change one thing at a time.
OK = dict(
    saudi=True,
    age=30,
    permanent_resident=True,
    months_abroad=0,
    in_shelter_or_prison=False,
    dependants=0,
    independent_housing=True,
    monthly_income=1000,
    high_value_assets=False,
)


def answers(**changes):
    return Answers(**{**OK, **changes})


def finding(rule, a):
    return next((f for f in e.findings(a, P) if f.rule == rule), None)


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    "saudi, exception, status, code",
    [
        (True, None, e.PASS, "saudi"),
        (False, e.MOBILITY_CARD, e.PASS, "exception_mobility_card"),
        (False, e.SAUDI_MOTHER, e.PASS, "exception_saudi_mother"),
        (False, e.FOREIGN_WIFE, e.PASS, "exception_foreign_wife"),
        (False, e.NO_EXCEPTION, e.FAIL, "not_saudi"),
        (False, None, e.UNKNOWN, "nationality_unknown"),
        (None, None, e.UNKNOWN, "nationality_unknown"),
    ],
)
def test_nationality(saudi, exception, status, code):
    f = finding("nationality", answers(saudi=saudi, nationality_exception=exception))
    assert (f.status, f.code) == (status, code)


@pytest.mark.parametrize(
    "age, status",
    [
        (0, e.FAIL),
        (17, e.FAIL),
        (18, e.PASS),
        (19, e.PASS),
        (95, e.PASS),
        (None, e.UNKNOWN),
    ],
)
def test_age_boundary_is_18(age, status):
    assert finding("age", answers(age=age)).status == status


@pytest.mark.parametrize("resident, status", [(True, e.PASS), (False, e.FAIL), (None, e.UNKNOWN)])
def test_permanent_residence(resident, status):
    assert finding("residence", answers(permanent_resident=resident)).status == status


@pytest.mark.parametrize(
    "months, status, code",
    [
        (0, e.PASS, "no_travel"),
        (1.5, e.PASS, "absence_ok"),
        (2.99, e.PASS, "absence_ok"),
        (3, e.PASS, "absence_ok"),  # exactly three months is allowed
        (3.0, e.PASS, "absence_ok"),
        (91 / 30, e.FAIL, "absent_too_long"),  # 91 days
        (3.01, e.FAIL, "absent_too_long"),
        (4, e.FAIL, "absent_too_long"),
        (None, e.UNKNOWN, "absence_unknown"),
    ],
)
def test_absence_boundary_is_three_months(months, status, code):
    f = finding("absence", answers(months_abroad=months))
    assert (f.status, f.code) == (status, code)


def test_absence_is_not_judged_when_not_resident():
    assert finding("absence", answers(permanent_resident=False, months_abroad=None)) is None


@pytest.mark.parametrize("shelter, status", [(False, e.PASS), (True, e.FAIL), (None, e.UNKNOWN)])
def test_shelter_or_prison(shelter, status):
    assert finding("shelter", answers(in_shelter_or_prison=shelter)).status == status


@pytest.mark.parametrize(
    "dependants, adults, housing, status",
    [
        (0, None, True, e.PASS),
        (0, None, False, e.FAIL),
        (0, None, None, e.UNKNOWN),
        (2, 0, None, None),  # with dependants the independence rule does not apply
        (2, 1, False, None),
    ],
)
def test_independent_beneficiary_needs_independent_housing(dependants, adults, housing, status):
    f = finding(
        "independence",
        answers(dependants=dependants, dependants_adult=adults, independent_housing=housing),
    )
    assert (f.status if f else None) == status


@pytest.mark.parametrize(
    "adults, minors, income, status",
    [
        # single applicant: cap 6000
        (0, 0, 0, e.PASS),
        (0, 0, 5999.99, e.PASS),
        (0, 0, 6000, e.FAIL),  # equal to the cap is not under it
        (0, 0, 6000.01, e.FAIL),
        # 1 adult + 2 minors: shares 100 + 50 + 60 = 210% → cap 12,600
        (1, 2, 12599, e.PASS),
        (1, 2, 12600, e.FAIL),
        # 2 adults + 3 minors: 100 + 100 + 90 = 290% → cap 17,400
        (2, 3, 17399.5, e.PASS),
        (2, 3, 17400, e.FAIL),
        (0, 0, None, e.UNKNOWN),
    ],
)
def test_income_cap_depends_on_household_size_and_ages(adults, minors, income, status):
    a = answers(
        dependants=adults + minors,
        dependants_adult=adults if adults + minors else None,
        monthly_income=income,
    )
    assert finding("income", a).status == status


def test_income_is_unknown_until_the_household_is_known():
    a = answers(dependants=3, dependants_adult=None, monthly_income=1000)
    assert finding("income", a).status == e.UNKNOWN


@pytest.mark.parametrize("assets, status", [(False, e.PASS), (True, e.FAIL), (None, e.UNKNOWN)])
def test_high_value_assets(assets, status):
    assert finding("assets", answers(high_value_assets=assets)).status == status


# --------------------------------------------------------------------------- outcome


@pytest.mark.parametrize(
    "changes, outcome",
    [
        ({}, e.LIKELY_ELIGIBLE),
        ({"age": 17}, e.LIKELY_NOT_ELIGIBLE),
        ({"high_value_assets": None}, e.CANNOT_TELL),
        ({"independent_housing": None}, e.CANNOT_TELL),
        ({"age": 17, "high_value_assets": None}, e.LIKELY_NOT_ELIGIBLE),  # a failure beats unknowns
        ({"saudi": False, "nationality_exception": e.MOBILITY_CARD}, e.LIKELY_ELIGIBLE),
        ({"monthly_income": 6000}, e.LIKELY_NOT_ELIGIBLE),
        ({"months_abroad": 3}, e.LIKELY_ELIGIBLE),
        ({"months_abroad": 4}, e.LIKELY_NOT_ELIGIBLE),
        ({"in_shelter_or_prison": True}, e.LIKELY_NOT_ELIGIBLE),
    ],
)
def test_outcome(changes, outcome):
    result = e.evaluate(answers(**changes), P)
    assert result.outcome == outcome
    assert (result.estimate is not None) == (outcome == e.LIKELY_ELIGIBLE)


def test_not_eligible_lists_every_failing_reason():
    result = e.evaluate(answers(age=16, high_value_assets=True, permanent_resident=False), P)
    assert [f.rule for f in result.failures] == ["age", "residence", "assets"]


def test_first_failure_on_partial_answers_stops_early():
    assert e.first_failure(Answers(saudi=True, age=17), P).code == "age_under_min"
    assert (
        e.first_failure(Answers(saudi=False, nationality_exception=e.NO_EXCEPTION), P).rule
        == "nationality"
    )
    assert e.first_failure(Answers(saudi=True, age=18), P) is None  # nothing failed yet
    assert e.first_failure(Answers(), P) is None


# --------------------------------------------------------------------------- entitlement


def test_taper_rate_comes_from_the_seed_formula():
    # 004: base entitlement / (base cap - base exemption)
    assert P.taper_rate == Fraction(720, 4000)


@pytest.mark.parametrize(
    "adults, minors, income, total",
    [
        (0, 0, 0, 720),
        (0, 0, 2000, 720),  # up to the exemption threshold: full support
        (0, 0, 4000, 360),  # 720 - 0.18 x 2000
        (0, 0, 6000, 0),  # zero exactly at the cap
        (0, 0, 9000, 0),  # never negative
        (1, 2, 0, 1512),  # 720 x 210%
        (1, 2, 4200, 1512),  # exemption 2000 x 210% = 4200
        (1, 2, 8400, 756),  # 1512 - 0.18 x 4200
    ],
)
def test_estimated_support(adults, minors, income, total):
    assert e.estimate_support(adults, minors, income, P).total == total


def test_breakdown_shares_primary_100_adult_50_minor_30():
    est = e.estimate_support(1, 2, 0, P)
    assert (est.primary, est.adults, est.minors) == (720, 360, 432)
    assert est.primary + est.adults + est.minors == est.total


def test_rounded_breakdown_adds_up_to_the_total():
    est = e.estimate_support(1, 3, 7000, P)  # 1332 riyals; two parts end in .5
    parts = est.rounded()
    assert parts["primary"] + parts["adults"] + parts["minors"] == parts["total"] == 1332
    assert parts["reduction"] == 396


def test_household_figures_scale_with_the_shares():
    assert e.household_share(2, 3, P) == 290
    assert e.household_income_cap(2, 3, P) == 17400
    assert e.household_exemption(2, 3, P) == 5800


@pytest.mark.parametrize(
    "bad",
    [
        dict(dependants=-1),
        dict(dependants=2, dependants_adult=3),
        dict(monthly_income=-5),
        dict(months_abroad=-1),
        dict(nationality_exception="cousin"),
    ],
)
def test_impossible_answers_are_rejected(bad):
    with pytest.raises(ValueError):
        Answers(**bad)


# --------------------------------------------------------------------------- program.yml


def test_parameters_come_from_program_yml():
    p = e.Params.from_content()
    assert p.min_age == fact("eligibility.min_age") == 18
    assert p.max_absence_months == fact("eligibility.max_absence_months") == 3
    assert (p.share_primary, p.share_adult, p.share_minor) == (100, 50, 30)
    assert p.base_entitlement == fact("eligibility_precheck.base_entitlement")
    assert p.base_exemption < p.base_cap
    assert p.illustrative is True  # the seeds give no riyal amounts


def test_default_parameters_are_used_when_none_are_given():
    single = answers(monthly_income=fact("eligibility_precheck.base_income_cap"))
    assert e.evaluate(single).outcome == e.LIKELY_NOT_ELIGIBLE


# --------------------------------------------------------------------------- wording


def test_every_reason_code_has_arabic_text():
    codes = set()
    for a in [
        answers(),
        Answers(),
        answers(
            saudi=False,
            nationality_exception=e.NO_EXCEPTION,
            age=10,
            permanent_resident=False,
            in_shelter_or_prison=True,
            independent_housing=False,
            monthly_income=99999,
            high_value_assets=True,
        ),
    ]:
        for f in e.findings(a, P):
            codes.add(f.code)
            assert eligibility_reasons.reason_text(
                f
            ) and "{" not in eligibility_reasons.reason_text(f)
    for exception in e.NATIONALITY_EXCEPTIONS:
        codes.add(
            e.check_nationality(answers(saudi=False, nationality_exception=exception), P).code
        )
    assert codes <= set(eligibility_reasons.reasons())


def test_reasons_quote_the_numbers():
    f = finding("income", answers(monthly_income=6000))
    assert "6,000 ريال" in eligibility_reasons.reason_text(f)
    assert "17" in eligibility_reasons.reason_text(
        finding("age", answers(age=17))
    ) and "18" in eligibility_reasons.reason_text(finding("age", answers(age=17)))
    assert "4 أشهر" in eligibility_reasons.reason_text(finding("absence", answers(months_abroad=4)))


@pytest.mark.parametrize(
    "months, text",
    [
        (0, "ولا يوم"),
        (0.5, "15 يوم"),
        (1, "شهر واحد"),
        (1.5, "شهر ونص"),
        (2, "شهرين"),
        (3, "3 أشهر"),
        (100 / 30, "3 أشهر و10 أيام"),
        (11, "11 شهر"),
        (12, "سنة"),
        (24, "سنتين"),
        (36, "3 سنوات"),
        (13, "13 شهر"),
    ],
)
def test_format_months(months, text):
    assert eligibility_reasons.format_months(months) == text


def test_format_riyals():
    assert eligibility_reasons.format_riyals(5000) == "5,000 ريال"
    assert eligibility_reasons.format_riyals(1234.5) == "1,235 ريال"
