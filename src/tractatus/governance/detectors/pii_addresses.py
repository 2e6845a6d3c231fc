"""Street addresses in running text, in the forms they take in several countries.

A street line needs a strong anchor, so a headline with a number and a capitalised word
("27 Pictures That Are Way Too Real") is not an address:
- English-speaking countries: house number, one to four capitalised name words, then a street
  type from the USPS Publication 28 suffix list (which also covers UK/Australian usage), Indian
  street types (Marg, Chowk...), optionally behind a unit ("Flat 6, Austin Shore");
- continental compounds with a number after them ("Hauptstraße 5", "Woutdreef 740");
- Romance street types before the name ("Via Fiorucci, 3", "Paseo de Ileana Roldan 73") and
  French "12, rue de ..." with the number first;
- US military addresses ("PSC 1234, Box 5678", "APO AE 12345") and P.O. boxes;
- the tail alone, which is personal data too: "City, ST 12345", a UK postcode, "12345 City"
  after a comma.
Checks in code then reject what the patterns cannot express: a name word that is an English
function word ("That", "Who", "The": headlines are title case, street names are not made of
them), a year before a comma ("During 1971, ..."), and a title-case word running on after the
street type ("10 Amazing Park Ideas").

Every pattern is RE2 (`google-re2`), so none can backtrack catastrophically whatever the input;
RE2 re-encodes its input on each call, so each pattern runs once per text, gated by cheap checks.
The text is normalized first (accents folded: "Straße" arrives as "Strasse"), so accented
literals are written with both forms.
"""

from __future__ import annotations

import re

import re2

from tractatus.governance.ascii_gate import may_search
from tractatus.governance.detectors.lexicon import FUNCTION_WORDS
from tractatus.governance.detectors.pii_match import PiiMatch

# USPS Publication 28, appendix C1 (primary names and common abbreviations), plus the Australian
# and Indian street types the USPS list lacks. Longest first is not needed: each is followed by \b.
_STREET_TYPES = (
    "Alley|Aly|Annex|Arcade|Artery|Avenue|Ave|Bayou|Broadway|Beach|Bend|Bluffs?|Bottom|Boulevard|Blvd|Branch|Bridge|Brooks?|"
    "Burgs?|Bypass|Byp|Camp|Canyon|Cape|Causeway|Centers?|Centre|Ctr|Chase|Chowk|Circles?|Cir|Circuit|Cliffs?|"
    "Close|Club|Commons?|Concourse|Corners?|Course|Courts?|Ct|Coves?|Creek|Crescent|Cres|Crest|Crossing|Cross|"
    "Crossroads?|Curve|Cutting|Dale|Dam|Divide|Drives?|Dr|Esplanade|Estates?|Expressway|Expy|Extensions?|Falls?|"
    "Ferry|Fields?|Flats?|Fords?|Forest|Forges?|Forks?|Fort|Freeway|Fwy|Ganj|Gardens?|Gateway|Glens?|Greens?|"
    "Groves?|Harbors?|Haven|Heights|Highway|Hwy|Hills?|Hollow|Inlet|Islands?|Isle|Junctions?|Keys?|Knolls?|"
    "Lakes?|Land|Landing|Lane|Ln|Lights?|Loaf|Locks?|Lodge|Loop|Mall|Manors?|Marg|Meadows?|Mews|Mills?|Mission|"
    "Motorway|Mount|Mountains?|Nagar|Neck|Orchard|Oval|Overpass|Parade|Parks?|Parkways?|Pkwy|Pass|Passage|Path|"
    "Pike|Pines?|Place|Pl|Plains?|Plaza|Points?|Ports?|Prairie|Promenade|Quay|Radial|Ramp|Ranch|Rapids?|Rest|"
    "Ridges?|River|Roads?|Rd|Route|Row|Run|Shoals?|Shores?|Siding|Skyway|Springs?|Spurs?|Squares?|Sq|Station|Stravenue|"
    "Stream|Streets?|St|Summit|Terrace|Ter|Throughway|Trace|Track|Trafficway|Trail|Trl|Trailer|Tunnel|Turnpike|"
    "Underpass|Unions?|Valleys?|Viaduct|Views?|Villages?|Ville|Vista|Walks?|Wall|Ways?|Wells?|Wharf|Zila"
)
_UNIT = r"(?:Flat|Studio|Apartment|Apt\.?|Unit|Suite|Ste\.?|Level|Room|Floor)"
_NAME_WORD = r"\p{Lu}[\p{L}'’\-]*\.?"
_HOUSE_NUMBER = r"\d{1,6}[A-Za-z]?(?:[\-/]\d{1,6}[A-Za-z]?)?"

