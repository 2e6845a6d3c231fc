"""A labelled PII development corpus: the project's own sentence templates filled by Faker.

Why generated: the public labelled PII sets (presidio-research's sentences and the like) are kept
back to measure the detectors, so they cannot be the material we build against. Templates written
here, filled with Faker's locale-specific names, phone numbers, addresses and IBANs, give labelled
sentences with exact entity spans, in as many formats as Faker knows, for any seed.

Two splits with DISJOINT template sets:
- "eval" templates were written first and are only ever measured on (never tuned against);
- "dev" templates are what the recognizers may be developed and debugged on.
A sentence's template id says which template it came from, so a test can check the two sets never
share a template.

Every split mixes sentences with personal data (labelled spans, one or more categories) and
PII-free sentences that look similar: version numbers, dates, prices, order counts, times, and
headlines with numbers ("27 Pictures That Are Way Too Real").

Category names are the PII detector's (`PiiCategory`): email, phone, payment_card, iban, ssn,
ip_address, street_address, person.

Faker is a training/evaluation dependency (the `train` extra), imported only when generating.
"""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from tractatus.governance.learning.template_draws import SeededDraws, check_draw

Split = Literal["dev", "eval"]
Category = Literal["email", "phone", "payment_card", "iban", "ssn", "ip_address", "street_address", "person"]

CATEGORIES: tuple[Category, ...] = (
    "email", "phone", "payment_card", "iban", "ssn", "ip_address", "street_address", "person",
)  # fmt: skip
# Faker locales whose formats differ most (phone trunk prefixes, street-before-number, postcodes).
LOCALES: tuple[str, ...] = ("en_US", "en_GB", "de_DE", "fr_FR", "de_CH", "en_IN", "en_AU", "nl_NL", "it_IT", "es_ES")
# How often each kind of template is drawn: one share per PII category, three for PII-free
# sentences (so about a quarter of a split is PII-free, enough to measure a 5% false-positive rate).
_PII_FREE_SHARE = 3


@dataclass(frozen=True, slots=True)
class EntitySpan:
    category: Category
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class PiiExample:
    """One sentence with the exact spans of the personal data in it (none for PII-free ones)."""

    text: str
    spans: tuple[EntitySpan, ...]
    locale: str
    template_id: str  # "<split>:<kind>:<index>", e.g. "eval:phone:3" or "dev:none:12"

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(span.category for span in self.spans)

    @property
    def pii_free(self) -> bool:
        return not self.spans

    def values(self, category: str) -> list[str]:
        return [self.text[s.start : s.end] for s in self.spans if s.category == category]


# -- fillers ------------------------------------------------------------------------------------
# Each placeholder in a template names a filler: fake (a Faker for the example's locale), us (an
# en_US Faker, for US-only data such as SSNs) and rng give the value. PII placeholders are labelled
# with their category; the others fill PII-free look-alikes and are not labelled.


def _grouped(value: str, size: int, sep: str) -> str:
    return sep.join(value[i : i + size] for i in range(0, len(value), size))


# Card brands with 13-19 digit numbers (Faker's 12-digit Maestro numbers are left out: they are
# rare in practice and the detector, like Presidio's, only reports 13-19 digits).
_CARD_TYPES = ("visa16", "visa13", "mastercard", "amex", "discover", "jcb16", "diners")


def _card(fake: Any, us: Any, rng: random.Random) -> str:
    number = us.credit_card_number(rng.choice(_CARD_TYPES))
    style = rng.randrange(3)
    if style == 0 or len(number) != 16:
        return number
    return _grouped(number, 4, " " if style == 1 else "-")


def _iban(fake: Any, us: Any, rng: random.Random) -> str:
    from stdnum import iban

    # Some Faker locales (en_IN, en_AU) emit GB IBANs one character short: a label must be a real
    # IBAN, so those fall back to the en_US Faker's (valid) GB ones.
    value = fake.iban()
    while not iban.is_valid(value):
        value = us.iban()
    return _grouped(value, 4, " ") if rng.random() < 0.5 else value


def _one_line(value: str) -> str:
    return re.sub(r"\s*\n\s*", ", ", value.strip())


def _person(fake: Any, us: Any, rng: random.Random) -> str:
    return f"{fake.first_name()} {fake.last_name()}"


