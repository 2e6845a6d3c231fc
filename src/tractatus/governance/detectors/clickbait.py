"""Clickbait and sensationalism: the values boundary of the engagement experiments.

An optimizing agent rewarded for clicks learns clickbait, then learns to dodge a word list with
synonyms, paraphrases and obfuscation. So this detector scores STRUCTURES, each written over
families of synonyms rather than fixed examples:

- curiosity gap: a teaser that withholds the payoff: disbelief addressed to the reader ("you
  won't believe / never guess / couldn't imagine"), a promised reaction ("will shock you / leave
  you speechless / blow your mind"), a withheld sequel ("what happened next", "wait until you
  see"), a secret someone hides ("this one trick doctors hate", "what they don't want you to know"),
  a crowd reacting ("the internet is losing its mind over");
- sensational superlatives: an extreme framed as unprecedented ("the most shocking ... ever");
- sensational words: each adds a little, capped, so a lone "amazing" never blocks;
- shouting caps and runs of punctuation (!!!, ?!?!), measured on the case-preserved text;
- fake urgency: a deadline or a disappearance that pressures ("before it's deleted", "act now");
- misleading certainty: certainty with no source ("100% proven", "scientists confirm" with no
  "according to", citation or link in the sentence);
- overclaiming: hyperbole about consequences, which a citation does not excuse ("will change
  everything", "a game-changer", "the only X you'll ever need", "ends the flu for good", "turned
  every reader into a top student", "the whole sector is next", "is collapsing", "completely
  safe", "the greatest story this city has ever seen", "turned into an entertainment palace");
- a sensational label heading the text ("SHOCKING: ...", "OMG! ...");
- a personal superlative ("the worst service I have ever had"): tone, like caps, so alone it
  passes in conversation and only warns in a headline.

Features add up to a score; the policy sets the weights and the two thresholds (warn, block).
Factual and how-to headlines ("How to configure nginx", "Top 10 Python tips", "Breaking: council
approves budget") match no structure and pass.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import ClassVar, Literal, Sequence, get_args

from pydantic import Field, field_validator

from tractatus.governance.actions import Finding, KindName, Severity
from tractatus.governance.ascii_gate import AsciiGate, gate_source
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.detectors.evidence import excerpt
from tractatus.governance.detectors.instructional_headline import sells_itself
from tractatus.governance.detectors.learned_tier import LearnedTier, LearnedTierSettings
from tractatus.governance.detectors.lexicon import GateIndex, alternation, gate_words, sentence_bounds
from tractatus.governance.lazy_pattern import lazy_compile

Feature = Literal[
    "curiosity_gap", "sensational_superlative", "sensational_word", "shouting", "punctuation", "fake_urgency",
    "mild_urgency", "misleading_certainty", "unsourced_claim", "overclaim", "sensational_label", "personal_superlative",
]  # fmt: skip

# -- synonym families -------------------------------------------------------------------------

_DISBELIEVE = alternation(("believe", "belive", "beleive", "guess", "imagine", "expect", "predict", "fathom", "comprehend", "figure out", "see it coming", "see this coming"))
_WONT = r"(?:won't|wont|will\s+not|will\s+never|'ll\s+never|would\s+never|wouldn't|could\s+never|couldn't|can't|cannot|can\s+not|never|won't\s+ever|are\s+not\s+going\s+to|aren't\s+going\s+to|are\s+never\s+going\s+to|will\s+literally\s+never|might\s+not|just\s+won't|simply\s+won't|still\s+won't|won't\s+even|probably\s+won't|may\s+not|will\s+hardly)"
_REACTION = (
    r"(?:shock|stun|surprise|amaze|astonish|floor|startle|stagger|baffle|horrify|terrify|disturb|haunt|shake|"
    r"freak)\s+(?:you|u|ya|everyone|anyone|the\s+world)"
    r"|blow\s+(?:your\s+mind|you\s+away)|melt\s+your\s+heart|break\s+your\s+heart|warm\s+your\s+heart|restore\s+your\s+faith"
    r"|leave\s+(?:you|u|everyone)\s+(?:speechless|shocked|stunned|breathless|in\s+tears|in\s+awe|scratching|shaking|open-mouthed|gasping|reeling|floored|amazed)"
    r"|make\s+(?:you|u|your\s+\w+)\s+(?:cry|gasp|rethink|question|scream|cringe|weep|sick|furious|angry|lose|jump|drop|speechless|believe|want\s+to|never|think\s+twice|see\s+\w+\s+differently|look\s+twice)"
    r"|change\s+(?:your\s+life|everything|the\s+way\s+you|how\s+you)|give\s+you\s+(?:chills|goosebumps|nightmares)"
    r"|(?:make|have)\s+your\s+jaw\s+drop|drop\s+your\s+jaw|boggle\s+your\s+mind|knock\s+your\s+socks\s+off"
    r"|turn\s+your\s+world\s+upside\s+down|rock\s+your\s+world|break\s+the\s+internet|set\s+the\s+internet\s+on\s+fire"
    r"|blow\s+up\s+the\s+internet|go\s+viral|(?:shock|stun|surprise|amaze)\s+(?:the\s+internet|fans|millions|doctors|scientists|experts)"
)
_MODAL = r"(?:will|'ll|is\s+going\s+to|are\s+going\s+to|gonna|might|may|could|is\s+about\s+to|are\s+about\s+to|would|can|must|just|that\s+will|that'll)"
_SENSATIONAL = (
    "shocking", "jaw-dropping", "jaw dropping", "jawdropping", "mind-blowing", "mind blowing", "mindblowing", "unbelievable",
    "insane", "outrageous", "horrifying", "terrifying", "stunning", "astonishing", "incredible", "amazing", "unreal",
    "sickening", "heartbreaking", "heart-breaking", "heartwarming", "devastating", "explosive", "bombshell", "epic",
    "bizarre", "disturbing", "creepy", "hilarious", "brutal", "savage", "legendary", "breathtaking", "spectacular",
    "staggering", "mind-boggling", "earth-shattering", "life-changing", "game-changing", "miraculous", "omg", "wtf",
    "must-see", "must see", "jaw-droppingly", "insanely", "shockingly", "unbelievably", "gone wrong", "exposed",
    "speechless", "mind-bending", "scandalous", "sensational", "astounding", "phenomenal", "freaky", "terrifyingly",
)  # fmt: skip
_SENSATIONAL_RE = alternation(_SENSATIONAL)
_SENSATIONAL_WORD = lazy_compile(rf"\b{_SENSATIONAL_RE}\b")
# A label and its word: an interjection heading the text ("Wow!! Congrats"), not a content feature.
_LABEL_FEATURES = ("sensational_label", "sensational_word")
_SUPERLATIVE_RE = (
    r"(?:craziest|wildest|scariest|weirdest|funniest|cutest|saddest|greatest|biggest|worst|best|deadliest|strangest|"
    r"creepiest|dumbest|stupidest|smartest|luckiest|unluckiest|richest|hottest|sexiest|ugliest|grossest|largest|"
    r"tiniest|fastest|most\s+\w+)"
)
_EVER = (
    r"(?:ever|of\s+all\s+time|in\s+history|in\s+human\s+history|on\s+(?:the\s+)?(?:internet|planet|earth|web)|"
    r"you(?:'ll|\s+will|\s+have)?\s+(?:ever\s+)?(?:see|seen|read|hear|heard|watch|find|meet|witness)|in\s+the\s+(?:whole\s+)?world|"
    r"imaginable|known\s+to\s+(?:man|humanity)|this\s+(?:year|decade|century))"
)

_DISBELIEF_WORDS = frozenset(["believe", "belive", "beleive", "guess", "imagine", "expect", "predict", "fathom", "comprehend", "figure", "coming"])
_OUTCOME_VERBS = frozenset(["shock", "surprise", "amaze", "stun", "blow", "leave", "make", "floor", "astonish", "melt", "break"])
_REACTION_WORDS = frozenset(
    ["shock", "stun", "surprise", "amaze", "astonish", "floor", "startle", "stagger", "baffle", "horrify", "terrify", "disturb", "haunt", "shake", "freak", "blow", "melt", "break", "warm", "restore", "leave", "make", "change", "chills", "goosebumps", "nightmares", "jaw", "boggle", "socks", "upside", "rock", "internet", "viral", "fans", "millions", "doctors", "scientists", "experts", "everyone", "anyone", "world"]
)
_TEASER_NOUNS = gate_words(
    ["trick", "hack", "secret", "tip", "method", "ingredient", "habit", "food", "fruit", "vegetable", "mistake", "rule", "thing", "technique", "loophole", "remedy", "cure", "exercise", "drink", "pill", "product", "app", "device", "gadget", "word", "question", "sign", "reason", "way"]
)
_TEASER_VERBS = frozenset(
    ["hate", "hates", "fear", "fears", "despise", "want", "tell", "knows", "talks", "tells", "change", "shock", "surprise", "melt", "burn", "cure", "erase", "reverse", "transform", "destroy", "banned", "illegal", "genius", "shocking", "taking", "viral", "save", "make", "double", "triple", "boost", "skyrocket", "fix"]
)

# "Nobody expected/knew" teases only when it withholds what: "nobody expected this", "no one
# knew what happened", "nobody knew." A clause after it is the thing known, said outright
# ("nobody knew I'd been doing an impersonation all day", "no one expected the vote to pass").
_WITHHELD = r"(?=\s*(?:[.!?:;,]|$)|\s+(?:this|that|these|those|it|what|how|who|why|when|where)\b)"

# Each pattern runs only if its gate opens: every set in the gate shares a word with the text.
Gate = tuple[frozenset[str], ...]
_CURIOSITY: list[tuple[Gate, re.Pattern[str]]] = [
    ((_DISBELIEF_WORDS,), lazy_compile(rf"\b(?:you|u|ya)(?:'ll|\s+will|'d|\s+would)?\s+{_WONT}\s+(?:\w+\s+)?{_DISBELIEVE}\b")),
    ((_DISBELIEF_WORDS | {"coming", "expected", "knew"},), lazy_compile(rf"\b(?:nobody|no\s*one|no-one|noone|none\s+of\s+us)\s+(?:could\s+have\s+|would\s+have\s+|will\s+|could\s+|would\s+|ever\s+)?(?:(?:{_DISBELIEVE}|saw\s+(?:this|it|that)\s+coming)\b|(?:expected|knew){_WITHHELD})")),
    ((frozenset({"believe"}),), lazy_compile(r"\b(?:can't|cannot|won't)\s+believe\s+(?:what|how|who|why|your\s+eyes)\b")),
    ((_REACTION_WORDS,), lazy_compile(rf"\b{_MODAL}\s+(?:\w+\s+)?(?:{_REACTION})\b")),
    ((frozenset({"what"}), frozenset({"next", "after", "afterwards", "then", "later"})), lazy_compile(r"\bwhat\s+(?:happened|happens|happen|comes|came|followed|he\s+\w+|she\s+\w+|they\s+\w+|it\s+\w+|we\s+\w+|i\s+\w+)\s+(?:next|after(?:wards)?|then|later)\b")),
    ((frozenset({"what"}), frozenset(["did", "said", "found", "saw", "discovered", "learned", "revealed", "got", "does", "finds", "sees", "discovers", "uncovered"])), lazy_compile(r"\bwhat\s+(?:he|she|they|it|we|this\s+\w+|the\s+\w+)\s+(?:did|said|found|saw|discovered|learned|revealed|got|does|finds|sees|discovers|uncovered)\s+(?:will|is\s+going\s+to|'ll|might|may|could)\b")),
    ((frozenset({"wait", "hold"}), frozenset({"until", "till", "til", "for"})), lazy_compile(r"\b(?:wait|hold\s+on)\s+(?:until|till|'til|til|for)\s+(?:you\s+see|the\s+end|what\s+happens|you\s+hear|you\s+read)")),
    ((frozenset(["reason", "answer", "result", "results", "ending", "truth", "twist", "outcome", "secret", "reaction", "response", "explanation", "reveal", "surprise"]), _OUTCOME_VERBS), lazy_compile(r"\b(?:the|this|their|his|her)\s+(?:reason|answer|result|results|ending|truth|twist|outcome|secret|reaction|response|explanation|reveal|surprise)\s+(?:why\s+)?(?:\w+\s+)?(?:will|is\s+going\s+to|'ll|might|may|could)\s+(?:\w+\s+)?(?:shock|surprise|amaze|stun|blow|leave|make|floor|astonish|melt|break)")),
    ((frozenset({"see", "read", "watch", "hear"}), frozenset({"need", "have", "got", "gotta", "must"})), lazy_compile(r"\byou\s+(?:need|have|got|gotta|must)\s+(?:to\s+)?(?:see|read|watch|hear)\s+(?:this|what|how|why|it|these)\b")),
    ((frozenset({"what", "who", "why"}), frozenset({"see", "find", "guess", "discover"})), lazy_compile(r"\b(?:see|find\s+out|guess|discover)\s+(?:what|who|why)\s+(?:happened|happens|\w+\s+(?:did|said|found|discovered))\b")),
    ((_TEASER_NOUNS, _TEASER_VERBS), lazy_compile(r"\b(?:this|one|these|that|the|a|\d+)\s+(?:(?:weird|simple|little|strange|odd|crazy|genius|bizarre|sneaky|easy|secret|quick|stupid|cheap|unusual|surprising|forgotten|ancient|old|tiny|silly|clever|dirty|lazy|bizarre|\d+-second|\d+-minute)\s+)*(?:trick|hack|secret|tip|method|ingredient|habit|food|fruit|vegetable|mistake|rule|thing|technique|loophole|remedy|cure|exercise|drink|pill|product|app|device|gadget|word|question|sign|reason|way)s?\s+(?:that\s+|which\s+)?(?:\w+\s+){0,3}?(?:hate|hates|fear|fears|despise|don't\s+want\s+you\s+to\s+know|doesn't\s+want\s+you\s+to\s+know|won't\s+tell\s+you|nobody\s+(?:knows|tells\s+you|talks\s+about)|(?:will|can|could|that)\s+(?:change\s+your|shock|surprise|melt|burn|cure|erase|reverse|transform|destroy|save\s+you|make\s+you|double|triple|boost|skyrocket|fix\s+your)|is\s+(?:banned|illegal|genius|shocking|taking\s+over|going\s+viral)|went\s+viral)")),
    ((frozenset(["hate", "hates", "despise", "fear", "stand", "furious", "baffled", "stunned", "shocked", "speechless", "livid", "freaking", "terrified", "scared"]), frozenset({"him", "her", "them", "these", "this"})), lazy_compile(r"\b(?:doctors|dentists|experts|banks|lawyers|scientists|trainers|landlords|dermatologists|nutritionists|realtors|mechanics|pharma|big\s+\w+|the\s+government|insiders|economists|teachers|chefs|investors|wall\s+street|hollywood|critics|plumbers|nurses|pilots|cops|moms|dads|vets|judges|coaches|bosses|\w+ists|\w+ers|\w+ians)\s+(?:hate|hates|despise|fear|can't\s+stand|are\s+(?:furious|baffled|stunned|shocked|speechless|livid|freaking\s+out|terrified|scared))\s+(?:him|her|them|these|this(?=\s*(?:[.!?,]|$|one|trick|simple|new|weird|little|secret|guy|man|woman|mom|dad|girl|kid|hack|method)))")),
    ((frozenset({"want"}), frozenset(["know", "see", "find", "hear", "read", "learn", "try", "discover", "notice", "watch"])), lazy_compile(r"\b(?!i\s|we\s)(?:the\s+|big\s+)?\w+\s+(?:don't|do\s+not|doesn't|does\s+not|won't|will\s+not|never|really\s+don't)\s+want\s+(?:you|u|anyone|people)\s+to\s+(?:know|see|find\s+out|hear|read|learn|try|discover|notice|watch)")),
    ((frozenset({"nobody", "noone", "no"}), frozenset({"talking", "talks", "telling", "tells", "tell"})), lazy_compile(r"\b(?:nobody|no\s*one)\s+(?:is\s+talking|talks|is\s+telling\s+you|tells\s+you|will\s+tell\s+you)\s+about\b")),
    ((frozenset(["everyone", "everybody", "internet", "twitter", "tiktok", "people", "fans", "millions", "world"]), frozenset(["talking", "going", "losing", "obsessed", "freaking", "shock", "speechless", "stunned", "shocked"])), lazy_compile(r"\b(?:everyone|everybody|the\s+(?:whole\s+)?internet|twitter|tiktok|people|fans|millions|the\s+world)\s+(?:is|are|was|were|went|is\s+now|are\s+now)\s+(?:talking\s+about|going\s+(?:crazy|wild|nuts)|losing\s+(?:it|their\s+minds|its\s+mind)|obsessed\s+with|freaking\s+out|in\s+shock|speechless|stunned|shocked)")),
    ((frozenset({"will", "going", "ll", "might", "may", "just"}), _OUTCOME_VERBS | {"change", "kill"}), lazy_compile(r"\b(?:number|no\.?|#)\s*\d+\s+(?:will|is\s+going\s+to|'ll|might|may|just)\s+(?:\w+\s+)?(?:shock|surprise|amaze|blow|make|leave|change|stun|melt|break|floor|kill)")),
    ((frozenset({"truth", "secret", "reason"}), frozenset({"about", "behind"})), lazy_compile(r"\bthe\s+(?:truth|secret|real\s+reason|shocking\s+truth|dark\s+secret|hidden\s+truth)\s+(?:about|behind)\s+\w+\s+(?:that|they|no|nobody|will|you)\b")),
    ((frozenset({"happens", "happened"}), frozenset(["shocking", "insane", "incredible", "unbelievable", "amazing", "crazy", "hilarious"])), lazy_compile(r"\bwhat\s+(?:happens|happened)\s+when\s+.{0,60}?(?:will|is|was)\s+(?:\w+\s+)?(?:shocking|insane|incredible|unbelievable|amazing|crazy|hilarious)")),
]
# Teasers the patterns above do not cover, each with its gate.
_CURIOSITY.extend(
    [
        (
            (frozenset({"believe", "guess", "imagine"}), frozenset({"can", "could"})),
            lazy_compile(r"\b(?:can|could)\s+(?:you|u|anyone)\s+(?:even\s+)?(?:believe|guess|imagine)\s+(?:what|how|who|why|this|these|it)\b"),
        ),
        (
            (frozenset({"stop"}), frozenset({"talking", "watching", "sharing", "laughing", "crying"})),
            lazy_compile(r"\b(?:can't|cannot|couldn't|won't)\s+stop\s+(?:talking|watching|sharing|laughing|crying)\s+(?:about|over|at)?\b"),
        ),
        (
            (frozenset(["result", "results", "reason", "truth", "answer", "ending", "outcome", "twist", "reaction", "footage"]),
             frozenset(["shocking", "insane", "unbelievable", "mind-blowing", "jaw-dropping", "terrifying", "horrifying"])),
            lazy_compile(r"\b(?:results?|reason|truth|answer|ending|outcome|twist|reaction|footage)\s+(?:[\w']+\s+){0,5}?(?:is|are|was|were|it's|they're)\s+(?:absolutely\s+|truly\s+|just\s+|totally\s+)?(?:shocking|insane|unbelievable|mind-blowing|jaw-dropping|terrifying|horrifying)\b"),
        ),
        (
            (frozenset({"wrong"}), frozenset({"been"})),
            lazy_compile(r"\byou(?:'ve|\s+have|\s+all\s+have|'ve\s+all)\s+been\s+\w+ing\s+(?:[\w']+\s+){0,3}?wrong\b"),
        ),
        (
            (frozenset({"until", "before"}), frozenset({"read", "see", "watch"})),
            lazy_compile(r"\b(?:don't|do\s+not|never)\s+\w+\s+(?:[\w']+\s+){0,3}?(?:until|before)\s+you\s+(?:read|see|watch)\s+this\b"),
        ),
        (
            (frozenset({"changes", "changed"}), frozenset({"everything"})),
            lazy_compile(r"\b(?:this|that|it|which|one\s+\w+)\s+(?:\w+\s+)?(?:changes|changed)\s+everything\b"),
        ),
        (
            (frozenset(["truth", "secret", "secrets", "reason", "story", "details", "footage", "photos", "video", "results", "result", "identity"]),
             frozenset(["revealed", "exposed", "uncovered", "leaked"])),
            lazy_compile(r"\b(?:truth|secrets?|reason|story|details|footage|photos|video|results?|identity)\s+(?:finally\s+|is\s+|are\s+|was\s+|were\s+)?(?:revealed|exposed|uncovered|leaked)\b"),
        ),
        (
            (frozenset(["trick", "tricks", "hack", "hacks", "secret", "secrets", "tip", "tips", "method", "ingredient", "habit", "rule", "thing", "technique", "loophole", "remedy", "food", "fruit", "drink"]),
             frozenset(["weird", "strange", "odd", "crazy", "bizarre", "sneaky", "genius", "little-known", "secret", "unusual", "forgotten", "ancient", "simple"])),
            lazy_compile(
                r"\b(?:this|one|these|that)\s+(?:(?:weird|strange|odd|crazy|bizarre|sneaky|genius|little-known|secret|unusual|forgotten|ancient)\s+)+(?:trick|hack|secret|tip|method|ingredient|habit|rule|thing|technique|loophole|remedy|food|fruit|drink)s?\b"
                r"|\bone\s+simple\s+(?:trick|hack|secret|tip|ingredient|habit)\b"
            ),
        ),
        (
            (frozenset(["baffled", "stunned", "speechless", "shocked", "dumbfounded", "floored", "losing", "stumped"]),),
            lazy_compile(r"\b(?:doctors|scientists|experts|researchers|economists|police|investors|fans|engineers|\w+ists|\w+ers)\s+(?:are|were|remain|left)\s+(?:totally\s+|completely\s+)?(?:baffled|stunned|speechless|shocked|dumbfounded|floored|stumped|losing\s+their\s+minds)\b"),
        ),
    ]
)  # fmt: skip
# Teasers and emotional-reaction structures an engagement-optimizing agent reaches for once the
# blatant ones above are blocked: a qualified truth or reason held back ("the surprising truth
# about X"), a crowd's reaction as the story ("X stuns everyone", "leaves the internet
# speechless"), a sensational act as the hook ("with a jaw-dropping move") and a profession
# outraged at a trick ("dentists are furious about this simple hack").
_TEASE_ADJECTIVES = (
    r"(?:surprising|shocking|real|hidden|ugly|untold|uncomfortable|dark|dirty|awful|brutal|strange|weird|secret|sad|scary|"
    r"terrifying|disturbing|unexpected|little-known|bizarre|sinister|shameful|startling|stunning|astonishing)"
)
_CROWD = r"(?:everyone|everybody|the\s+(?:whole\s+|entire\s+)?(?:world|internet|web)|millions|social\s+media|the\s+whole\s+(?:town|city|country))"
_STRONG_SENSATIONAL = alternation(("shocking", "jaw-dropping", "jaw dropping", "jawdropping", "mind-blowing", "mind blowing", "mindblowing", "unbelievable", "insane", "outrageous", "bombshell", "explosive", "scandalous", "bizarre", "earth-shattering"))
_PROFESSIONS = r"(?:doctors|dentists|experts|banks|lawyers|scientists|trainers|landlords|dermatologists|nutritionists|realtors|mechanics|pharma|big\s+\w+|insiders|economists|teachers|chefs|investors|critics|plumbers|nurses|pilots|cops|moms|dads|vets|judges|coaches|bosses|\w+ists|\w+ers|\w+ians)"
_TRICKS = r"(?:trick|hack|secret|method|tip|discovery|invention|cure|remedy|idea|app|product|pill|gadget|device|loophole|technique|ingredient|move)"
_CURIOSITY.extend(
    [
        (
            (frozenset(["truth", "reason", "reasons", "secret", "secrets", "story", "fact", "facts", "reality"]),),
            lazy_compile(rf"\b(?:the|this|one|a)\s+{_TEASE_ADJECTIVES}\s+(?:(?:truth|secrets?|story|facts?|reality)\s+(?:about|behind|why)|reasons?)\b"),
        ),
        (
            (frozenset(["stuns", "stun", "stunned", "shocks", "shock", "shocked", "amazes", "amaze", "amazed", "wows", "wow", "wowed", "floors", "floored", "baffles", "baffled", "astonishes", "astonished", "horrifies", "horrified", "leaves", "leave", "left"]),
             frozenset(["everyone", "everybody", "world", "internet", "web", "millions", "media", "town", "city", "country"])),
            lazy_compile(
                rf"\b(?:stuns?|stunned|shocks?|shocked|amazes?|amazed|wows?|wowed|floors?|floored|baffles?|baffled|astonish(?:es|ed)?|horrifie[sd])\s+{_CROWD}\b"
                rf"|\b(?:leaves?|left)\s+{_CROWD}\s+(?:speechless|stunned|shocked|in\s+tears|in\s+awe|baffled|floored|reeling|gasping|open-mouthed)\b"
            ),
        ),
        (
            (frozenset({"with"}), gate_words(["shocking", "jaw-dropping", "jawdropping", "mind-blowing", "mindblowing", "unbelievable", "insane", "outrageous", "bombshell", "explosive", "scandalous", "bizarre", "earth-shattering"])),
            lazy_compile(rf"\bwith\s+(?:an?|this|one|her|his|their|its)\s+{_STRONG_SENSATIONAL}\s+(?:[\w-]+\s+)?(?:move|twist|reveal|announcement|decision|confession|photos?|video|response|reply|answer|comeback|transformation|statement|plan|stunt|act|gesture)\b"),
        ),
        (
            (frozenset(["furious", "livid", "outraged", "fuming", "baffled", "stunned", "shocked", "speechless", "terrified", "scared", "jealous", "hate", "hates", "despise", "stand", "freaking"]),
             frozenset(["this", "these", "his", "her", "their"])),
            lazy_compile(rf"\b{_PROFESSIONS}\s+(?:are\s+|were\s+|is\s+)?(?:furious|livid|outraged|fuming|baffled|stunned|shocked|speechless|terrified|scared|jealous|hate|hates|despise|can't\s+stand|freaking\s+out)\s+(?:about|over|at|with|by|of)?\s*(?:this|these|his|her|their)\s+(?:[\w-]+\s+){{0,2}}?{_TRICKS}s?\b"),
        ),
        (  # "you will hardly credit what ...": disbelief in other words
            (frozenset({"credit"}),),
            lazy_compile(rf"\b(?:you|u|ya)(?:'ll|\s+will|'d|\s+would)?\s+{_WONT}\s+(?:\w+\s+)?credit\s+(?:what|how|who|why|this|it)\b"),
        ),
        (  # "something few saw coming", "what nobody predicted"
            (frozenset(["coming", "expected", "predicted", "anticipated"]), frozenset(["few", "nobody", "noone", "no", "one"])),
            lazy_compile(r"\b(?:something|what|one|a\s+\w+)\s+(?:few|nobody|no\s*one|no-one)\s+(?:people\s+|of\s+us\s+)?(?:could\s+have\s+|would\s+have\s+)?(?:saw|see|seen|expected|predicted|anticipated)(?:\s+coming)?\b"),
        ),
        (  # "SHOCKING results inside": the payoff is withheld behind the click
            (frozenset({"inside"}),),
            re.compile(r"\b(?:results?|details|photos|pics|pictures|video|videos|footage|answers?|truth|story|secrets?|reasons?|list|winners?|reactions?|pics)\s+inside\s*(?:[.!?:)\]\u2026]|$)"),
        ),
        (  # "what is really going on with X"
            (frozenset({"really"}), frozenset({"going", "happening", "behind"})),
            lazy_compile(r"\bwhat(?:'s|\s+is|\s+was)\s+really\s+(?:going\s+on|happening|behind)\b"),
        ),
        (  # "the wildest tale concerning X": an emotional superlative as the story
            (frozenset(["craziest", "wildest", "weirdest", "strangest", "creepiest", "scariest"]), frozenset(["story", "stories", "tale", "tales", "thing", "things", "moment", "moments", "video", "photo", "news", "twist", "scandal"])),
            lazy_compile(r"\bthe\s+(?:craziest|wildest|weirdest|strangest|creepiest|scariest)\s+(?:[\w-]+\s+)?(?:story|stories|tale|tales|thing|things|moment|moments|video|photo|news|twist|scandal)\b"),
        ),
        (
            (frozenset(["baffled", "stunned", "speechless", "stumped", "scratching", "jealous"]), frozenset(["has", "have", "had", "left", "leaves", "leaving"])),
            lazy_compile(rf"\b(?:has|have|had|left|leaves|leaving)\s+{_PROFESSIONS}\s+(?:totally\s+|completely\s+)?(?:baffled|stunned|speechless|stumped|scratching\s+their\s+heads|jealous)\b"),
        ),
    ]
)  # fmt: skip

# An evaluative superlative ("the worst", "the most amazing"): the head of both the overclaim
# that addresses the reader ("the best pizza you'll ever taste") and the personal one ("the worst
# service I have ever had").
_EVALUATIVE_WORDS = ("greatest", "best", "worst", "craziest", "wildest", "weirdest", "strangest", "creepiest", "scariest", "funniest", "cutest", "dumbest", "stupidest", "saddest", "coolest", "most")
_EVALUATIVE_GATE = frozenset(_EVALUATIVE_WORDS)
_EVALUATIVE = (
    r"\b(?:greatest|best|worst|craziest|wildest|weirdest|strangest|creepiest|scariest|funniest|cutest|dumbest|stupidest|saddest|coolest|most\s+(?:amazing|incredible|inspiring|important|remarkable|beautiful|exciting|impressive|extraordinary|epic|legendary|spectacular|successful|brilliant|heartwarming|delicious))"
)
# The same superlative told as one's own experience: "the worst customer service I have ever had",
# "best ramen we've ever eaten". In a headline it is a teaser (BuzzFeed writes "we"); in a message
# it is how a customer complains or a friend recommends, so it is tone (see `tone_features`):
# alone it does not warn in conversation.
_PERSONAL_SUPERLATIVE = lazy_compile(
    rf"{_EVALUATIVE}\s+(?:[\w'-]+\s+){{0,4}}?(?:we|i)(?:'ve|'d|'ll|\s+have|\s+had|\s+has|\s+will)?\s+ever\s+"
    r"(?:see|seen|hear|heard|know|known|read|witness|witnessed|have|had|taste|tasted|eat|eaten|ate|use|used|buy|bought|"
    r"order|ordered|receive|received|stay|stayed|been\s+(?:to|at|in)|dealt\s+with|experienced|tried|watched|played)\b"
)

# Overclaiming: hyperbole about what something does or will do. Unlike certainty, a citation
# does not excuse it ("will double every commuter's fare, according to the budget" is still an
# exaggeration), so there is no source exemption. Measurable records ("the largest fire in state
# history") and plain futures ("the council is about to vote") are not overclaims: each pattern
# needs the hyperbolic part (everything, every last, for good, the whole X is next, unlivable...).
_OVERCLAIM: list[tuple[Gate, re.Pattern[str]]] = [
    (  # hype labels: "a game-changer", "this revolutionary app" ("groundbreaking" is left out: science news uses it plainly)
        (frozenset(["game-changer", "gamechanger", "changer", "game-changing", "revolutionary", "world-changing", "earth-shattering", "paradigm-shifting"]),),
        lazy_compile(r"\b(?:game[-\s]?chang(?:er|ing)|revolutionary(?!\s+(?:war|era|period|guard|army|history|movement|committee|council|government|france|america|leader|hero))|world[-\s]changing|earth[-\s]shattering|paradigm[-\s]shifting)\b"),
    ),
    (  # changing the world: "will change everything", "set to revolutionize medicine forever"
        (frozenset(["change", "transform", "revolutionize", "revolutionise", "reinvent", "upend", "redefine", "disrupt", "changes", "transforms", "revolutionizes", "redefines", "reinvents"]),
         frozenset(["everything", "world", "game", "way", "whole", "entire", "forever", "history", "humanity", "know"])),
        lazy_compile(r"\b(?:change|transform|revolutioni[sz]e|reinvent|upend|redefine|disrupt)s?\s+(?:everything|the\s+world|the\s+game|the\s+way\s+(?:we|you|people)|(?:the\s+)?(?:whole|entire)\s+\w+|[\w']+(?:\s+\w+)?\s+forever|forever|history|humanity|life\s+as\s+we\s+know\s+it)\b"),
    ),
    (  # rewriting history
        (frozenset(["history", "books", "textbook", "textbooks", "physics", "rulebook"]), frozenset(["rewrites", "rewrite", "rewriting", "rewritten", "rewrote"])),
        lazy_compile(r"\brewr(?:ite|ites|iting|itten|ote)\s+(?:the\s+)?(?:(?:entire|whole|human|world|our|its|their|[\w-]+'s)\s+){0,2}history\b(?!\s+of)|\brewr(?:ite|ites|iting|itten|ote)\s+(?:the\s+)?(?:history\s+books|textbooks?|laws\s+of\s+physics|rulebook)\b"),
    ),
    (  # "the only guide you'll ever need"
        (frozenset({"only", "last"}), frozenset({"ever"})),
        lazy_compile(r"\bthe\s+(?:only|last)\s+(?:[\w-]+\s+){1,3}?(?:you|anyone|anybody|we)(?:'ll|\s+will|'d|\s+would)?\s+ever\s+(?:need|want|buy|use|read)\b"),
    ),
    (  # "breaks the internet", "destroys the haters", "owns the reporter in one sentence"
        (frozenset(["internet", "critics", "haters", "trolls", "rival", "rivals", "opponent", "opponents", "competition", "competitors", "everyone", "everybody", "reporter", "interviewer", "heckler", "host", "seconds", "sentence", "word", "line", "tweet", "single", "epic"]),),
        lazy_compile(
            r"\b(?:breaks?|broke|breaking)\s+the\s+internet\b"
            r"|\b(?:destroys?|destroyed|obliterates?|obliterated|annihilates?|annihilated|demolishes|demolished|eviscerates?|eviscerated|crushes|wrecks|humiliates?|humiliated|owns|owned|roasts?|roasted)\s+(?:[\w']+\s+){0,2}?(?:critics|haters|trolls|rivals?|opponents?|competition|competitors|everyone|everybody|the\s+internet|(?:the|a)\s+(?:reporter|interviewer|heckler|host))\b"
            r"|\b(?:destroys?|destroyed|obliterates?|obliterated|demolishes|demolished|owns|owned)\s+(?:[\w']+\s+){1,3}?in\s+(?:seconds|one\s+(?:sentence|word|line|tweet|move)|a\s+single\s+\w+|epic\s+\w+)"
        ),
    ),
    (  # an end that is final: "ends the flu for good", "cures it once and for all"
        (frozenset(["good", "forever", "all", "ever"]),
         frozenset(["end", "ends", "ended", "ending", "cure", "cures", "cured", "eliminate", "eliminates", "eliminated", "banish", "banishes", "banished", "beat", "beats", "solve", "solves", "solved", "fix", "fixes", "fixed", "kill", "kills", "killed", "wipe", "wipes", "wiped", "eradicate", "eradicates", "eradicated", "erase", "erases", "reverse", "reverses", "stop", "stops"])),
        lazy_compile(r"\b(?:ends?|ended|ending|cures?|cured|eliminat(?:es?|ed)|banish(?:es|ed)?|beats?|solve[sd]?|fix(?:es|ed)?|kill(?:s|ed)?|wipe[sd]?\s+out|eradicat(?:es?|ed)|erases?|reverses?|stops?)\s+(?:[\w'-]+\s+){0,4}?(?:for\s+good|forever|once\s+and\s+for\s+all|for\s+ever)\b"),
    ),
    (  # everyone, every last one: "turned every struggling reader into a top student", "double every fare"
        (frozenset(["every", "everyone", "everybody", "whole", "entire"]),),
        lazy_compile(
            r"\bevery\s+last\b"
            r"|\b(?:doubles?|doubled|triples?|tripled|quadruples?|halves|halve|halved|bankrupts?|ruins?|ruined|destroys?|destroyed|wipes?\s+out|kills?|cures?|cured|replaces?|replaced)\s+(?:each\s+and\s+)?every(?:one|body|\s+single)?\b"
            r"|\b(?:turn|turns|turned|turning|transforms?|transformed|make|makes|made|put|puts|putting)\s+(?:each\s+and\s+)?every(?:one|body)?\s+(?:[\w'-]+\s+){0,5}?(?:into|out\s+of)\b"
            r"|\bthe\s+(?:whole|entire)\s+[\w'-]+(?:\s+[\w'-]+)?\s+(?:is|are)\s+(?:next|doomed|done\s+for)\b"
        ),
    ),
    (  # absolute states: "completely safe", "finally spotless", "is collapsing", "worth half"
        (frozenset(["safe", "risk-free", "spotless", "cured", "harmless", "flawless", "foolproof", "unlivable", "uninhabitable", "worthless", "collapsing", "imploding", "freefall", "fall", "meltdown", "doomed", "worth"]),),
        lazy_compile(
            r"\b(?:completely|totally|entirely|perfectly|100\s*%|absolutely|utterly)\s+(?:safe|risk-free|spotless|cured|harmless|flawless|foolproof)\b"
            r"|\b(?:is|are|now|finally)\s+(?:finally\s+|now\s+)?(?:spotless|flawless)\b"
            r"|\b(?:is|are|was|were)\s+(?:\w+\s+)?(?:collapsing|imploding|in\s+free\s*fall|in\s+meltdown|doomed)\b"
            r"|\b(?:will|could|would|is\s+about\s+to|are\s+about\s+to)\s+(?:soon\s+)?(?:be\s+)?(?:worth\s+(?:half|nothing|zero|pennies)|worthless)\b"
        ),
    ),
    (  # a dramatic outcome about to happen: "about to make the city unlivable"
        (frozenset(["unlivable", "uninhabitable", "obsolete", "worthless", "extinct"]),),
        lazy_compile(
            r"\b(?:will|would|could|is\s+(?:about|set|poised|going)\s+to|are\s+(?:about|set|poised|going)\s+to)\s+(?:soon\s+|quickly\s+|finally\s+)?(?:make|render|leave)\s+(?:[\w'-]+\s+){1,5}?(?:unlivable|uninhabitable|obsolete|worthless|extinct)\b"
            r"|\b(?:makes?|made|renders?|rendered)\s+(?:every|all)\s+(?:[\w'-]+\s+){1,4}?(?:unlivable|uninhabitable|obsolete|worthless|extinct)\b"
        ),
    ),
    (  # metaphor as fact: "turned into an entertainment palace", "becomes a war zone"
        (frozenset(["palace", "paradise", "wonderland", "utopia", "dystopia", "nightmare", "hellscape", "hellhole", "wasteland", "zone", "warzone", "ghost", "circus", "madhouse", "goldmine", "gold"]), frozenset({"into", "become", "becomes", "becoming"})),
        lazy_compile(r"\b(?:(?:turned|turning|turns|transformed|transforming|transforms|becomes?|becoming|morph(?:s|ed|ing)?)\s+into|becom(?:es|ing|e))\s+(?:an?\s+|the\s+)?(?:[\w'-]+\s+){0,3}?(?:palace|paradise|wonderland|utopia|dystopia|nightmare|hellscape|hellhole|wasteland|war\s*zone|ghost\s+town|circus|madhouse|gold\s*mine)\b"),
    ),
    (  # an evaluative superlative no one can check: "the greatest story this city has ever seen"
        (_EVALUATIVE_GATE, frozenset(["ever", "all"])),
        lazy_compile(
            rf"{_EVALUATIVE}\s+(?:[\w'-]+\s+){{0,4}}?"
            r"(?:(?:this|the)\s+(?:[\w'-]+\s+){0,2}?(?:has|have)\s+ever\s+(?:seen|known|witnessed|had)|(?:anyone|anybody|you)(?:'ve|'ll|\s+have|\s+has|\s+will)?\s+(?:ever\s+)?(?:seen|heard|known|witnessed|tasted)\s+ever|(?:anyone|anybody|you)(?:'ve|'ll|\s+have|\s+has|\s+will)?\s+ever\s+(?:see|seen|hear|heard|know|known|read|witness|witnessed|have|had|taste|tasted)|(?:that|which)\s+(?:has|have)\s+ever\s+(?:happened|existed|been\s+\w+)|of\s+all\s+time)\b"
        ),
    ),
]  # fmt: skip
_LABEL_WORDS = ("startling", "stunning", "astonishing", "staggering", "shocking", "insane", "unbelievable", "omg", "wtf", "wow", "must-read", "must read", "must-see", "must see", "mind-blowing", "jaw-dropping", "outrageous", "scandal", "bombshell", "exposed", "incredible", "amazing", "horrifying", "terrifying")
_LABEL_GATE = gate_words(_LABEL_WORDS)
_LABEL = lazy_compile(rf"(?:^|\n)[^\w\n]{{0,3}}{alternation(_LABEL_WORDS)}\s*(?:[:|\u2013\u2014]|!+|\s-\s)(?=[^\w\n]{{0,3}}\w)")  # a label heads something
_SENSATIONAL_WORDS = gate_words(_SENSATIONAL)
_EVER_WORDS = frozenset(
    ["ever", "history", "internet", "planet", "earth", "web", "world", "imaginable", "known", "see", "seen", "read", "hear", "heard", "watch", "find", "meet", "witness", "year", "decade", "century"]
)
_FEATURES: tuple[tuple[str, Gate, re.Pattern[str]], ...] = (
    *(("curiosity_gap", gate, pattern) for gate, pattern in _CURIOSITY),
    *(("overclaim", gate, pattern) for gate, pattern in _OVERCLAIM),
    ("sensational_label", (_LABEL_GATE,), _LABEL),
    ("personal_superlative", (_EVALUATIVE_GATE, frozenset(["ever"])), _PERSONAL_SUPERLATIVE),
    ("sensational_superlative", (_SENSATIONAL_WORDS,), lazy_compile(
        rf"\b(?:the\s+)?(?:single\s+)?most\s+{_SENSATIONAL_RE}\s+(?:[\w-]+\s+)?(?:story|stories|thing|things|moment|moments|video|videos|photo|photos|news|headline|twist|scandal|reveal|case|fail|reaction)\b"
    )),
    ("sensational_superlative", (_EVER_WORDS,), lazy_compile(
        rf"\b(?:the\s+)?most\s+{_SENSATIONAL_RE}\s+(?:\w+\s+){{0,8}}?{_EVER}\b"
        rf"|\b{_SENSATIONAL_RE}\s+(?:\w+\s+){{0,3}}?{_EVER}\b"
        rf"|\b(?:the\s+)?{_SUPERLATIVE_RE}\s+(?:\w+\s+){{0,4}}?(?:{_EVER})\b(?=[^.\n]*(?:!!|\?!|!\?)|.*\b{_SENSATIONAL_RE})"
    )),
    ("sensational_word", (_SENSATIONAL_WORDS,), _SENSATIONAL_WORD),
    ("fake_urgency", (frozenset(["deleted", "removed", "banned", "censored", "scrubbed", "down", "gone", "hidden", "delete", "remove", "ban", "censor", "hide", "bury", "late", "running", "never", "left", "can", "ticking"]),), lazy_compile(
        r"\bbefore\s+(?:it's|it\s+is|it\s+gets|this\s+(?:gets|is)|its|(?:they|the\s+\w+)\s+(?:delete|remove|ban|take\s+down|censor|hide)s?\s+(?:it|this|them))"
        r"\s*(?:\w+\s+)?(?:deleted|removed|banned|taken\s+down|censored|gone|hidden|scrubbed|(?<=it)|(?<=this)|(?<=them))\b"
        r"|\b(?:being|getting|will\s+be|going\s+to\s+be|gonna\s+be|about\s+to\s+be)\s+(?:deleted|removed|banned|censored|taken\s+down|scrubbed)\s*(?:soon|any\s+(?:minute|moment|second)|tonight|today|in\s+\d+|forever)?"
        r"|\b(?:share|watch|read|see|download|save|screenshot)\s+(?:this\s+|it\s+)?(?:now\s+)?(?:before|while\s+you\s+(?:still\s+)?can)\b"
        r"|\b(?:they're|they\s+are|someone\s+is)\s+trying\s+to\s+(?:ban|delete|hide|remove|censor|bury)\b"
        r"|\bbefore\s+it'?s\s+too\s+late\b|\btime\s+is\s+running\s+out\b|\bthe\s+clock\s+is\s+ticking\b|\brunning\s+out\s+of\s+time\b|\bnow\s+or\s+never\b|\b(?:only|just)\s+(?:\d+|a\s+few)\s+(?:hours?|minutes?)\s+left\b"
    )),
    ("mild_urgency", (frozenset(["act", "move", "hurry", "limited", "left", "remaining", "stock", "ends", "expires", "chance", "miss", "lasts", "selling", "now", "today", "immediately", "urgent", "urgently"]),), lazy_compile(
        r"\bact\s+(?:now|fast|quickly|immediately|today)\b|\bmove\s+(?:now|fast|quickly|immediately|swiftly)\s*[:!]|\bhurry(?:\s+up)?\b|\blimited[-\s]+time\b|\b(?:only|just)\s+\d+\s+(?:left|remaining|spots?\s+left|seats?\s+left|in\s+stock)\b"
        r"|\b(?:offer|deal|sale|discount|price|promo)\s+(?:ends|expires)\s+(?:today|tonight|soon|at\s+midnight|in\s+\d+)|\blast\s+chance\b|\bdon'?t\s+miss\s+(?:out|this|it)\b"
        r"|\bwhile\s+(?:supplies|stocks?|it)\s+lasts?\b|\b(?:expires|ends)\s+in\s+\d+\s+(?:hours?|minutes?|mins?)\b|\bselling\s+out\s+fast\b|\b(?:click|buy|order|call|sign\s+up|join)\s+(?:now|today|immediately)\b"
        r"|\burgent(?:ly)?\s*[!:]|\bimmediately\s*!|\b(?:click|tap)\s+(?:here|now|below|the\s+link)\b"
    )),
    ("misleading_certainty", (frozenset(["100%", "proven", "guaranteed", "works", "worked", "undeniable", "settled", "miracle", "official", "confirmed"]),), lazy_compile(
        r"\b100\s*%\s+(?:proven|guaranteed|effective|true|real|natural|safe|legit|works|confirmed|certain|accurate|cure|risk-free)\b"
        r"|\b(?:scientifically|clinically|medically)\s+proven\b|\bguaranteed\s+(?:results|to\s+work|weight\s+loss|income)\b|\b(?:works|worked)\s+every\s+(?:single\s+)?time\b"
        r"|\bproven\s+to\s+(?:work|cure|heal|melt|burn|reverse|double|eliminate)\b|\bundeniable\s+(?:proof|evidence)\b|\bthe\s+science\s+is\s+settled\b|\bmiracle\s+(?:cure|pill|drug|diet|supplement)\b"
        r"|\bit'?s\s+(?:official|confirmed|now\s+proven)\s*[:!,-]"
    )),
    ("unsourced_claim", (frozenset(["scientists", "doctors", "experts", "researchers", "studies", "science", "research", "harvard", "nasa", "study"]),), lazy_compile(
        r"\b(?:scientists|doctors|experts|researchers|studies|science|research|harvard|nasa|a\s+(?:new\s+)?study)\s+(?:confirm|confirms|confirmed|prove|proves|proved|have\s+proven|has\s+proven|admit|admits|finally\s+admit|reveal|reveals|discover|discovered|say|says)\b"
    )),
)
_SOURCED = lazy_compile(
    r"according\s+to|published\s+in|study\s+(?:in|by|from|published)|journal|doi|https?://|www\.|et\s+al|\[\d+\]|source:|\bcited\b|peer-reviewed|\(\d{4}\)|reported\s+by|\bvia\b"
)
# A call to act that names a real date or deadline is a notice, not pressure: "Act now to
# register before the 1 May deadline, says council". Fake urgency ("before it's deleted") has
# no such exemption: it never names one.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_CONCRETE_DEADLINE = lazy_compile(
    r"\bdeadline\b|\b(?:before|by|until|till|no\s+later\s+than)\s+(?:the\s+)?(?:"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?!\w)|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b"
    r"|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\d{1,2}(?::\d\d)?\s*(?:am|pm)\b)"
)
_PUNCT_RUN = lazy_compile(r"[!?¡¿][!?¡¿1]*[!?¡¿]")  # "!!", "?!?!", "!!1!": one leading class keeps the scan fast
# A run that closes a sentence of one or two words ("Really?!", "No way?!", "Congrats!!") is an
# interjection: how a reply reacts, not how a headline sells ("Cats can read?!"). Its words are
# checked against the sensational list in code: "OMG!!!" and "INSANE!!" still count.
_INTERJECTION = lazy_compile(r"(?:^|[.!?\n]\s*)[^\w\n]{0,3}([\w']+(?:[\s,]+[\w']+)?)\s*$")
_EMOJI_RUN = lazy_compile("[\U0001f631\U0001f92f\U0001f632\U0001f633\U0001f62e\U0001f525\U0001f4a5\U0001f6a8\u26a0\u203c\u2049]{2,}")
_CAPS_WORD = lazy_compile(r"[A-Z][A-Z']*[A-Z]")  # word boundaries are checked in code: a leading \b slows the scan
_LETTER = lazy_compile(r"[A-Za-z]")
# RE2 scans that rule the two patterns out of most ASCII texts in ~5 µs (ascii_gate.py); `re` needs
# ~30 µs for a kilobyte in which it finds nothing.
_CAPS_WORD_GATE = AsciiGate(gate_source(_CAPS_WORD.pattern))
_PUNCT_RUN_GATE = AsciiGate(gate_source(_PUNCT_RUN.pattern))

# An instructional headline ("How to configure nginx", "10 tips for faster Python builds", "A
# beginner's guide to Rust") shares its shape with listicle clickbait, and the headline model,
# trained on BuzzFeed-style "How To ..." lists (every one of them labelled clickbait), scores it
# high. The policy can cap the learned finding on such a headline when no structural rule fires
# and it holds no forward reference (`learned_instructional_severity`): "How to make these
# cookies" points at something the headline withholds, "How to make oat cookies" does not.
_INSTRUCTIONAL = re.compile(
    r"^\W*(?:(?:here's\s+|here\s+is\s+)?how\s+to\b|how\s+(?:do|can|should)\s+(?:i|you|we)\b"
    r"|(?:top\s+)?\d+\s+(?:[\w'-]+\s+){0,3}?(?:tips|ways\s+to|steps|rules|lessons|tools|commands|examples|practices|patterns|mistakes\s+to\s+avoid)\b"
    r"|(?:an?|the|your)\s+(?:[\w'-]+\s+){0,2}?(?:guide|tutorial|introduction|primer|checklist|cheat\s*sheet)\s+(?:to|for|on)\b)"
)
_FORWARD_REFERENCE = re.compile(r"\b(?:this|these|those|here's\s+what|what\s+happens)\b")
SeverityName = Literal["info", "low", "medium", "high", "critical"]


def is_instructional(lowered: str) -> bool:
    """A plain how-to, tips or guide headline: withholds nothing (see _INSTRUCTIONAL) and does not sell
    itself like a listicle (`instructional_headline.sells_itself`)."""
    headline = lowered.split("\n", 1)[0]
    return (_INSTRUCTIONAL.search(headline) is not None and _FORWARD_REFERENCE.search(headline) is None
            and not sells_itself(headline))


_FEATURE_GATES = GateIndex(gate for _, gate, _ in _FEATURES)


class ClickbaitSettings(CheckSettings):
    weights: dict[Feature, float] = Field(description="Score each feature adds when present (once per text).")
    sensational_word_each: float = Field(ge=0, description="Score per sensational word, before the cap.")
    sensational_word_cap: float = Field(ge=0, description="Most that sensational words alone can add.")
    warn_score: float = Field(gt=0, description="At or above: a low-severity finding (warn).")
    block_score: float = Field(gt=0, description="At or above: a medium-severity finding (block under the default policy).")
    caps_min_letters: int = Field(ge=1, description="Fewest letters in a caps run (or text) before it can count as shouting.")
    caps_run_words: int = Field(ge=2, description="Consecutive all-caps words that count as shouting.")
    caps_ratio: float = Field(gt=0, le=1, description="Share of upper-case letters that makes a whole text shouting.")
    tone_features: list[Feature] = Field(description="Features that are tone of voice (caps, '!!!') rather than content.")
    tone_alone_kinds: list[KindName] = Field(
        description="Action kinds where tone features found with no other feature are not reported, whatever "
        "their total: in conversation, '!!!', caps or 'amazing' is how people talk, not clickbait."
    )
    label_alone_kinds: list[KindName] = Field(
        description="Action kinds where a sensational label ('Amazing:') heading a clause that no other feature "
        "flags is not reported: a one-word label before a plain factual clause is not clickbait by itself."
    )
    learned: LearnedTierSettings | None = Field(
        description="The learned tier (a headline model) beside the structural rules; null: rules only."
    )
    learned_instructional_severity: SeverityName | None = Field(
        description="Most a learned finding weighs on an instructional headline that no rule flags (None: no cap).",
    )
    learned_min_words: int = Field(
        ge=1, description="Fewest words the headline (first line) needs before the learned tier reads it; shorter "
        "texts meet the rules only (1: every text).",
    )

    @field_validator("weights")
    @classmethod
    def _weighs_every_feature(cls, weights: dict[str, float]) -> dict[str, float]:
        # A feature left out would silently score 0: a policy copied before a feature existed
        # would fail open. Make the policy say so explicitly (0.0 is allowed).
        missing = [f for f in get_args(Feature) if f not in weights]
        if missing:
            raise ValueError(f"give a weight for every feature; missing: {', '.join(missing)}")
        # A negative weight would let one feature cancel another and turn a block into an allow.
        negative = [f for f, w in weights.items() if w < 0]
        if negative:
            raise ValueError(f"weights cannot be negative: {', '.join(negative)}")
        return weights


class ClickbaitDetector:
    name: ClassVar[str] = "clickbait"
    kind: ClassVar[str] = "detector"
    stateful: ClassVar[bool] = False
    Settings: ClassVar[type[CheckSettings]] = ClickbaitSettings

    def __init__(self, settings: ClickbaitSettings) -> None:
        self.settings = settings
        self._learned = LearnedTier(settings.learned, self.name) if settings.learned is not None else None

    @property
    def model_digests(self) -> dict[str, str]:
        return self._learned.model_digests if self._learned is not None else {}

    def _shouting(self, text: str) -> tuple[int, int] | None:
        """A run of all-caps words (or a mostly upper-case text): (start, end) in `text`."""
        run_start = run_end = -1
        words = letters = caps_letters = 0
        size_text = len(text)
        for match in _CAPS_WORD.finditer(text) if _CAPS_WORD_GATE.may_match(text) else ():
            if (match.start() > 0 and text[match.start() - 1].isalpha()) or (match.end() < size_text and text[match.end()].isalpha()):
                continue  # part of a mixed-case word ("iPHONE", "McDONALD")
            size = len(match.group()) - match.group().count("'")
            caps_letters += size
            gap = text[run_end : match.start()] if run_end >= 0 else ""
            if run_end >= 0 and len(gap) <= 3 and not _LETTER.search(gap):
                run_end = match.end()
                words += 1
                letters += size
            else:
                if words >= self.settings.caps_run_words and letters >= self.settings.caps_min_letters:
                    return run_start, run_end
                run_start, run_end, words, letters = match.start(), match.end(), 1, size
        if words >= self.settings.caps_run_words and letters >= self.settings.caps_min_letters:
            return run_start, run_end
        if caps_letters >= self.settings.caps_min_letters * self.settings.caps_ratio:
            # Only now count every letter: most texts never get here.
            upper = sum(map(str.isupper, text))
            total = upper + sum(map(str.islower, text))
            if total >= self.settings.caps_min_letters and upper / total >= self.settings.caps_ratio:
                return 0, len(text)
        return None

    def score(self, ctx: CheckContext) -> tuple[float, list[tuple[str, int, int, str]]]:
        """The clickbait score and the features found: (feature, start, end, view)."""
        lowered = ctx.text.lower_words
        forms = ctx.text.word_forms
        weights: dict[str, float] = {str(k): v for k, v in self.settings.weights.items()}
        found: list[tuple[str, int, int, str]] = []
        seen: set[str] = set()
        total = 0.0
        for number in _FEATURE_GATES.open(forms):
            feature, _, pattern = _FEATURES[number]
            if feature in seen:
                continue
            if feature == "sensational_word":
                hits = list(pattern.finditer(lowered))
                if hits:
                    total += min(self.settings.sensational_word_cap, self.settings.sensational_word_each * len(hits))
                    found.append((feature, hits[0].start(), hits[0].end(), "words"))
                continue
            for match in pattern.finditer(lowered):
                if feature in ("misleading_certainty", "unsourced_claim"):
                    left, right = sentence_bounds(lowered, match.start(), match.end())
                    if _SOURCED.search(lowered, left, right):
                        continue  # a sourced claim is a claim, not clickbait
                elif feature == "mild_urgency":
                    left, right = sentence_bounds(lowered, match.start(), match.end())
                    if _CONCRETE_DEADLINE.search(lowered, left, right):
                        continue  # a dated call to act is a notice
                found.append((feature, match.start(), match.end(), "words"))
                total += weights.get(feature, 0.0)
                seen.add(feature)
                break
        text = ctx.text.text
        shout = self._shouting(text)
        if shout is not None:
            total += weights.get("shouting", 0.0)
            found.append(("shouting", shout[0], shout[1], "text"))
        # An interjection's '?!' is a reply's only when nothing in the text sells: "ACT NOW!!!" stays.
        selling = any(f[0] not in self.settings.tone_features and f[0] not in _LABEL_FEATURES for f in found)
        punct = None
        if _PUNCT_RUN_GATE.may_match(text):
            punct = _PUNCT_RUN.search(text) if selling else self._headline_punctuation(text)
        if punct is None and not text.isascii():
            punct = _EMOJI_RUN.search(text)
        if punct is not None:
            total += weights.get("punctuation", 0.0)
            found.append(("punctuation", punct.start(), punct.end(), "text"))
        return total, found

    @staticmethod
    def _headline_punctuation(text: str) -> re.Match[str] | None:
        """The first run of '!!' or '?!' that is not an interjection's (_INTERJECTION). A text that
        opens with an interjection is a reply: its later runs are tone too ("What?! The demo
        moved to Friday?!")."""
        for number, run in enumerate(_PUNCT_RUN.finditer(text)):
            said = _INTERJECTION.search(text, max(0, run.start() - 60), run.start())
            if said is None or _SENSATIONAL_WORD.search(said.group(1).lower()) is not None:
                return run
            if number == 0 and not any(c.isalnum() for c in text[: said.start(1)]):
                return None  # the text opens with an interjection: a reply
        return None

    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        rules = self._rule_findings(ctx)
        if self._learned is None or not self._long_enough(ctx):
            return rules
        learned = self._learned.findings(ctx, "learned", "reads as clickbait to the headline model")
        cap = self.settings.learned_instructional_severity
        if learned and cap is not None and not rules and is_instructional(ctx.text.lower_words):
            ceiling = Severity.parse(cap)
            learned = [replace(f, severity=min(f.severity, ceiling)) for f in learned]
        return [*rules, *learned]

    def learned_probability(self, ctx: CheckContext) -> float | None:
        """The headline model's probability for a published text (None for other kinds or with no
        learned tier): what dev reports and precision-recall curves plot."""
        if self._learned is None:
            return None
        probability = self._learned.score(ctx)
        return 0.0 if probability is not None and not self._long_enough(ctx) else probability

    def _long_enough(self, ctx: CheckContext) -> bool:
        """Whether the headline has enough words for the headline model to read it. Two or three words
        ("This is amazing", "Love it") carry too little for a bag of n-grams, which then reads a
        reply as a headline; 0.4% of the training clickbait headlines are that short (none on dev).
        A text spelled out letter by letter always counts (fail closed): joined spelled words lose
        their boundaries, "Y o u  w o n ' t  b e l i e v e ..." becomes a few long words."""
        if ctx.text.spelled_out:
            return True
        return len(ctx.text.lower_words.split("\n", 1)[0].split(None, self.settings.learned_min_words)) >= self.settings.learned_min_words

    def _tone_alone(self, kind: str, found: list[tuple[str, int, int, str]]) -> bool:
        """Only tone of voice ("!!!", caps, "amazing") and the kind is conversation: a tweet or a chat
        message shouting about a game or a sandwich is not a headline, however loud ("KEEP YOUR FAKE
        FLAVOR OUT OF MY SANDWICH!!!"). On detector_dev, tone was most of what detectors other than
        abuse flagged among Davidson's "neither" tweets (`learning/neither_dev.py`). A content
        feature (a curiosity gap, a sensational label, urgency...) still counts with it."""
        tone = self.settings.tone_features
        return kind in self.settings.tone_alone_kinds and all(feature in tone for feature, *_ in found)

    def _label_alone(self, kind: str, lowered: str, found: list[tuple[str, int, int, str]]) -> bool:
        """A sensational label heading a clause nothing else flags ("Amazing: local kids raise $500
        for the food bank") in a kind where that is not reported: a one-word label before a plain
        clause is how newsletters and local news head an item. The label's own word ("Amazing")
        does not count as company; any other feature (a second sensational word, '!!!', caps, a
        teaser) does: "SHOCKING: celebrity EXPOSED", "OMG: mayor's dog gets a job!!!"."""
        if kind not in self.settings.label_alone_kinds:
            return False
        label = next((f for f in found if f[0] == "sensational_label"), None)
        if label is None or any(f[0] not in _LABEL_FEATURES for f in found):
            return False
        _, start, end, _ = label
        return all(start <= m.start() and m.end() <= end for m in _SENSATIONAL_WORD.finditer(lowered))

    def _rule_findings(self, ctx: CheckContext) -> list[Finding]:
        total, found = self.score(ctx)
        if total < self.settings.warn_score:
            return []
        if self._tone_alone(ctx.action.kind, found) or self._label_alone(ctx.action.kind, ctx.text.lower_words, found):
            return []
        severity = Severity.MEDIUM if total >= self.settings.block_score else Severity.LOW
        out = []
        for feature, start, end, view in found:
            span = ctx.text.words_to_original_span(start, end) if view == "words" else ctx.text.to_original_span(start, end)
            out.append(
                Finding(
                    source=self.name,
                    source_kind=self.kind,
                    category=feature,
                    severity=severity,
                    rule_id=f"clickbait.{feature}",
                    message=f"{feature.replace('_', ' ')} (clickbait score {total:.1f}; block at {self.settings.block_score:g})",
                    span=span,
                    evidence=excerpt(ctx.text.original, span.start, span.end),
                )
            )
        return out
