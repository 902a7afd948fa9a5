"""The domain's responses as published now: Rasa's response generator (endpoints.yml,
`nlg:`), so an edited answer or reply reaches citizens without retraining.

Why a generator class and not Rasa's NLG callback endpoint: the callback costs an HTTP
round trip per reply and another service to run, while the texts are already in this
process (bot.content, kept current by bot.services.content.live). The trained model still
carries domain/faq.yml, rendered from the seed: it only decides *which* response to
utter; this class decides its words.

- utter_faq/<key>: the answer and its buttons from bot.content, in the reply language;
- any other response an editor changed in the console: the edited text;
- everything else: the domain's own variation, as Rasa's TemplatedNaturalLanguageGenerator
  would give it. Program facts ({contact.unified_number}) are filled in before Rasa fills
  the slots ({ticket_number}).
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot.content import faq_answers, faq_buttons, faq_text, fill, language_of, published_response
from bot.services.content import live

FAQ_PREFIX = "utter_faq/"


def live_text(utter_action: str, lang: str, response: Dict[str, Any]) -> Dict[str, Any]:
    """`response` (a copy of the domain's variation) with the published words in."""
    if utter_action.startswith(FAQ_PREFIX):
        key = utter_action[len(FAQ_PREFIX) :]
        if key in faq_answers():
            response["text"] = fill(faq_text(key, lang), lang)
            buttons = faq_buttons(key, in_domain=True, lang=lang)
            if buttons:
                response["buttons"] = buttons
            else:
                response.pop("buttons", None)
        return response
    edited = published_response(utter_action, lang)
    if edited is not None:
        response["text"] = fill(edited, lang)
    return response


class LiveResponses(TemplatedNaturalLanguageGenerator):
    def __init__(
        self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)
        # Every Rasa worker builds one generator: the place to keep this process current.
        live.watch()

    def generate_from_slots(
        self,
        utter_action: Text,
        filled_slots: Dict[Text, Any],
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        chosen = self._random_response_for(utter_action, output_channel, filled_slots)
        if chosen is None:
            return None
        response = live_text(
            utter_action, language_of(filled_slots.get("language")), copy.deepcopy(chosen)
        )
        return self._fill_response(response, filled_slots, **kwargs)
