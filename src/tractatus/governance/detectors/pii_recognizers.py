"""The fast, model-free recognizers of personal data, shared by the PII and compliance detectors.

Like Presidio's pattern recognizers: a candidate regex finds something shaped like the data, then
a validator rejects what only looks like it (Luhn for cards, mod-97 for IBANs, the SSA's rules
for SSNs, octet ranges and "version" context for IP addresses, grouping and context for phone
numbers). They run on `NormalizedText.text`, so homoglyphs, zero-width characters, encoded
payloads and "name at example dot com" are already undone; each match carries offsets into that
text, and the detector maps them back to the original.

Checksums come from `python-stdnum` (a maintained library) rather than being re-implemented.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import replace
from types import MappingProxyType
from typing import Iterator, Mapping

import phonenumbers
import re2
from pydantic import Field
from stdnum import iban as _iban
from stdnum import luhn as _luhn

from tractatus.governance.ascii_gate import AsciiGate, gate_source, unnamed_groups
from tractatus.governance.checks import CheckSettings
from tractatus.governance.detectors import pii_addresses, pii_names
from tractatus.governance.detectors.pii_addresses import find_street_addresses
from tractatus.governance.detectors.pii_match import PiiCategory, PiiMatch
from tractatus.governance.detectors.pii_names import find_self_named_people
from tractatus.governance.lazy_pattern import lazy_compile
from tractatus.governance.normalize import NormalizedText

CONTACT_CATEGORIES: tuple[PiiCategory, ...] = ("email", "phone", "street_address")


class RecognizerSettings(CheckSettings):
    """Knobs of the pattern recognizers. Defined (and explained) in the policy file."""

    phone_min_digits: int = Field(ge=5, le=20, description="Fewest digits a phone number may have.")
    phone_max_digits: int = Field(ge=5, le=20, description="Most digits a phone number may have (E.164: 15).")
    context_window_chars: int = Field(
        ge=0, le=200, description="How far before a weak candidate to look for context words (phone, SSN, version)."
    )
    business_phone_words: tuple[str, ...] = Field(
        default=(),
        description="Words naming a business (spa, restaurant, hotline...): a phone number within "
        "context_window_chars after one is the business's, like a shared mailbox. Empty: every phone is a person's.",
    )


# -- e-mail ----------------------------------------------------------------------------------

_EMAIL = lazy_compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])")


def find_emails(text: str, role_mailboxes: frozenset[str]) -> list[PiiMatch]:
    if "@" not in text:
        return []
    out = []
    for match in _EMAIL.finditer(text):
        local = match.group().split("@", 1)[0].lower()
        out.append(PiiMatch("email", match.start(), match.end(), match.group(), "role" if local in role_mailboxes else ""))
    return out


# -- numbers: cards, SSNs, phones, IPv4 ------------------------------------------------------

# A run of digits with the separators numbers are written with. Spaces are only allowed before
# another digit or "(", so "call 555 1234 now" stops at "now".
# It starts on a digit (a leading "+" or "(" is picked up afterwards): a pattern that starts with
# a literal class lets the regex engine skip ahead, an optional prefix makes it try every position.
_NUMBER_RUN = lazy_compile(r"\d(?:[\d().\-/]|[ \u00a0](?=[\d(+]))*\d\)?")
# The same on ASCII text, where \d is [0-9] and no \u00a0 occurs: `re` tests an ASCII range
# faster than the Unicode digit category (~12 against ~20 µs a kilobyte).
_NUMBER_RUN_ASCII = lazy_compile(r"[0-9](?:[0-9().\-/]|[ ](?=[0-9(+]))*[0-9]\)?")
_HAS_DIGIT = lazy_compile(r"\d")
_IPV4 = lazy_compile(r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)")
_SSN = lazy_compile(r"(\d{3})([- ])(\d{2})\2(\d{4})")
_CARD_SHAPE = lazy_compile(r"\d{4}(?P<sep>[ .-]?)\d{4}(?P=sep)\d{4}(?P=sep)\d{1,7}|\d{4}(?P<s2>[ .-]?)\d{6}(?P=s2)\d{4,5}")
_US_PHONE = lazy_compile(r"(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}")
_HAS_SEPARATOR = lazy_compile(r"[ .\-()/]")
# An extension after a phone number: "x1234", "ext. 12", "extension 7". RE2 (linear time); matched
# on a short slice after the number, since RE2 re-encodes its whole input on every call.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_EXTENSION = re2.compile(r"(?i)^[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,6}")
_EXTENSION_MAX_CHARS = 20
# Every extension's first character after the blanks: (?i) folds "x" and "e" to themselves and
# their capitals only. Checked first because a call into RE2 costs ~15 us of wrapper (it re-encodes
# its input and maps offsets back) and nearly every number has no extension.
_EXTENSION_FIRST = frozenset("xXeE")
_PHONE_CONTEXT = lazy_compile(
    r"(?i)\b(?:phone|ph|tel|telephone|mobile|mob|cell|cellphone|call|text|sms|whats\s?app|signal|reach|contact|fax|number|ring|dial|landline|hotline)\b"
)
_NOT_PHONE_CONTEXT = lazy_compile(
    r"(?i)(?:\b(?:order|invoice|ticket|ref|reference|account|acct|id|case|tracking|po|serial|isbn|issn|sku|part|model|build|version|ver|release|patch|page|pages|pp|item|batch|lot|doi|arxiv|pr|issue|commit|row|line|port|pid)\b|#|№)[\s.:#-]*$"
)
_IP_CONTEXT = lazy_compile(r"(?i)\b(?:ip|ipv4|address|addr|host|server|client|from|via|src|dst|source|destination|connect(?:ed|ion)?|ping|login|logged)\b")
_SSN_CONTEXT = lazy_compile(r"(?i)\b(?:ssn|social\s+security|soc\.?\s*sec|tax\s*id|tin)\b")
_VERSION_CONTEXT = lazy_compile(
    r"(?i)(?:\bv|\b(?:version|ver|release|rel|build|firmware|fw|os|kernel|python|node|java|go|rust|ruby|php|perl|npm|pip|chrome|firefox|android|ios|macos|windows|ubuntu|debian|update|upgrade|patch|tag|sdk|api|semver|section|sections|chapter|clause|paragraph|para|figure|fig|table|step|rule|item|article|art|appendix|oid|§)\b[\s:=.]*)\s*$"
)


# Networks that name a machine inside an organisation, not a subscriber. `is_private` is not used
# because it also covers the documentation ranges (192.0.2.0/24, 2001:db8::/32...), which stand
# for public addresses in examples and must be treated as such.
_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "fc00::/7", "fe80::/10")
)


def _is_private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address.version == net.version and address in net for net in _PRIVATE_NETWORKS)


def _valid_ssn(area: str, group: str, serial: str) -> bool:
    """The SSA's rules: area 000, 666 and 900-999, group 00 and serial 0000 are never issued."""
    return area not in ("000", "666") and not area.startswith("9") and group != "00" and serial != "0000"


