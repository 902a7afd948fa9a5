"""English elliptical follow-ups: "and where?", "how long does it take?", "why?", "and
the widow?", "what do I need?", "what about someone under 18?" (the English half of
bot.services.followups.shapes, with the same kinds, so the picker answers them from
the same keys).

The same promise as the Arabic reading: strict, closed word lists and whole-message
matches, since a message read as a follow-up is answered from the previous topic. A
content word ("where do I register?", "how long does an objection take?") makes the
message a question of its own, left to the NLU. Arabizi ("wein?", "lesh?") is Arabic
and never matches these English words.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from bot.services.followups.shapes import (
    ACCEPTED,
    AUTHORITY,
    BASIS,
    CALLBACK,
    CHANNEL,
    COST,
    COUNT,
    DELIVERY,
    HOW,
    HOW_LONG,
    HOW_MUCH,
    LATE,
    MAX_WORDS,
    MOBILE_CHANGED,
    NEXT,
    NO_ACCESS,
    NO_SMS,
    NOT_DONE,
    PHONE,
    REJECTED,
    START,
    VISIT,
    WHAT,
    WHERE,
    WHO,
    WHY,
    WHY_NOT,
    Ellipsis,
)

# Leads and trailing fillers carry no question ("ok and then?", "where exactly please?").
_LEADS = set("and so ok okay alright right well hmm um also but thanks oh great cool fine".split())
_TRAIL = re.compile(
    r"(?: (?:please|pls|plz|exactly|though|too|again|then|thanks|thank you|sir|as well"
    r"|for that|for this|for it|for me|by the way|btw))+$"
)


def _any(words: str) -> str:
    return "(?:" + "|".join(words.split()) + ")"


def _fill(words: str) -> str:
    return rf"(?: (?:{words}))*"


_PRONOUN = _any("it that this them those these they one")
# A verb with a pronoun ("upload them", "submit it") points back at the previous answer.
_BACK = rf"[a-z]+ {_PRONOUN}"
_AUX = _any("do does did can could should would will is are was i we you they it to")
_WHERE_FILL = _any(
    "do does can could should would is are i we you find it that this them they go see check"
    " get exactly on in at the portal website site page option button menu located one"
    " from there"
)
_NEED = _any(
    "need needed required require want ask asked bring prepare provide have submit attach"
    " needs wants asks requires"
)
_WHAT_FILL = _any(
    "do does will would should i we they you is are it that this for from me of to have"
    " exactly the documents papers else first then"
)
_LONG_FILL = _any(
    "does do will would is are it that this take takes taking the reply response process"
    " to get answer for them they usually roughly approximately about normally generally"
    " exactly a an decision review processing be in back hear i we"
)
_WHEN_FILL = _any(
    "will would do does is are i we they it get hear back a the reply response answer"
    " respond arrive come be done ready decision result take effect usually from them"
)
_NEXT_FILL = _any("what now next then do i should we happens happen after that this it")
_WHY_FILL = _any("is was that so this it exactly the case")
_MONEY_FILL = _any(
    "will would do does can is i we they he she get receive money it that be the each"
    " per month a monthly paid exactly roughly approximately about amount"
)
_OUTCOME_FILL = _any("then what do i should happens what now next")
_IF = r"(?:(?:what|and|but) )?(?:if |in case )?"
_SUBJECT = _any("i im it its they my objection application request we he she")
_MESSAGE = (
    r"(?:(?:the|a|any|my|an) )?(?:sms|code|message|text|text message|otp|password"
    r"|temporary password|verification code)"
)
_MOBILE = r"(?:my |the )?(?:number|mobile|phone|mobile number|phone number|sim)"

# (kind, whole-message pattern), tried in order.
_PATTERNS: List[Tuple[str, "re.Pattern[str]"]] = [
    (k, re.compile(p))
    for k, p in [
        (WHERE, rf"where{_fill(_WHERE_FILL + '|' + _BACK)}"),
        (
            WHERE,
            rf"(?:on |in |from )?which (?:page|menu|option|button|section|tab){_fill(_WHERE_FILL)}",
        ),
        (WHERE, r"(?:whats |what is )?(?:the )?(?:link|url|website)(?: for it)?"),
        (WHAT, rf"whats?{_fill(_AUX)} {_NEED}{_fill(_WHAT_FILL + '|' + _BACK)}"),
        (
            WHAT,
            rf"what (?:documents|papers|details|information|info|things){_fill(_AUX)}"
            rf" {_NEED}{_fill(_WHAT_FILL)}",
        ),
        (WHAT, r"(?:whats |what are |what is )?(?:the )?requirements?"),
        (
            START,
            r"when (?:did|was|has) (?:it|the program|this|that|citizen account)"
            r" (?:start|started|begin|began|launch|launched|set up|created)",
        ),
        (HOW_LONG, rf"how (?:long|soon){_fill(_LONG_FILL)}"),
        (HOW_LONG, rf"how many (?:days|weeks|months|hours){_fill(_LONG_FILL)}"),
        (HOW_LONG, rf"how much time{_fill(_LONG_FILL)}"),
        (HOW_LONG, rf"(?:by )?when{_fill(_WHEN_FILL)}"),
        (HOW_LONG, rf"within how (?:long|many days){_fill(_LONG_FILL)}"),
        (NEXT, rf"(?:then|after that|afterwards|next|and then)(?: what)?{_fill(_NEXT_FILL)}"),
        (NEXT, rf"what (?:is |are )?(?:the )?next(?: steps?| step)?{_fill(_NEXT_FILL)}"),
        (NEXT, rf"what(?:s|s the)? next(?: steps?)?{_fill(_NEXT_FILL)}"),
        (NEXT, r"what (?:now|next|then)"),
        (NEXT, rf"what (?:do|should|can|shall|must) (?:i|we) do{_fill(_NEXT_FILL)}"),
        (NEXT, rf"what happens{_fill(_NEXT_FILL)}"),
        (NEXT, rf"(?:the )?next steps?{_fill(_NEXT_FILL)}"),
        (
            NEXT,
            r"(?:and )?after (?:i|we) (?:send|submit|do|finish|file|apply|save|change|update"
            rf"|register|object)(?: {_PRONOUN})?{_fill(_NEXT_FILL)}",
        ),
        (
            LATE,
            r"why (?:havent|hasnt|didnt|dont|doesnt) (?:they|anyone|it) (?:replied|reply"
            r"|responded|respond|answered|called|come|arrived)(?: yet| back)?",
        ),
        (
            WHY_NOT,
            r"why (?:am i|was i|i am|im|did i|was it|is it|are we|were we|did it)(?: (?:not|still))?"
            r" (?:eligible|rejected|refused|accepted|ineligible|approved|get rejected|qualify"
            r"|qualified|not eligible|turned down)",
        ),
        (WHY_NOT, r"why did they (?:reject|refuse|decline|turn down) (?:me|it|us|my objection)"),
        (WHY, rf"why{_fill(_WHY_FILL)}"),
        (WHY, r"how come"),
        (
            BASIS,
            r"(?:what|which) (?:criteria|factors|things|info|information|data|basis)"
            r"(?: (?:do|does) (?:they|it))?(?: they)? (?:use|look at|consider|go by|depend on)"
            r"(?: to (?:decide|determine|calculate|work out|judge))?"
            r"(?: (?:the |my |our )?(?:eligibility|support|it|who is eligible|who gets it))?",
        ),
        (WHY, r"(?:whats |what is |what are )?(?:the )?reasons?(?: for (?:that|this|it))?"),
        (WHY, r"for what reason"),
        (HOW, rf"how{_fill(_any('do does can i we it that this you one exactly the way'))}"),
        (HOW, r"(?:in )?what way"),
        (
            CALLBACK,
            r"(?:will|do|would) (?:they|you|someone|anyone) (?:call|contact|get back to|reach)"
            r" (?:me|us)(?: back)?",
        ),
        (PHONE, r"(?:whats |what is )?(?:their|the|your) (?:phone |contact )?number"),
        (PHONE, r"(?:the )?phone number"),
        (PHONE, r"who (?:do|should|can|shall) i (?:call|contact|talk to|speak to|ask)"),
        (PHONE, r"how (?:do|can|should) i (?:contact|reach|call) (?:them|you)"),
        (PHONE, r"(?:is there |any |do they have )?(?:another|other|a different|a second) number"),
        (
            CHANNEL,
            r"(?:(?:is there|do they have|have they got|any|an|a|their|by|on|via|through|can i use) )*"
            r"(?:email|e-mail|whatsapp|fax|snapchat|instagram|telegram|chat|live chat)"
            r"(?: (?:address|number|account))?",
        ),
        (
            DELIVERY,
            r"(?:where|how|on what) (?:do|does|will|would) (?:i get|it come|it arrive|they send"
            r" it|it reach me|i receive it)",
        ),
        (
            AUTHORITY,
            r"who (?:runs|manages|is behind|is responsible for|set up|oversees) (?:it|this|that|the program)",
        ),
        (
            AUTHORITY,
            r"which (?:ministry|authority|body|government body|agency)(?: (?:runs|manages|is it))?",
        ),
        (
            COST,
            r"(?:is|does|will) (?:it|that|the call|calling|the service|this)"
            r" (?:free|cost anything|cost money|cost|paid)(?: of charge)?",
        ),
        (COST, r"(?:are there |any |is there (?:a |any )?)?(?:fees?|charges?)"),
        (COST, r"how much does (?:it|that|the call|calling|this) cost"),
        (COST, r"(?:for )?free"),
        (
            COUNT,
            r"how many times(?: (?:can|could|do|may) (?:i|we) (?:do|try|object|apply)(?: it| that)?)?",
        ),
        (
            VISIT,
            r"(?:do|should|must|can) (?:i|we) (?:have to |need to )?(?:go|visit|come)"
            r" (?:to )?(?:the |an |their )?(?:office|branch|headquarters)(?: in person)?"
            r"|(?:do i need to|should i) (?:go|visit) in person",
        ),
        (HOW_MUCH, rf"how much{_fill(_MONEY_FILL)}"),
        (HOW_MUCH, r"(?:and )?(?:the )?amount"),
        (
            REJECTED,
            rf"{_IF}(?:{_SUBJECT} )?(?:is |am |are |was |get |gets |got )?(?:rejected|refused|turned down"
            rf"|declined|not eligible|not accepted|ineligible|dont qualify|doesnt qualify)"
            rf"{_fill(_OUTCOME_FILL)}",
        ),
        (
            ACCEPTED,
            rf"{_IF}(?:{_SUBJECT} )?(?:is |am |are |was |get |gets |got )?(?:accepted|approved|eligible)"
            rf"{_fill(_OUTCOME_FILL)}",
        ),
        (
            NO_SMS,
            rf"{_IF}i (?:dont|didnt|havent|never|cant|do not|did not) (?:get|receive|got|received)"
            rf" {_MESSAGE}{_fill(_OUTCOME_FILL)}",
        ),
        (
            NO_SMS,
            rf"{_IF}{_MESSAGE} (?:doesnt|didnt|hasnt|isnt|never|wont|does not|did not)"
            rf" (?:arrive|arrived|come|came|reach me|coming|arriving){_fill(_OUTCOME_FILL)}",
        ),
        (NO_SMS, r"(?:still )?no (?:sms|code|message|text)(?: yet)?"),
        (
            MOBILE_CHANGED,
            rf"{_IF}(?:i (?:changed|lost) {_MOBILE}|my (?:number|mobile|phone|mobile number"
            r"|phone number) (?:has |is |was )?(?:changed|different|lost|new))"
            rf"{_fill(_OUTCOME_FILL)}",
        ),
        (
            LATE,
            rf"{_IF}(?:they|it|nobody|no one) (?:dont|doesnt|didnt|havent|hasnt|never|do not|does not)"
            r" (?:reply|respond|answer|replied|responded|answered|get back|got back|call)"
            rf"(?: to me| back| in time| on time)?{_fill(_OUTCOME_FILL)}",
        ),
        (
            LATE,
            rf"{_IF}(?:it|the reply) (?:takes|took|is taking|gets) (?:longer|too long|more than that)"
            rf"{_fill(_OUTCOME_FILL)}",
        ),
        (LATE, rf"{_IF}(?:its|it is|it gets|its been) (?:late|delayed){_fill(_OUTCOME_FILL)}"),
        (LATE, r"(?:still )?no (?:reply|response|answer)(?: yet)?"),
        (
            NO_ACCESS,
            rf"{_IF}i (?:cant|cannot|can not|couldnt|am unable to) (?:log in|login|sign in|get in"
            r"|access)(?: (?:to )?(?:the portal|my account|the site|the website|it))?",
        ),
        (
            NOT_DONE,
            rf"{_IF}i (?:dont|didnt|do not|did not|havent|never) (?:update|updated|do|did)"
            rf"(?: (?:it|that|them|my details|the details))?{_fill(_OUTCOME_FILL)}",
        ),
    ]
]

_ARTICLE = r"(?:(?:the|a|an|my|our|his|her|their) )?"
# (group, phrase), the more specific first (a foreign wife before a wife).
_GROUPS: List[Tuple[str, str]] = [
    (
        "foreign_wife",
        r"(?:foreign|non saudi|nonsaudi|non-saudi|expat) (?:wife|wives|woman married to a saudi)",
    ),
    (
        "saudi_mother",
        r"(?:children|kids|sons|son|daughter|daughters) of a saudi (?:mother|woman)"
        r"(?: married to a (?:foreigner|non saudi))?|saudi (?:mother|mom|mum)",
    ),
    ("wife", r"wife|wives"),
    ("husband", r"husband"),
    ("widow", r"widows?|widowed (?:woman|women|mother|mothers)|widow(?:ed)?"),
    ("divorced", r"divorc(?:ed|ee|ees)(?: (?:woman|women|mother|mothers|people))?"),
    ("custodian", r"custodial (?:mother|mothers|parent)|custody|custodian"),
    (
        "single",
        r"single(?: (?:man|men|woman|women|person|people|guy))?|singles|unmarried|bachelors?",
    ),
    (
        "disabled",
        r"disabled(?: (?:people|person|son|daughter|child))?|disability|people with disabilit(?:y|ies)"
        r"|(?:a )?person with a disability",
    ),
    ("unemployed", r"unemployed(?: (?:people|person))?|jobless|no job"),
    ("mobility_card", r"mobility card(?: holders?)?|holders? of a mobility card"),
    ("social_security", r"social security(?: beneficiar(?:y|ies))?"),
    ("scholarship", r"scholarship(?: students?)?|students? abroad"),
    ("student", r"(?:university |college )?students?"),
    ("retired", r"retired(?: (?:people|person))?|retirees?|pensioners?"),
    ("employee", r"(?:government |private sector )?employees?|someone who works|workers?"),
    ("traveller", r"travell?ers?|someone (?:travelling|traveling|abroad)"),
    ("prison", r"prisoners?|someone in (?:prison|jail)|prison|jail"),
    (
        "foreigner",
        r"foreigners?|non saudis?|non-saudis?|expats?|expatriates?|residents"
        # "i am indian working in riyadh with iqama": unless a Saudi husband or mother
        # follows (a foreign wife's, a Saudi mother's case, left to the NLU).
        r"|(?:i am|im|i'm) (?:an? )?(?:indian|pakistani|egyptian|filipino|filipina|bangladeshi"
        r"|sudanese|yemeni|jordanian|syrian|indonesian|nepali|sri lankan)\b(?!.*\bsaudi\b)"
        r"|(?:with|have|hold|on) (?:an? |my )?iqama\b(?!.*\bsaudi\b)",
    ),
    # "what if my son got married?": a dependant who married, died or moved out.
    (
        "dependant_change",
        r"(?:if )?(?:my |a |the |our )?(?:son|daughter|child|kid|dependant|dependent)s? "
        r"(?:got |gets |get |has |have )?(?:married|died|passed away|moved out|turned 18)",
    ),
    ("child", r"children|kids|sons?|daughters?|child"),
    ("parents", r"parents|mother|father|mom|dad"),
    ("friday", r"fridays?"),
    ("days", r"saturdays?|weekends?|holidays?|ramadan|eid"),
]
_GROUP_LEAD = r"(?:(?:what about|how about|what of|what if|and if|and for|for|about|and) )*"
_GROUP_TAIL = _fill(_any("too also then though as well"))
_GROUP_PATTERNS = [
    (name, re.compile(rf"{_GROUP_LEAD}{_ARTICLE}(?:{phrase}){_GROUP_TAIL}"))
    for name, phrase in _GROUPS
]

_WHOSE = (
    r"(?:someone|somebody|a person|a child|a kid|he|she|they|a son|a daughter|kids|children"
    r"|people|dependants?|dependents?"
    # "and our kid hes 5?", "and the older one is 19"
    r"|(?:my|our|the) (?:kids?|sons?|daughters?|children|child|boy|girl|older one|younger one"
    r"|eldest|youngest|oldest|little one|baby)(?: (?:he|she))?)"
)
_ABOVE, _BELOW = (
    ("over", "above", "older than", "more than"),
    ("under", "below", "younger than", "less than"),
)
_AGE = re.compile(
    rf"{_GROUP_LEAD}(?:(?:if )?{_WHOSE}(?: (?:is|are|who is|whos|hes|shes|aged|age))? )?"
    rf"(?:(?P<cmp>{'|'.join(_ABOVE + _BELOW)}) )?(?:age |a |an )?(?P<n>\d{{1,2}})"
    r"(?P<unit> (?:years? old|years?|yrs? old|yo)|-year-old| year old)?(?: (?:or (?:over|more|above|older)))?"
)


_TOLD = [(name, re.compile(rf"\b(?:{phrase})\b")) for name, phrase in _GROUPS]


def english_groups_told(text: str) -> List[str]:
    """Every group a normalised English message names anywhere in it."""
    return [name for name, pattern in _TOLD if pattern.search(text)]


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped ("don't" → "dont"), punctuation gone."""
    text = (text or "").lower().replace("’", "'").replace("'", "")
    return " ".join(re.sub(r"[^a-z0-9\- ]+", " ", text).split())


