"""Abuse detector: insults, threats, harassment and slurs aimed at people.

The rule that keeps it honest: **abuse has a person as its target.** Negative sentiment about a
product, a service, a release or a process is feedback, not abuse, however angry it is:
"this update is garbage and your support is useless" passes, "kill -9 the process" passes,
"this game is killer" passes. So insults count only when predicated of a person ("you are ...",
"you idiot", "he is a moron", "people like you ..."), threats only when a violent verb has a
person as its object ("I will hurt you", not "I will kill the process"). Slurs are the one
exception: they are abuse wherever they appear.

VADER (vaderSentiment) scores the sentence around each candidate:
- a mild insult ("you are useless") counts only when the sentence is negative enough
  (`mild_insult_max_compound`), so banter and quoted words pass;
- an insult in a very negative sentence is raised one severity (`escalate_compound`);
- "directed negativity" catches paraphrases the phrase patterns miss: "you" followed closely by
  a degrading word in a sentence VADER scores at or below `directed_negativity_compound`.
VADER only runs when a cheap word gate finds a candidate, so ordinary text never pays for it.

Matching runs on `NormalizedText.lower_words`: homoglyphs, zero-width characters, leetspeak
("1d10t"), spelled-out letters ("i d i o t"), stretched letters and '*' masks are undone first.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar, Literal, Mapping, Sequence

from pydantic import Field
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from tractatus.governance.actions import Finding, Severity
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.detectors.abuse_target import BenignSpans, TargetLexicon
from tractatus.governance.detectors.evidence import excerpt
from tractatus.governance.detectors.group_hate import (
    GroupHateRules,
    GroupHateSettings,
    negated_generalisations,
)
from tractatus.governance.detectors.learned_tier import LearnedTier, LearnedTierSettings
from tractatus.governance.detectors.lexicon import FUNCTION_WORDS, alternation, gate_words, sentence_bounds
from tractatus.governance.detectors.text_model import model_input
from tractatus.governance.lazy_pattern import lazy_compile

SeverityName = Literal["info", "low", "medium", "high", "critical"]
AbuseCategory = Literal["threat", "slur", "group_hate", "insult", "mild_insult", "harassment", "self_harm_incitement", "directed_negativity"]

# -- lexicons (data, not thresholds) ------------------------------------------------------------

# Nouns that degrade a person. Plural "s" is added by the patterns.
INSULT_NOUNS = (
    "idiot", "moron", "imbecile", "cretin", "loser", "jerk", "scumbag", "scum", "dumbass", "dipshit", "asshole",
    "arsehole", "bastard", "bitch", "prick", "dickhead", "douche", "douchebag", "clown", "buffoon", "halfwit",
    "dimwit", "nitwit", "numbskull", "knucklehead", "pig", "swine", "degenerate", "freak", "creep", "parasite",
    "vermin", "fool", "twat", "wanker", "cunt", "retard", "subhuman", "trash", "garbage", "failure", "disgrace",
    "piece of shit", "piece of crap", "piece of garbage", "piece of trash", "waste of space", "waste of oxygen",
    "waste of air", "waste of skin", "sack of shit", "son of a bitch", "shithead", "airhead", "bonehead",
    "meathead", "lowlife", "dumbo", "dunce", "ignoramus", "simpleton", "nobody", "nutjob", "psycho", "weirdo",
    "coward", "slut", "whore", "skank", "cow", "rat", "snake", "worm", "maggot", "cockroach", "leech",
    "excuse for a human", "excuse of a human", "joke of a person", "dumb fuck", "fuckface", "fucker",
    "motherfucker", "shit", "turd", "dickwad", "tool", "waste", "animal", "monster", "savage", "neanderthal",
)  # fmt: skip
# Adjectives that degrade a person when predicated of them.
STRONG_ADJECTIVES = (
    "stupid", "dumb", "idiotic", "moronic", "brainless", "braindead", "brain dead", "retarded", "worthless",
    "pathetic", "disgusting", "repulsive", "vile", "despicable", "contemptible", "ugly", "hideous", "fat",
    "dumbest", "stupidest", "ugliest", "most pathetic", "most useless", "sick in the head", "mentally ill",
    "subhuman", "trash", "garbage", "a joke", "beneath contempt", "filthy", "scummy", "insufferable",
)  # fmt: skip
# Adjectives that are rude about a person but also ordinary complaints: they need VADER to agree.
MILD_ADJECTIVES = (
    "useless", "incompetent", "clueless", "hopeless", "lazy", "ignorant", "annoying", "rude", "lame",
    "boring", "ridiculous", "a disappointment", "an embarrassment", "embarrassing", "terrible", "awful",
    "the worst", "horrible", "dense", "thick", "slow", "crazy", "insane", "nuts", "delusional", "a liar",
    "a fraud", "a hypocrite", "a failure", "spineless", "gutless", "shameless", "irrelevant",
)  # fmt: skip
# Slurs: abuse wherever they appear (no target needed). Kept short and unambiguous on purpose:
# words with common innocent senses ("coon", "fag" = cigarette) are left to the targeted rules.
SLURS = (
    "nigger", "niggers", "nigga", "niggas", "faggot", "faggots", "kike", "kikes", "spic", "spics", "chink",
    "chinks", "gook", "gooks", "wetback", "wetbacks", "tranny", "trannies", "raghead", "ragheads", "towelhead",
    "towelheads", "beaner", "beaners", "paki", "pakis", "sandnigger", "porch monkey", "jungle bunny",
    "camel jockey", "golliwog", "zipperhead", "shemale", "retards", "mongoloid", "untermensch",
)  # fmt: skip
VIOLENT_VERBS = (
    "kill", "murder", "hurt", "beat", "beat up", "stab", "shoot", "strangle", "choke", "punch", "slap",
    "kick", "destroy", "end", "break", "smash", "burn", "rape", "bury", "butcher", "slaughter", "eliminate",
    "cut", "skin", "gut", "execute", "torture", "drown", "poison", "blow up", "assault", "attack", "harm",
    "wreck", "hang", "lynch", "behead", "cripple", "maim", "crush", "bash", "smack", "knife", "gun down",
    "take out", "get rid of", "put down", "run over", "set fire to", "curb stomp", "strangle", "suffocate",
)  # fmt: skip
PROFANITY = ("fuck", "fucking", "shit", "damn", "bloody", "crap", "piss", "bitch", "ass", "screw")

_NOUN = alternation(INSULT_NOUNS, masks=True)
_STRONG = alternation(STRONG_ADJECTIVES, masks=True)
_MILD = alternation(MILD_ADJECTIVES)
_VIOLENT = alternation(VIOLENT_VERBS, masks=True)

_YOU = r"(?:you|u|ya|yu|thou|you\s+(?:guys|people|lot|all|two|both|clowns|morons|idiots)|y'?all)"
_BE = r"(?:\s+are|\s*'re|\s+r|\s+re|\s+were|\s+is|\s*'s|\s+be|\s+really\s+are|\s+truly\s+are|\s+remain|\s+look\s+like|\s+sound\s+like|\s+act\s+like)"
_FILLER = (
    r"(?:\s+(?:such|a|an|the|so|very|really|truly|totally|complete|completely|absolute|absolutely|utter|utterly|"
    r"fucking|fuckin|freaking|effing|friggin|frigging|damn|goddamn|bloody|big|biggest|huge|little|pathetic|"
    r"worthless|stupid|dumb|ugly|fat|just|literally|nothing|but|bunch|of|most|some|kind|sort|dumbest|"
    r"stupidest|honestly|seriously|clearly|obviously|officially|definitely|certainly|still|always|being|one|"
    r"sad|sorry|miserable|lazy|incompetent|useless|brainless|dirty|filthy|disgusting|typical|like|"
    r"[a-z]*[*#]+[a-z]*))*"  # masked profanity: "f*cking"
)
_NOT_NEGATED = r"(?!\s+(?:not|never|no\s+longer)\b)(?<!n't)"
_PERSON_3RD = (
    r"(?:he|she|they|him|her|them|this\s+(?:guy|girl|man|woman|person|dude|kid|bloke|lady)|that\s+(?:guy|girl|man|woman|person|dude|kid|bloke|lady)|"
    r"your\s+(?:whole\s+|entire\s+)?(?:mom|mother|mama|mum|dad|father|family|wife|husband|kids?|children|sister|brother|boss|friends?|girlfriend|boyfriend)|"
    r"people\s+like\s+(?:you|him|her|them)|(?:the|your|our|these|those|all)\s+(?:devs?|developers|engineers|staff|employees|team\s+members|"
    r"moderators?|mods|admins?|managers?|support\s+(?:staff|agents?|reps?|people|guys)|people|guys|folks|women|men|immigrants|foreigners|"
    r"owners?|ceo|boss|teachers?|nurses?|doctors?|politicians?|neighbou?rs?))"
)
_BE_3RD = r"(?:\s+is|\s*'s|\s+are|\s*'re|\s+was|\s+were|\s+remains?)"

# "you are", plus the spellings people type in anger: "ur", "youre", "your an idiot".
_YOU_ARE = rf"(?:{_YOU}{_BE}|ur|youre|yur|ure|your(?=\s+(?:a|an|such|so|the\s+biggest)\s))"
_INSULT_YOU = lazy_compile(
    rf"\b{_YOU_ARE}{_NOT_NEGATED}{_FILLER}\s+(?P<insult>{_NOUN}(?:e?s)?|{_STRONG}|(?P<mild>{_MILD}))\b"
)
_INSULT_VOCATIVE = lazy_compile(rf"\b(?:you|u|ya)(?:\s+(?:stupid|dumb|fucking|worthless|pathetic|little|absolute|complete|utter|fat|ugly|filthy|dirty|disgusting|lazy|brainless|miserable|sad|sorry|piece\s+of|bunch\s+of))*\s+(?P<insult>{_NOUN}(?:e?s)?)\b")
_INSULT_THIRD = lazy_compile(rf"\b{_PERSON_3RD}{_BE_3RD}{_NOT_NEGATED}{_FILLER}\s+(?P<insult>{_NOUN}(?:e?s)?|{_STRONG})\b")
# A name, then "is a/an <insult noun>": runs on the case-preserved words view.
_INSULT_NAMED = lazy_compile(rf"\b[A-Z][a-z]{{1,20}}(?:\s+[A-Z][a-z]{{1,20}})?\s+(?:is|was)\s+(?:(?i:such\s+)?(?i:an?|the\s+biggest))\s+(?i:(?P<insult>{_NOUN}))\b")

_HARASSMENT = lazy_compile(
    r"\b(?:"
    r"(?:fuck|f[*#]+k|f[*#]+|fk|fck|fuk|screw|stuff)\s+(?:you|u|ya|off|yourself|your\s+(?:mother|mom|family|self))"
    r"|go\s+(?:to\s+hell|die|fuck\s+yourself|f[*#]*\s+yourself|screw\s+yourself|eat\s+shit|jump\s+off\s+a\s+(?:bridge|cliff|building)|play\s+in\s+traffic|away\s+and\s+die|rot)"
    r"|piss\s+off|get\s+lost\s*,?\s+(?:you|loser|idiot|moron|creep)|shut\s+(?:the\s+fuck\s+|the\s+hell\s+)?up\s*,?\s+(?:you|idiot|moron|loser|bitch|stupid)|stfu|gtfo"
    r"|(?:no\s*one|nobody)\s+(?:likes|loves|wants|cares\s+about|would\s+miss|will\s+miss)\s+you"
    r"|(?:everyone|everybody|the\s+whole\s+world)\s+(?:hates|despises|laughs\s+at)\s+you"
    r"|you\s+(?:make\s+me\s+(?:sick|puke|vomit)|disgust\s+me|should\s+be\s+ashamed\s+of\s+yourself|don'?t\s+deserve\s+to\s+live|are\s+a\s+waste\s+of\s+(?:space|oxygen|air|skin))"
    r"|(?:the\s+)?world\s+would\s+be\s+better\s+(?:off\s+)?without\s+you"
    r"|eat\s+shit|drop\s+dead|die\s+in\s+a\s+(?:fire|hole|ditch)|(?:son|daughter)\s+of\s+a\s+(?:bitch|whore)"
    r"|send\s+(?:me\s+)?(?:nudes|naked\s+(?:pics|pictures|photos))|i(?:'ll|\s+will)\s+(?:post|leak|publish|share)\s+your\s+(?:address|nudes|photos|pics|number|secrets)"
    r"|go\s+back\s+to\s+(?:where\s+you\s+came\s+from|your\s+(?:own\s+)?(?:country|homeland|village|cave|kitchen))"
    r")"
)
_SUBJECT_I = r"(?:i|we|i'm|im|we're|someone|somebody|some\s*one|people|they|my\s+(?:friends|boys|brothers))"
_MODAL = (
    r"(?:\s+will|\s*'ll|\s+shall|\s+(?:am|are|'m|'re)?\s*(?:going\s+to|gonna)|\s+should|\s+ought\s+to|\s+want\s+to|\s+wanna|"
    r"\s+would\s+love\s+to|\s+could|\s+can'?t\s+wait\s+to|\s+(?:am|are|'m|'re)\s+coming\s+to|\s+(?:will|'ll)\s+come\s+(?:and|to)|"
    r"\s+(?:am|are|'m|'re)\s+about\s+to|\s+need\s+to|\s+have\s+to|\s+must|\s+plan\s+to|\s+intend\s+to|\s+promise\s+to|\s+swear\s+(?:i|we)(?:'ll|\s+will))"
)
_ADVERB = r"(?:\s+(?!not\b|never\b)[a-z]+(?:ly)?)?"
_TARGET = (
    r"(?:you|u|ya|him|her|them|yourself|your\s+(?:whole\s+)?(?:family|kids?|wife|husband|children|mom|mother|dad|father|"
    r"house|home|dog|cat|face|head|neck|legs?|life|friends|sister|brother)|everyone\s+you\s+(?:love|know))"
)
_THREAT_VIOLENT = lazy_compile(
    rf"\b{_SUBJECT_I}{_MODAL}{_ADVERB}\s+{_VIOLENT}\s+(?:the\s+(?:life|shit|hell|crap)\s+out\s+of\s+)?{_TARGET}\b"
)
_HARM_TARGET = (
    r"you|u|he|she|they|them|y'?all|your\s+(?:whole\s+|entire\s+|little\s+|stupid\s+|shitty\s+)?(?:[\w-]+\s+)?"
    r"(?:company|family|house|home|business|kids?|children|wife|husband|mom|mother|dad|father|team|office|store|shop|"
    r"country|town|city|people|friends|life|career)"
)
_HARM_WISH = (
    r"(?:gets?|got)\s+(?:hit|shot|killed|raped|murdered|stabbed|beaten|cancer|aids|run\s+over|hurt|burned|burnt)\b"
    r"|(?:burns?|burned|burnt)\s+(?:down|to\s+the\s+ground|in\s+hell|alive)\b"
    r"|(?:die|dies|rot|rots|burns?|suffers?|chokes?|drowns?|bleeds?|goes\s+bankrupt|go\s+bankrupt)"
    r"(?=\s*(?:[.!,;]|$|\s+(?:in\s+(?:hell|a\s+fire|pain|agony)|slowly|painfully|alone|soon)\b))"
)
_THREAT_OTHER = lazy_compile(
    rf"\b{_SUBJECT_I}{_MODAL}{_ADVERB}\s+(?:find|hunt|track|come\s+for|come\s+after|get|catch|visit|pay\s+a\s+visit\s+to)\s+(?:you|u|ya)(?:\s+down)?(?=\s*(?:and\b|&|[.!,;]|$))"
    r"|\b(?:you|u)(?:\s*'re|\s+are|\s+r|\s*'ll\s+be|\s+will\s+be)\s+(?:so\s+)?(?:dead(?:\s+meat)?|a\s+dead\s+(?:man|woman)|going\s+to\s+(?:die|bleed|suffer)|gonna\s+(?:die|bleed|suffer)|next)\b(?!\s+(?:tired|wrong|right|on|in|to|week|year|time))"
    r"|\b(?:you|u)(?:\s+will|\s*'ll)\s+(?:die|bleed|suffer|pay\s+for\s+(?:this|that|it)|regret\s+the\s+day)\b"
    r"|\b(?:you|u)\s+(?:should|must|need\s+to|ought\s+to)\s+(?:just\s+|really\s+|all\s+)?(?:die|drop\s+dead|rot)\b"
    r"|\b(?:i|we)(?:\s+know|(?:'ll|\s+will)\s+find(?:\s+out)?|\s+found(?:\s+out)?)\s+where\s+(?:you|u|your\s+(?:kids|family|wife|husband))\s+(?:live|sleep|work|go\s+to\s+school)"
    r"|\bwatch\s+your\s+back\b|\bsleep\s+with\s+one\s+eye\s+open\b|\byou(?:'d|\s+had)\s+better\s+(?:watch\s+(?:out|yourself|your\s+back)|run|hide)\b"
    r"|\b(?:i|we)(?:'ll|\s+will|\s+am\s+going\s+to|'m\s+going\s+to|'m\s+gonna)\s+make\s+(?:you|u)\s+(?:pay|suffer|bleed|regret|disappear)\b"
    r"|\b(?:i\s+|we\s+)?hope\s+(?:you|u)\s+(?:die|get\s+(?:hit|shot|killed|raped|cancer|run\s+over)|burn|rot|suffer|choke|drown|bleed)\b"
    # A wish of harm on a person, on someone named by a pronoun, or on what is theirs: "I hope
    # your whole company burns down", "I hope she gets raped". Recovery and effort are not harm:
    # "I hope you get better", "hope your team burns those calories" do not match.
    rf"|\bhope\s+(?:{_HARM_TARGET})\s+(?:all\s+)?(?:{_HARM_WISH})"
    r"|\b(?:you|u)\s+(?:deserve|need|ought)\s+to\s+(?:die|suffer|be\s+(?:shot|killed|raped|beaten|hanged|hung|lynched|executed|put\s+down))\b"
    r"|\b(?:you|u|he|she|they)\s+(?:should|ought\s+to|needs?\s+to)\s+be\s+(?:shot|killed|hanged|hung|lynched|executed|put\s+down|gassed|raped|beaten)\b"
)
_SELF_HARM = lazy_compile(r"\b(?:(?:go\s+)?(?:kill|hang|shoot|off)\s+yourself|kys|end\s+your\s+(?:own\s+)?life|slit\s+your\s+wrists|unalive\s+yourself)\b")
_SELF_HARM_NEGATION = lazy_compile(r"(?:don'?t|do\s+not|never|not|no\s+need\s+to|shouldn'?t|won'?t)\s+(?:\w+\s+){0,2}$")
_SLUR = lazy_compile(rf"\b{alternation(SLURS, masks=True)}\b")
_DIRECTED = lazy_compile(rf"\b(?:you|u(?!\.\w))\b(?P<gap>(?:\W+\w+){{0,7}}?)\W+(?P<insult>{_NOUN}(?:e?s)?|{_STRONG})\b")

# Gates: the words each pattern needs (see lexicon.gate_words). Ordinary text opens none of them
# and costs one set intersection per pattern; VADER never runs for it.
_INSULT_GATE = gate_words(INSULT_NOUNS, STRONG_ADJECTIVES, MILD_ADJECTIVES)
_SLUR_GATE = gate_words(SLURS)
_THREAT_VIOLENT_GATE = gate_words(VIOLENT_VERBS)
_THREAT_OTHER_GATE = frozenset(
    ["find", "hunt", "track", "come", "coming", "get", "catch", "visit", "dead", "meat", "die", "bleed", "suffer", "next", "pay", "regret", "live", "sleep", "back", "eye", "run", "hide", "disappear", "hope", "deserve", "shot", "killed", "raped", "beaten", "hanged", "hung", "lynched", "executed", "gassed", "cancer", "burn", "rot", "choke", "drown", "put"]
)
# Every threat pattern names its target: without one of these words no threat can match.
_TARGET_GATE = frozenset(("you", "u", "ya", "your", "yourself", "he", "she", "they", "him", "her", "them", "everyone"))
_SELF_HARM_GATE = frozenset(("yourself", "kys", "life", "wrists"))
_HARASSMENT_GATE = frozenset(
    ["fuck", "fk", "fck", "fuk", "screw", "stuff", "hell", "die", "shit", "traffic", "rot", "piss", "lost", "shut", "stfu", "gtfo", "likes", "loves", "wants", "cares", "miss", "hates", "despises", "laughs", "sick", "puke", "vomit", "disgust", "ashamed", "deserve", "waste", "without", "dead", "fire", "hole", "ditch", "bitch", "whore", "nudes", "naked", "address", "secrets", "pics", "photos", "pictures", "country", "homeland", "village", "cave", "kitchen", "came"]
)

_ALL_GATE_WORDS = (
    _INSULT_GATE | _SLUR_GATE | _THREAT_VIOLENT_GATE | _THREAT_OTHER_GATE | _TARGET_GATE | _SELF_HARM_GATE | _HARASSMENT_GATE
)


class AbuseSettings(CheckSettings):
    severities: dict[AbuseCategory, SeverityName] = Field(description="Severity of each abuse category.")
    mild_insult_max_compound: float = Field(ge=-1, le=1, description="A mild insult counts only at or below this VADER compound.")
    escalate_compound: float = Field(ge=-1, le=1, description="At or below this, an insult is raised one severity.")
    directed_negativity_compound: float = Field(
        ge=-1, le=1, description="'you' near a degrading word counts as abuse at or below this compound."
    )
    group_hate: GroupHateSettings | None = Field(
        description="Hate aimed at a protected group without a slur (group_hate.py); null: off."
    )
    learned: LearnedTierSettings | None = Field(
        description="The learned tier (abusive-language models) beside the rules; null: rules only."
    )
    learned_untargeted_warn_probability: float | None = Field(
        gt=0, le=1, description="A learned score on a text that names no person or group (abuse_target.py) "
        "counts only at or above this; null: never (profanity at a bug is not abuse)."
    )


@dataclass(frozen=True, slots=True)
class _Hit:
    category: AbuseCategory
    start: int
    end: int
    message: str


class AbuseDetector:
    name: ClassVar[str] = "abuse"
    kind: ClassVar[str] = "detector"
    stateful: ClassVar[bool] = False
    Settings: ClassVar[type[CheckSettings]] = AbuseSettings

    def __init__(self, settings: AbuseSettings) -> None:
        self.settings = settings
        self._severity = {category: Severity.parse(name) for category, name in settings.severities.items()}
        self._vader = SentimentIntensityAnalyzer()
        # VADER costs O(words^2) per sentence, and a text repeating one insult has one hit per
        # repetition in the same sentence: 1 KB of "you stupid " took 3-13 s scored hit by hit.
        # Scoring each distinct sentence once (thread-safe cache, per detector) makes it ~0.1 s.
        self._sentence_compound = functools.lru_cache(maxsize=256)(self._score_sentence)
        self._learned = LearnedTier(settings.learned, self.name) if settings.learned is not None else None
        self._group_hate = GroupHateRules(settings.group_hate) if settings.group_hate is not None else None
        self._targets = TargetLexicon(INSULT_NOUNS + SLURS)
        # Spans the learned tier does not score: "not an idiot", "you killed it" (abuse_target.py).
        self._benign = BenignSpans(INSULT_NOUNS + STRONG_ADJECTIVES + MILD_ADJECTIVES)

    def _score_sentence(self, sentence: str) -> float:
        return float(self._vader.polarity_scores(sentence)["compound"])

    @property
    def model_digests(self) -> dict[str, str]:
        return self._learned.model_digests if self._learned is not None else {}

    def _compound(self, words: str, start: int, end: int) -> float:
        left, right = sentence_bounds(words, start, end)
        return self._sentence_compound(words[left:right])

    def hits(self, ctx: CheckContext) -> list[_Hit]:
        """Abuse found in `ctx.text.words` coordinates."""
        lowered = ctx.text.lower_words
        masked = "*" in lowered or "#" in lowered  # "id**t": a masked word may be any of them
        # The text's words that any gate below holds, found once: each gate then tests the few
        # found (usually none) rather than every word of the text (same answer: a gate meets the
        # text's words exactly where it meets these).
        gated = _ALL_GATE_WORDS.intersection(ctx.text.word_forms)

        def opens(gate: frozenset[str]) -> bool:
            return masked or not gate.isdisjoint(gated)

        words = ctx.text.words
        hits: list[_Hit] = []
        if opens(_SLUR_GATE):
            hits.extend(_Hit("slur", m.start(), m.end(), "uses a slur") for m in _SLUR.finditer(lowered))
        for pattern, gate in ((_THREAT_VIOLENT, _THREAT_VIOLENT_GATE), (_THREAT_OTHER, _THREAT_OTHER_GATE)):
            if opens(gate) and opens(_TARGET_GATE):
                hits.extend(_Hit("threat", m.start(), m.end(), "threatens a person with harm") for m in pattern.finditer(lowered))
        if opens(_SELF_HARM_GATE):
            for match in _SELF_HARM.finditer(lowered):
                if not _SELF_HARM_NEGATION.search(lowered[max(0, match.start() - 30) : match.start()]):
                    hits.append(_Hit("self_harm_incitement", match.start(), match.end(), "tells a person to harm themselves"))
        if self._group_hate is not None:
            hits.extend(_Hit("group_hate", h.start, h.end, h.message) for h in self._group_hate.find(lowered, ctx.text.word_forms))
        if opens(_HARASSMENT_GATE):
            hits.extend(_Hit("harassment", m.start(), m.end(), "harasses a person") for m in _HARASSMENT.finditer(lowered))
        if not opens(_INSULT_GATE):
            return _drop_overlaps(hits)
        denied = negated_generalisations(lowered)  # "not all men are pigs" pushes back on a stereotype
        for pattern in (_INSULT_YOU, _INSULT_VOCATIVE, _INSULT_THIRD):
            for match in pattern.finditer(lowered):
                if denied and any(start <= match.start() < end for start, end in denied):
                    continue
                if match.groupdict().get("mild"):
                    if self._compound(words, match.start(), match.end()) > self.settings.mild_insult_max_compound:
                        continue
                    hits.append(_Hit("mild_insult", match.start(), match.end(), "insults a person"))
                else:
                    hits.append(_Hit("insult", match.start(), match.end(), "insults a person"))
        for match in _INSULT_NAMED.finditer(words):
            if match.group().split(None, 1)[0].lower() in FUNCTION_WORDS:
                continue  # "There is a trash bag in the hall", "This is a joke": not a name
            hits.append(_Hit("insult", match.start(), match.end(), "insults a named person"))
        if not any(h.category in ("insult", "threat", "harassment") for h in hits):
            for match in _DIRECTED.finditer(lowered):
                if self._compound(words, match.start(), match.end()) <= self.settings.directed_negativity_compound:
                    hits.append(_Hit("directed_negativity", match.start(), match.end(), "aims strongly negative, degrading language at a person"))
        return _drop_overlaps(hits)

    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        out = self._rule_findings(ctx)
        if self._learned is not None:
            out.extend(self._learned_findings(self._learned, ctx))
        return out

    def learned_probability(self, ctx: CheckContext) -> float:
        """The learned tier's score as `evaluate` weighs it (benign spans blanked), target aside."""
        if self._learned is None or not self._learned.applies(ctx):
            return 0.0
        return self._learned.probability(self._learned_view(ctx))

    def learned_model_probabilities(self, ctx: CheckContext) -> list[float]:
        """Each model's probability behind `learned_probability` (benign spans blanked), for dev studies."""
        if self._learned is None or not self._learned.applies(ctx):
            return []
        return self._learned.model_probabilities(self._learned_view(ctx))

    def _learned_view(self, ctx: CheckContext) -> str:
        """What the learned tier scores: the model input with what only looks abusive blanked
        (abuse_target.BenignSpans) and, with the group-hate tier on, the sentences that name a
        group only to reject or condemn a claim about it (group_hate.disowned_sentences)."""
        blanked = self._benign.blank(model_input(ctx.text))
        if self._group_hate is None:
            return blanked
        spans = self._group_hate.disowned_sentences(blanked, ctx.text.word_forms)
        for start, end in spans:
            blanked = blanked[:start] + " " * (end - start) + blanked[end:]
        return blanked

    def aims_at_someone(self, ctx: CheckContext) -> bool:
        """Whether the text names a person or a group (abuse_target.py). A text spelled out letter
        by letter counts as aimed (fail closed): joined spelled words lose their boundaries
        ("y o u a r e" -> "youare"), so a missing target there proves nothing, and spelling
        words out is itself how evasion looks."""
        return ctx.text.spelled_out or self._targets.aims_at_someone(ctx.text.text, ctx.text.lower_words)

    def _may_aim_at_someone(self, ctx: CheckContext) -> bool:
        """False only where `aims_at_someone` is False (TargetLexicon.may_aim_at_someone): a set
        test on the word forms, so that text naming no one skips the models altogether."""
        text = ctx.text
        return text.spelled_out or self._targets.may_aim_at_someone(text.text, text.lower_words, text.word_forms)

    def _learned_findings(self, tier: LearnedTier, ctx: CheckContext) -> list[Finding]:
        """The learned tier's finding, if the text aims at someone (abuse_target.py).

        Scored as is first: ordinary text stops there and never pays for the blanking or the
        target search, which only run on the few texts the models flag."""
        if self.settings.learned_untargeted_warn_probability is None and not self._may_aim_at_someone(ctx):
            return []  # below: without a target, no score can count; so none is computed
        what = "reads as abusive language to the learned models"
        found = tier.findings(ctx, "learned", what)
        if not found:
            return []
        text = model_input(ctx.text)
        blanked = self._learned_view(ctx)
        if blanked != text:
            found = tier.findings(ctx, "learned", what, text=blanked)
        if found and not self.aims_at_someone(ctx):
            untargeted = self.settings.learned_untargeted_warn_probability
            if untargeted is None or tier.probability(blanked) < untargeted:
                return []
        return found

    def _rule_findings(self, ctx: CheckContext) -> list[Finding]:
        out = []
        for hit in self.hits(ctx):
            severity = self._severity.get(hit.category, Severity.MEDIUM)
            if hit.category == "insult" and self._compound(ctx.text.words, hit.start, hit.end) <= self.settings.escalate_compound:
                severity = Severity(min(severity + 1, Severity.CRITICAL))
            span = ctx.text.words_to_original_span(hit.start, hit.end)
            out.append(
                Finding(
                    source=self.name,
                    source_kind=self.kind,
                    category=hit.category,
                    severity=severity,
                    rule_id=f"abuse.{hit.category}",
                    message=hit.message,
                    span=span,
                    evidence=excerpt(ctx.text.original, span.start, span.end),
                )
            )
        return out


_RANK: Mapping[str, int] = MappingProxyType({"slur": 0, "threat": 1, "self_harm_incitement": 2, "group_hate": 3, "harassment": 4, "insult": 5, "mild_insult": 6, "directed_negativity": 7})


def _drop_overlaps(hits: list[_Hit]) -> list[_Hit]:
    """One finding per stretch of text: the gravest category wins where matches overlap."""
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (_RANK[h.category], h.start)):
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)