def _context_before(text: str, start: int, window: int) -> str:
    return text[max(0, start - window) : start]


def _classify_number(
    text: str, start: int, end: int, settings: RecognizerSettings, *, token_end: int | None = None
) -> PiiMatch | None:
    """`token_end`: where the token ends when something that belongs to the number (an extension)
    follows the run."""
    run = text[start:end]
    shortest = min(7, settings.phone_min_digits)
    if len(run) < shortest and run.count(".") != 3:
        return None  # the test below, decided without collecting digits: a run has no more digits than characters
    digits = "".join(c for c in run if c.isdigit())
    if len(digits) < shortest and run.count(".") != 3:
        return None  # too short for anything but an IPv4 address: years, counts, versions (most runs)
    before = _context_before(text, start, settings.context_window_chars)
    prev_char = text[start - 1] if start > 0 else " "
    after = end if token_end is None else token_end
    next_char = text[after] if after < len(text) else " "
    if prev_char.isalnum() or prev_char in "_" or next_char.isalnum() or next_char == "_":
        return None  # part of a larger token: a hash, an identifier, "v1.2.3.4"

    # IPv4: four valid octets and nothing dotted around them, not a version number.
    if _IPV4.fullmatch(run):
        if prev_char in ".-" or (next_char == "." and end + 1 < len(text) and text[end + 1].isdigit()):
            return None
        if _VERSION_CONTEXT.search(before[-24:]):
            return None
        if len(run) == 7 and not _IP_CONTEXT.search(before):
            return None  # "4.2.1.3": four single digits are a section or version far more often
        address = ipaddress.IPv4Address(run)
        if address.is_loopback or address.is_unspecified or address.is_multicast or address.is_reserved:
            return None
        return PiiMatch("ip_address", start, end, run, "private" if _is_private(address) else "")

    card_shaped = 13 <= len(digits) <= 19 and (run.isdigit() or _CARD_SHAPE.fullmatch(run) is not None)
    if card_shaped and digits[0] in "23456" and _luhn.is_valid(digits):  # issuer prefixes 2-6 (Visa, MC, Amex...)
        return PiiMatch("payment_card", start, end, run)

    dotted = run.count(".") >= 2 and not _US_PHONE.fullmatch(run)
    if dotted and not 7 <= len(digits) <= 15:
        return None  # dotted numbers that are not an address: versions, section numbers, dates

    ssn = _SSN.fullmatch(run)
    if ssn and _valid_ssn(ssn.group(1), ssn.group(3), ssn.group(4)):
        return PiiMatch("ssn", start, end, run)
    if len(digits) == 9 and run.isdigit() and _SSN_CONTEXT.search(before) and _valid_ssn(digits[:3], digits[3:5], digits[5:]):
        return PiiMatch("ssn", start, end, run)

    if not settings.phone_min_digits <= len(digits) <= settings.phone_max_digits:
        return None
    if _NOT_PHONE_CONTEXT.search(before[-20:]) and not run.startswith(("+", "00")):
        return None
    return _classify_phone(run, start, end, digits, before, dotted=dotted)