def _ipv4(fake: Any, us: Any, rng: random.Random) -> str:
    return us.ipv4_public() if rng.random() < 0.8 else us.ipv4_private()


def _version(fake: Any, us: Any, rng: random.Random) -> str:
    parts = rng.choice((2, 3, 3, 4))
    return ".".join(str(rng.randrange(0 if i else 1, 30)) for i in range(parts))


def _price(fake: Any, us: Any, rng: random.Random) -> str:
    amount = rng.choice((rng.randrange(1, 100), rng.randrange(100, 10_000), rng.randrange(10_000, 5_000_000)))
    cents = rng.randrange(100)
    symbol = rng.choice(("$", "€", "£", "CHF "))
    return f"{symbol}{amount:,}.{cents:02d}" if rng.random() < 0.5 else f"{symbol}{amount:,}"


# Dates and times come from the seeded generator, not Faker: Faker draws them up to "now", so the
# same seed would give different sentences on different days.
_EPOCH = datetime.datetime(1970, 1, 1)


def _date(fake: Any, us: Any, rng: random.Random) -> str:
    day = _EPOCH + datetime.timedelta(days=rng.randrange(365 * 60))
    return day.strftime(rng.choice(("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%B %d, %Y")))


def _time(fake: Any, us: Any, rng: random.Random) -> str:
    moment = _EPOCH + datetime.timedelta(seconds=rng.randrange(86_400))
    return moment.strftime(rng.choice(("%H:%M", "%H:%M:%S", "%I:%M %p")))


_FILLERS: Mapping[str, tuple[Category | None, Callable[[Any, Any, random.Random], str]]] = MappingProxyType({
    # personal data
    "email": ("email", lambda fake, us, rng: fake.email() if rng.random() < 0.6 else fake.free_email()),
    "phone": ("phone", lambda fake, us, rng: fake.phone_number()),
    "card": ("payment_card", _card),
    "iban": ("iban", _iban),
    "ssn": ("ssn", lambda fake, us, rng: us.ssn() if rng.random() < 0.8 else us.ssn().replace("-", " ")),
    "ipv4": ("ip_address", _ipv4),
    "ipv6": ("ip_address", lambda fake, us, rng: us.ipv6()),
    "address": ("street_address", lambda fake, us, rng: _one_line(fake.address())),
    "street": ("street_address", lambda fake, us, rng: _one_line(fake.street_address())),
    "person": ("person", _person),
    "first_name": ("person", lambda fake, us, rng: fake.first_name()),
    # look-alikes, never labelled
    "version": (None, _version),
    "date": (None, _date),
    "time": (None, _time),
    "year": (None, lambda fake, us, rng: str(rng.randrange(1900, 2030))),
    "count": (None, lambda fake, us, rng: str(rng.choice((rng.randrange(2, 60), rng.randrange(60, 100_000))))),
    "big_count": (None, lambda fake, us, rng: f"{rng.randrange(1_000_000, 900_000_000):,}"),
    "percent": (None, lambda fake, us, rng: f"{rng.randrange(1, 100)}%"),
    "price": (None, _price),
    "order_no": (None, lambda fake, us, rng: str(rng.randrange(10_000_000, 99_999_999))),
    "city": (None, lambda fake, us, rng: fake.city()),
    "company": (None, lambda fake, us, rng: us.company().split(",")[0].split(" and ")[0]),
    "hex": (None, lambda fake, us, rng: us.sha1()[: rng.choice((7, 12, 40))]),
    "small": (None, lambda fake, us, rng: str(rng.randrange(2, 12))),
    "listicle": (None, lambda fake, us, rng: str(rng.randrange(2, 100))),
})  # fmt: skip


# -- templates ----------------------------------------------------------------------------------
# Keyed by kind: a PII category, "mixed" (several categories in one sentence) or "none".
# EVAL templates: written first, measured on, never tuned against. Do not edit them to make a
# detector pass; add a DEV template instead.

