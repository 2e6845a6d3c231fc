"""Hate aimed at a protected group without a slur: dehumanization, exclusion and calls for violence.

The abuse detector's other tiers need a person as the target ("you are vermin") or a slur, and its
learned models learned abuse from tweets, where hate is mostly slurs and profanity. Hate comments
without either ("muslims are a disease and should be deported", "women belong in the kitchen, not
in parliament") passed. What makes them hate is their structure, not a word: a PROTECTED GROUP
(religion, ethnicity or nationality, gender, sexual orientation, disability, migrants) is the
subject or object of a DEHUMANIZING, EXCLUDING or VIOLENT predicate within one clause:

- copula + dehumanizing noun or adjective: "immigrants are vermin", "women are inferior",
  "why are gays so disgusting";
- modal + harm or expulsion: "muslims should be deported", "gays must die", "women should not be
  allowed to vote", "jews don't deserve rights", "refugees are not welcome here";
- a call or wish: "deport all muslims", "send all gays to hell", "I hope every refugee drowns",
  "death to jews", "the only good immigrant is a dead one", "I hate women";
- a degrading place: "women belong in the kitchen", "a woman's place is in the home";
- invasion and ruin: "immigrants are ruining our country", "muslims breed like rats".

Naming a group is not hate, and neither is talking about hate. A match is dropped when:
- the predicate is negated ("immigrants are not the problem", "not all muslims are terrorists",
  "refugees should not be deported");
- it is reported or quoted by someone other than the writer ("the MP said immigrants are
  vermin", "the myth that immigrants are criminals", "stop saying women are stupid", a match in
  double quotes); "I think women are inferior" is the writer's own claim and still counts;
- the sentence condemns it ("saying immigrants are vermin is hateful", "... is racist").
News ("Muslims celebrate Eid", "Report: attacks on migrants rose", "Three refugees were deported")
meets no pattern: a passive in the past is a report, only a modal ("should", "must") is a call.

The abuse detector's learned tier reads two of these judgements too: a denied generalisation
(`negated_generalisations`: "not all feminists hate men") and a claim the writer rejects or
condemns (`GroupHateRules.disowned_sentences`: "stop saying ...", "saying ... is racist") are
blanked before its models score the text.

Every pattern is RE2 (google-re2): linear time whatever the input. RE2 has no lookaround, so the
negation and frame checks are done in Python on the match and its sentence. The patterns compile
on first use (a word gate in front keeps most texts from ever needing them) and run on
`NormalizedText.lower_words`, so leetspeak, homoglyphs and spelled-out letters are undone first.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Iterable

import re2
from pydantic import Field

from tractatus.governance.checks import CheckSettings
from tractatus.governance.detectors.lexicon import sentence_bounds
from tractatus.governance.lazy_pattern import lazy_compile


class GroupHateSettings(CheckSettings):
    """Every field is required: a policy states each bound where it is defined."""

    max_filler_words: int = Field(
        ge=0, le=8, description="Words allowed between the verb and the predicate ('are all just filthy vermin')."
    )
    frame_window_chars: int = Field(
        ge=0, le=400, description="How far before a match (within its sentence) a reporting or quoting frame disowns it."
    )


# -- protected groups (data) ---------------------------------------------------------------------
# Plural nouns that name members of a protected group. Plurals and adjective + person phrases are
# the forms a generalization takes ("immigrants are", "gay people should"); singular nouns that
# double as adjectives ("gay", "muslim", "black") are only read where a noun must stand
# ("every muslim is", "a woman's place"), so "ban gay marriage" names no group.
GROUP_PLURALS = (
    # religion
    "muslims", "moslems", "muzzies", "jews", "christians", "hindus", "sikhs", "catholics", "protestants",
    "mormons", "buddhists", "atheists", "islam", "judaism", "christianity", "hinduism", "sikhism",
    # an orientation or identity named as a condition ("homosexuality is a mental illness")
    "homosexuality", "transgenderism", "being gay", "being trans", "being transgender", "being a lesbian",
    # ethnicity and nationality
    "blacks", "whites", "arabs", "africans", "asians", "mexicans", "latinos", "latinas", "hispanics",
    "indians", "pakistanis", "bangladeshis", "afghans", "iranians", "iraqis", "syrians", "turks", "kurds",
    "palestinians", "israelis", "somalis", "nigerians", "ethiopians", "gypsies", "roma", "romanians",
    "albanians", "poles", "russians", "ukrainians", "chinese people", "koreans", "filipinos", "haitians",
    "jamaicans", "cubans", "puerto ricans", "americans", "europeans", "germans", "italians", "negroes",
    "aboriginals", "natives", "negros",
    # migrants
    "immigrants", "migrants", "refugees", "asylum seekers", "foreigners", "illegals", "illegal aliens",
    # gender
    "women", "females", "girls", "men", "males", "feminists", "wives",
    # sexual orientation and gender identity
    "gays", "lesbians", "homosexuals", "queers", "bisexuals", "transgenders", "transsexuals", "trannies",
    "trans people", "lgbt people", "lgbtq people", "trans women", "trans men",
    # disability
    "disabled people", "cripples", "retards", "autistics", "spastics", "the disabled", "the handicapped",
    "the mentally ill", "mentally ill people", "the deaf", "the blind",
)  # fmt: skip
# Singular nouns, read only after a determiner that makes them nouns ("every muslim", "a woman").
GROUP_SINGULARS = (
    "muslim", "moslem", "jew", "christian", "hindu", "sikh", "arab", "african", "asian", "mexican", "immigrant",
    "migrant", "refugee", "foreigner", "woman", "female", "girl", "feminist", "gay", "lesbian", "homosexual",
    "queer", "tranny", "transgender", "cripple", "retard", "negro", "gypsy", "black", "jewess",
)  # fmt: skip
# Adjectives that name a group before a person noun: "gay people", "muslim men", "black women".
GROUP_ADJECTIVES = (
    "black", "white", "brown", "asian", "muslim", "islamic", "jewish", "christian", "hindu", "arab", "african",
    "mexican", "chinese", "indian", "pakistani", "somali", "syrian", "turkish", "gay", "lesbian", "trans",
    "transgender", "queer", "bisexual", "disabled", "handicapped", "autistic", "deaf", "blind", "foreign", "immigrant", "migrant",
    "refugee", "female", "latino", "hispanic", "gypsy", "roma",
)  # fmt: skip
PERSON_HEADS = (
    "people", "persons", "men", "women", "folks", "kids", "children", "guys", "girls", "boys", "families",
    "immigrants", "migrants", "refugees", "students", "communities", "community", "population", "populations",
)  # fmt: skip
# Nationalities whose plural is the adjective: a group only as "the chinese", "the irish".
COLLECTIVES = ("chinese", "japanese", "vietnamese", "french", "irish", "english", "dutch", "swiss", "welsh", "jews", "blacks", "gays")

# -- predicates (data) ---------------------------------------------------------------------------
# What a group "is" in dehumanizing speech: vermin, disease, animals, filth, inferiority, menace.
DEHUMANIZING = (
    "disease", "diseases", "cancer", "cancers", "a cancer", "plague", "a plague", "virus", "a virus", "infection",
    "infestation", "an infestation", "pest", "pests", "vermin", "rats", "cockroaches", "roaches", "parasites",
    "a parasite", "leeches", "maggots", "lice", "insects", "animals", "beasts", "savages", "barbarians", "apes",
    "monkeys", "gorillas", "baboons", "pigs", "swine", "dogs", "snakes", "filth", "scum", "trash", "garbage",
    "rubbish", "subhuman", "subhumans", "sub human", "untermenschen", "inferior", "inferior beings",
    "genetically inferior", "abominations", "an abomination", "freaks", "degenerates", "degenerate",
    "perverts", "pedophiles", "paedophiles", "rapists", "terrorists", "criminals", "thieves", "invaders",
    "a mistake", "mistakes", "a burden", "not human", "not even human", "less than human", "evil", "the enemy",
    "a threat", "a danger", "dangerous", "stupid", "dumb", "retarded", "worthless", "useless", "disgusting",
    "filthy", "dirty", "mentally ill", "mentally retarded", "devils", "the devil", "demons", "monsters",
    "a disease", "a pest", "a menace", "parasitic", "a scourge", "a blight", "a stain", "bad for society",
    "too stupid", "only good for", "property", "objects",
    # singular, after "every muslim is", "a woman is"
    "a terrorist", "a criminal", "a rapist", "an animal", "a pig", "a dog", "a savage", "a rat", "a monkey",
    "an ape", "a pedophile", "a paedophile", "a pervert", "a freak", "a degenerate", "a thief", "an invader",
    "a subhuman", "a parasite", "an inferior",
    # a condition to be cured, a waste
    "a mental illness", "a mental disorder", "a sickness", "an illness", "a perversion", "unnatural",
    "a waste of space", "a waste of oxygen", "a waste of skin",
)  # fmt: skip
# What should happen to a group, said as a participle ("should be deported") or a verb ("must die").
HARM_PARTICIPLES = (
    "deported", "banned", "exterminated", "killed", "shot", "gassed", "hanged", "hung", "lynched", "burned",
    "burnt", "locked up", "sterilized", "sterilised", "castrated", "kicked out", "thrown out", "expelled",
    "removed", "wiped out", "eradicated", "eliminated", "executed", "put down", "rounded up", "sent back",
    "euthanized", "euthanised", "segregated", "enslaved", "slaughtered", "massacred", "beaten", "stoned",
    "beheaded", "nuked", "bombed", "murdered", "raped", "caged", "purged", "silenced", "shipped back",
    "thrown in jail", "put in camps", "put in cages", "banned from", "barred from", "thrown off roofs",
    "thrown off buildings", "thrown off a roof", "shot on sight", "chemically castrated",
)  # fmt: skip
HARM_VERBS = (
    "die", "burn", "rot", "suffer", "perish", "drown", "disappear", "vanish", "go extinct", "go to hell",
    "burn in hell", "rot in hell", "go back", "go home", "get out", "leave our country", "leave this country",
    "leave my country", "stay in the kitchen", "stay in their place", "know their place", "shut up",
    "be wiped", "be enslaved", "be slaves", "hang", "be seen and not heard",
)  # fmt: skip
# Verbs of a call against a group, with the group as their object ("deport all muslims").
CALL_VERBS = (
    "kill", "murder", "exterminate", "gas", "shoot", "hang", "lynch", "burn", "nuke", "bomb", "slaughter",
    "butcher", "massacre", "eradicate", "eliminate", "wipe out", "get rid of", "deport", "ban", "expel",
    "kick out", "throw out", "send back", "round up", "lock up", "sterilize", "sterilise", "castrate",
    "purge", "genocide", "annihilate", "rape", "stone", "behead", "execute", "hunt down", "cage", "enslave",
    "gas all", "cleanse",
)  # fmt: skip
# Words a wish of harm ends on: "I hope all refugees drown", "I wish muslims were dead".
WISHED_HARM = (
    "die", "dies", "died", "dead", "burn", "burns", "rot", "rots", "suffer", "suffers", "drown", "drowns",
    "disappear", "disappeared", "vanish", "go extinct", "extinct", "gone", "killed", "shot", "gassed", "raped",
    "deported", "exterminated", "wiped out", "cancer", "aids", "get what they deserve", "burn in hell",
)  # fmt: skip
# Places a group is said to "belong": degrading ones only ("women belong in parliament" is fine).
DEGRADING_PLACES = (
    "kitchen", "kitchens", "the kitchen", "home", "the home", "the house", "the bedroom", "cages", "a cage",
    "zoos", "a zoo", "the zoo", "jail", "prison", "camps", "the camps", "concentration camps",
    "gas chambers", "the gas chambers", "ovens", "the ovens", "an oven", "hell", "the trash", "the garbage",
    "asylums", "an asylum", "a mental institution", "mental institutions", "chains", "the fields",
    "the closet", "the desert", "the jungle", "caves", "a cave", "their place", "their own country",
    "their own countries", "their country", "the gutter", "the sewer", "the back of the bus",
)  # fmt: skip
# Ruin and invasion: "immigrants are ruining our country", with the thing ruined named.
RUIN_VERBS = (
    "ruining", "ruin", "ruins", "destroying", "destroy", "destroys", "polluting", "pollute", "pollutes",
    "poisoning", "poison", "infesting", "infest", "invading", "invade", "invade", "overrunning", "overrun",
    "taking over", "stealing", "steal", "take", "taking",
)  # fmt: skip
RUINED = (
    "country", "countries", "nation", "society", "culture", "civilization", "civilisation", "world", "race",
    "cities", "city", "neighborhood", "neighbourhood", "neighborhoods", "neighbourhoods", "schools", "europe",
    "america", "britain", "england", "france", "germany", "sweden", "way of life", "jobs", "economy",
    "values", "women", "children", "land", "streets", "town", "towns",
)  # fmt: skip

# Words that, in the words between verb and predicate, deny the claim.
NEGATIONS = frozenset(("not", "never", "no", "hardly", "neither", "nor", "none", "n't"))
# Words between a frame verb and who says it: "I just think", "I really do believe".
_SPEAKER_SKIP = frozenset((
    "just", "really", "honestly", "seriously", "always", "still", "also", "truly", "do", "did", "am", "personally",
    "strongly", "genuinely", "actually", "literally", "firmly", "will", "would", "must", "have", "'m", "m",
))  # fmt: skip
# Reporting and quoting words: before a match in its sentence, and said by anyone but the writer,
# they make the text a report of hate ("the MP said ...", "stop saying ...").
FRAME_VERBS = (
    "say", "says", "said", "saying", "claim", "claims", "claimed", "claiming", "argue", "argues", "argued",
    "arguing", "think", "thinks", "thought", "believe", "believes", "believed", "insist", "insists",
    "insisted", "suggest", "suggests", "suggested", "tweeted", "wrote", "posted", "shouted", "chanted",
    "yelled", "screamed", "called", "calling", "label", "labels", "labelled", "labeled", "told", "tells",
    "telling", "implies", "implying", "assume", "assumes", "assuming", "pretend", "pretending", "repeat",
    "repeating", "spread", "spreading", "preach", "preaching", "reading", "read", "shouting", "chanting",
    "yelling", "declared", "declares", "wrote", "writes", "warned", "stated", "states", "accused", "quoted",
    "quote", "hear", "heard", "hearing", "post", "posting", "tweet", "tweeting", "vows", "vowed", "promised",
    "promises", "proposed", "proposes", "urged", "urges", "demanded", "demands", "wants", "wanted",
)  # fmt: skip
FRAME_NOUNS = (
    "idea", "claim", "claims", "notion", "myth", "myths", "lie", "lies", "stereotype", "stereotypes", "trope",
    "tropes", "belief", "narrative", "rhetoric", "propaganda", "slogan", "slogans", "conspiracy", "theory",
    "chant", "chants", "sign", "signs", "poster", "posters", "banner", "banners", "graffiti", "comment",
    "comments", "remark", "remarks", "tweets", "headline", "leaflets", "flyers", "messages", "threats",
    "phrase", "words", "insult", "insults", "accusations", "lie", "falsehood", "misconception",
)  # fmt: skip
# A claim attributed after it ("immigrants are criminals, says the MP"): a report, as a frame before.
ATTRIBUTIONS = frozenset((
    "says", "said", "claims", "claimed", "argues", "argued", "tweeted", "wrote", "warns", "warned", "insists",
    "insisted", "according", "chanted", "shouted", "posted",
))  # fmt: skip
# Who may speak for themselves: a frame verb after these is the writer's own claim ("I think ...").
WRITER = frozenset(("i", "we", "im", "i'm", "ive", "i've", "i'd", "id", "i'll", "we're", "we've", "me", "us"))
# "... is hateful": a sentence that says this about the claim condemns it.
CONDEMNATIONS = (
    "hateful", "racist", "sexist", "bigoted", "bigotry", "wrong", "false", "untrue", "a lie", "lies", "offensive",
    "unacceptable", "dehumanizing", "dehumanising", "xenophobic", "homophobic", "transphobic", "islamophobic",
    "islamophobia", "antisemitic", "anti-semitic", "antisemitism", "misogynist", "misogynistic", "misogyny",
    "hate speech", "racism", "sexism", "homophobia", "xenophobia", "nonsense", "ignorant", "not ok",
    "not okay", "not true", "a myth", "a stereotype", "propaganda", "a hate crime", "hate", "prejudice",
    "prejudiced", "discrimination", "discriminatory", "fascist", "nazi", "vile bigotry", "absurd",
)  # fmt: skip


def _alt(words: Iterable[str]) -> str:
    """An alternation, longest first so phrases beat their prefixes; spaces match any whitespace."""
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(w.replace(" ", r"\s+").replace("'", "'?") for w in unique) + ")"


_GROUP_NP = (
    rf"(?:{_alt(GROUP_ADJECTIVES)}\s+{_alt(PERSON_HEADS)}|the\s+{_alt(COLLECTIVES)}|{_alt(GROUP_PLURALS)})"
)
_GROUP_ANY = rf"(?:{_GROUP_NP}|(?:every|each|any|a|an|one|the\s+average|the\s+typical)\s+{_alt(GROUP_SINGULARS)})"
# A protected group named as a whole: where `disowned_sentences` looks for a frame. RE2, compiled
# on first use by each GroupHateRules (Python's re took ~0.3 ms per KB on this alternation).
_GROUP_MENTION = rf"\b{_GROUP_ANY}\b"
# A claim named as false before it is stated ("the myth that", "the stereotype about") or one the
# writer asks people to stop making ("stop saying", "quit pretending"). A frame alone ("people
# say", "my uncle thinks") is not enough here: on Davidson's dev tweets it hid abuse the writer
# went on to make in the same sentence ("bitches gonna think ...").
_REJECTED = lazy_compile(
    r"\b(?:myths?|lies?|stereotypes?|tropes?|misconceptions?|falsehoods?|(?:false|racist|sexist|bigoted|tired|old)\s+(?:idea|notion|claim|belief)s?)"
    r"\s+(?:that|about)\b|\b(?:stop|quit|enough\s+of)\s+(?:saying|telling|claiming|pretending|implying|acting\s+like)\b"
)
# "not all feminists hate men", "not every immigrant is a criminal", "not all of them are pigs": a
# generalisation about a group (or "them", "those", "people") denied by "not" before its quantifier.
_NEGATED_GENERALISATION = lazy_compile(
    rf"\bnot\s+(?:all\s+(?:of\s+)?(?:the\s+|these\s+|those\s+)?(?:{_GROUP_NP}|people|guys|folks|them|those|these|you|us)"
    rf"|(?:every|each)\s+(?:single\s+)?(?:{_alt(GROUP_SINGULARS)}|man|woman|person|guy|one\s+of\s+(?:them|those|us)))\b"
    r"(?:(?!\bbut\b|\byet\b|\bhowever\b)[^,;:.!?\n]){0,120}"
)


_NOT_QUANTIFIER = lazy_compile(r"not\s+(?:all|every|each)\b")  # a literal start: a fast scan for where to look


def negated_generalisations(lowered: str) -> list[tuple[int, int]]:
    """The (start, end) spans of `lowered` (lower-cased words) that deny a generalisation about a
    group (_NEGATED_GENERALISATION), each to the end of its clause: "but" opens a new one, so "not
    all feminists hate men, but you are a bitch" keeps its insult."""
    if "not" not in lowered:
        return []
    spans = []
    for candidate in _NOT_QUANTIFIER.finditer(lowered):
        found = _NEGATED_GENERALISATION.match(lowered, candidate.start())
        if found is not None and (candidate.start() == 0 or not lowered[candidate.start() - 1].isalnum()):
            spans.append((found.start(), found.end()))
    return spans