def _possible_international(run: str) -> bool:
    """A "+" or "00" number whose country code exists and whose length fits that country's plan:
    the judgement of Google's libphonenumber (`phonenumbers`), not a hand-kept list of plans."""
    candidate = "+" + run[2:] if run.startswith("00") else run
    try:
        return bool(phonenumbers.is_possible_number(phonenumbers.parse(candidate, None)))
    except phonenumbers.NumberParseException:
        return False


def _classify_phone(run: str, start: int, end: int, digits: str, before: str, *, dotted: bool) -> PiiMatch | None:
    has_context = _PHONE_CONTEXT.search(before) is not None
    if run.startswith("+") or (run.startswith("00") and _HAS_SEPARATOR.search(run)):
        # "+41 (0)96 471 07 95", "+34924678045", "001-588-842-0089": written for dialling abroad.
        return PiiMatch("phone", start, end, run, "international") if _possible_international(run) else None
    if _US_PHONE.fullmatch(run):
        return PiiMatch("phone", start, end, run, "national")
    if dotted and not has_context:
        return None  # dotted numbers that are not an address: versions, section numbers, dates
    trunk = run.startswith(("0", "(0")) and not run.startswith(("00", "(00"))
    if trunk and len(digits) >= 9 and _HAS_SEPARATOR.search(run):
        return PiiMatch("phone", start, end, run, "national")  # trunk-prefixed: "020 7946 0958", "(02)46687248"
    if has_context and len(digits) >= 7:
        return PiiMatch("phone", start, end, run, "context")
    return None


# A line break straight between two digit groups: where an evader splits a phone or card number
# across lines or fields ("(555) 123" + "4567", "4111 1111" + "1111 1111"; the governor joins an
# action's fields with "\n").
_SPLIT_DIGITS = lazy_compile(r"(?<=\d)\r?\n(?=[\d(])")


def find_numbers(text: str, settings: RecognizerSettings) -> list[PiiMatch]:
    """Cards, SSNs, phone numbers and IPv4 addresses, including ones split across lines."""
    if _HAS_DIGIT.search(text) is None:
        return []
    found = _find_numbers(text, settings)
    if "\n" not in text or _SPLIT_DIGITS.search(text) is None:
        return found
    # Same length in, same length out: the line break becomes spaces, so offsets still hold. Only
    # runs that cross a break are new; a list of numbers on separate lines is classified by the
    # same validators (Luhn, phone grouping and context) as one line would be.
    joined = _SPLIT_DIGITS.sub(lambda m: " " * len(m.group()), text)
    breaks = [m.start() for m in _SPLIT_DIGITS.finditer(text)]
    for match in _find_numbers(joined, settings):
        crosses = any(match.start <= b < match.end for b in breaks)
        if crosses and not any(o.start < match.end and match.start < o.end for o in found):
            found.append(PiiMatch(match.category, match.start, match.end, text[match.start : match.end], match.detail))
    return sorted(found, key=lambda m: m.start)


def _classify_with_extension(text: str, start: int, end: int, settings: RecognizerSettings) -> PiiMatch | None:
    """A phone number keeps its extension ("206.269.0743x9150", "+44 20 7946 0958 ext. 12")."""
    tail = text[end : end + _EXTENSION_MAX_CHARS]
    extension = _EXTENSION.match(tail) if tail.lstrip(" \t")[:1] in _EXTENSION_FIRST else None
    if extension is not None:
        extension_end = end + extension.end()
        if extension_end == len(text) or not text[extension_end].isalnum():
            found = _classify_number(text, start, end, settings, token_end=extension_end)
            if found is not None and found.category == "phone":
                return PiiMatch("phone", start, extension_end, text[start:extension_end], found.detail)
    return _classify_number(text, start, end, settings)