def _body(text: str) -> Tuple[str, bool]:
    tokens = normalise(text).split()
    led = False
    while tokens and tokens[0] in _LEADS:
        tokens, led = tokens[1:], True
    return _TRAIL.sub("", " ".join(tokens)).strip(), led


def _age(body: str, led: bool) -> Optional[int]:
    """ "under 18" → 17, "over 18" → 19, "a 16 year old" → 16; a bare number only after
    a lead ("and 17?"), since alone it answers a form's question."""
    match = _AGE.fullmatch(body)
    if not match:
        return None
    named = match.group("cmp") or match.group("unit") or not body.startswith(match.group("n"))
    if not (named or led):
        return None
    n, cmp = int(match.group("n")), match.group("cmp") or ""
    if cmp in _ABOVE:
        return n + 1
    if cmp in _BELOW:
        return max(0, n - 1)
    return n


def read_english(text: str) -> Optional[Ellipsis]:
    """What an English elliptical message asks, or None (not English, or not elliptical)."""
    if not text or text.lstrip().startswith("/") or re.search(r"[\u0600-\u06ff]", text):
        return None
    body, led = _body(text)
    if not body or len(body.split()) > MAX_WORDS:
        return None
    for kind, pattern in _PATTERNS:
        if pattern.fullmatch(body):
            return Ellipsis(kind)
    for group, pattern in _GROUP_PATTERNS:
        if pattern.fullmatch(body):
            return Ellipsis(WHO, group=group)
    age = _age(body, led)
    if age is not None:
        return Ellipsis(WHO, age=age)
    return None