# Words that may precede a group in a call or wish: "deport ALL THE FILTHY muslims".
_DETERMINERS = r"(?:(?:all|every|each|the|these|those|them|of|fucking|filthy|dirty|damn|bloody|stinking|disgusting|more|any|remaining|other)\s+)*"
_BE = r"(?:are|is|r|were|was|'re|re|be|being|remain|remains|will\s+always\s+be|will\s+never\s+be|aren't|arent|isn't|isnt|ain't|weren't|wasn't)"
_MODAL = (
    r"(?:should|shall|must|need\s+to|needs\s+to|ought\s+to|have\s+to|has\s+to|deserve\s+to|deserves\s+to|gotta|"
    r"got\s+to|oughta|will|'ll|are\s+going\s+to|are\s+gonna|can|could|may|shouldn't|shouldnt|mustn't)"
)
_CALL_LEAD = (
    r"(?:^|[.!?;:,\n\"(]\s*|\b(?:and|then|so|just|please|we|you|u|someone|somebody|i|y'all|everyone|lets|let's|"
    r"let\s+us|time\s+to|need\s+to|gotta|should|must|ought\s+to|have\s+to|wanna|want\s+to|would\s+love\s+to)\s+)"
)
_CALL_FILL = r"(?:(?:we|you|should|must|just|all|really|finally|seriously|simply|need|to|go|and|please|fucking|will|'ll|gonna|have|gotta|can|let's|lets|us|i|would|'d)\s+)*"