def _number_runs(text: str) -> Iterator[tuple[int, int]]:
    """Each run of digits and separators, widened to a "(" or "+" before it and narrowed off a
    ")" that belongs to the prose around it."""
    for match in (_NUMBER_RUN_ASCII if text.isascii() else _NUMBER_RUN).finditer(text):
        start, end = match.span()
        if start >= 1 and text[start - 1] == "(":
            start -= 1
        if start >= 1 and text[start - 1] == "+":
            start -= 1
        elif start >= 2 and text[start - 2 : start] == "+ ":
            start -= 2
        if text[end - 1] == ")" and "(" not in text[start:end]:
            end -= 1
        yield start, end


def _classify_run(text: str, start: int, end: int, settings: RecognizerSettings) -> PiiMatch | None:
    """What a run is, trying it with and without its parentheses."""
    found = None
    if text[start] == "(" and text[end - 1] == ")" and "(" not in text[start + 1 : end - 1]:
        found = _classify_with_extension(text, start + 1, end - 1, settings)  # "(123-45-6789)" in prose
    if found is None:
        found = _classify_with_extension(text, start, end, settings)
    if found is None and text[start] == "(" and ")" not in text[start:end]:
        found = _classify_with_extension(text, start + 1, end, settings)
    return found


def _find_numbers(text: str, settings: RecognizerSettings) -> list[PiiMatch]:
    out = []
    shortest = min(7, settings.phone_min_digits)  # as `_classify_number`'s first test
    for start, end in _number_runs(text):
        if end - start < shortest and text.count(".", start, end) != 3:
            # Too short for anything but an IPv4 address (years, counts, versions: most runs).
            # `_classify_number` says None for this run and for the parts of it `_classify_run`
            # tries (the same run without a parenthesis: as short, as many dots), so none is tried.
            continue
        found = _classify_run(text, start, end, settings)
        if found is not None:
            out.append(found)
    return out


# -- IBAN -------------------------------------------------------------------------------------

_IBAN = lazy_compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,32}")


_IBAN_GATE = lazy_compile(r"\d{4}[ -]?\d{4}")  # every IBAN's account part has eight digits in a row or in two groups


def find_ibans(text: str) -> list[PiiMatch]:
    if _IBAN_GATE.search(text) is None:
        return []
    out = []
    for match in _IBAN.finditer(text.upper() if text.isascii() else text):
        # The candidate regex may run into the next word: try shorter prefixes until one checks.
        for end in range(match.end(), match.start() + 14, -1):
            piece = text[match.start() : end]
            if piece[-1] in " -":
                continue
            if _iban.is_valid(piece):
                out.append(PiiMatch("iban", match.start(), end, piece))
                break
    return out


# -- IPv6 ------------------------------------------------------------------------------------

_IPV6 = lazy_compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")


def find_ipv6(text: str) -> list[PiiMatch]:
    if "::" not in text and text.count(":") < 7:
        return []
    out = []
    for match in _IPV6.finditer(text):
        candidate = match.group()
        if sum(c.isalnum() for c in candidate) < 6 or candidate.count(":") < 3:
            continue  # "a::b", "std::x", slices: too short to be an address someone owns
        try:
            address = ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        if address.is_loopback or address.is_unspecified or address.is_multicast:
            continue
        out.append(PiiMatch("ip_address", match.start(), match.end(), candidate, "private" if _is_private(address) else ""))
    return out


# -- all of them -----------------------------------------------------------------------------

# When two matches overlap, the more specific (checksummed) one wins.
_PRIORITY: Mapping[str, int] = MappingProxyType({
    "email": 0, "payment_card": 1, "iban": 2, "ssn": 3, "ip_address": 4, "street_address": 5, "phone": 6, "person": 7,
})  # fmt: skip


_CHECKSUMMED = frozenset(("email", "payment_card", "iban"))


def _inside_checksummed(match: PiiMatch, matches: list[PiiMatch]) -> bool:
    """A piece of a longer validated match: the digits of an IBAN that pass Luhn by chance."""
    return any(
        o.category in _CHECKSUMMED and o.start <= match.start and match.end <= o.end and o.end - o.start > match.end - match.start
        for o in matches
    )


def resolve_overlaps(matches: list[PiiMatch]) -> list[PiiMatch]:
    chosen: list[PiiMatch] = []
    matches = [m for m in matches if not _inside_checksummed(m, matches)]
    for match in sorted(matches, key=lambda m: (_PRIORITY[m.category], m.start, -(m.end - m.start))):
        if all(match.end <= other.start or match.start >= other.end for other in chosen):
            chosen.append(match)
    return sorted(chosen, key=lambda m: m.start)


