"""The line of the previous answer a short follow-up asks about.

"ونسخة القيد؟" after the list of documents, "وتويتر؟" after the channels, "ومين يتواصل
معي؟" after what «صوتك مسموع» offers: the answer before already holds the fact, in one of
its lines; repeating the whole answer does not say which, and read on its own the message
means nothing. The line is found by the message's content words, compared by a light stem
(the article, a glued preposition or conjunction, a verb's person prefix and a pronoun
suffix taken off: "يوصلني" and "توصلك" are both "وصل"). A word most of the answer's
lines use (the program's name) tells nothing and is not counted.
"""

from __future__ import annotations

import re
from typing import List, Optional

from bot.nlu.arabic import normalize
from bot.services.followups.shapes import ABOUT, ASK_LINE, Ellipsis, _body, _unglued

# Question words, fillers and the program's own name: they never tell lines apart.
_STOP = set(
    "في من على علي عن الى الي اللي هل يعني طيب لو اذا ان انا لي عشان حق تبع مع هذا هذي"
    " كذا بالضبط تقريبا عاده بس كمان بعد بعدين الحين وش ويش ايش شو وين فين كيف متى متي"
    " كم مين هو هي هم ما لا ولا او يا اخوي اقدر ابي ودي ممكن لازم يصير فيه شي حساب"
    " المواطن حسابي البرنامج طيب زين تمام"
    " يكون تكون فيها معي معك عندي عندك له لها نفس الشي وشو ايه يقدر تقدر نقدر عادي ينفع"
    " what where when who how which the a an is are do does can i my me it and or of"
    " to for in on about if then bout that this these those there they them will would"
    " ok okay not no yes says said please thanks just so also now"
    " should could have has get got after with do did done".split()
    + "بعده بعدها وبعدين عندهم عندكم عنده عندها الا صح صحيح ترى".split()
    # When it happened tells nothing of what: "ولدي تزوج الشهر اللي فات".
    + "الشهر شهر شهرين اسبوع اسبوعين السنه سنه فات الماضي اللي قبل".split()
)
_ARTICLE = re.compile(r"^(?:وال|فال|بال|كال|لل|ال|و|ف|ب|ل)(?=\S{3})")
_PERSON = re.compile(r"^(?:ي|ت|ن|ا)(?=\S{3})")
_PRONOUN = re.compile(r"(?:هم|ها|كم|ني|نا|ون|ين|ات|ه|ك|ي|ة)$")
_SPLIT = re.compile(r"\n|(?<=[.؛])\s+")
_NUMBERING = re.compile(r"^\s*(?:\d+[.)-]|[•*-])\s*")
# Shorter lines are not facts ("•"); a heading ("أبرز أسباب نقص مبلغ الدعم:") is skipped.
MIN_LINE_WORDS = 2


# Verbs a citizen uses for what an answer says another way ("مين بيكلمني؟" of "فريق
# الدعم يتواصل معك"), by stem.
_SAME_STEM = {"كلم": "تواصل", "تصل": "تواصل", "اتصل": "تواصل", "رسل": "وصل", "طلع": "ظهر"}
# A salary is what income is made of, in the program's answers ("مستند يوضح الراتب").
_SAME_STEM.update({"راتب": "دخل", "salary": "income"})
# "تجيني الرسالة" is "توصلك الرسالة" (Gulf "يجي" for arriving).
_SAME_STEM.update(dict.fromkeys(("جيني", "جاني", "جتني", "جاتني", "جات", "جيك"), "وصل"))


# Whole words that a light stem would split from what the answers call them, or join to
# an unrelated word ("لحالي" would be "حال", as "الحالة" is): "ولدي تزوج" is the answer's
# "زواج", "ساكن لحالي" its "السكن" and "مستقل".
_SAME_WORD = dict.fromkeys(
    "تزوج تزوجت متزوج متزوجه يتزوج تتزوج زواج الزواج زواجه زواجها".split(), "زواج"
)
# "ليش؟" asks for the line that gives the reasons ("وتشوف أسباب الرفض").
_SAME_WORD.update(
    dict.fromkeys("ليش ليه لماذا سبب السبب اسباب الاسباب why reason reasons".split(), "سبب")
)
_SAME_WORD.update(dict.fromkeys("married marry marries marriage".split(), "marriage"))
_SAME_WORD.update(dict.fromkeys("ساكن ساكنه ساكنين اسكن يسكن تسكن".split(), "سكن"))
_SAME_WORD.update(
    dict.fromkeys(
        "لحالي لحاله لحالها بروحي بروحه بمفردي مستقل مستقله استقلال استقلاليه".split(), "مستقل"
    )
)