def _patterns(max_filler: int) -> dict[str, str]:
    filler = rf"(?P<fill>(?:\s+[\w']+){{0,{max_filler}}}?)"
    return {
        # "immigrants are (all just) vermin", "every muslim is a terrorist", "why are women so stupid"
        "dehumanizes": (
            rf"\b(?P<g>{_GROUP_ANY})\s+(?P<be>{_BE}){filler}\s+(?:like\s+|a\s+bunch\s+of\s+)?(?P<pred>{_alt(DEHUMANIZING)})\b"
            rf"|\b(?:why|how\s+come)\s+(?:are|is)\s+(?:all\s+)?(?P<g2>{_GROUP_NP})(?P<fill2>(?:\s+(?:so|such|always|all|all\s+so)){{0,3}})\s+(?:a\s+|an\s+)?(?P<pred2>{_alt(DEHUMANIZING)})\b"
        ),
        # "muslims should be deported", "gays must die", "women deserve to be beaten"
        "harm": (
            rf"\b(?P<g>{_GROUP_NP})\s+(?P<modal>{_MODAL}){filler}\s+(?P<pred>(?:be|get|all\s+be|all\s+get)\s+{_alt(HARM_PARTICIPLES)}|{_alt(HARM_VERBS)})\b"
            rf"|\b(?P<g2>{_GROUP_NP})\s+(?:all\s+)?deserve\s+(?P<pred2>death|to\s+die|hell|nothing|no\s+rights|no\s+respect|to\s+suffer|to\s+burn|to\s+be\s+{_alt(HARM_PARTICIPLES)}|to\s+be\s+slaves)\b"
        ),
        # "women should not be allowed to vote", "jews don't deserve rights", "refugees are not welcome here"
        "excludes": (
            rf"\b(?P<g>{_GROUP_NP})\s+(?:should|must|shall|ought\s+to|need\s+to)(?:\s*n't|\s+not|\s+never|nt)(?:\s+(?:even|ever|be|really|ever\s+be))*\s+"
            r"(?P<pred>allowed|permitted|given\s+(?:rights|a\s+voice|a\s+vote|citizenship|jobs)|trusted|vote|drive|work|lead|speak|marry|adopt|breed|exist|have\s+(?:rights|kids|children|a\s+voice|a\s+say|jobs)|"
            r"(?:be\s+)?in\s+(?:charge|power|politics|parliament|government|office|public|our\s+country|this\s+country)|citizens|equal|free|here|live\s+here)\b"
            rf"|\b(?P<g2>{_GROUP_NP})\s+(?:do|does|should|did)(?:\s*n't|\s+not|nt)\s+(?P<pred2>deserve)\b"
            rf"|\b(?P<g3>{_GROUP_NP})\s+(?:are|is|'re)(?:\s*n't|\s+not|nt)\s+(?:even\s+|really\s+|real\s+)?(?P<pred3>welcome|wanted|human|humans|people|equal|real\s+(?:people|humans|women|men)|one\s+of\s+us)\b"
            rf"|\b(?P<g4>{_GROUP_NP})\s+(?:have|has)\s+no\s+(?P<pred4>place|business)\b"
            rf"|\bno\s+(?:more\s+)?(?P<g5>{_GROUP_NP})\s+(?P<pred5>allowed|welcome|wanted|permitted)\b"
            # "we don't want muslims here", "i do not want any more refugees in our town"
            rf"|\b(?:we|i)\s+(?:don't|dont|do\s+not)\s+want\s+(?:any\s+)?(?:more\s+)?(?:of\s+)?(?:these\s+|those\s+|the\s+)?(?P<g6>{_GROUP_NP})\s+(?P<pred6>(?:here|around\s+here)(?:\s*[.!?,;]|$)|in\s+(?:our|this|my)\s+(?:country|town|city|neighbou?rhood|street|school|schools|club|community|land))"
        ),
        # "deport all muslims", "kill the jews", "send all gays to hell"
        "calls": (
            rf"{_CALL_LEAD}{_CALL_FILL}(?P<pred>{_alt(CALL_VERBS)})\s+{_DETERMINERS}(?P<g>{_GROUP_ANY})\b"
            rf"|{_CALL_LEAD}(?P<g3>{_GROUP_NP})\s+(?P<pred3>out)(?:\s*[.!,;]|$)"
            rf"|{_CALL_LEAD}{_CALL_FILL}send\s+{_DETERMINERS}(?P<g2>{_GROUP_NP})\s+(?:all\s+)?(?P<pred2>back|home|packing|away|to\s+(?:hell|the\s+gas\s+chambers?|gas\s+chambers|the\s+camps|camps|concentration\s+camps|the\s+ovens|their\s+(?:own\s+)?(?:country|countries)|africa|asia|mexico|the\s+desert))\b"
        ),
        # "I hope all refugees drown", "death to jews", "the only good immigrant is a dead one", "I hate women"
        "wishes": (
            rf"\b(?:hope|hoping|wish|wishing|pray|praying)\s+(?:that\s+)?{_DETERMINERS}(?P<g>{_GROUP_ANY})(?:\s+(?:all|would|will|just|eventually|soon|get|gets|are|were|be|to|can|could|go|finally|burn|and)){{0,3}}\s+(?P<pred>{_alt(WISHED_HARM)})\b"
            rf"|\bdeath\s+to\s+{_DETERMINERS}(?P<g2>{_GROUP_NP})\b"
            rf"|\bonly\s+good\s+(?P<g3>{_GROUP_NP}|{_alt(GROUP_SINGULARS)})\s+(?:is|are)\s+(?:a\s+)?(?P<pred3>dead)\b"
            rf"|\b(?:world|country|nation|society|planet|earth|europe|america|britain|england|france|germany|city|town|we|everyone|everybody|humanity|it)\s+(?:would|will|'d)\s+be\s+(?:so\s+|much\s+|a\s+lot\s+|far\s+)?better\s+(?:off\s+)?without\s+{_DETERMINERS}(?P<g4>{_GROUP_NP})\b"
            rf"|\b(?:i|we)\s+(?:really\s+|fucking\s+|just\s+|truly\s+|absolutely\s+|all\s+|still\s+)*(?P<pred5>hate|despise|detest|loathe|can't\s+stand|cannot\s+stand|cant\s+stand)\s+{_DETERMINERS}(?P<g5>{_GROUP_NP})\b"
        ),
        # "women belong in the kitchen", "a woman's place is in the home"
        "degrading_place": (
            rf"\b(?P<g>{_GROUP_ANY})\s+(?:(?:should|must|need\s+to|ought\s+to)\s+(?:all\s+|only\s+|just\s+)*(?:stay|be\s+kept|be\s+locked\s+up|belong)|(?:all\s+|only\s+|just\s+)*(?:belong|belongs))\s+(?:only\s+|back\s+)?(?:in|at|into|to)\s+(?P<pred>{_alt(DEGRADING_PLACES)})\b"
            r"|\b(?P<g2>(?:a|the)\s+(?:woman|women|wife|girl|female))'?s?\s+(?:place|job|role|duty)\s+is\s+(?P<pred2>in\s+the\s+(?:kitchen|home|bedroom)|at\s+home|to\s+(?:cook|clean|serve|obey|breed|make\s+sandwiches))\b"
        ),
        # "immigrants are ruining our country", "muslims breed like rats"
        "ruin": (
            rf"\b(?P<g>{_GROUP_NP})\s+(?:are\s+|is\s+|'re\s+)?(?:all\s+|just\s+|slowly\s+)*(?P<pred>{_alt(RUIN_VERBS)})\s+(?:(?:our|this|my|western|white|all\s+our)\s+{_alt(RUINED)}|europe|america|britain|england|france|germany|sweden|the\s+west|the\s+country|the\s+uk|the\s+us)\b"
            # the conspiracy: "jews control the media"
            rf"|\b(?P<g3>{_GROUP_NP})\s+(?:secretly\s+|still\s+|really\s+)?(?P<pred3>control|controls|are\s+controlling)\s+(?:the\s+|all\s+the\s+|our\s+)?(?:media|banks|world|government|governments|hollywood|finance|money|economy|everything|politicians)\b"
            rf"|\b(?P<g2>{_GROUP_NP})\s+(?P<pred2>breed\s+like\s+(?:rats|rabbits|animals|cockroaches|flies|vermin)|spread\s+(?:disease|diseases|aids|hiv))\b"
        ),
    }