_ENGLISH_STREET = (
    rf"(?:\b{_UNIT}\s+\d{{1,5}}[A-Za-z]?,?\s+(?:{_HOUSE_NUMBER},?\s+)?|\b(?P<number>{_HOUSE_NUMBER})(?P<comma>,?)\s+)"
    rf"(?:(?:[NSEW]\.?|North|South|East|West)\s+)?(?P<name>(?:{_NAME_WORD}\s+){{1,4}})(?:{_STREET_TYPES})\b\.?"
    rf"(?:,?\s*{_UNIT}\s*#?\s*[A-Za-z0-9\-]+)?"
)
_CONTINENTAL_STREET = (
    r"\b\p{Lu}[\p{L}\-]*(?i:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|laan|straat|gracht|singel|dreef|pad|kade|"
    r"plein|steeg|boulevard|hof|markt|ufer|gade|vej|gatan|v[äa]gen|veien)\s+\d{1,3}[a-z]?(?:[\-/]\d{1,3}[a-z]?)?\b"
)
_ROMANCE_STREET = (
    r"\b(?:Via|Viale|Piazza|Piazzale|Corso|Vicolo|Largo|Borgo|Strada|Contrada|Rotonda|Stretto|Canale|Calle|C\.|Paseo|"
    r"Avenida|Av\.|Rambla|Glorieta|Camino|Carrer|Plaza|Pasaje|Pasadizo|Ronda|Alameda|Cuesta|Acceso|Traves[ií]a|"
    r"Urbanizaci[oó]n|Callej[oó]n|Ca[nñ]ada|Vial|Rua|Travessa)"
    r"\s+(?:(?:de la|de los|de las|del|de|di|da|della|dos|das)\s+)?(?:\p{Lu}[\p{L}'’\-]*\s+){0,3}\p{Lu}[\p{L}'’\-]*,?\s+\d{1,4}[A-Za-z]?\b"
    r"|\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?i:rue|avenue|boulevard|chemin|place|all[ée]e|impasse|quai|route|cours)\s+"
    r"(?:(?:de la|de l'|des|du|de|d')\s*)?\p{Lu}[\p{L}'’\-]*"
)
_MILITARY_OR_BOX = (
    r"\b(?:PSC|CMR|Unit)\s+\d{3,5},?\s+Box\s+\d{3,5}\b|\b(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5}\b"
    r"|\bUS(?:NS|NV|S|CGC)\s+\p{Lu}\p{L}+|\b(?i:P\.?\s?O\.?\s+Box)\s+\d{1,7}\b|\bH\.\s?No\.?\s*\d{1,5}(?:/\d{1,5})?"
)
# Tails: city and region with a postcode. Alone they still locate a person.
_TAIL = (
    r"\b\p{Lu}[\p{L}.'\-]+(?:\s\p{Lu}[\p{L}.'\-]+){0,2},\s+[A-Z]{2,3},?\s+\d{4,5}(?:-\d{4})?\b"  # Springfield, IL 62704
    r"|,\s*[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"  # UK postcode after a comma
    r"|,\s*\d{4}\s?[A-Z]{2}\b(?:,?\s+\p{Lu}[\p{L}'’\-]+)?"  # Dutch postcode (and town) after a comma
    r"|,\s*\d{5},?\s+\p{Lu}[\p{L}'’\-]+"  # 10115 Berlin, 33034, Fagagna after a comma
)
# Two scans: each RE2 call costs about 8 microseconds on 1 KB (the wrapper encodes the text and
# maps offsets back), so the four forms without checks in code share one alternation. Unicode
# letter classes make big automata: with RE2's default 8 MiB budget the DFA runs out of memory and
# RE2 falls back to its (still linear, but slower) NFA, logging each time; 64 MiB is enough.
_OPTIONS = re2.Options()
_OPTIONS.max_mem = 64 << 20
_ENGLISH = re2.compile(_ENGLISH_STREET, _OPTIONS)
_GROUP = _ENGLISH.groupindex
_DIGIT = re.compile(r"\d")
_OTHER = re2.compile(f"{_CONTINENTAL_STREET}|{_ROMANCE_STREET}|{_MILITARY_OR_BOX}|{_TAIL}", _OPTIONS)

