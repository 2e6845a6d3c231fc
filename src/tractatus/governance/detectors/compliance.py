"""Compliance detector: consent for contact data, special-category data, retention.

- consent_required: contact data (e-mail, phone, street address) in content whose action does
  not carry `context["consent"] is True`. The recognizers are the PII detector's own
  (`pii_recognizers`), so both detectors agree on what contact data is. Shared mailboxes
  (support@...) identify an organisation and need no consent.
- special_category (GDPR art. 9/10): health, religion, ethnicity, sexual orientation, political
  opinion, trade-union membership, biometric/genetic data and criminal records ABOUT AN
  IDENTIFIABLE PERSON. Whose data it is decides, per action kind, how much it matters
  (`special_category_subjects`, `special_category_subjects_by_kind` in the policy):
  - third_party: a name ("John has HIV"), a relation ("my neighbour is a Muslim"), a pronoun, a
    title ("Mrs. Patel") or a record ("patient 4471");
  - self: the writer disclosing their own ("I was diagnosed with HIV last year", "as a
    practising Muslim", "I'm gay and ...", "my HIV status"): still special-category data once an
    agent passes it on;
  - self_standpoint: the writer's identity (religion, orientation) given as the standpoint of an
    opinion ("As a gay man I think the new law is a step forward"): speaking publicly from who
    one is, not handing over data; a diagnosis, treatment or record is never a standpoint;
  - public_figure: an office or public role before the name ("Senator Kennedy has brain tumor
    surgically removed"): news about public figures, which publishing normally allows.
  General statements ("HIV is a virus", "people with diabetes should...") name no one and pass.
- retention: keeping data forever ("keep this forever", "store indefinitely", "never delete") or
  longer than the policy's `max_retention_days` ("retain the logs for 10 years").
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import ClassVar, Literal, Mapping, Sequence

from pydantic import Field

from tractatus.governance.actions import Finding, Severity
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.detectors.evidence import excerpt
from tractatus.governance.detectors.pii import pii_evidence
from tractatus.governance.detectors.pii_recognizers import PiiCategory, RecognizerSettings, recognize_cached
from tractatus.governance.errors import PolicyError
from tractatus.governance.lazy_pattern import lazy_compile

SeverityName = Literal["info", "low", "medium", "high", "critical"]
ComplianceCategory = Literal["consent_required", "special_category", "retention"]

# -- special categories: who (an identifiable person) + what (a verb phrase per category) -----------

_RELATIONS = (
    r"neighbou?r|coworker|co-worker|colleague|boss|manager|friend|wife|husband|partner|spouse|brother|sister|mother|mom|mum|"
    r"father|dad|son|daughter|cousin|uncle|aunt|patient|employee|tenant|client|customer|student|pupil|teacher|landlord|"
    r"roommate|flatmate|girlfriend|boyfriend|ex|nephew|niece|grandma|grandpa|grandmother|grandfather|intern|assistant|"
    r"supervisor|subordinate|candidate|applicant|contractor|teammate|classmate|housemate|child|kid|fiancee?|stepson|"
    r"stepdaughter|mother-in-law|father-in-law|secretary|nanny|babysitter|caretaker|caregiver|driver|member|user|"
    r"ceo|cfo|cto|coo|director|founder|president|chairman|chairwoman|chair|coach|pastor|priest|lawyer|accountant|"
    r"doctor|nurse|therapist|hire|recruit|guest|visitor|resident|host|lead|head|owner|vendor|buyer|seller"
)
_SUBJECT_LOWER = (
    rf"(?:(?:my|our|his|her|their|your|the|a|this|that)\s+(?:new\s+|old\s+|former\s+|best\s+|elderly\s+|\w+\s+)?(?:{_RELATIONS})(?:\s+[a-z]+(?=\s+(?:has|is|was)))?"
    r"(?:\s+(?:in|from|at|on|of|next\s+door\s+in)\s+(?:the\s+|room\s+|bed\s+|ward\s+|apartment\s+|flat\s+|unit\s+|cell\s+)?[\w-]+)?"
    r"|he|she|mr\.?\s+\w+|mrs\.?\s+\w+|ms\.?\s+\w+|miss\s+\w+|dr\.?\s+\w+"
    r"|(?:the\s+)?(?:employee|patient|tenant|customer|applicant|candidate|user|client|student)\s+(?:named|called)\s+\w+"
    r"|(?:employee|patient|user|customer|client|member|case|subject)\s+(?:#|no\.?|id|number)?\s*\d+)"
)
_FILLER = r"(?:\s+(?:also|now|actually|apparently|secretly|recently|just|still|reportedly|openly|privately|finally|has\s+been|had\s+been|been|was|is|always|never|might|may))*"
_HEALTH = (
    r"hiv|aids|cancer|leukemia|leukaemia|lymphoma|tumou?r|diabetes|depression|schizophrenia|bipolar(?:\s+disorder)?|autism|adhd|"
    r"epilepsy|dementia|alzheimer'?s|parkinson'?s|hepatitis(?:\s+\w)?|tuberculosis|an?\s+std|an?\s+sti|stds|herpes|chlamydia|"
    r"gonorrh?o?ea|syphilis|(?:an\s+)?anxiety(?:\s+disorder)?|ocd|ptsd|an\s+eating\s+disorder|anorexia|bulimia|"
    r"multiple\s+sclerosis|cystic\s+fibrosis|covid(?:-19)?|coronavirus|(?:a\s+)?mental\s+illness|mental\s+health\s+(?:issues|problems)|"
    r"a\s+disability|a\s+heart\s+condition|heart\s+disease|kidney\s+(?:disease|failure)|a\s+stroke|a\s+miscarriage|an\s+abortion|"
    r"chemo(?:therapy)?|antidepressants|insulin|methadone|an\s+addiction|a\s+drug\s+problem|a\s+drinking\s+problem|alcoholism|"
    r"psychosis|lupus|sickle\s+cell|a\s+terminal\s+illness|a\s+brain\s+tumou?r|an\s+std|a\s+psychiatric\s+(?:condition|disorder)"
)
_HEALTH_VP = (
    rf"(?:has|had|have|got|is\s+living\s+with|lives\s+with|(?:was|got|has\s+been|is|been)\s+diagnosed\s+with|suffers\s+from|suffered\s+from|"
    rf"(?:is\s+)?suffering\s+from|tested\s+positive\s+for|is\s+(?:being\s+)?treated\s+for|was\s+treated\s+for|is\s+in\s+treatment\s+for|"
    rf"is\s+recovering\s+from|battles|is\s+battling|caught|contracted|is\s+on|takes|is\s+taking|needs|started)\s+"
    # Up to four words between the verb and the condition, none a preposition: "has stage four
    # breast cancer", not "has a meeting with the diabetes research team".
    rf"(?:(?!(?:with|about|at|to|from|in|of|by)\b)\w+\s+){{0,4}}?(?:{_HEALTH})\b"
    r"(?!\s+(?:research|researchers|team|awareness|charity|foundation|fundraiser|ward|unit|clinic|conference|study|trial|policy))"
    r"|(?:is|'s)\s+(?:hiv[\s-]positive|pregnant|an\s+alcoholic|a\s+(?:drug\s+)?addict|autistic|bipolar|schizophrenic|diabetic|epileptic|"
    r"disabled|terminally\s+ill|in\s+rehab|seeing\s+a\s+(?:therapist|psychiatrist)|infertile|mentally\s+ill|depressed|anorexic|bulimic)\b"
)
# "is a Christian holiday", "is an Asian restaurant": the word describes a thing, not a person.
_NOT_A_THING = (
    r"(?!\s+(?!(?:man|woman|boy|girl|person|guy|lady|convert|believer|family|immigrant|refugee|and|or|but|who|now|too|"
    r"as|since|by|from|in|at|on|with|like|so|himself|herself|themselves)\b)[a-z]{3,})"
)
_RELIGION_VP = (
    r"(?:is|'s|was|became|converted\s+to|practices|practises|follows)\s+(?:an?\s+)?(?:devout\s+|practicing\s+|practising\s+|secret\s+|strict\s+)?"
    r"(?:muslim|jewish|jew|christian|catholic|protestant|hindu|buddhist|sikh|atheist|mormon|jehovah'?s\s+witness|evangelical|"
    rf"orthodox\s+\w+|islam|judaism|christianity|hinduism|buddhism|scientologist|pagan|agnostic|shia|sunni|quaker|amish)\b{_NOT_A_THING}"
    r"|(?:goes|went)\s+to\s+(?:the\s+)?(?:mosque|synagogue|church|temple|gurdwara)\b|prays\s+five\s+times"
)
_ETHNICITY_VP = (
    r"(?:is|'s|was)\s+(?:of\s+|an?\s+)?(?:hispanic|latino|latina|latinx|asian|african[\s-]american|black|white|arab|roma|romani|gypsy|"
    r"indigenous|native\s+american|aboriginal|pacific\s+islander|biracial|mixed[\s-]race|caucasian|jewish)\b"
    rf"(?:\s+(?:descent|origin|heritage|ethnicity)|{_NOT_A_THING})"
)
_ORIENTATION_VP = (
    r"(?:is|'s|was)\s+(?:an?\s+)?(?:secretly\s+|openly\s+|proud\s+)?(?:gay|lesbian|bisexual|homosexual|queer|transgender|trans|asexual|pansexual|non-binary|nonbinary|intersex)\b"
    r"|came\s+out\s+as\b|is\s+(?:still\s+)?in\s+the\s+closet|is\s+transitioning"
)
_POLITICAL_VP = (
    r"(?:is|'s|was)\s+(?:a\s+)?(?:registered\s+|card-carrying\s+|lifelong\s+|staunch\s+)?(?:republican|democrat|communist|socialist|"
    r"labour|tory|libertarian|anarchist|fascist|nazi|marxist|trump\s+supporter|maga)\b"
    rf"(?:\s+(?:voter|supporter|member|party\s+member)|{_NOT_A_THING})"
    r"|votes?\s+(?:for\s+)?(?:republican|democrat|labour|tory|conservative|green|the\s+\w+\s+party|trump|biden|harris|afd|le\s+pen)\b"
    r"|voted\s+for\s+(?:the\s+)?\w+|is\s+a\s+member\s+of\s+the\s+\w+(?:\s+\w+)?\s+party|supports?\s+the\s+\w+(?:\s+\w+)?\s+party"
    r"|attended\s+an?\s+(?:\w+\s+)?(?:rally|protest)|donated\s+to\s+the\s+\w+\s+(?:party|campaign)"
)
_UNION_VP = (
    r"(?:is|'s|was)\s+(?:a\s+)?(?:union\s+member|member\s+of\s+(?:the\s+|a\s+)?(?:\w+\s+){0,3}?union|union\s+(?:rep|representative|steward|organi[sz]er|activist|leader))\b"
    r"|joined\s+(?:the\s+|a\s+)?(?:\w+\s+)?(?:trade\s+)?union\b|is\s+(?:organi[sz]ing|trying\s+to\s+organi[sz]e)\s+a\s+union|is\s+unioni[sz]ed"
)
_CRIMINAL_VP = (
    r"has\s+(?:a\s+)?(?:criminal\s+record|prior\s+convictions?|record|felony(?:\s+conviction)?|dui|dwi|misdemeanou?r(?:\s+conviction)?|"
    r"been\s+(?:arrested|convicted|jailed|imprisoned|incarcerated|charged))"
    r"|was\s+(?:arrested|convicted|jailed|imprisoned|incarcerated|charged|sentenced|on\s+probation|on\s+parole|locked\s+up)\b"
    r"|(?:is|'s)\s+(?:a\s+)?(?:convicted\s+\w+|ex-con|ex-convict|felon|registered\s+sex\s+offender|sex\s+offender|on\s+probation|on\s+parole)\b"
    r"|served\s+(?:time|\d+\s+(?:years|months))|spent\s+(?:\w+\s+){0,2}in\s+(?:jail|prison)"
)
_VERB_PHRASES = (
    rf"(?P<health>{_HEALTH_VP})|(?P<religion>{_RELIGION_VP})|(?P<ethnicity>{_ETHNICITY_VP})|(?P<sexual_orientation>{_ORIENTATION_VP})"
    rf"|(?P<political_opinion>{_POLITICAL_VP})|(?P<trade_union>{_UNION_VP})|(?P<criminal_record>{_CRIMINAL_VP})"
)
# "she's", "John's": the contracted "is" follows the subject without a space.
_SPECIAL_LOWER = lazy_compile(rf"\b{_SUBJECT_LOWER}{_FILLER}(?:\s+|(?='s\s))(?:{_VERB_PHRASES})")
# Offices and public roles: a name behind one of them is a public figure ("Senator Kennedy").
# Checked on the words around a match rather than inside the regex: an optional prefix at the
# start of a pattern would stop Python's re from skipping ahead to capitalised words.
_PUBLIC_TITLES = frozenset(
    "senator sen president governor gov representative rep congressman congresswoman mayor minister "  # noqa: SIM905
    "chancellor secretary speaker king queen prince princess pope cardinal archbishop judge justice general "
    "gen admiral actor actress singer rapper star legend coach sheikh duke duchess lord sir dame premier".split()
)
_WORD_BEFORE = lazy_compile(r"([A-Za-z]+)\.?\s+$")
# A capitalised name as the subject: runs on the case-preserving view, the verb phrase ignoring case.
_SPECIAL_NAMED = lazy_compile(rf"\b(?P<name>[A-Z][a-z]{{1,20}}(?:\s+[A-Z][a-z]{{1,20}})?){_FILLER}(?:\s+|(?='s\s))(?i:{_VERB_PHRASES})")


def _is_public_figure(text: str, match: re.Match[str]) -> bool:
    """"Senator Kennedy has ...", "President Joe Biden tested ...": a title in or before the name."""
    if match.group("name").split()[0].lower() in _PUBLIC_TITLES:
        return True
    before = _WORD_BEFORE.search(text[max(0, match.start() - 16) : match.start()])
    return before is not None and before.group(1).lower() in _PUBLIC_TITLES


# The writer as the subject: the same verb phrases with the first person's "am"/"'m"/"have".
_SELF_VERB_PHRASES = _VERB_PHRASES.replace(r"(?:is|'s|was)", r"(?:am|'m|is|'s|was)").replace(r"(?:is|'s)", r"(?:am|'m|is|'s)")
_SPECIAL_SELF = lazy_compile(rf"\b(?:i|i've|i'd|i\s+myself){_FILLER}(?:\s+|(?='[ms]\s))(?:{_SELF_VERB_PHRASES})")
# A self-description the writer hedges at once is a guess or a figure of speech, not a disclosure:
# "I'm autistic or something, I thought that song was Led Zeppelin", "I have ADHD or whatever".
# Only for the writer: a guess about someone else's health is still data about them.
_SELF_HEDGE = lazy_compile(r"\s*,?\s*or\s+(?:something|smth|sth|summat|sumthin|whatever)\b")
# "as a practising Muslim, ...", "as a gay man, ...": the writer's own identity as a clause.
_AS_IDENTITY = lazy_compile(
    r"\bas\s+an?\s+(?:devout\s+|practi[cs]ing\s+|observant\s+|proud\s+|openly\s+|closeted\s+)?"
    r"(?:(?P<religion>muslim|jew|christian|catholic|protestant|hindu|buddhist|sikh|mormon|jehovah'?s\s+witness|evangelical)"
    r"|(?P<sexual_orientation>(?:gay|lesbian|bisexual|queer|trans(?:gender)?|asexual|pansexual|non-binary|nonbinary)"
    r"(?:\s+(?:man|woman|person|guy|girl|kid|teen|adult|couple|parent|father|mother|dad|mom))?))"
    r"(?:\s*,|\s+(?:i|myself|and|who|living|working|raised)\b)"
)
# The identity above given as the standpoint of an opinion: "As a gay man I think the new law is a
# step forward", "as a practising Muslim, I believe ...". The writer speaks publicly from who they
# are; that is not a disclosure of data to pass on (GDPR art. 9(2)(e): made public by the person).
# Only the identities _AS_IDENTITY reads (religion, orientation) can be a standpoint: a diagnosis,
# a treatment or a record is data about a body or a file ("I was diagnosed with HIV last year")
# and stays `self` however it is phrased. Read from the "as" on; an opinion verb must follow "I".
_STANDPOINT = lazy_compile(
    r"as\s+an?\s+[\w' -]{1,60}?(?:\s*,\s*|\s+)(?:i|we)\s+(?:(?:really|strongly|personally|honestly|truly|firmly|do|also|still|"
    r"just|would|'d|can|must)\s+)*(?:think|believe|feel|support|oppose|welcome|agree|disagree|say|hope|applaud|appreciate|"
    r"celebrate|urge|worry|fear|consider|find|see|know|reject|back|object)\b"
    r"|as\s+an?\s+[\w' -]{1,60}?(?:\s*,\s*|\s+)(?:i'm|im|i\s+am|we're|we\s+are)\s+(?:so\s+|very\s+|really\s+|also\s+)?(?:glad|happy|"
    r"proud|worried|concerned|disappointed|thrilled|delighted|excited|pleased|against|for|in\s+favou?r|opposed)\b"
)
_RECORD = (
    r"(?:fingerprints?|face\s+scans?|facial\s+(?:scan|geometry|recognition\s+(?:data|template))|"
    r"iris\s+scans?|retina(?:l)?\s+scans?|voiceprint|voice\s+print|dna(?:\s+(?:sample|profile|test|results))?|genetic\s+(?:data|test|profile|results|markers)|"
    r"biometric\s+(?:data|template|profile)s?|palm\s+prints?|hiv\s+status|medical\s+(?:records?|history)|diagnosis|"
    rf"(?:{_HEALTH})(?:\s+(?:diagnosis|treatment|status|results?|medication))?)\b(?!\s+(?:research|awareness|charity|foundation|fundraiser|walk|run|ward|unit|policy))"
)
_BIOMETRIC = lazy_compile(r"\b(?:his|her|their|[a-z]+'s|(?:my|our|the)\s+(?:" + _RELATIONS + r")'s)\s+" + _RECORD)
_SELF_RECORD = lazy_compile(r"\bmy\s+" + _RECORD)
# Capitalised words that start sentences but name no one.
_NOT_NAMES = frozenset(
    ["The", "This", "That", "These", "Those", "It", "Its", "There", "Here", "What", "Which", "Who", "Whom", "Whose", "When", "Where", "Why", "How", "Everyone", "Everybody", "Nobody", "Somebody", "Someone", "Anyone", "Anybody", "People", "Patients", "Users", "Customers", "Employees", "Many", "Most", "Some", "Each", "Every", "All", "Any", "No", "One", "He", "She", "They", "We", "You", "I", "Our", "Your", "Their", "My", "His", "Her", "A", "An", "If", "And", "But", "Or", "So", "Because", "Although", "While", "Today", "Yesterday", "Tomorrow", "Nothing", "Something", "Anything", "Everything", "Research", "Data", "Science", "Diabetes", "Cancer", "Depression", "Nobody", "Children", "Women", "Men", "Adults", "Anyone", "Python", "Java", "Windows", "Linux", "Apple", "Google", "Microsoft", "Amazon", "It's", "That's", "Covid", "Staff", "Team"]
)

# -- retention -------------------------------------------------------------------------------

_KEEP = r"(?:keep|store|retain|hold|save|archive|preserve|log|persist|cache|back\s+up)(?:s|ed|ing|d)?"
_FOREVER = lazy_compile(
    rf"\b{_KEEP}\s+(?:[\w'-]+\s+){{0,5}}?(?:forever|indefinitely|permanently|in\s+perpetuity|for\s+ever|for\s+all\s+time|for\s+good|"
    r"without\s+(?:an?\s+)?(?:expiry|expiration|time\s+limit|deletion|end\s+date|limit)|with\s+no\s+(?:expiry|expiration|time\s+limit|deletion|end\s+date|limit))\b"
    r"|\bnever\s+(?:ever\s+)?(?:delete|purge|erase|remove|expire|destroy|clear)\b|\bno\s+retention\s+(?:limit|period|policy)\b"
    r"|\b(?:don'?t|do\s+not)\s+(?:ever\s+)?(?:delete|purge|erase|destroy)\s+(?:any|the|this|these|it|them|their|his|her|user|customer|personal)\b"
    r"|\b(?:retention|retained|kept|stored)\s+(?:\w+\s+){0,2}?(?:forever|indefinitely|permanently)\b"
)
_DURATION = lazy_compile(
    rf"\b(?:{_KEEP}|retention\s+(?:period\s+)?(?:of|is)|retained|kept|stored)\s+(?:[\w'-]+\s+){{0,6}}?(?:for\s+|of\s+)?(?:up\s+to\s+|at\s+least\s+|another\s+)?"
    r"(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|fifty|a\s+hundred)\s+"
    r"(?P<unit>days?|weeks?|months?|years?|decades?|centuries|century)\b"
)
_NUMBERS: Mapping[str, int] = MappingProxyType({"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50, "a hundred": 100})  # fmt: skip
_UNIT_DAYS: Mapping[str, int] = MappingProxyType({"day": 1, "week": 7, "month": 30, "year": 365, "decade": 3650, "century": 36500, "centurie": 36500})


# Gates (see lexicon.gate_words): the verb phrases above need one of these words, so text
# without any of them skips the special-category regexes.
_SPECIAL_GATE = frozenset(
    ["hiv", "aids", "cancer", "leukemia", "leukaemia", "lymphoma", "tumor", "tumour", "diabetes", "depression", "schizophrenia", "bipolar", "autism", "adhd", "epilepsy", "dementia", "alzheimer", "alzheimer's", "parkinson", "parkinson's", "hepatitis", "tuberculosis", "std", "sti", "stds", "herpes", "chlamydia", "gonorrhea", "gonorrhoea", "syphilis", "anxiety", "ocd", "ptsd", "eating", "anorexia", "bulimia", "sclerosis", "fibrosis", "covid", "covid-19", "coronavirus", "mental", "disability", "heart", "kidney", "stroke", "miscarriage", "abortion", "chemo", "chemotherapy", "antidepressants", "insulin", "methadone", "addiction", "drug", "drinking", "alcoholism", "psychosis", "lupus", "sickle", "terminal", "brain", "psychiatric", "positive", "pregnant", "alcoholic", "addict", "autistic", "schizophrenic", "diabetic", "epileptic", "disabled", "terminally", "rehab", "therapist", "psychiatrist", "infertile", "mentally", "depressed", "anorexic", "bulimic", "muslim", "jewish", "jew", "christian", "catholic", "protestant", "hindu", "buddhist", "sikh", "atheist", "mormon", "jehovah", "jehovah's", "evangelical", "orthodox", "islam", "judaism", "christianity", "hinduism", "buddhism", "scientologist", "pagan", "agnostic", "shia", "sunni", "quaker", "amish", "mosque", "synagogue", "church", "temple", "gurdwara", "prays", "hispanic", "latino", "latina", "latinx", "asian", "african", "black", "white", "arab", "roma", "romani", "gypsy", "indigenous", "native", "aboriginal", "pacific", "biracial", "mixed", "caucasian", "gay", "lesbian", "bisexual", "homosexual", "queer", "transgender", "trans", "asexual", "pansexual", "non-binary", "nonbinary", "intersex", "came", "closet", "transitioning", "republican", "democrat", "communist", "socialist", "labour", "tory", "libertarian", "anarchist", "fascist", "nazi", "marxist", "trump", "maga", "conservative", "green", "party", "biden", "harris", "afd", "pen", "voted", "rally", "protest", "donated", "union", "unionized", "unionised", "organizing", "organising", "record", "convictions", "felony", "dui", "dwi", "misdemeanor", "misdemeanour", "arrested", "convicted", "jailed", "imprisoned", "incarcerated", "charged", "sentenced", "probation", "parole", "locked", "ex-con", "ex-convict", "felon", "offender", "served", "time", "jail", "prison"]
)
_BIOMETRIC_GATE = frozenset(
    ["fingerprint", "fingerprints", "face", "facial", "iris", "retina", "retinal", "voiceprint", "voice", "dna", "genetic", "biometric", "palm", "hiv", "medical", "diagnosis"]
) | _SPECIAL_GATE  # possessive health terms ("her depression")
_FOREVER_GATE = frozenset(
    ["forever", "indefinitely", "permanently", "perpetuity", "ever", "good", "expiry", "expiration", "limit", "deletion", "never", "retention", "delete", "purge", "erase", "destroy"]
)
_DURATION_GATE = (
    frozenset(["days", "day", "weeks", "week", "months", "month", "years", "year", "decades", "decade", "century", "centuries"]),
    frozenset(
        ["keep", "keeps", "kept", "keeping", "store", "stores", "stored", "storing", "retain", "retains", "retained", "retaining", "retention", "hold", "holds", "holding", "save", "saves", "saved", "saving", "archive", "archives", "archived", "archiving", "preserve", "preserved", "log", "logs", "logged", "logging", "persist", "persisted", "cache", "cached", "back"]
    ),
)


Subject = Literal["self", "self_standpoint", "third_party", "public_figure"]
SeverityOrOff = Literal["off", "info", "low", "medium", "high", "critical"]


class ComplianceSettings(CheckSettings):
    severities: dict[ComplianceCategory, SeverityName] = Field(
        description="Severity per compliance category (special categories: see special_category_subjects)."
    )
    special_category_subjects: dict[Subject, SeverityOrOff] = Field(
        description="Severity of special-category data by whose it is ('off': not reported)."
    )
    special_category_subjects_by_kind: dict[str, dict[Subject, SeverityOrOff]] = Field(
        description="Per action kind, overrides of special_category_subjects."
    )
    contact_categories: tuple[PiiCategory, ...] = Field(min_length=1, description="Contact data that needs consent.")
    role_mailboxes: tuple[str, ...] = Field(description="Shared mailboxes: contact data that needs no consent.")
    max_retention_days: int = Field(gt=0, description="Longest retention allowed without review.")
    recognizers: RecognizerSettings


_ABOUT: Mapping[str, str] = MappingProxyType({
    "third_party": "about an identifiable person",
    "self": "the writer discloses about themselves",
    "self_standpoint": "the writer gives as the standpoint of an opinion",
    "public_figure": "about a public figure",
})  # fmt: skip
_FIRST_PERSON = frozenset(("i", "i'm", "i've", "i'd", "im", "ive"))
_VERB_GROUPS = ("health", "religion", "ethnicity", "sexual_orientation", "political_opinion", "trade_union", "criminal_record")


def _verb_group(match: re.Match[str]) -> str:
    """The category group that matched (`lastgroup` would name the subject's "name" group)."""
    return next((g for g in _VERB_GROUPS if match.group(g) is not None), "special_category")


class ComplianceDetector:
    name: ClassVar[str] = "compliance"
    kind: ClassVar[str] = "detector"
    stateful: ClassVar[bool] = False
    Settings: ClassVar[type[CheckSettings]] = ComplianceSettings

    def __init__(self, settings: ComplianceSettings) -> None:
        self.settings = settings
        self._severity = {category: Severity.parse(name) for category, name in settings.severities.items()}
        self._contact = frozenset(settings.contact_categories)
        self._roles = frozenset(r.lower() for r in settings.role_mailboxes)
        missing = {"self", "self_standpoint", "third_party", "public_figure"} - set(settings.special_category_subjects)
        if missing:
            raise PolicyError(f"compliance: special_category_subjects needs a severity for {', '.join(sorted(missing))}")
        self._subjects = {
            kind: {**settings.special_category_subjects, **overrides}
            for kind, overrides in settings.special_category_subjects_by_kind.items()
        }

    def _subject_severity(self, kind: str, subject: Subject) -> Severity | None:
        name = self._subjects.get(kind, self.settings.special_category_subjects)[subject]
        return None if name == "off" else Severity.parse(name)

    def _finding(self, ctx: CheckContext, category: ComplianceCategory, rule: str, message: str, start: int, end: int, *, words: bool, evidence: str | None = None, severity: Severity | None = None) -> Finding:
        span = ctx.text.words_to_original_span(start, end) if words else ctx.text.to_original_span(start, end)
        return Finding(
            source=self.name,
            source_kind=self.kind,
            category=category,
            severity=severity if severity is not None else self._severity.get(category, Severity.MEDIUM),
            rule_id=f"compliance.{rule}",
            message=message,
            span=span,
            evidence=evidence if evidence is not None else excerpt(ctx.text.original, span.start, span.end),
        )

    def _consent(self, ctx: CheckContext) -> list[Finding]:
        if ctx.action.context.get("consent") is True:
            return []
        out = []
        for match in recognize_cached(ctx.text, self.settings.recognizers, self._roles):
            if match.detail == "role" or match.category not in self._contact:
                continue
            out.append(
                self._finding(
                    ctx, "consent_required", "consent_required",
                    f"contact data ({match.category.replace('_', ' ')}) without recorded consent (context.consent is not true)",
                    match.start, match.end, words=False, evidence=pii_evidence(match),
                )
            )  # fmt: skip
        return out

    def _special(self, ctx: CheckContext) -> list[Finding]:
        forms = ctx.text.word_forms
        if _BIOMETRIC_GATE.isdisjoint(forms):  # _BIOMETRIC_GATE includes _SPECIAL_GATE
            return []
        lowered = ctx.text.lower_words
        candidates: list[tuple[re.Match[str], str, Subject]] = []
        if not _SPECIAL_GATE.isdisjoint(forms):
            candidates.extend((m, m.lastgroup or "special_category", "third_party") for m in _SPECIAL_LOWER.finditer(lowered))
            for m in _SPECIAL_NAMED.finditer(ctx.text.words):
                group = _verb_group(m)
                if _is_public_figure(ctx.text.words, m):
                    candidates.append((m, group, "public_figure"))
                elif m.group("name").split()[0] not in _NOT_NAMES:
                    candidates.append((m, group, "third_party"))
            # The first-person patterns start with "i" or "as": Python's re cannot skip ahead to
            # them, so they run only when the text has those words (a set lookup).
            if not _FIRST_PERSON.isdisjoint(forms):
                candidates.extend((m, m.lastgroup or "special_category", "self") for m in _SPECIAL_SELF.finditer(lowered))
            if "as" in forms:
                candidates.extend(
                    (m, m.lastgroup or "special_category", "self_standpoint" if _STANDPOINT.match(lowered, m.start()) else "self")
                    for m in _AS_IDENTITY.finditer(lowered)
                )
        candidates.extend((m, "biometric_or_health_record", "third_party") for m in _BIOMETRIC.finditer(lowered))
        if "my" in forms:
            candidates.extend((m, "biometric_or_health_record", "self") for m in _SELF_RECORD.finditer(lowered))
        out: list[Finding] = []
        seen: list[tuple[int, int]] = []
        for match, group, subject in candidates:
            if any(match.start() < e and s < match.end() for s, e in seen):
                continue
            seen.append(match.span())
            if subject == "self" and _SELF_HEDGE.match(lowered, match.end()):
                continue
            severity = self._subject_severity(ctx.action.kind, subject)
            if severity is None:
                continue
            what = group.replace("_", " ")
            rule = f"special_category.{group}" if subject == "third_party" else f"special_category.{subject}.{group}"
            out.append(self._finding(ctx, "special_category", rule, f"special-category data ({what}) {_ABOUT[subject]}",
                                     match.start(), match.end(), words=True, severity=severity))  # fmt: skip
        return out

    def _retention(self, ctx: CheckContext) -> list[Finding]:
        lowered = ctx.text.lower_words
        forms = ctx.text.word_forms
        out: list[Finding] = []
        if not _FOREVER_GATE.isdisjoint(forms):
            out.extend(
                self._finding(ctx, "retention", "retention.indefinite", "asks to keep data indefinitely", m.start(), m.end(), words=True)
                for m in _FOREVER.finditer(lowered)
            )
        if any(words.isdisjoint(forms) for words in _DURATION_GATE):
            return out
        for m in _DURATION.finditer(lowered):
            count = int(m.group("n")) if m.group("n").isdigit() else _NUMBERS.get(" ".join(m.group("n").split()), 1)
            unit = m.group("unit").rstrip("s")
            days = count * _UNIT_DAYS.get(unit, 1)
            if days > self.settings.max_retention_days:
                out.append(
                    self._finding(
                        ctx, "retention", "retention.too_long",
                        f"retention of {days} days exceeds the {self.settings.max_retention_days}-day maximum",
                        m.start(), m.end(), words=True,
                    )
                )  # fmt: skip
        return out

    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        return [*self._consent(ctx), *self._special(ctx), *self._retention(ctx)]
