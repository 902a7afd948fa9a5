"""ArabicTokenizer: a Rasa graph component that normalises Arabic as it tokenises.

Each token keeps its span in the original text (so entity offsets and what the user
sees stay untouched) while its lemma carries the normalised form (see
bot.nlu.arabic). Rasa's CountVectorsFeaturizer reads lemmas by default
(`use_lemma: true`), so every featurizer downstream sees folded letters and ASCII
digits, and punctuation such as ؟ ، ؛ never sticks to a word.

With `arabizi: true`, a message that bot.nlu.script calls Arabizi ("wesh shroot 7sab
almowaten") gets Arabic lemmas (وش شروط حساب المواطن, bot.nlu.arabizi) while its
tokens keep the Latin text: training examples and live messages go through the same
step, so the model sees Arabizi as the Arabic it was trained on, and the text that
the tracker, the transcript and the agents see stays what the citizen typed. English
is never transliterated; with `english_spelling: true` its chat shorthand and typing
slips get the lemmas of the words meant (bot.nlu.english_spelling).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

import regex
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.arabic import normalize
from bot.nlu.arabizi import transliterate_words
from bot.nlu.dialect import fold_dialect
from bot.nlu.english_spelling import SPELLED_TEXT, correct_words, respelled
from bot.nlu.script import ARABIZI, ENGLISH, WORD, language_of
from bot.nlu.stemming import light_stem

# A word is letters/digits plus the marks Arabic writes on them (harakat, tatweel),
# so a diacritised word is one token, not several.
_WORD = regex.compile(r"[\p{L}\p{N}\p{Mn}\u0640_]+")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ArabicTokenizer(Tokenizer):
    """Tokenises on word characters; lemma = normalised (optionally dialect-folded
    and stemmed) token."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # Fold MSA/Levantine function words onto the Saudi spelling
            # (ماذا/شو/ايش → وش, اريد/بدي/ابغى → ابي ...), see bot.nlu.dialect.
            "dialect": False,
            # Strip common clitics (و ف ب ل ال, ـه ـها ـك ـي ...) from the lemma.
            "stem": False,
            # Read Arabizi messages through their Arabic spelling, see bot.nlu.arabizi.
            "arabizi": False,
            # Read English chat shorthand and typing slips as the words meant, see
            # bot.nlu.english_spelling.
            "english_spelling": False,
        }

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ArabicTokenizer":
        return cls(config)

    @staticmethod
    def not_supported_languages() -> Optional[List[Text]]:
        return None

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        stem = self._config.get("stem", False)
        dialect = self._config.get("dialect", False)
        matches = list(_WORD.finditer(text))
        words = [match.group() for match in matches]
        language = language_of(text) if attribute == TEXT else None
        if language == ARABIZI and self._config.get("arabizi"):
            matches = list(WORD.finditer(text))  # keeps the apostrophe of 3' 7' 6' 9'
            words = transliterate_words([match.group() for match in matches])
        elif language == ENGLISH and self._config.get("english_spelling"):
            meant = correct_words(words)
            if meant != words:
                # The sentence encoder reads text, not lemmas: the same words meant.
                message.set(SPELLED_TEXT, respelled(text, matches, meant))
            words = meant
        tokens = []
        for match, word in zip(matches, words):
            if not word:
                continue  # a lone article ("el iban"), already joined to the next word
            lemma = normalize(word)
            if dialect:
                lemma = fold_dialect(lemma)
            if stem:
                lemma = light_stem(lemma)
            tokens.append(Token(match.group(), match.start(), lemma=lemma or match.group()))
        if not tokens:
            # Emoji-only or punctuation-only messages still need one token so the
            # featurizers produce a (near-empty) vector instead of failing.
            tokens = [Token(text, 0, lemma=normalize(text) or text)]
        return self._apply_token_pattern(tokens)
