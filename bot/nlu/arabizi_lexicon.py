"""Hand lexicon of Arabizi words: Gulf function words and the program's own words.

Why by hand: spelling rules cannot recover what Arabizi leaves out. Short words have
too few letters to guess from ("ma" ما, "mo" مو, "la" لا, "fe" في), Gulf writers use
one digit for two letters ("ab8a" ابغى but "ra8m" رقم), and loanwords keep their
Latin look ("iban" ايبان, "password" باسورد). Each entry also tells the detector
(bot.nlu.script) that a word without digits is Arabic, not English.

Spellings are matched through `spelling_key`, which folds the usual variation (vowel
letters, doubled letters, 8/q/g/gh, 5/kh, 6/t, 9/s, hamza), so one or two
spellings per word cover most of what people type; on request (`fuzzy`), a word also
matches a listed key of five or more letters at one edit. Output is Arabic as the training data spells it; the
tokenizer normalises it like any Arabic token.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, Iterator, List, Optional, Tuple

# Arabic -> Latin spellings (any variant spelling_key folds need not be listed).
_ENTRIES: Dict[str, Tuple[str, ...]] = {
    # question words
    "وش": ("wesh", "wsh", "wish", "wash", "waish", "weesh"),
    "ايش": ("ish", "aish", "eish", "esh"),
    "شو": ("sho", "shu"),
    "ليش": ("lesh", "leish", "laish", "lish"),
    "ليه": ("leh", "leih", "laih"),
    "كيف": ("kaif", "kef", "keef", "kyf", "kif"),
    "وين": ("wain", "wen", "wein", "ween", "wayn"),
    "متى": ("mata", "mta", "mtaa", "emta", "meta"),
    "كم": ("kam", "kem", "km"),
    "هل": ("hal",),
    "لين": ("lin", "leen", "lain"),  # until: "kam yaa5th lin yrdon"
    "لما": ("lama", "lamma", "lmma"),  # when: "lama akamel 18"
    # want, can, have, know
    "ابغى": ("ab8a", "abgha", "abga", "abqa", "ab8aa", "ab8y", "abghi", "ba8a", "b8a", "bgha"),
    "ابي": ("abi", "aby", "abee", "abe", "abeh"),
    "ابا": ("aba",),
    "نبي": ("nabi", "nbi", "nby"),
    "تبي": ("tabi", "tbi"),
    "ودي": ("wedi", "wdi", "widdi"),
    "اقدر": ("a8dar", "aqdar", "agdar", "a8der", "agder"),
    "عندي": ("3ndi", "3endi", "3indi", "3andi"),
    "اعرف": ("a3rf", "a3ref", "a3raf", "a3rif"),
    "ادري": ("adri", "adry"),
    "مدري": ("madri", "mdri", "madry"),
    "اسوي": ("asawi", "asawee", "aswi", "asawy"),
    "سويت": ("sawet", "sawait", "sawyt"),
    # particles, pronouns, prepositions
    "ما": ("ma", "maa"),
    "مو": ("mo", "mu", "moo", "mob", "mub"),
    "لا": ("la", "laa"),
    "في": ("fe", "fi", "fee", "fy"),
    "فيه": ("feeh", "fih", "feh"),
    "مافي": ("mafi", "mafee", "mafy"),
    "من": ("mn", "min", "men", "mon", "meen"),
    "على": ("3la", "3ala", "3le", "3lay"),
    "عن": ("3n", "3an", "3en"),
    "مع": ("m3", "ma3", "me3"),
    "او": ("aw", "ow"),
    "ولا": ("wela", "wla", "wella", "wila", "wala"),
    # the article, for telling Arabizi from English (a lone one joins the next word)
    "ال": ("al", "el", "il"),
    "اذا": ("etha", "itha", "eza", "iza", "edha", "idha", "ida"),
    "لو": ("law", "lo"),
    "بس": ("bas", "bs"),
    "يا": ("ya", "yaa"),
    "و": ("w", "wa", "we", "u"),
    "انا": ("ana", "2ana", "anaa"),
    "انت": ("enta", "inta", "anta", "ent", "enti", "inti"),
    "هو": ("howa", "hwa", "hu", "ho"),
    "هي": ("heya", "hya", "hiya"),
    "لي": ("li", "lee", "ly"),
    "له": ("lah", "lh", "loh"),
    "لها": ("laha", "lha"),
    "حق": ("7ag", "7a8", "7aq", "7g"),
    "اللي": ("elli", "illi", "ili", "alli", "eli"),
    "هذا": ("hatha", "hada", "hadha", "hatha", "hetha", "haza"),
    "هذي": ("hathi", "hadi", "hadhi", "hathy", "hazi"),
    "الحين": ("alheen", "al7een", "el7en", "al7in", "alhin", "el7een", "lheen"),
    "للحين": ("lil7een", "lel7een", "lalheen", "lilheen"),
    "لسه": ("lissa", "lessa", "lisa", "lsa"),
    "بعد": ("ba3d", "b3d"),
    "قبل": ("8abl", "gabl", "gabel", "qabl"),
    "شي": ("shi", "shay", "shy", "shee"),
    "كذا": ("kitha", "keda", "kitha", "kidha"),
    "عشان": ("3shan", "3ashan", "ashan"),
    "لازم": ("lazem", "lazim", "lazm"),
    "ممكن": ("mumken", "momken", "mmkn", "mumkin", "momkin"),
    # greetings, thanks, yes and no
    "السلام": ("alsalam", "assalam", "asalam", "elsalam", "assalamu", "alsalamu", "asalamu"),
    "سلام": ("salam", "slam"),
    "عليكم": ("3alaikom", "3likom", "3lykm", "alaikum", "alaykum", "3alykm", "3laikum"),
    "هلا": ("hala", "hla", "halaa", "hallaa"),
    "اهلا": ("ahlan", "ahla", "ahln"),
    "مرحبا": ("marhaba", "mar7aba", "mr7ba", "mrhba", "mar7ba"),
    "شكرا": ("shukran", "shokran", "shkran", "shokrn", "shkrn"),
    "مشكور": ("mashkoor", "mashkor", "mshkor", "mshkoor", "mashkur"),
    "يعطيك": ("ya3teek", "y3tik", "ya3tik", "y3teek"),
    "العافيه": ("al3afya", "el3afia", "al3afiah", "el3afyah", "l3afya"),
    "والله": ("wallah", "wallahi", "wlh", "wallh"),
    "الله": ("allah", "alla"),
    "امان": ("aman", "amaan"),
    "السلامه": ("alsalama", "assalama", "elsalama", "salama", "alsalamah"),
    "تمام": ("tamam", "tmam", "tamaam"),
    "نعم": ("na3am", "n3m", "na3m"),
    "ايه": ("ee", "eh", "ih", "aih", "eeh", "ey"),
    "ايوه": ("aywa", "aiwa", "aiwah", "aywah", "eywa"),
    "اوكي": ("ok", "okay", "oki", "okey"),
    "يلا": ("yalla", "yallah", "yla"),
    "باي": ("bye", "bai"),
    "اخوي": ("5ooy", "khoy", "akhooy", "akhoy", "5oy", "a5oy", "a5ooy", "khooy"),
    "حبيبي": ("7abibi", "habibi", "7bibi", "7abeebi"),
    "كيفك": ("kefak", "kaifak", "kefik", "kaifik", "keefak", "kifak"),
    "شلونك": ("shlonak", "shlonk", "shlonik", "shloonak"),
    "حالك": ("7alak", "halak", "7alik"),
    "جزيلا": ("jazeelan", "jazilan", "jazeela"),
    "امان الله": ("amanillah", "amanallah", "amanilah"),
    "ان شاء الله": ("inshallah", "inshalla", "insha2allah", "enshallah", "inshaallah"),
    "ما شاء الله": ("mashallah", "masha2allah", "mashaallah"),
    "سؤال": ("s2al", "so2al", "su2al", "sual", "soal"),
    "الغاء": ("elgha2", "elghaa", "ilgha2", "algha2", "elgha"),
    "الغي": ("alghi", "elghi", "elgh", "algh", "alghe"),
    "زين": ("zain", "zein", "zen"),
    "غلا": ("ghala", "3'ala", "ghla"),
    "اهلين": ("ahlain", "ahleen", "ahlein"),
    "صباح": ("sabah", "9aba7", "saba7", "9abah"),
    "مساء": ("masa", "masa2", "mesa", "masaa"),
    "الخير": ("alkhair", "el5air", "elkhair", "al5air", "el5eer", "alkhayr"),
    "خير": ("khair", "5air", "khayr", "5eer", "kher"),
    "تسلم": ("tislam", "teslam", "tslm", "tsalem", "tislamli"),
    "يسلمو": ("yislamo", "ysalmo", "yeslamo", "yslmo"),
    "قصرت": ("8a9art", "gasart", "gassart", "qasart", "ga9art"),
    "جزاك": ("jazak", "jazaak", "jzak"),
    "معليش": ("ma3lesh", "m3lsh", "ma3laish", "m3lish"),
    "عفوا": ("afwan", "3afwan", "3fwan"),
    "ارسل": ("arsel", "ersel", "arsil", "ersal", "rsl"),
    "مره": ("mara", "marra", "mrra", "marrah"),
    "ثانيه": ("thanya", "thanyah", "thaniya", "sanya", "thanyeh"),
    "ثاني": ("thani", "sani", "thany"),
    "يوم": ("yom", "youm", "yoom", "yawm"),
    "ايام": ("ayam", "ayyam", "ayaam"),
    "شهر": ("shahar", "shahr", "sh7r", "shaher"),
    "اليوم": ("alyom", "elyoum", "alyoum", "elyom", "ilyom"),
    "امس": ("ams", "ems", "2ams"),
    "بعدين": ("ba3dain", "ba3deen", "b3dain", "b3den"),
    "مشكله": ("mushkila", "moshkela", "mshkla", "mushkela", "moshkila"),
    "غلط": ("ghalat", "3'la6", "gla6", "3'ala6", "ghala6"),
    "فلوس": ("faloos", "flos", "floos", "flous"),
    "راتب": ("rateb", "ratib", "raatib"),
    "عيال": ("3yal", "3eyal", "3iyal", "eyal"),
    "ولدي": ("wldi", "weldi", "waladi", "wledi"),
    "بنتي": ("bnti", "binti", "benti"),
    "زوجي": ("zoji", "zawji", "zooji", "zawjy"),
    "امي": ("omi", "ummi", "ommi", "umi"),
    "ابوي": ("abooy", "aboy", "abui", "aboi"),
    "مطلقه": ("mutalaga", "mo6alla8a", "m6l8a", "mutallaqa", "m6alga"),
    "ارمله": ("armala", "armalah", "armla"),
    "وايد": ("wayed", "wayid", "waid"),
    "ارامل": ("arammel", "araamel", "aramel"),
    "حضانه": ("7athana", "7adana", "hadana", "7a6hana", "7edana", "hathana"),
    "حضانتي": ("7athanti", "7adanti", "hadanti", "7athanty", "hathanti"),
    "حاضنه": ("7athina", "7adina", "hadina", "7a6hna", "7athna"),
    "ايتام": ("aytam", "aitam", "ytam"),
    "توفى": ("twafa", "tuwafa", "twfa", "tawafa", "twaffa"),
    "متوفي": ("metwaffi", "mitwafi", "mtwfi", "motawafa"),
    "وظيفه": ("wa6eefa", "wadheefa", "wazifa", "wathifa", "wa9eefa", "wthefa"),
    "توظف": ("twa9af", "twazaf", "twathaf", "tawazaf", "twatha9", "twaththaf"),
    "توظفت": ("twa9afat", "twazafat", "twathafat", "tawazafat", "twaththafat", "twa9aft"),
    "يشتغل": ("yashtaghel", "yshta8el", "yeshtaghil", "yshtghl"),
    "قطاع": ("8e6a3", "qita3", "8ta3", "gita3", "8a6a3", "qetaa"),
    "نصيب": ("naseeb", "nasib", "nseeb", "na9eeb"),
    "نصيبه": (
        "naseebah",
        "nasibah",
        "nseebah",
        "naseebo",
        "na9eebah",
        "naseebh",
        "nasebh",
        "nsebh",
    ),
    "نصيبها": ("naseebha", "nasibha", "nseebha", "na9eebha"),
    "ردوا": ("raddo", "raddow", "raddaw", "radoo", "raddu"),
    "يردون": ("yraddon", "yeraddon", "yradoon", "yriddon", "yrdon"),
    "علي": ("3alay", "3alai", "3laya", "3alya", "3alaiy"),
    "يسكرون": ("ysakron", "ysakkroon", "ysakroon", "ysakkron"),
    "يفتحون": ("yfta7on", "yafta7on", "yfta7oon", "yefta7on"),
    # the program
    "حساب": ("7sab", "7esab", "7isab", "hesab", "hsab", "7sab"),
    "حسابي": ("7sabi", "7esabi", "hesabi"),
    "المواطن": ("almowaten", "almwaten", "almuwatin", "elmowaten", "almwatn", "almowatin"),
    "مواطن": ("mowaten", "mwaten", "muwatin", "mowatin", "mwatn"),
    "دعم": ("da3m", "d3m", "de3m"),
    "الدعم": ("alda3m", "elda3m", "ald3m", "eld3m"),
    "ايبان": ("iban", "eban", "aiban", "ibaan", "ayban"),
    "بنك": ("bank", "bnk"),
    "جوال": ("jawal", "jwal", "jawwal", "jwaal"),
    "جوالي": ("jawali", "jwali", "jawwali"),
    "رقم": ("ra8m", "raqm", "ragm", "r8m", "rqm", "rgm", "raqam"),
    "اعتراض": ("e3trad", "e3tirad", "i3tirad", "e3tra6", "e3tera6", "e3tra9", "e3tira9"),
    "اعتراضي": ("e3tradi", "e3tiradi", "i3tiradi", "e3tra6i", "e3tra9i", "e3terady"),
    "اعترض": ("a3tared", "a3tered", "a3tri9", "a3tarid", "a3tere9"),
    "بلاغ": ("balagh", "blagh", "bala3'", "balag", "blag"),
    "شكوى": ("shakwa", "shakwah", "shkwa", "shakwe"),
    "شروط": ("shroot", "shorot", "shoroot", "shurut", "shrot", "shro6"),
    "شرط": ("shart", "shar6"),
    "تسجيل": ("tasjeel", "tasjil", "tsjeel", "tasjel"),
    "اسجل": ("asajel", "asajjel", "asjel", "asajil", "asjl"),
    "كلمه": ("kalmat", "kalimat", "kelmat", "klmat", "kalma", "kilmat"),
    "السر": ("alsr", "alsir", "elsr", "essir", "assir", "elser", "alser"),
    "سر": ("sr", "ser", "sir", "sirr"),
    "المرور": ("almoror", "almuror", "elmroor", "almroor", "elmoror"),
    "مرور": ("moror", "muror", "mroor"),
    "باسورد": ("password", "pass", "passwrd", "paswerd", "baswerd", "basword"),
    "نسيت": ("nseet", "naseet", "nsit", "nseit", "nasit"),
    "موظف": ("mow9af", "mowa6af", "mwathaf", "mwadhaf", "mowazaf", "mwazaf", "mowa9af", "mwthf"),
    "اهليه": ("ahliya", "ahlia", "ahleya", "ahliyah", "ahliyya", "a7liya"),
    "اهليتي": ("ahliyati", "ahliati", "ahleyati", "ahlyti"),
    "دفعه": ("daf3a", "dof3a", "dafa3a", "def3a"),
    "مبلغ": ("mablagh", "mablag", "mblgh", "mabla8"),
    "رمز": ("ramz", "rmz", "ramez"),
    "كود": ("code", "kod", "cod"),
    "تطبيق": ("ta6bee8", "tatbeeq", "tatbeeg", "t6be8", "ta6bi8", "tatbiq"),
    "اب": ("app",),
    "حاله": ("7ala", "7alah", "7aala", "7alat"),
    "تحديث": ("ta7deeth", "ta7dith", "ta7dees", "t7deeth"),
    "بيانات": ("bayanat", "byanat", "bayanaat", "bianat"),
    "تنبيهات": ("tanbeehat", "tanbihat", "tnbehat"),
    "تابع": ("tabe3", "tab3", "taabe3", "tabi3"),
    "سعودي": ("sa3oodi", "sa3udi", "saudi", "s3odi", "sa3odi"),
    "سعوديه": ("sa3oodiya", "sa3udiya", "saudiya", "s3odia", "sa3odiya", "saudia"),
    "اجنبي": ("ajnabi", "ajnby", "agnabi"),
    "اجنبيه": ("ajnabiya", "ajnabia", "ajnbya"),
    "زوجتي": ("zawjati", "zojti", "zawjti", "zoujti", "zwjti"),
    "مستحق": ("mosta7e8", "musta7iq", "mst7g", "mosta7eg", "mista7ig"),
    "خدمه": ("khidma", "5edma", "khedma", "5dma", "khdmat", "khidmat", "5edmat"),
    "العملاء": ("al3omala", "el3omala", "al3umala", "el3mla"),
    "طريقه": ("6ree8a", "6ari8a", "tareeqa", "6ree8at", "tari8a", "6ari8at"),
    "خطوات": ("5o6wat", "khutuwat", "5atwat", "kh6wat"),
    "مطلوبه": ("ma6looba", "matlooba", "ma6luba", "m6loba"),
    "اوراق": ("awra8", "awraq", "awrag"),
    "اقامه": ("iqama", "e8ama", "i8ama", "eqama", "egama"),
    "ابشر": ("absher", "abshir"),
    "صار": ("sar", "9ar", "saar", "9aar"),
    "بوت": ("bot",),
    "روبوت": ("robot",),
    "صوتك": ("9otak", "sotak", "sawtak", "9owtak"),
    "مسموع": ("masmoo3", "masmoo", "masmou3", "masmu3", "masmo3"),
    # living alone: the article rule would read "lw7di" as ال + وحد
    "لوحدي": ("lw7di", "lwa7di", "lu7di", "lo7di", "lwahdi", "lewa7di"),
}

# A key is the spelling with its usual variation folded away; see spelling_key.
_UNITS = re.compile(
    r"3'|7'|6'|9'|3’|7’|6’|9’|kh|sh|ch|gh|dh|th|ph|ou|oo|ee|ai|ay|ei|ey|aa|[5689qu2e'’]"
)
_UNIT_KEY = {
    "3'": "g", "7'": "x", "6'": "z", "9'": "d", "3’": "g", "7’": "x", "6’": "z", "9’": "d",
    "kh": "x", "sh": "$", "ch": "$", "gh": "g", "dh": "d", "th": "t", "ph": "f",
    "ou": "o", "oo": "o", "ee": "i", "ai": "i", "ay": "i", "ei": "i", "ey": "i", "aa": "a",
    "5": "x", "6": "t", "8": "g", "9": "s", "q": "g", "u": "o", "2": "", "e": "i",
    "'": "", "’": "",
}  # fmt: skip
_REPEAT = re.compile(r"(.)\1+")


def spelling_key(word: str) -> str:
    """Fold spelling variation: "ab8a"/"abgha"/"abqa" -> "abga", "kaif"/"keef" -> "kif"."""
    key = _UNITS.sub(lambda m: _UNIT_KEY[m.group()], word.lower())
    key = _REPEAT.sub(r"\1", key)
    if len(key) > 1 and key.endswith("y"):
        key = key[:-1] + "i"
    return key


def _deletes(key: str) -> Iterator[str]:
    for i in range(len(key)):
        yield key[:i] + key[i + 1 :]


# Fuzzy matching starts at this key length: shorter words are too alike ("ma", "mo").
FUZZY_MIN = 5


def _build() -> Tuple[Dict[str, str], Dict[str, List[Tuple[str, str]]]]:
    exact: Dict[str, str] = {}
    fuzzy: Dict[str, List[Tuple[str, str]]] = {}
    for arabic, spellings in _ENTRIES.items():
        for spelling in spellings:
            exact.setdefault(spelling_key(spelling), arabic)
    for key, arabic in exact.items():
        if len(key) >= FUZZY_MIN:
            for near in {key, *_deletes(key)}:
                fuzzy.setdefault(near, []).append((key, arabic))
    return exact, fuzzy


_EXACT, _FUZZY = _build()
# Spellings as typed, lower-cased: the detector asks whether a word is listed as is.
SPELLINGS = frozenset(s.lower() for spellings in _ENTRIES.values() for s in spellings)


def is_listed(word: str) -> bool:
    """The word's spelling key is the key of a listed spelling (no edit allowed)."""
    return spelling_key(word) in _EXACT


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@lru_cache(maxsize=4096)
def lookup(word: str, fuzzy: bool = False) -> Optional[str]:
    """Arabic for a listed Arabizi word by spelling key; with `fuzzy`, also within
    one edit of a listed key of FUZZY_MIN letters or more."""
    key = spelling_key(word)
    hit = _EXACT.get(key)
    if hit is not None or not fuzzy or len(key) < FUZZY_MIN - 1:
        return hit
    # Symmetric deletes find the candidates; an edit count keeps the one-edit ones.
    for near in (key, *_deletes(key)):
        for listed, arabic in _FUZZY.get(near, ()):
            if _one_edit(key, listed):
                return arabic
    return None