# What each pattern family says in a finding's message.
_MESSAGES = {
    "dehumanizes": "dehumanizes a protected group",
    "harm": "calls for harm to or expulsion of a protected group",
    "excludes": "denies a protected group rights or a place",
    "calls": "calls for violence against or expulsion of a protected group",
    "wishes": "wishes harm on or declares hatred of a protected group",
    "degrading_place": "assigns a protected group a degrading place",
    "ruin": "casts a protected group as invaders or a plague",
}
# Families whose match already holds its negation ("should NOT be allowed"): no negation check.
_NEGATION_IS_THE_CLAIM = frozenset(("excludes",))
# A passive with these modals is a forecast or a report ("refugees will be deported under the law").
_FORECAST_MODALS = frozenset(("will", "'ll", "are going to", "are gonna", "can", "could", "may"))
# The word before a group that narrows it to wrongdoers: "criminal immigrants should be deported" is
# a policy position about crime, not about the group.
_NARROWING = frozenset(("criminal", "convicted", "violent", "guilty", "rapist", "terrorist", "illegal"))

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 64 << 20  # big alternations: a DFA budget that keeps RE2 off its slower NFA
_QUOTES = ('"', "\u201c", "\u201d", "\u00ab", "\u00bb")


# The context checks below read words, not patterns: they run on a clause or two around each
# match, where a set lookup per word is cheaper than another RE2 call (each costs ~10-20 us in
# google-re2's Python wrapper, and a text about groups may hold several candidate matches).
_FRAME_VERBS = frozenset(FRAME_VERBS)
_FRAME_NOUNS = frozenset(FRAME_NOUNS)
_CONDEMN_ONE = frozenset(c for c in CONDEMNATIONS if " " not in c)
_CONDEMN_TWO = frozenset(c for c in CONDEMNATIONS if " " in c)
_CONDEMN_ANYWHERE = frozenset((
    "racism", "bigotry", "sexism", "homophobia", "xenophobia", "islamophobia", "antisemitism", "misogyny",
    "transphobia", "dehumanization", "dehumanisation",
))  # fmt: skip
_CONDEMN_BE = frozenset(("is", "are", "was", "were", "sounds", "sound", "seems", "seem", "that's", "thats", "it's", "its", "'s"))
_CONDEMN_INTENSIFIERS = frozenset((
    "so", "just", "really", "deeply", "completely", "totally", "absolutely", "plainly", "simply", "clearly", "pure",
    "blatant", "blatantly", "utter", "a", "form", "of", "an", "example", "both", "also", "very", "still",
))  # fmt: skip
_CONDEMN_THAT = frozenset(("false", "untrue", "nonsense", "wrong", "racist", "sexist", "hateful", "bigoted", "lie", "myth", "true"))


