"""Which language to answer a message in: "ar", "en", or None when it does not say.

One function, `detect_language`, with no state: the NLU tags every message with it
(bot.nlu.language_tagger, which fills the `language` slot) and the channels ask it for
their own notices. A smarter detector can replace it as long as it keeps the signature.

Arabic first: Arabic script wins unless Latin words clearly outnumber it, and Latin
text that looks like Arabizi (Arabic in Latin letters, with 3/7/5... standing for
ع/ح/خ, or common dialect words) is Arabic too, since those citizens read Arabic.
Text with no letters (a number, an emoji, a button payload) says nothing, and the
conversation keeps the language it had.
"""

from __future__ import annotations

import re
from typing import Optional

import regex

# Arabic letters (with their diacritics and tatweel); Arabic-Indic digits and ؟ ، are not
# words and say nothing.
_ARABIC_WORD = regex.compile(r"(?V1)(?:[\p{Arabic}&&\p{L}][\p{Mn}\u0640]*)+")
_LATIN_WORD = re.compile(r"[A-Za-z0-9']*[A-Za-z][A-Za-z0-9']*")
# A digit standing for an Arabic letter: 2 ء, 3 ع, 5 خ, 6 ط, 7 ح, 8 ق/غ, 9 ق/ص, between
# letters ("e3tradi", "ab8a") or leading a word ("7alat", "3ndi").
_ARABIZI_DIGIT = re.compile(r"[a-z][2356789]+[a-z]|^[2356789][a-z]{2,}|^[a-z]{2,}[2356789]$")
# Digits leading English words: ordinals and units ("2nd", "8pm", "3months").
_ENGLISH_DIGIT = re.compile(
    r"^\d+(st|nd|rd|th|am|pm|k|g|gb|mb|kg|km|min|mins|hrs?|hours?|days?|weeks?|months?"
    r"|years?|yrs?|sar|riyals?|x)$"
)

# Common Arabizi words (Gulf and general), lower case, none of them a common English word.
_ARABIZI_WORDS = frozenset(
    """
    abi abee abgha abga abgh abga aby bghit bgheet ana anta enta inta enti inti ehna e7na
    wesh wish wsh waish weesh shno shnu shlon shloon eish esh ish lesh leh laish leish lish
    kaif kayf keef kef kif kifak kefak keefak kaifa kam km feen wain wen ween wein
    hala halla hla marhaba mar7aba mrhba salam assalam alsalam salaam alaikum alaykum 3alaikum
    shukran shokran shukrn mashkor mashkoor ya3tik yslmo yslmu ysalmo tslm
    yalla inshallah insha allah wallah walla wallahi habibi akhoy akhooy akhoi
    momkin mumkin mmkn mumken lazem lazim laazim ba3d ma3 mo mu mob mub msh mish mesh
    hal hatha hadha haza hada hathi hethi hadi hadhi elli illi alli ely lly
    fi fe fih feh feeh fyh wala wla aw bs bas bess ya yaa
    hsab 7sab hesab hisab 7esab 7isab mowatin muwatin mowaten muwaten almowatin almuwatin
    elmowaten almowaten elmuwatin da3m dam da3em t3wedh tasjeel tasjil tsjeel shroot shorot
    shurut shrot e3tirad i3tirad e3tradi etiradi a3tirad mablagh mablag ra9ed raseed
    ta7dith tahdeeth ta7dees bayanat byanat hawiya hawiyah jawal jwal zawja zawjti zoja
    rateb ratib dakhl ma3ash mo3ash mtzawej mutazawij ajnabiya ajnabia
    """.split()
)
# Common English words, lower case; enough of them tell English from unknown Latin text.
_ENGLISH_WORDS = frozenset(
    """
    the a an is are am was were be been being i i'm im me my mine you your you're we our
    us he his him she her they their them it its this that these those there here
    what how when where why who whom which whose can could do does did don't doesn't
    will would should shall may might must have has had not no yes please hello hi hey
    thanks thank to of in on at for with about from by into after before and or
    but if so than then want need get got know tell help check apply applied register
    registered still any some all more much many again also only just my wife husband
    married foreigner foreign mother father son daughter children child kids family
    citizen account support payment payments money amount eligible eligibility
    benefit benefits qualify status objection complaint ticket password mobile phone
    number change update documents document income salary age old years year months
    month working hours contact call agent person human someone speak talk english
    stopped reduced dropped less receive received paid deposit
    """.split()
)


def detect_language(text: Optional[str]) -> Optional[str]:
    """The reply language of `text`: "ar", "en", or None for text with no letters, a
    button payload, or Latin text too short and plain to tell ("ok", "iban")."""
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return None
    arabic = len(_ARABIC_WORD.findall(text))
    latin = [w.lower().strip("'") for w in _LATIN_WORD.findall(text)]
    if not arabic and not latin:
        return None
    if arabic >= len(latin):
        return "ar"
    if any(_ARABIZI_DIGIT.search(w) and not _ENGLISH_DIGIT.match(w) for w in latin):
        return "ar"
    arabizi = sum(w in _ARABIZI_WORDS for w in latin)
    english = sum(w in _ENGLISH_WORDS for w in latin)
    if arabizi and arabizi >= english:
        return "ar"
    if english or len(latin) >= 3:
        return "en"
    # One or two unknown Latin words (a loanword, a name): keep the conversation's language.
    return "ar" if arabic else None