_EVAL_TEMPLATES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "email": (
        "Please send the signed contract to {email} by Thursday.",
        "You can reach me at {email} if anything changes.",
        "My new address is {email}, the old one is closed.",
        "cc: {email}",
        "The customer wrote from {email} asking for a refund.",
        "Forwarding this to {email} for review.",
    ),
    "phone": (
        "Call me on {phone} after six.",
        "My mobile number is {phone}.",
        "You can reach the landlord at {phone} during office hours.",
        "Tel: {phone}",
        "If the delivery is late, text {phone} and ask for the driver.",
        "Her number changed to {phone} last week.",
        "Phone {phone} to book a table.",
    ),
    "payment_card": (
        "Charge it to my card {card}, expiry 09/27.",
        "The card number is {card} and the CVV is on the back.",
        "I paid with {card} but the order never arrived.",
        "Card: {card}",
        "Please refund the amount to {card}.",
    ),
    "iban": (
        "Please transfer the deposit to IBAN {iban}.",
        "Our bank details: {iban}, reference your invoice number.",
        "Wire the money to {iban} before the end of the month.",
        "IBAN: {iban}",
        "The rent goes to account {iban} on the first of each month.",
    ),
    "ssn": (
        "My social security number is {ssn}.",
        "SSN: {ssn}",
        "The form asks for the SSN, which is {ssn} for my father.",
        "Use {ssn} as the social security number on the tax return.",
        "Employee SSN {ssn} was entered twice in payroll.",
    ),
    "ip_address": (
        "The login came from {ipv4} at 3 a.m.",
        "Block {ipv4} on the firewall, it keeps probing us.",
        "My home IP is {ipv4}, please whitelist it.",
        "Server address: {ipv6}",
        "Connect to {ipv6} over SSH.",
        "Requests from {ipv4} were rate limited.",
    ),
    "street_address": (
        "I live at {address}.",
        "Please ship the package to {address}.",
        "Our new office is at {street}, second floor.",
        "Send the invoice to {address}, attention accounts payable.",
        "The meeting is at {street} this time.",
        "Deliver to: {address}",
        "She moved to {street} last spring.",
    ),
    "person": (
        "Hi, my name is {person} and I need help with my account.",
        "Hello, this is {person} from the billing team.",
        "Thanks for your help.\nRegards,\n{person}",
        "I'm {person}, the new project manager.",
        "Best regards, {person}",
        "My name is {first_name} and I ordered the wrong size.",
        "Cheers,\n{first_name}",
    ),
    "mixed": (
        "{person} ({email}) will call you from {phone}.",
        "Name: {person}, address: {address}, phone: {phone}",
        "Send {person}'s payslip to {email} and the bonus to {iban}.",
    ),
    "none": (
        "{listicle} Pictures That Are Way Too Real",
        "During {year}, {company} invested heavily in new factories.",
        "Upgrade to version {version} before {date}.",
        "Release v{version} fixes the crash on startup.",
        "We shipped {count} orders last week, up from {count} the week before.",
        "Tickets cost {price} each and doors open at {time}.",
        "Order #{order_no} was delivered on {date}.",
        "The meeting moved to {time} on {date}.",
        "{listicle} Things Only People Who Grew Up In {city} Will Understand",
        "Revenue grew {percent} to {price} in {year}.",
        "See section {version} of the handbook for details.",
        "{big_count} people watched the final.",
        "The build {hex} passed all {count} tests.",
        "{small} Reasons Your Morning Walk Is The Best Way To Start The Day",
        "The road from {city} to the coast reopened on {date}.",
        "I'm happy with the results so far.",
        "This is the last reminder before the deadline.",
    ),
})  # fmt: skip