# Words a rejection (_REJECTED) or a condemnation (_condemns) needs one of: most texts hold none,
# and `disowned_sentences` stops there.
_REJECT_GATE = frozenset((
    "myth", "myths", "lie", "lies", "stereotype", "stereotypes", "trope", "tropes", "misconception", "misconceptions",
    "falsehood", "falsehoods", "idea", "ideas", "notion", "notions", "claim", "claims", "belief", "beliefs", "stop",
    "quit", "enough",
))  # fmt: skip
_DISOWN_GATE = _REJECT_GATE | _CONDEMN_ONE | _CONDEMN_ANYWHERE | _CONDEMN_THAT | frozenset(
    c.split()[-1] for c in _CONDEMN_TWO
) | {"hate"}

_DISOWN_TRIGGER = r"\b(?:" + "|".join(sorted((w.replace(" ", r"\s+") for w in _DISOWN_GATE), key=lambda w: (-len(w), w))) + r")\b"


def _condemns(words: list[str]) -> bool:
    """Whether these words condemn or deny a claim: "... is hateful", "that's racist", "it is false
    that ...", "racism", "hate speech"."""
    for index, word in enumerate(words):
        if word in _CONDEMN_ANYWHERE or (word == "hate" and words[index + 1 : index + 2] == ["speech"]):
            return True
        if word in _CONDEMN_BE or word.endswith("'s"):
            rest = words[index + 1 : index + 6]
            while rest and rest[0] in _CONDEMN_INTENSIFIERS and (rest[0] not in ("a", "an") or " ".join(rest[:2]) not in _CONDEMN_TWO):
                rest = rest[1:]
            if rest and (rest[0] in _CONDEMN_ONE or " ".join(rest[:2]) in _CONDEMN_TWO):
                return True
        if word == "that":  # "it is false that", "the lie that", "wrong to say that", "not true that"
            before = words[max(0, index - 3) : index]
            if any(w in _CONDEMN_THAT for w in before if w != "true") or ("true" in before and "not" in before):
                return True
    return False


