"""English words the assistant receives, for telling English from Arabizi.

Why a list: a message in Latin letters is English or Arabizi, and the words give it
away. English is told by its frequent words (function words, chat words, the
program's own vocabulary in English, common verbs and nouns); a word not listed here
counts for neither side, so the list needs breadth, not completeness. Words that are
also common Arabizi ("fee" = في, "we" = و) are taken out of the count by
bot.nlu.script, which sees both lists.
"""

from __future__ import annotations

import re

_WORDS = """
a about above after again against all almost also always am an and another any anyone
anything are aren around as ask asked asking at away back be because been before being
below between both but by can cannot can't could couldn did didn do does doesn doing
don done down during each either else enough even ever every everyone everything few
for from further get gets getting give given go goes going gone got had hadn has hasn
have haven having he her here hers herself him himself his how however i if in into is
isn it its itself just least less let like many may maybe me might mine more most much
must my myself near need needs neither never new next no nobody none nor not nothing
now of off often on once one only or other others our ours ourselves out over own
please rather really same several shall she should shouldn since so some someone
something sometimes soon still such than that the their theirs them themselves then
there these they this those though through till to too toward under until up upon us
very was wasn we were weren what whatever when where whether which while who whom
whose why will with within without won would wouldn yet you your yours yourself
yourselves i'm im i've ive i'll ill i'd id you're youre don't dont doesn't doesnt
didn't didnt can't cant won't wont isn't isnt wasn't wasnt what's whats how's hows
it's that's thats there's theres let's lets
hi hey hello hiya howdy yo greetings morning evening afternoon night good bye goodbye
bye-bye later cya see thanks thank thx ty thnx tks cheers appreciate appreciated ok
okay okey k yes yeah yep yup sure no nope nah not really right correct wrong exactly
fine great nice cool awesome perfect welcome sorry excuse pls plz please u ur r lol
hmm oh ah wow dear sir madam mr mrs ms
citizen citizens account accounts program programme support supports payment payments
paid pay deposit deposited amount money bank banks iban transfer salary income
eligible eligibility ineligible qualify qualified qualification requirement
requirements condition conditions criteria rule rules status register registered
registration registering sign signup apply applied application applicant
applicants objection objections object objected appeal complaint complaints complain
ticket tickets report issue issues problem problems error errors bug help assist
assistance agent human person employee staff representative operator customer
service services care contact call number phone mobile hotline email website site
portal app application download login log password reset forgot forgotten recover
recovery change changed changing update updated updating edit modify add added
remove removed delete data details information info document documents papers
paper required need needed dependant dependants dependent dependents child children
kid kids son sons daughter daughters wife husband spouse family household member
members married single unmarried divorced widow bachelor foreign foreigner expat
nationality national id identity residence resident living live lives abroad
outside travel travelling prison prisoner shelter age old older young years year
month months monthly week weeks day days date time times today tomorrow yesterday
hours working open opening close closed when calculated calculation calculate share
decrease decreased increase increased dropped drop less lower higher reduced stopped
stop stopping cancel cancelled notifications notification alerts messages message
code otp sms resend send sent received receive verification verify rejected
rejection denied accepted approved pending review reply response answer answered
question questions ask bot robot machine automated chatgpt ai real talk talking
speak chat chatting ministry government saudi arabia kingdom riyal riyals sar
what's weather joke movie book football match capital cook recipe
is are was were be do does did have has had get got make made take took know knew
think want wanted like would could should will shall may might must can find found
show shows shown tell told give gave go went come came look looking looked use used
using try tried work works worked seem feel felt leave left keep kept put mean means
meant let begin began start started run ran move moved happen happened wait waiting
waited check checked checking explain understand believe bring brought buy bought
pay paying lost lose win won expire expired expires late early first second last
next other new old same different big small long short high low full empty free
fee fees cost costs price much many more most few little enough all any each every
some such only own same so than too very just also still already yet again ever
never always often sometimes usually here there where everywhere anywhere nowhere
way thing things people man woman men women place home house city country world
life work job part case point fact group problem hand eye today week back water
safe secure safety privacy private personal law wifi wi min mins
"""

ENGLISH_WORDS = frozenset(_WORDS.split())

# Inflections of listed words: "changed", "registering", "payments", "quickly".
_SUFFIX = re.compile(r"(?:ing|ed|es|s|ly|er)$")


def is_english(word: str) -> bool:
    """A listed English word, or a listed word with a common English ending."""
    word = word.lower()
    if word in ENGLISH_WORDS:
        return True
    if len(word) < 5:
        return False
    stem = _SUFFIX.sub("", word)
    return stem != word and (stem in ENGLISH_WORDS or stem + "e" in ENGLISH_WORDS)