@functools.lru_cache(maxsize=8)
def _business_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # Whole words, any case, spaces as any run of whitespace: "Front  Desk", "TOP RATED SPA".
    return re.compile(r"(?i)\b(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in words) + r")\b")


# A person between the business word and the number makes it theirs: "the hotel was full, so
# call my cell ...", "the store manager's personal number".
_PERSONAL_NUMBER = lazy_compile(
    r"(?i)\b(?:my|me|i|i'm|im|his|her|their|personal|private|home|cell|cellphone|mobile|direct)\b|'s\b"
)


def _business_phone(before: str, pattern: re.Pattern[str]) -> bool:
    """A business word in `before`, and no person after the last one."""
    ends = [m.end() for m in pattern.finditer(before)]
    return bool(ends) and _PERSONAL_NUMBER.search(before, ends[-1]) is None


def _mark_business_phones(text: str, found: list[PiiMatch], settings: RecognizerSettings) -> list[PiiMatch]:
    """A phone number a business advertises ("TOP RATED SPA 718-...", "Luigi's Pizzeria, call
    555-...") reaches the business, not a person: detail "role", as a shared mailbox. Only the
    words before it count, within the same window as the phone context words, and no person may
    come between, so "Call me at 555-... (I'm at the hotel)" and "the hotel was full, call my
    cell 555-..." stay a person's number."""
    if not settings.business_phone_words or not any(m.category == "phone" for m in found):
        return found
    pattern = _business_pattern(settings.business_phone_words)
    window = settings.context_window_chars
    return [
        replace(m, detail="role") if m.category == "phone" and _business_phone(_context_before(text, m.start, window), pattern) else m
        for m in found
    ]


# One RE2 scan for the recognizers that find nothing in most texts: IBANs (their gate), street
# addresses (both scans) and self-named people. Each alone is a scan of the whole text (~5 µs on a
# kilobyte, twice that after the other checks have filled the caches); their alternation is one
# scan at the cost of one. Where it finds nothing, none of the three can find anything (each
# returns nothing without a match of its own pattern); otherwise each runs as before.
_RARE_PII_GATE = AsciiGate(
    "|".join(
        f"(?:{unnamed_groups(source)})"
        for source in (gate_source(_IBAN_GATE.pattern), pii_addresses._ENGLISH.pattern, pii_addresses._OTHER.pattern, pii_names._CUES.pattern)
    )
)


def recognize_cached(
    normalized: NormalizedText, settings: RecognizerSettings, role_mailboxes: frozenset[str]
) -> list[PiiMatch]:
    """Every category, computed once per normalized text and shared by the PII and compliance
    detectors (same settings, same answer), so contact data is recognized only once."""
    key = ("pii_recognizers", settings, role_mailboxes)
    cached = normalized.memo.get(key)
    if isinstance(cached, tuple):
        return list(cached)
    found = recognize(normalized.text, settings, categories=_ALL_CATEGORIES, role_mailboxes=role_mailboxes)
    normalized.memo[key] = tuple(found)
    return found


_ALL_CATEGORIES = frozenset(("email", "phone", "payment_card", "iban", "ssn", "ip_address", "street_address", "person"))


def recognize(
    text: str,
    settings: RecognizerSettings,
    *,
    categories: frozenset[str],
    role_mailboxes: frozenset[str] = frozenset(),
) -> list[PiiMatch]:
    """Every pattern-recognized piece of personal data in `text` (normalized), overlaps resolved."""
    if not text.isascii():
        # RE2 reads UTF-8, which has no form for a lone surrogate ("\ud800" raised): each becomes
        # U+FFFD, one code point for one, so every offset still points into the original.
        text = _LONE_SURROGATE.sub("\ufffd", text)
    found: list[PiiMatch] = []
    if "email" in categories:
        found.extend(find_emails(text, role_mailboxes))
    if categories & {"phone", "payment_card", "ssn", "ip_address"}:
        numbers = [m for m in find_numbers(text, settings) if m.category in categories]
        found.extend(_mark_business_phones(text, numbers, settings))
    rare = categories & {"iban", "street_address", "person"} and _RARE_PII_GATE.may_match(text)
    if "iban" in categories and rare:
        found.extend(find_ibans(text))
    if "ip_address" in categories:
        found.extend(find_ipv6(text))
    if "street_address" in categories and rare:
        found.extend(find_street_addresses(text))
    if "person" in categories and rare:
        found.extend(find_self_named_people(text))
    return resolve_overlaps(found)