@dataclass(frozen=True, slots=True)
class GroupHateHit:
    start: int
    end: int
    family: str

    @property
    def message(self) -> str:
        return _MESSAGES[self.family]


def _words_list(text: str) -> list[str]:
    return [w.strip(".,!?;:\"'()") for w in text.split()]


class _Groups:
    """A match's named groups, read on demand by number: google-re2 re-decodes every group name
    on each lookup by name, and a dict of all groups cost as much as the search itself."""

    __slots__ = ("_match", "_numbers")

    def __init__(self, match: Any, numbers: dict[str, int]) -> None:
        self._match = match
        self._numbers = numbers

    def get(self, name: str) -> str | None:
        number = self._numbers.get(name)
        return None if number is None else self._match.group(number)


def _attributed(tail: str) -> bool:
    """The rest of the sentence attributes the claim to someone: ", says the MP", "- MP claims"."""
    rest = tail.lstrip()
    return rest[:1] in (",", "-", ":", "\u2014", "\u2013") and not ATTRIBUTIONS.isdisjoint(_words_list(rest)[:5])


def _negated(groups: _Groups, before_words: list[str]) -> bool:
    """The claim denied: a negation between verb and predicate ("are not the problem"), a negated
    verb ("aren't", "shouldn't"), or "not" just before the group ("not all muslims are ...")."""
    verbs = " ".join(groups.get(k) or "" for k in ("be", "modal")).split()
    if any(v.endswith(("n't", "nt")) for v in verbs):
        return True
    fill = set(_words_list(f"{groups.get('fill') or ''} {groups.get('fill2') or ''}".replace("n't", " n't")))
    if "no" in fill and "better" in fill:
        fill.discard("no")  # "no better than animals" is the claim, not its denial
    return not NEGATIONS.isdisjoint(fill) or "not" in before_words[-2:]


