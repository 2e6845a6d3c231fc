"""Compliance detector: consent for contact data, special-category data, retention.

- consent_required: contact data (e-mail, phone, street address) in content whose action does
  not carry `context["consent"] is True`. The recognizers are the PII detector's own
  (`pii_recognizers`), so both detectors agree on what contact data is. Shared mailboxes
  (support@...) identify an organisation and need no consent.
- special_category (GDPR art. 9/10): health, religion, ethnicity, sexual orientation, political
  opinion, trade-union membership, biometric/genetic data and criminal records ABOUT AN
  IDENTIFIABLE PERSON: a name ("John has HIV"), a relation ("my neighbour is a Muslim"), a
  pronoun, a title ("Mrs. Patel"), or a record ("patient 4471"). General statements ("HIV is a
  virus", "people with diabetes should...") and first-person self-disclosure ("I have diabetes")
  name no third party and pass.
- retention: keeping data forever ("keep this forever", "store indefinitely", "never delete") or
  longer than the policy's `max_retention_days` ("retain the logs for 10 years").
"""

from __future__ import annotations

from types import MappingProxyType
from typing import ClassVar, Literal, Mapping, Sequence

from pydantic import Field

from tractatus.governance.actions import Finding, Severity
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.detectors.evidence import excerpt
from tractatus.governance.detectors.pii import pii_evidence
from tractatus.governance.detectors.pii_recognizers import PiiCategory, RecognizerSettings, recognize_cached
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
    rf"is\s+suffering\s+from|tested\s+positive\s+for|is\s+(?:being\s+)?treated\s+for|was\s+treated\s+for|is\s+in\s+treatment\s+for|"
    rf"is\s+recovering\s+from|battles|is\s+battling|caught|contracted|is\s+on|takes|is\s+taking|needs|started)\s+(?:\w+\s+){{0,4}}?(?:{_HEALTH})\b"
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
# A capitalised name as the subject: runs on the case-preserving view, the verb phrase ignoring case.
_SPECIAL_NAMED = lazy_compile(rf"\b(?P<name>[A-Z][a-z]{{1,20}}(?:\s+[A-Z][a-z]{{1,20}})?){_FILLER}(?:\s+|(?='s\s))(?i:{_VERB_PHRASES})")
_BIOMETRIC = lazy_compile(
    r"\b(?:his|her|their|[a-z]+'s|(?:my|our|the)\s+(?:" + _RELATIONS + r")'s)\s+(?:fingerprints?|face\s+scans?|facial\s+(?:scan|geometry|recognition\s+(?:data|template))|"
    r"iris\s+scans?|retina(?:l)?\s+scans?|voiceprint|voice\s+print|dna(?:\s+(?:sample|profile|test|results))?|genetic\s+(?:data|test|profile|results|markers)|"
    r"biometric\s+(?:data|template|profile)s?|palm\s+prints?|hiv\s+status|medical\s+(?:records?|history)|diagnosis|"
    rf"(?:{_HEALTH})(?:\s+(?:diagnosis|treatment|status|results?|medication))?)\b(?!\s+(?:research|awareness|charity|foundation|fundraiser|walk|run|ward|unit|policy))"
)
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


class ComplianceSettings(CheckSettings):
    severities: dict[ComplianceCategory, SeverityName] = Field(description="Severity per compliance category.")
    contact_categories: tuple[PiiCategory, ...] = Field(min_length=1, description="Contact data that needs consent.")
    role_mailboxes: tuple[str, ...] = Field(description="Shared mailboxes: contact data that needs no consent.")
    max_retention_days: int = Field(gt=0, description="Longest retention allowed without review.")
    recognizers: RecognizerSettings


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

    def _finding(self, ctx: CheckContext, category: ComplianceCategory, rule: str, message: str, start: int, end: int, *, words: bool, evidence: str | None = None) -> Finding:
        span = ctx.text.words_to_original_span(start, end) if words else ctx.text.to_original_span(start, end)
        return Finding(
            source=self.name,
            source_kind=self.kind,
            category=category,
            severity=self._severity.get(category, Severity.MEDIUM),
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
        lowered = ctx.text.lower_words
        out: list[Finding] = []
        forms = ctx.text.word_forms
        if _SPECIAL_GATE.isdisjoint(forms):
            if not _BIOMETRIC_GATE.isdisjoint(forms):
                out.extend(self._biometric(ctx, lowered, []))
            return out
        seen: list[tuple[int, int]] = []
        candidates = [(m, m.lastgroup) for m in _SPECIAL_LOWER.finditer(lowered)]
        for m in _SPECIAL_NAMED.finditer(ctx.text.words):
            if m.group("name").split()[0] not in _NOT_NAMES:
                candidates.append((m, m.lastgroup))
        for match, group in candidates:
            if any(match.start() < e and s < match.end() for s, e in seen):
                continue
            seen.append(match.span())
            what = (group or "special_category").replace("_", " ")
            out.append(
                self._finding(ctx, "special_category", f"special_category.{group}", f"special-category data ({what}) about an identifiable person", match.start(), match.end(), words=True)
            )
        if not _BIOMETRIC_GATE.isdisjoint(forms):
            out.extend(self._biometric(ctx, lowered, seen))
        return out

    def _biometric(self, ctx: CheckContext, lowered: str, seen: list[tuple[int, int]]) -> list[Finding]:
        return [
            self._finding(ctx, "special_category", "special_category.biometric_or_health_record",
                          "biometric, genetic or medical data of an identifiable person", m.start(), m.end(), words=True)
            for m in _BIOMETRIC.finditer(lowered)
            if not any(m.start() < e and s < m.end() for s, e in seen)
        ]  # fmt: skip

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
