"""Answers the eligibility tests share: a likely-eligible family, everything answered."""

from bot.services.eligibility.form import (
    ABROAD,
    ADULTS,
    AGE,
    ASSETS,
    DEPENDANTS,
    INCOME,
    RESIDENT,
    SAUDI,
    SHELTER,
)

# 1 adult + 2 minor dependants, Saudi, resident, never away, income under the cap.
FAMILY = {
    SAUDI: True,
    AGE: 40,
    RESIDENT: True,
    ABROAD: 0,
    SHELTER: False,
    DEPENDANTS: 3,
    ADULTS: 1,
    INCOME: 5000,
    ASSETS: False,
}