_DEV_TEMPLATES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "email": (
        "Email {email} for the meeting notes.",
        "Reply-To: {email}",
        "I registered with {email} but never got the confirmation.",
        "write to {email} or to the office",
        "The account owner is {email}.",
    ),
    "phone": (
        "Contact number: {phone}",
        "ring me at {phone} tomorrow morning",
        "The hotline {phone} is open all week.",
        "Please call {phone} to confirm the appointment.",
        "WhatsApp: {phone}",
        "His phone is {phone}, call before noon.",
    ),
    "payment_card": (
        "My credit card {card} was declined.",
        "Use card number {card} for the hotel.",
        "card ending in the numbers {card}",
        "Visa/Mastercard: {card}",
    ),
    "iban": (
        "Bank account (IBAN) {iban}",
        "The salary was paid into {iban}.",
        "Refunds go to {iban}.",
        "IBAN {iban}, BIC on request.",
    ),
    "ssn": (
        "Social Security No. {ssn}",
        "my ssn is {ssn}",
        "The applicant's SSN ({ssn}) is on file.",
        "SSN {ssn} belongs to the tenant.",
    ),
    "ip_address": (
        "Failed login from {ipv4}",
        "The host {ipv4} answers ping.",
        "client ip={ipv4}",
        "Our VPN exit is {ipv6}.",
        "Traffic from source {ipv4} to {ipv4} was dropped.",
    ),
    "street_address": (
        "Address: {address}",
        "Mail it to {address} please.",
        "We are located at {street}.",
        "Home address {address}",
        "Pick me up at {street} at eight.",
    ),
    "person": (
        "my name is {person}",
        "Kind regards,\n{person}",
        "This is {first_name}, I called yesterday.",
        "Sincerely,\n{person}",
        "I am {person} and I manage the account.",
        "Thanks, {first_name}",
    ),
    "mixed": (
        "{person}, {address}, {email}",
        "Contact {person} at {phone} or {email}.",
        "Pay {person} via {iban}; card on file {card}.",
    ),
    "none": (
        "{small} Dogs Who Own The Road",
        "In {year}, {company} moved its headquarters to {city}.",
        "Python {version} is now the default.",
        "Patch {version} ships on {date}.",
        "The store sold {count} units at {price}.",
        "Invoice {order_no} is due on {date}.",
        "The train leaves at {time}.",
        "{listicle} Celebrities Who Live On The Same Street",
        "Inflation fell to {percent} in {year}.",
        "Chapter {version}: the first steps",
        "Population: {big_count}",
        "commit {hex} reverts the change",
        "I'm sure the next release will fix it.",
        "Regards to everyone at the office.",
        "This is a reminder about the meeting at {time}.",
        # prices and progress reported in ordinary messages: numbers, not claims about results
        "Rent increased by {percent} on {date}.",
        "Interest rates increased {percent} in {year}.",
        "The store cut prices by {percent} until {date}.",
        "Save {percent} on orders over {price}.",
        "Tickets are {percent} cheaper before {date}.",
        "Your download is {percent} complete.",
        "The ferry runs {small} times a day.",
        # dated changes nobody is credited for: reports, not claims about results
        "Membership grew {percent} in {year}.",
        "Sales increased by {percent} last quarter.",
        "Visits decreased {percent} on {date}.",
    ),
})  # fmt: skip

TEMPLATES: Mapping[Split, Mapping[str, tuple[str, ...]]] = MappingProxyType({"dev": _DEV_TEMPLATES, "eval": _EVAL_TEMPLATES})
_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")


def _fill(template: str, fake: Any, us: Any, rng: random.Random) -> tuple[str, tuple[EntitySpan, ...]]:
    parts: list[str] = []
    spans: list[EntitySpan] = []
    length = 0
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        literal = template[last : match.start()]
        parts.append(literal)
        length += len(literal)
        category, filler = _FILLERS[match.group(1)]
        value = filler(fake, us, rng)
        if category is not None:
            spans.append(EntitySpan(category, length, length + len(value)))
        parts.append(value)
        length += len(value)
        last = match.end()
    parts.append(template[last:])
    return "".join(parts), tuple(spans)


def _kinds() -> list[str]:
    return [*CATEGORIES, "mixed", *(["none"] * _PII_FREE_SHARE)]


def generate(split: str, n: int, seed: int) -> list[PiiExample]:
    """`n` labelled sentences from `split`'s templates ("dev" or "eval"), the same for the same seed
    (and the same Faker version). Kinds are drawn in shuffled rounds so every category is about
    equally represented."""
    check_draw(split, n, TEMPLATES)
    templates = TEMPLATES[split]  # type: ignore[index]
    rng = random.Random(f"{split}:{seed}")
    draws = SeededDraws(rng, _kinds())
    out: list[PiiExample] = []
    while len(out) < n:
        kind = draws.next_kind()
        index = rng.randrange(len(templates[kind]))
        locale = rng.choice(LOCALES)
        text, spans = _fill(templates[kind][index], draws.faker(locale), draws.faker("en_US"), rng)
        out.append(PiiExample(text, spans, locale, f"{split}:{kind}:{index}"))
    return out