def stem(word: str) -> str:
    if word in _SAME_WORD:
        return _SAME_WORD[word]
    word = _ARTICLE.sub("", word)
    word = _PERSON.sub("", word)
    bare = _PRONOUN.sub("", word)
    bare = bare if len(bare) >= 3 else word
    return _SAME_STEM.get(bare, bare)


def _tokens(text: str) -> List[str]:
    return re.findall(r"[\w]+", normalize(text).lower())


def content_words(text: str) -> List[str]:
    """The words of a message that can name what it asks about."""
    return [w for w in _tokens(text) if not _stop(w) and len(w) >= 2 and not w.isdigit()]


def _stop(word: str) -> bool:
    return word in _STOP or (word[:1] == "و" and word[1:] in _STOP)


def _same(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a))


def lines_of(answer_text: str) -> List[str]:
    lines = [_NUMBERING.sub("", line).strip() for line in _SPLIT.split(answer_text)]
    return [
        line
        for line in lines
        if len(line.split()) >= MIN_LINE_WORDS and not line.rstrip().endswith((":", "："))
    ]


def best_line(
    answer_text: str, words: List[str], need: int = 1, alone: bool = False
) -> Optional[str]:
    """The line of `answer_text` that shares the most of `words` (by stem), the first of
    equals; None when no line shares `need` informative ones, or, with `alone`, when
    another line shares as many (which of them is meant is not clear)."""
    found = ranked_line(lines_of(answer_text), words, tied=alone)
    return found[0] if found and found[1] >= need else None