# After a group that ends a match, these may follow; any other word makes the group a modifier.
_AFTER_GROUP = frozenset((
    "are", "is", "were", "was", "should", "must", "will", "would", "and", "or", "who", "that", "they", "all",
    "now", "out", "off", "back", "away", "today", "already", "too", "for", "to", "in", "from", "of", "with",
    "so", "because", "but", "like", "at", "on", "by", "here", "there", "forever", "everywhere", "asap",
    "first", "please", "lol", "then", "again", "immediately", "completely", "entirely", "alive", "dead",
))  # fmt: skip


def _ends_noun_phrase(text: str, end: int, collective: bool) -> bool:
    """Whether the group ending at `end` is a whole noun phrase: not a possessive ("women's"), and
    for a collective ("the chinese", also an adjective) followed by punctuation, the end, or a
    word that cannot continue the noun phrase."""
    rest = text[end : end + 30]
    if rest[:1] == "'":
        return False
    if not collective:
        return True
    words = rest.split(None, 1)
    if not words or not words[0][:1].isalpha():
        return True
    return words[0].strip(".,!?;:\"'()") in _AFTER_GROUP or not words[0][-1:].isalpha()


class GroupHateRules:
    """The rule tier (module docstring): `find(lower_words, word_forms)` returns its hits.

    Compiles its RE2 patterns on first use, once per instance (thread-safe: the governor's
    watchdog runs checks on worker threads)."""

    # Words every match needs one of (a group); with none of them in a text no pattern runs.
    GATE = frozenset(
        part
        for phrase in (*GROUP_PLURALS, *GROUP_SINGULARS, *GROUP_ADJECTIVES, *COLLECTIVES)
        for part in phrase.split()
    ) - frozenset(("the", "a", "being", "people", "ill", "mentally"))  # words too common to gate on

    def __init__(self, settings: GroupHateSettings) -> None:
        self.settings = settings
        self._sources = _patterns(settings.max_filler_words)
        self._names = tuple(self._sources)
        self._lock = threading.Lock()
        self._prefilter: Any = None
        self._compiled: dict[str, tuple[Any, dict[str, int]]] = {}
        self._mention: Any = None
        self._trigger: Any = None

    def _families_found(self, lowered: str) -> list[tuple[str, Any, dict[str, int]]]:
        """The compiled patterns of the families found in `lowered`: one RE2 set scan (~8 us per
        KB) tells which families match at all, so only those (usually none) run `finditer`. Each
        pattern compiles on first need (the set ~25 ms, a family ~5 ms), not at import."""
        if self._prefilter is None:
            with self._lock:
                if self._prefilter is None:
                    prefilter = re2.Set.SearchSet(_OPTIONS)
                    for source in self._sources.values():
                        prefilter.Add(source)
                    prefilter.Compile()
                    self._prefilter = prefilter
        found = self._prefilter.Match(lowered) or ()
        out = []
        for index in sorted(found):
            name = self._names[index]
            if name not in self._compiled:
                with self._lock:
                    if name not in self._compiled:
                        pattern = re2.compile(self._sources[name], _OPTIONS)
                        # Group numbers read once: google-re2 re-decodes every group name on each
                        # lookup by name, which made groupdict() cost more than the search.
                        self._compiled[name] = (pattern, dict(pattern.groupindex))
            out.append((name, *self._compiled[name]))
        return out

    def find(self, lowered: str, forms: frozenset[str]) -> list[GroupHateHit]:
        """Hate against a group in `lowered` (`NormalizedText.lower_words`), in its coordinates."""
        if self.GATE.isdisjoint(forms):
            return []
        hits = []
        for family, pattern, names in self._families_found(lowered):
            for match in pattern.finditer(lowered):
                if self._keeps(family, lowered, match, _Groups(match, names)):
                    hits.append(GroupHateHit(match.start(), match.end(), family))
        return hits

    def disowned_sentences(self, lowered: str, forms: frozenset[str]) -> list[tuple[int, int]]:
        """The sentences (at most `frame_window_chars` each side of the group) of `lowered` that name
        a protected group only to reject or condemn a claim about it: "people say feminists hate
        men, which is nonsense", "stop saying gays are perverts", "saying all muslims are
        terrorists is racist", "the myth that ...". The abuse detector's learned tier does not
        score them; the writer's own claim ("I think women are inferior") and a bare report ("my
        uncle thinks ...") are not disowned."""
        if self.GATE.isdisjoint(forms) or _DISOWN_GATE.isdisjoint(forms):
            return []
        rejecting = not _REJECT_GATE.isdisjoint(forms)
        if self._mention is None:
            with self._lock:
                if self._mention is None:
                    self._trigger = re2.compile(_DISOWN_TRIGGER, _OPTIONS)
                    self._mention = re2.compile(_GROUP_MENTION, _OPTIONS)
        spans: list[tuple[int, int]] = []
        window = self.settings.frame_window_chars  # about a clause each side: the claim and what is said of it
        for group_start, group_end in self._mentions_near_triggers(lowered, window):
            if spans and spans[-1][1] > group_start:
                continue  # already disowned
            # The sentence, looked for within the window only (a whole-text scan per group named cost more).
            start = max(0, group_start - window)
            left, right = sentence_bounds(lowered[start : group_end + window], group_start - start, group_end - start)
            left, right = start + left, start + right
            head, tail = lowered[left:group_start], lowered[group_end:right]
            rejected = _REJECTED.search(head) if rejecting else None
            condemned = _condemns(_words_list(tail))
            if rejected is not None and not condemned:
                spans.append((left + rejected.start(), right))  # from the rejection on: what comes before stays scored
            elif rejected is not None or condemned or _condemns(_words_list(head)):
                spans.append((left, right))
        return spans

    def _mentions_near_triggers(self, lowered: str, window: int) -> list[tuple[int, int]]:
        """Where a group is named within reach (two windows) of a rejection or condemnation word:
        only there can a sentence be disowned, so the group pattern scans those stretches alone."""
        regions: list[list[int]] = []
        for trigger in self._trigger.finditer(lowered):
            lo, hi = max(0, trigger.start() - 2 * window), trigger.end() + 2 * window
            if regions and lo <= regions[-1][1]:
                regions[-1][1] = hi
            else:
                regions.append([lo, hi])
        found: list[tuple[int, int]] = []
        for lo, hi in regions:
            lo = lowered.rfind(" ", 0, lo) + 1 if lo else 0  # start on a word
            stretch = lowered[lo:hi]
            found.extend((lo + m.start(), lo + m.end()) for m in self._mention.finditer(stretch))
        return found

    def _keeps(self, family: str, text: str, match: Any, groups: _Groups) -> bool:
        group_key = next((k for k in ("g", "g2", "g3", "g4", "g5", "g6") if groups.get(k)), None)
        if group_key is None:
            return False
        start, end, whole = match.start(), match.end(), match.group()
        group_text = groups.get(group_key) or ""
        group_start = start + max(0, whole.find(group_text))
        before_words = _words_list(text[max(0, group_start - 40) : group_start])
        if family not in _NEGATION_IS_THE_CLAIM and _negated(groups, before_words):
            return False
        modal = " ".join((groups.get("modal") or "").split())
        if modal in _FORECAST_MODALS and not (groups.get("pred") or "").endswith("hell"):
            return False  # "refugees will be deported under the new law", "can go home now": a forecast
        if whole.endswith(group_text) and not _ends_noun_phrase(text, end, group_text.startswith("the ")):
            return False  # "I hate the chinese government", "ban women's football": the group is a modifier
        if before_words and before_words[-1] in _NARROWING:
            return False
        left, right = sentence_bounds(text, start, end)
        head, tail = text[left:start], text[end:right]
        if self._framed(text, left, start) or _attributed(tail):
            return False
        if _condemns(_words_list(tail)) or _condemns(_words_list(head)):
            return False
        return not (any(q in head for q in _QUOTES) and any(q in tail for q in _QUOTES))

    def _framed(self, text: str, left: int, start: int) -> bool:
        """A reporting or quoting frame before the match, in its sentence, not the writer's own."""
        words = _words_list(text[max(left, start - self.settings.frame_window_chars) : start])
        for index, word in enumerate(words):
            if word in _FRAME_NOUNS:
                return True
            if word in _FRAME_VERBS:
                speaker = [w for w in words[:index] if w not in _SPEAKER_SKIP][-1:]
                if not speaker or speaker[0] not in WRITER:
                    return True
        return False

