"""Follow-ups: the second message of a conversation, read against the topic of the answer
before it.

- shapes (and groups): whether a message is elliptical ("وين؟", "والأرملة؟", "واللي فوق
  ١٨؟", "كم ياخذ وقت؟", "طيب وبعدين؟", "ليش؟") and what it asks for; it needs no context,
  so the NLU (bot/nlu/followup_shapes.py) can mark such messages for the follow-up action.
- loose: a short question naming its subject ("كم ياخذ تغيير الايبان؟"), answered on the
  topic only when the topic's answer speaks of it.
- asking: questions about a service (never starting its form) and conditions ("وإذا ما
  عندي ايبان؟") that no other shape reads.
- stories: a long message whose last question leans on the subject the story names.
- lines: "and X?" ("ونسخة القيد؟", "وتويتر؟") and other short questions the previous
  answer holds the fact of in one of its lines, found by a light stem of the words.
- told: a group told with "can I register?" ("انا موظف حكومي، اقدر اسجل؟"): that
  group's eligibility answer.
- topics: the topic of the previous answer, from the conversation's events (the FAQ key
  Rasa records with each FAQ answer, or the `last_topic` slot a service action set).
- picker: the answer a kind of follow-up gets on a topic, from bot/content/followups.yml,
  or from the citizen's own pre-check answers; what the sources do not give, said plainly.
"""