def ranked_line(
    lines: List[str],
    words: List[str],
    last: bool = False,
    every: bool = False,
    tied: bool = False,
) -> Optional[tuple]:
    """(line, shared informative words, index) of the line sharing the most of `words`,
    the first of equals (the last with `last`; none with `tied`); None when none shares
    one. With `every`, a word most lines use counts too (steps of one procedure share
    their verbs)."""
    if not lines or not words:
        return None
    stemmed = [{stem(w) for w in _tokens(line)} for line in lines]
    informative = []
    for word in dict.fromkeys(stem(w) for w in words):
        seen = sum(any(_same(word, s) for s in line) for line in stemmed)
        if 0 < seen and (every or seen <= max(1, len(lines) // 2)):
            informative.append(word)
    shared = [sum(any(_same(w, s) for s in stems) for w in informative) for stems in stemmed]
    best, score = None, 0
    for index, hits in enumerate(shared):
        if hits > score or (last and hits and hits == score):
            best, score = index, hits
    if best is None or (tied and shared.count(score) > 1):
        return None  # with `tied`: two lines share as many, which one is meant is unclear
    return (lines[best], score, best)


_QUESTION = set(
    "وش ويش ايش شو وين فين كيف متى متي كم ليش مين لو اذا هل what where when who how why which".split()
)
# "ونسخة القيد؟", "وتويتر؟", "and twitter?": a message that continues the one before and
# names at most this many things, asking nothing else.
MAX_ABOUT_WORDS = 3
_AND = re.compile(r"^\s*(?:and|what about|how about)\b", re.IGNORECASE)


def read_about(text: str) -> Optional[Ellipsis]:
    """ABOUT with the words named, for a short "and X?" message; None otherwise."""
    if not text or text.lstrip().startswith("/"):
        return None
    body, led = _body(text)
    # "وتويتر" and "ولازم ارفعها؟" continue; "وين", "وش", "ولو" ask their own question,
    # and so does any message with a question word in it ("ويسكر الساعه كم؟").
    asked = _tokens(_AND.sub("", body))  # "what about X?" is "and X?"
    if any(_asks(w) for w in asked):
        return None
    glued = _unglued(body) is not None
    if not (led or glued or _AND.match(text)) or len(_tokens(body)) > MAX_ABOUT_WORDS + 2:
        return None
    named = content_words(body)
    if not 1 <= len(named) <= MAX_ABOUT_WORDS:
        return None
    return Ellipsis(ABOUT, about=tuple(named))


# "وكيف اعرف رقم الطلب؟" after «صوتك مسموع»: a question that continues the one before
# and is no longer than this.
MAX_LINE_QUESTION_WORDS = 8
MAX_UNLED_QUESTION_WORDS = 6
_LED_EN = re.compile(r"^\s*(?:and|so|ok|okay|what about|how about)\b", re.IGNORECASE)


# "ولدي تزوج الشهر اللي فات، هذا له دخل؟", "يعني لازم اكون ساكن لحالي؟": a yes or no
# asked of one line of a list just given; it tells more, so it may be longer.
_YES_NO = re.compile(
    r"^(?:يعني|هل)\s|(?:هذا|هذي|ذا)\s+(?:هو\s+)?(?:السبب|ياثر|يوثر|يفرق|يدخل|ينحسب|يحسب|له دخل)"
    r"|(?:ياثر|يوثر|يفرق|ينحسب)\s*[؟?]|\bis (?:that|this) (?:why|the reason)"
    r"|\bdoes (?:that|this|it) (?:count|matter|affect)"
    r"|^(?:and |so |ok )?(?:is|does|will) (?:it|that|this|they)\b|^(?:and |so |ok )?(?:are|do) they\b",
    re.IGNORECASE,
)
MAX_YES_NO_WORDS = 14
MAX_YES_NO_NAMED = 6
# The group of a yes-or-no line question: one word it shares with a line is enough, the
# rest tells the case ("ولدي تزوج" → "زواج").
YES_NO = "yes_no"
# The group of a message the selector read as the answer just given: the line of that
# answer that names what it asks, else the answer whole again.
REPEATED = "repeated"


def read_line_question(text: str) -> Optional[Ellipsis]:
    """ASK_LINE with the words named, for a short question that may continue the previous
    answer ("ومين يتواصل معي؟", "طيب والرساله وش فيها؟", "وش الحالات اللي ممكن تطلع؟");
    None otherwise."""
    if not text or text.lstrip().startswith("/"):
        return None
    body, led = _body(text)
    glued = _unglued(body) is not None and not body.startswith("والله")  # an oath
    asked = _tokens(body)
    continues = led or glued or _LED_EN.match(text)
    yes_no = _YES_NO.search(" ".join(_tokens(text)))
    if yes_no:
        # "هذا له دخل" asks whether, not about income.
        body = " ".join(_tokens(body)).replace(yes_no.group(0), " ")
    # "وش الحالات اللي ممكن تطلع؟" continues the answer without a "و": shorter still.
    longest = MAX_LINE_QUESTION_WORDS if continues else MAX_UNLED_QUESTION_WORDS
    if len(asked) > (MAX_YES_NO_WORDS if yes_no else longest):
        return None
    if not (text.rstrip().endswith(("؟", "?")) or any(_asks(w) for w in asked)):
        return None
    named = content_words(body)
    # Without a "و" the question must name two things a line holds ("الحالات", "تطلع"):
    # one word alone ("كيف اسجل؟") is a question of its own.
    most = MAX_YES_NO_NAMED if yes_no else MAX_LINE_QUESTION_WORDS // 2
    if not (1 if continues else 2) <= len(named) <= most:
        return None
    return Ellipsis(ASK_LINE, group=YES_NO if yes_no else None, about=tuple(named))


def _asks(word: str) -> bool:
    return word in _QUESTION or (word[:1] == "و" and word[1:] in _QUESTION)


def line_needs(words: List[str], group: Optional[str] = None) -> int:
    """How many of a question's words a line must share to answer it: all of one or
    two, two of more ("كيف اعرف رقم الطلب" → "رقم" and "الطلب"); one for a yes or no."""
    return 1 if len(words) <= 1 or group == YES_NO else 2