# Prose words that follow the suffix word used as a noun ("Best Way to", "Park is"), where an
# address would be followed by "in", "at", a comma or the end ("lives at 5 Main Street in Leeds").
_NOT_AFTER_A_STREET = frozenset(
    ("to", "of", "for", "that", "which", "is", "are", "was", "were", "you", "your")
)
_FOLLOWERS_OF_AN_ADDRESS = frozenset(
    ("Apt", "Apartment", "Suite", "Unit", "Flat", "Floor", "Room", "Box", "PO")
)


def _is_year(number: str) -> bool:
    return len(number) == 4 and number.isdigit() and 1500 <= int(number) <= 2100


def _english_street_ok(text: str, match: re2._Match) -> bool:
    words = [w.strip(".'’-").lower() for w in match.group(_GROUP["name"]).split()]
    if any(w in FUNCTION_WORDS for w in words):  # title-case headline words, not a street name
        return False
    number = match.group(_GROUP["number"])
    if number is not None and match.group(_GROUP["comma"]) and _is_year(number):
        return False  # "During 1971, Mayo-Walters Park ..." is a date, then a name
    rest = text[match.end() : match.end() + 40].lstrip(" ")
    following = rest.split(maxsplit=1)[0].lower() if rest.strip() else ""
    if following in _NOT_AFTER_A_STREET:
        return False  # "the Best Way to learn", "a Park of ...": the suffix word used as a noun
    # A title-case word running on ("10 Amazing Park Ideas") is a headline, unless it is a unit.
    return not rest[:1].isupper() or rest.split(maxsplit=1)[0].strip(".,") in _FOLLOWERS_OF_AN_ADDRESS


def find_street_addresses(text: str) -> list[PiiMatch]:
    """Street lines, military and box addresses and postcode tails; adjacent pieces of one address
    ("12 Main Street, Springfield, IL 62704") are joined into one match."""
    if _DIGIT.search(text) is None:  # a C-speed scan; a generator over characters costs 30 us on 1 KB
        return []
    # Each scan asks first whether it has a match at all (`may_search`: on ASCII text one RE2 call
    # without the wrapper's match objects), the usual answer being no.
    spans = []
    if may_search(_ENGLISH, text):
        spans.extend(match.span() for match in _ENGLISH.finditer(text) if _english_street_ok(text, match))
    if may_search(_OTHER, text):
        spans.extend(pattern_span(text, match.span()) for match in _OTHER.finditer(text))
    return [PiiMatch("street_address", s, e, text[s:e]) for s, e in _join_adjacent(spans, text)]


def pattern_span(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """Trim the separators a tail pattern starts with and the punctuation a match ends with."""
    start, end = span
    while start < end and text[start] in ", ":
        start += 1
    while end > start and text[end - 1] in ", ":
        end -= 1
    return start, end


def _join_adjacent(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Merge overlapping spans and spans separated only by a comma, spaces or a short word run
    without digits that ends in a comma ("..., Huntertown, CA 45984" joins "Huntertown")."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out:
            gap = text[out[-1][1] : start]
            if start <= out[-1][1] or ((len(gap) <= 40 and gap.strip(" ,") == "") or _city_gap(gap)):
                out[-1] = (out[-1][0], max(out[-1][1], end))
                continue
        out.append((start, end))
    return out


def _city_gap(gap: str) -> bool:
    parts = [p.strip() for p in gap.split(",")]
    return (
        2 <= len(parts) <= 3
        and len(gap) <= 40
        and all(not p or (p[0].isupper() and not any(c.isdigit() for c in p)) for p in parts)
    )
