"""Who the citizen supports, counted from the way people list them.

"كم عدد التابعين؟" is answered with a number ("٤"), and as often with a list: "زوجتي
و٣ عيال" (4), "ولدين وبنت" (3), "انا وزوجتي وامي" (2: the one answering is never
counted), "زوجتين و٥ عيال" (7), "عندي ٤ بس واحد متزوج وساكن لحاله" (3), "احنا ٥" (4).
parse_household() reads such a reply into who was named (Member: a kind and how many)
and the total, or says the total cannot be told ("انا وعيالي": ask for the number).
Which people a program counts is the caller's business; this module only counts the
ones named and leaves out the ones the reply itself says are married, living
elsewhere or dead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import List, Optional, Sequence, Tuple

from bot.services.parsing.answers import _ZERO, is_question, is_unsure
from bot.services.parsing.numbers import _AND, _classify, _evaluate
from bot.services.parsing.people import (
    _AGES,
    _ONLY,
    FAMILY,
    HOUSEHOLD,
    ONE_OF,
    PERSON,
    YOUNGER,
    Item,
    _phrase_at,
)
from bot.services.parsing.text import _any_phrase, _correction, _tokens


@dataclass(frozen=True)
class Member:
    """People of one kind named in a reply: "٣ عيال" → Member("child", 3). `count` is
    None when the reply names them without a number ("عيالي"); `age` is OLDER or
    YOUNGER when the reply says so ("٣ عيال صغار")."""

    kind: str
    count: Optional[int]
    age: Optional[str] = None


@dataclass(frozen=True)
class Household:
    """A reply read as people: `members` counted (in the order given, without the
    ones left out), `excluded` how many the reply named and left out itself ("بس
    واحد متزوج"), and `total` the people counted, or None when it cannot be told."""

    members: Tuple[Member, ...]
    total: Optional[int]
    excluded: int = 0

    @property
    def missing(self) -> Tuple[str, ...]:
        """Kinds named without a number ("انا وعيالي" → ("child",))."""
        return tuple(m.kind for m in self.members if m.count is None)

    @property
    def named(self) -> bool:
        """Whether the reply said who, not only how many."""
        return any(m.kind not in (PERSON, HOUSEHOLD) for m in self.members)

    @property
    def bare(self) -> bool:
        """A number and nothing else: "٤", "عندي ٤"."""
        return len(self.members) == 1 and self.members[0].kind == PERSON and not self.excluded

    @property
    def counts_self(self) -> bool:
        """The reply gave the whole family with the one answering in it: "احنا ٥"."""
        return any(m.kind == HOUSEHOLD for m in self.members)

    @property
    def not_younger(self) -> Optional[int]:
        """How many the reply counts that it does not call young: the answer to "how
        many are grown up?" given as "ثنين كبار والباقي صغار" (2) or "زوجتي والكبير"
        (2). None when one of them has no number."""
        grown = [m for m in self.members if m.age != YOUNGER and m.kind != YOUNGER]
        if any(m.count is None for m in grown):
            return None
        return sum(m.count or 0 for m in grown)


def _items(tokens: Sequence[str]) -> Optional[List[Item]]:
    """Tokens as items: ("num", n), ("noun", (kind, size, own)), ("and", None),
    ("left_out", size), ("but"|"among"|"not"|"self"|"age_before"|"age_after", None),
    ("word", w). None when a number is not one whole, non-negative number."""
    items: List[Item] = []
    run: List[Tuple[str, float]] = []

    def flush() -> bool:
        parts = list(run)
        run.clear()
        if parts and parts[0][0] == _AND:
            items.append(("and", None))  # "وثلاث عيال"
            parts = parts[1:]
        trailing_and = bool(parts) and parts[-1][0] == _AND
        if trailing_and:
            parts = parts[:-1]
        if parts:
            value = _evaluate(parts)
            if value is None or value < 0 or not float(value).is_integer():
                return False
            items.append(("num", int(value)))
        if trailing_and:
            items.append(("and", None))
        return True

    i = 0
    while i < len(tokens):
        token = tokens[i]
        found = _phrase_at(tokens[i:])
        joined = False
        if found is None and token.startswith("و") and len(token) > 2 and not _classify(token):
            found = _phrase_at([token[1:], *tokens[i + 1 :]])  # "وزوجتي", "والكبير"
            joined = found is not None
        if found is not None:
            if not flush():
                return None
            if joined:
                items.append(("and", None))
            items.append(found[1])
            i += found[0]
            continue
        numbers = _classify(token)
        if not numbers and token.startswith("ال") and _classify(token[2:]):
            numbers = _classify(token[2:])  # "اولادي الثلاثة", "اخواتي الثنتين"
        if numbers:
            if numbers == [(_AND, 0)] and not run:
                items.append(("and", None))
            else:
                run.extend(numbers)
        else:
            if not flush():
                return None
            items.append(("word", token))
        i += 1
    return items if flush() else None


# ---------------------------------------------------------------------------
# Reading a reply
# ---------------------------------------------------------------------------


@dataclass
class _Group:
    kind: str
    count: Optional[int]
    by_word: bool = False  # the count is the word's own ("بنتي", "ولدين"), not a number
    age: Optional[str] = None
    among: bool = False  # one of those named before: "الكبير", "واحد منهم"
    after_but: bool = False  # "بس واحد متزوج"
    left_out: bool = False
    negated: bool = False  # "ما عندي عيال", "ولا واحد"
    joined: bool = False  # came after "و"


def _groups(items: List[Item]) -> Optional[List[_Group]]:
    """People in the order named; None when a condition leaves out an unknown number
    ("عندي ٤ بس متزوجين")."""
    groups: List[_Group] = []
    joined = but = negated = False
    pending: Optional[int] = None  # a number waiting for the noun after it
    last = ""  # the kind of the item before (words aside)

    def add(group: _Group) -> None:
        nonlocal joined, but, negated
        group.joined, group.after_but, group.negated = joined, but, negated
        groups.append(group)
        joined = but = negated = False

    for index, (kind, value) in enumerate(items):
        following = [v for k, v in items[index + 1 :] if k != "word"]
        after = next((k for k, _ in items[index + 1 :] if k != "word"), "")
        current = groups[-1] if groups else None
        if kind == "num":
            if last == "age_before" or after == "age_after":
                pass  # an age: "عمره ٢٠", "١٠ سنين"
            elif last == "noun" and current and current.count is None:
                current.count = value  # "عيالي ٣", "الكبار ثنين"
            elif last == "noun" and current and current.by_word:
                pass  # "بنتي ١٩" is her age; "ولد واحد" says the same again
            elif after == "noun" and not following[0][2]:
                pending = value  # "٣ عيال"; but not "٤ زوجتي وعيالي"
            else:
                add(_Group(PERSON, value))
        elif kind == "noun":
            noun, size, _own = value
            describes = noun in _AGES or noun == ONE_OF
            if describes and last == "noun" and current and pending is None:
                if noun in _AGES:
                    current.age = noun  # "٣ عيال صغار"
                else:
                    current.among = True  # "ولدي الكبير"
            else:
                group = _Group(noun, size, by_word=size is not None, among=noun == ONE_OF)
                if pending is not None:
                    group.count, group.by_word, pending = pending, False, None
                group.age = noun if noun in _AGES else None
                add(group)
        elif kind == "self":
            add(_Group("self", 0))
        elif kind == "and":
            joined, negated = True, False
        elif kind == "but":
            but, negated = True, False
        elif kind == "among" and current:
            current.among = True
        elif kind == "not":
            negated = True
        elif kind == "age_before" and value and last == "noun" and current:
            if current.age is None:
                current.age = value  # "والباقي تحت ١٨", "والبقية تحت"
        elif kind == "left_out":
            if but:
                return None  # "بس متزوجين": some of them, but how many?
            # "عندي ٣ عيال ومتزوج": a "married" for one said after several is the
            # one answering speaking of himself.
            if current and not (value == 1 and (current.count or 0) > 1 and not current.among):
                current.left_out = True
        if kind != "word":
            last = kind
    if pending is not None:
        add(_Group(PERSON, pending))
    return groups


def _household(groups: List[_Group]) -> Household:
    counted: List[_Group] = []
    excluded = 0
    unknown = False
    for group in groups:
        if group.kind == "self" or group.negated:
            continue
        if group.left_out:
            if group.among or group.after_but or group.kind == PERSON:
                unknown = unknown or group.count is None
                excluded += group.count or 0  # one of those counted: "بس واحد متزوج"
            continue  # named apart ("وولد متزوج"): never counted
        if group.among and any((g.count or 2) > 1 for g in counted):
            continue  # "عيالي ٣ والكبير عمره ٢٠": one of those already counted
        counted.append(group)
    # A total, then who: "عندي ٥ زوجتي و٤ عيال", "احنا ٥ انا وزوجتي و٣ عيال".
    stated: Optional[int] = None
    first = counted[0] if counted else None
    if first and first.kind == HOUSEHOLD and first.count is not None:
        stated = first.count - 1  # the one answering is one of them
        counted = counted[1:]
    elif first and first.kind == PERSON and len(counted) > 1 and not counted[1].joined:
        stated = first.count
        counted = counted[1:]
    members = tuple(Member(g.kind, g.count, g.age) for g in counted)
    if stated is not None and not members:
        total = stated - excluded
        whole = (Member(first.kind, first.count),)
        return Household(whole, None if unknown or total < 0 else total, excluded)
    if stated is not None:
        known = sum(m.count or 0 for m in members)
        gaps = [i for i, m in enumerate(members) if m.count is None]
        if len(gaps) == 1 and stated - known >= 1:
            members = _filled(members, gaps[0], stated - known)  # "٤: زوجتي وعيالي"
        elif gaps or known != stated:
            return Household(members, None, excluded)  # "٥: زوجتي و٣ عيال" does not add up
    if unknown or any(m.count is None for m in members):
        return Household(members, None, excluded)
    total = sum(m.count or 0 for m in members) - excluded
    return Household(members, total if total >= 0 else None, excluded)


def _filled(members: Tuple[Member, ...], index: int, count: int) -> Tuple[Member, ...]:
    return members[:index] + (replace(members[index], count=count),) + members[index + 1 :]


def _only(tokens: List[str]) -> List[str]:
    """ "ما عندي الا ولد" → "ولد": after a "no", "except" means "only"."""
    for i, token in enumerate(tokens):
        if token in _ONLY and i and _any_phrase(tokens[:i], _ZERO):
            return tokens[i + 1 :]
    return tokens


def _read(tokens: Sequence[str]) -> Optional[Household]:
    tokens = _only(list(tokens))
    items = _items(tokens)
    if items is None:
        return None
    groups = _groups(items)
    if groups is None:
        return Household((), None)
    if all(g.kind == "self" for g in groups):
        # Nobody but the one answering: "انا بس", "لحالي", "ما عندي", "لا".
        if groups or _any_phrase(tokens, _ZERO):
            return Household((), 0)
        return None
    return _household(groups)


def _names_people(tokens: Sequence[str]) -> bool:
    household = _read(tokens)
    return household is not None and bool(household.members)


def parse_household(text: str) -> Optional[Household]:
    """The people a reply names and how many they are, not counting the one answering.

        "زوجتي و٣ عيال"                     -> total 4: wife 1, child 3
        "ولدين وبنت"                        -> total 3
        "انا وزوجتي وامي"                   -> total 2
        "عندي ٤ بس واحد متزوج وساكن لحاله" -> total 3 (excluded 1)
        "٣ لا قصدي ٥"                       -> total 5
        "انا وعيالي"                        -> total None, missing ("child",)
        "ما عندي" / "انا بس" / "لحالي"      -> total 0

    None when the reply is no count at all: a question ("وش يعني تابع؟"), "مدري",
    words with no people or number in them, or a number that is not a whole count
    ("2.5", "-1"), which the caller explains."""
    if is_question(text):
        return None
    tokens = _tokens(text)
    found = _correction(tokens, _names_people)
    if found:
        return _merged(_read(found[0]), _read(found[1]))
    household = _read(tokens)
    if household is None and is_unsure(text):
        return None
    return household


def _merged(first: Optional[Household], fix: Optional[Household]) -> Optional[Household]:
    """A reply corrected in the same message. "٣ لا قصدي ٥" → 5; "زوجتي و٣ عيال لا
    قصدي ٤ عيال" → the children are 4 and the wife stays; a bare number after a list
    ("زوجتي و٣ عيال لا ٤") could be either, so the total is not told."""
    if first is None or fix is None or not first.members:
        return fix
    if not fix.named:
        return fix if not first.named else Household(first.members, None, first.excluded)
    fixed = {m.kind: m for m in fix.members}
    if len(fixed) != len(fix.members) or not set(fixed) <= {m.kind for m in first.members}:
        return fix
    members = tuple(fixed.get(m.kind, m) for m in first.members)
    if any(m.count is None for m in members):
        return Household(members, None, first.excluded)
    total = sum(m.count or 0 for m in members) - first.excluded - fix.excluded
    return Household(members, total if total >= 0 else None, first.excluded + fix.excluded)


def fill_missing(household: Household, count: int) -> Optional[Household]:
    """The household once its one group named without a number has it: "زوجتي
    وعيالي", then "٣" → 4. None unless exactly one group lacked its number and it is
    not the whole family ("اهلي", "اسرتي": the number alone is the answer then)."""
    gaps = [i for i, m in enumerate(household.members) if m.count is None]
    if len(gaps) != 1 or count < 0 or household.members[gaps[0]].kind in (FAMILY, HOUSEHOLD):
        return None
    members = _filled(household.members, gaps[0], count)
    total = sum(m.count or 0 for m in members) - household.excluded
    return Household(members, total, household.excluded) if total >= 0 else None
