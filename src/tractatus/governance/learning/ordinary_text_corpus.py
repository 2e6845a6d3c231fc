"""Ordinary short text that is not clickbait: the project's own templates, filled by Faker and a seeded RNG.

Why: the clickbait headlines (Chakraborty et al. 2016) pair BuzzFeed-style clickbait with news
headlines only, so a model fitted on them learns "BuzzFeed vs news", and anything not styled as
news (a chat line, a workplace notice, release notes, a tutorial title) reads as clickbait to it.
This corpus is the second NEGATIVE source of the headline model (`trainers.CLICKBAIT_MODEL`): short
texts people publish every day that withhold nothing and push no reaction. It is written for the
classes of text, never from the red-team cases.

Eight genres: workplace notices, release notes and changelogs, engineering and product titles
(blog posts, announcements), chatty conversational sentences, how-to / tutorial titles, everyday
questions, product feedback and reviews, explainer titles (documentation, "what changes" posts).
Since session 5 the train templates also hold life outside work: local and civic notices and plain
news sentences ("{group} are {reaction} about the {civic}"), everyday explainers ("... what it means
for you") and chat reactions whose word varies ("amazing", "adorable", "hilarious"): with workplace
text only, the model read any of these as clickbait.

Questions are measured ("dev" and "eval" have a question genre) but never trained on: a model
that learned ordinary questions as negatives read the headline's closing "?" (`headline_input`'s
question marker) as a sign of news and let quiz clickbait through ("Can You Name This Ballet
Move?" fell from 1.0 to 0.0). So "train" has no question genre and no template ending in "?".

Three splits with DISJOINT template sets (a test pins it):
- "train": what the headline model is fitted on (generated at train time, seeded: the model file
  stays bit-identical for the same Faker version);
- "dev": what the operating point is chosen and debugged on (`clickbait_dev`);
- "eval": written before any tuning, only ever measured (a test bounds the flagged share).

Faker (the `train` extra) fills names, companies and cities across locales; everything else is
drawn by the seeded `random.Random`, never from the clock.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Any, Literal

from tractatus.governance.learning.template_draws import SeededDraws, check_draw

Split = Literal["train", "dev", "eval"]
SPLITS: tuple[Split, ...] = ("train", "dev", "eval")
GENRES = ("notice", "release", "engineering", "chat", "howto", "question", "feedback", "explainer")
LOCALES = ("en_US", "en_GB", "en_IN", "en_AU", "de_DE", "fr_FR", "nl_NL", "es_ES")


@dataclass(frozen=True, slots=True)
class OrdinaryText:
    text: str
    template_id: str  # "<split>:<genre>:<index>"


# -- fillers: plain word lists (not dataset content), drawn by the seeded RNG -------------------------
_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "doc": ("quarterly report", "agenda", "budget sheet", "draft contract", "meeting notes", "slide deck", "invoice",
            "expense report", "project plan", "onboarding checklist", "design doc", "risk register", "roadmap",
            "minutes", "timesheet", "travel request", "purchase order", "audit summary", "style guide", "schedule"),
    "meeting": ("team meeting", "stand-up", "all-hands", "weekly sync", "sprint review", "retro", "board meeting",
                "one-on-one", "planning session", "town hall", "training session", "kickoff", "demo"),
    "place": ("office", "canteen", "car park", "library", "gym", "lab", "warehouse", "front desk", "second floor",
              "meeting room B", "server room", "reception", "kitchen", "bike shed"),
    "day": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "tomorrow", "today",
            "next week", "the weekend"),
    "month": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"),
    "product": ("the app", "the dashboard", "the API", "the mobile client", "the CLI", "the web editor", "the installer",
                "the search page", "the billing portal", "the admin console", "the plugin", "the SDK"),
    "component": ("login flow", "export job", "search index", "sync service", "settings page", "scheduler",
                  "PDF renderer", "upload form", "cache layer", "notification service", "importer", "parser"),
    "feature": ("single sign-on", "dark mode", "CSV export", "two-factor login", "bulk editing", "audit logs",
                "offline mode", "keyboard shortcuts", "webhooks", "role-based access", "usage reports", "a new theme"),
    "tool": ("Kubernetes", "PostgreSQL", "Terraform", "React", "Django", "Rust", "Go", "Kafka", "Redis", "GraphQL",
             "Docker", "Airflow", "Spark", "Elasticsearch", "TypeScript", "Nix", "Bazel", "SQLite", "Vue", "Flutter"),
    "lang": ("Python", "Java", "SQL", "Rust", "Go", "C++", "JavaScript", "Kotlin", "Swift", "Haskell", "Ruby", "R"),
    "task": ("set up a reverse proxy", "write unit tests", "rotate API keys", "profile a slow query", "deploy a static site",
             "back up a database", "debug a memory leak", "configure logging", "parse JSON", "read a CSV file",
             "set up SSH keys", "migrate a schema", "cache HTTP responses", "handle timeouts", "write a Dockerfile"),
    "food": ("pizza", "coffee", "lunch", "soup", "cake", "tacos", "curry", "sandwiches", "pasta", "ice cream"),
    "adj": ("good", "great", "long", "busy", "nice", "lovely", "quiet", "strange", "fun", "tiring", "productive"),
    "feeling": ("happy", "tired", "excited", "glad", "relieved", "proud", "hungry", "sleepy", "grateful", "nervous"),
    "thing": ("weather", "match", "concert", "film", "book", "game", "view", "sunset", "trip", "party", "show"),
    "team": ("the platform team", "finance", "the data team", "HR", "support", "the design team", "legal", "sales", "IT"),
    "metric": ("build times", "page load time", "memory use", "cloud costs", "test flakiness", "deploy time", "latency"),
    # Everyday civic and community life (session 5): the workplace words above left the model reading any
    # local notice, plain news sentence or explainer outside tech as clickbait.
    "group": ("teachers", "nurses", "parents", "residents", "bus drivers", "students", "farmers", "shop owners",
              "commuters", "pensioners", "tenants", "doctors", "cyclists", "fans", "volunteers", "landlords"),
    "reaction": ("angry", "worried", "upset", "furious", "unhappy", "pleased", "divided", "hopeful", "frustrated",
                 "concerned", "relieved", "split"),
    "civic": ("budget cuts", "new parking rules", "school timetable", "rent increase", "bus fares", "tax changes",
              "library hours", "road works", "water charges", "recycling rules", "hospital merger", "speed limit",
              "pay offer", "train timetable", "housing plan", "exam changes"),
    "venue": ("market", "library", "pool", "community centre", "farmers' market", "museum", "park", "night market",
              "book fair", "food bank", "sports hall", "flea market"),
    "route": ("bus routes", "train services", "cycle lanes", "school places", "parking spaces", "hospital beds",
              "night buses", "playgrounds", "recycling points", "charging points", "ferry crossings", "GP surgeries"),
    "change": ("double", "halve", "cut", "increase", "reduce", "triple", "freeze", "expand"),
    "institution": ("the central bank", "the council", "the government", "the regulator", "the school board",
                    "the city", "parliament", "the health service", "the transport authority", "the court"),
    "decision": ("raised interest rates", "cut interest rates", "froze rents", "changed the tax rules",
                 "closed the bridge", "delayed the vote", "approved the budget", "banned the pesticide",
                 "raised the minimum wage", "extended the school year"),
    "photo": ("photo", "pictures", "video", "link", "recipe", "address", "screenshot", "playlist"),
    "event": ("fair", "festival", "match", "parade", "concert", "open day", "quiz night", "car boot sale", "fun run"),
    # what people say when a friend shares something: in chat these are reactions, not a headline's hype
    "wow": ("amazing", "adorable", "hilarious", "incredible", "gorgeous", "brilliant", "awesome", "so cute", "perfect",
            "unbelievable", "the best", "insane"),
})  # fmt: skip


def _pick(words: tuple[str, ...], fake: Any, rng: random.Random) -> str:
    return rng.choice(words)


def _number(rng: random.Random) -> str:
    return str(rng.choice((2, 3, 3, 4, 5, 5, 6, 7, 8, 10, 12, 15)))


def _version(rng: random.Random) -> str:
    return ".".join(str(rng.randrange(0 if i else 1, 20)) for i in range(rng.choice((2, 3))))


def _time(rng: random.Random) -> str:
    hour, minute = rng.randrange(7, 19), rng.choice((0, 0, 15, 30, 45))
    return f"{hour}:{minute:02d}" if rng.random() < 0.5 else f"{(hour - 1) % 12 + 1}{'' if minute == 0 else f':{minute:02d}'}{'am' if hour < 12 else 'pm'}"


def _percent(rng: random.Random) -> str:
    return f"{rng.randrange(2, 70)}%"


_FILLERS: Mapping[str, Callable[[Any, random.Random], str]] = MappingProxyType({
    **{key: partial(_pick, words) for key, words in _WORDS.items()},
    "name": lambda fake, rng: fake.first_name(),
    "company": lambda fake, rng: fake.company(),
    "city": lambda fake, rng: fake.city(),
    "n": lambda fake, rng: _number(rng),
    "version": lambda fake, rng: _version(rng),
    "time": lambda fake, rng: _time(rng),
    "percent": lambda fake, rng: _percent(rng),
})  # fmt: skip

# -- templates ------------------------------------------------------------------------------------
# "eval" was written first and is never tuned on; "dev" is for choosing; "train" is fitted on.
_EVAL: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "notice": (
        "The {doc} for {month} is in the shared folder.",
        "Reminder: the {meeting} is at {time} on {day}.",
        "The {place} will be closed on {day} for cleaning.",
        "Please send your {doc} to {name} before {day}.",
        "Parking at the {place} is free this {day}.",
    ),
    "release": (
        "Version {version} improves the {component}.",
        "{product} now supports {feature}.",
        "Fixed a crash in the {component} when the file is empty.",
        "Changelog for {version}: {n} fixes and faster startup.",
    ),
    "engineering": (
        "How our team runs {tool} in production",
        "Lessons from a year of {tool} at {company}",
        "What we changed in the {component} and why",
        "Moving our {component} from {tool} to {tool}",
    ),
    "chat": (
        "That sounds like a {adj} plan.",
        "Thanks so much, this helps a lot!",
        "We had {food} for lunch and it was {adj}.",
        "Can't wait for {day}, it has been a {adj} week.",
        "The {thing} was better than I expected.",
        "Honestly so {feeling} right now.",
    ),
    "howto": (
        "How to {task} with {tool}",
        "{n} tips for writing cleaner {lang}",
        "A short guide to {tool} for {lang} developers",
        "Getting started with {feature} in {product}",
    ),
    "question": (
        "Has anyone tried {food} at the new place near the {place}?",
        "Which {doc} template should we use this quarter?",
        "Do you know if the {meeting} is recorded?",
    ),
    "feedback": (
        "The new {feature} saves me a lot of time.",
        "Honestly the best {thing} we've had this year.",
        "I wish {product} had {feature} sooner.",
    ),
    "explainer": (
        "{tool} {version} explained for {lang} developers",
        "Understanding the {component}: a walkthrough",
        "What the new {doc} process means for {team}",
    ),
})  # fmt: skip

_DEV: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "notice": (
        "The {meeting} has moved to {time}.",
        "Please update your {doc} by {day}.",
        "The {doc} is attached for review.",
        "{team} will be out of the {place} on {day}.",
        "Heads up: the {place} is being painted {day}.",
        "The {venue} in {city} reopens {day} with longer hours.",
        "{group} say the {civic} came too soon.",
        "The city wants to {change} {route} within two years.",
    ),
    "release": (
        "This update adds {feature} to {product}.",
        "Release {version} fixes {n} bugs in the {component}.",
        "The {component} is now faster on large files.",
        "{product} {version} is out with {feature}.",
    ),
    "engineering": (
        "Why we switched the {component} to {tool}",
        "What's new in {tool} {version}",
        "How we reduced {metric} by {percent}",
        "The easiest way to learn {lang}",
    ),
    "chat": (
        "This is so {adj}!",
        "What a {adj} {thing}!",
        "I can't believe it's already {month}.",
        "Really? That is {adj} news.",
        "I'm so {feeling} the week is over.",
        "Love the new {feature}, nice work.",
        "Hahaha this is the best, thanks for the {photo}!",
        "So cool! Can't wait to see the {photo}.",
        "That looks {wow}",
        "Wow this is {adj}",
    ),
    "howto": (
        "How to {task}",
        "{n} ways to speed up your {lang} code",
        "A beginner's guide to {tool}",
        "Here's how to {task} in {lang}",
    ),
    "question": (
        "Is the {place} open on {day}?",
        "Can someone send me the {doc}?",
        "Who is running the {meeting} this week?",
    ),
    "feedback": (
        "You will like the new {feature}, it is much faster.",
        "The {component} feels slower since {version}.",
        "Best update to {product} in a long time.",
    ),
    "explainer": (
        "What changes in {tool} {version} and what it means for your {component}",
        "Explained: how the {component} handles retries",
        "FAQ: {feature} in {product}",
        "How {institution} {decision} and who pays for it",
        "Explainer: what the {civic} mean for your household",
    ),
})  # fmt: skip

_TRAIN: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "notice": (
        "The {doc} is ready.",
        "Please review the {doc} before the {meeting}.",
        "The {meeting} on {day} is cancelled.",
        "Don't forget to submit your {doc} by {day}.",
        "The {place} opens at {time} on {day}.",
        "{name} will share the {doc} after the {meeting}.",
        "All staff: the {meeting} starts at {time} in the {place}.",
        "New starters please see {name} at the {place}.",
        "The Wi-Fi in the {place} will be down on {day} morning.",
        "Lunch for the {meeting} will be {food}.",
        "Here is the {doc} we discussed.",
        "{team} is moving to the {place} next month.",
        "The {doc} deadline is {day} at {time}.",
        "The {venue} is open every {day} from {time}.",
        "On {day} the {venue} has new stalls and more visitors.",
        "{group} are {reaction} about the {civic}.",
        "{group} in {city} are {reaction} about this year's {civic}.",
        "The council plans to {change} the number of {route} in {city}.",
        "The new plan would {change} {route} across the city.",
        "{city} will add {n} {route} by {month}.",
        "The {event} in {city} is back on {day}.",
        "{group} vote on the {civic} next week.",
        "{institution} will {change} funding for {route} next year.",
        "The {venue} adds {n} new {route} this {month}.",
        "Tickets for the {event} go on sale {day}.",
    ),
    "release": (
        "{product} {version} adds {feature}.",
        "We fixed a bug in the {component}.",
        "New in {version}: {feature} and a faster {component}.",
        "The {component} no longer times out on slow networks.",
        "{feature} is now available for everyone.",
        "This release drops support for {lang} {version}.",
        "Breaking change: the {component} now requires {tool} {version}.",
        "Known issue: the {component} may be slow after upgrading.",
        "{product} now remembers your last search.",
        "Upgrade to {version} to get {feature}.",
        "Bug fixes and performance improvements.",
        "Release notes for {product} {version}",
    ),
    "engineering": (
        "Why we moved our {component} to {tool}",
        "How we cut {metric} in half",
        "Introducing {feature} for {product}",
        "What we learned running {tool} at scale",
        "The best way to test a {component}",
        "Our migration from {tool} to {tool}",
        "Scaling the {component} at {company}",
        "Announcing {feature} in {product}",
        "A look inside our {component}",
        "Why {lang} was the right choice for our {component}",
        "{company} is hiring {lang} engineers in {city}",
        "What's coming to {product} this year",
    ),
    "chat": (
        "This is great!",
        "That's amazing, well done!",
        "What a {adj} day!",
        "I can't believe how {adj} the {thing} was.",
        "Thanks, that's really helpful.",
        "I love this {thing}.",
        "Wow, {name}, that looks {adj}!",
        "I'm so {feeling} about {day}.",
        "Can't believe it's {day} already.",
        "Best {food} I've had in ages.",
        "No way, that's so cool.",
        "Happy {day}, everyone!",
        "Ugh, I'm so {feeling} today.",
        "You're going to love {city} in {month}.",
        "See you all {day}!",
        "I just finished the {thing}, it was {adj}.",
        "Haha, that's {wow}, send me the {photo}!",
        "Lol that's so {adj}, send me the {photo} later.",
        "This is {wow}, thank you so much!",
        "Haha no way! That's {wow}.",
        "Omg this is {wow}, send me more {photo}!",
        "That was {wow}, what a {thing}!",
        "Aww, I love it!",
        "Wow, this looks {wow}!",
        "Ha, that made my day.",
        "Send me the {photo} when you get a chance!",
    ),
    "howto": (
        "How to {task} in {tool}",
        "{n} tips for {task}",
        "Top {n} {lang} tips",
        "{n} steps to {task}",
        "Tutorial: {task} with {tool}",
        "An introduction to {tool}",
        "The complete guide to {feature}",
        "{lang} tips for beginners",
        "How to {task} without downtime",
        "Quick tip: {task} faster",
        "Learn {lang} in {n} weeks",
    ),
    "feedback": (
        "This is the best {feature} I have used.",
        "You won't need the old {component} after this update.",
        "Really happy with the new {product}.",
        "The {component} is way better now.",
        "I don't like the new {feature} very much.",
        "Great job on the {doc}, {name}!",
        "The {thing} was amazing, thanks for organising it.",
        "This {feature} is exactly what we needed.",
        "Not sure about the new {component} yet.",
        "Five stars, {product} just works.",
    ),
    "explainer": (
        "What's changing in {product} {version}",
        "{tool} {version}: what you need to know",
        "Guide: how the {component} works",
        "What happens when the {component} fails",
        "Explainer: why the {doc} is late",
        "What the {tool} upgrade means for you",
        "Inside the {component}: how it is built",
        "Understanding {feature} in {tool}",
        "Why the {component} needs {tool}",
        "{feature}, explained",
        "Why {institution} {decision}: what it means for you",
        "What the {civic} change means for {group}",
        "Explained: why {institution} {decision}",
        "The {civic}: what you need to know",
        "Guide: what happens when you {task}",
        "How the {civic} will affect {group} in {city}",
        "What happens to {route} if the {civic} plan goes ahead",
        "Q&A: the {civic} and what changes for {group}",
    ),
})  # fmt: skip

TEMPLATES: Mapping[Split, Mapping[str, tuple[str, ...]]] = MappingProxyType({"train": _TRAIN, "dev": _DEV, "eval": _EVAL})
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _fill(template: str, fake: Any, rng: random.Random) -> str:
    text = _PLACEHOLDER.sub(lambda m: _FILLERS[m.group(1)](fake, rng), template)
    return text[0].upper() + text[1:]  # "the app now supports ..." starts a sentence


def generate(split: str, n: int, seed: int) -> list[OrdinaryText]:
    """`n` texts from `split`'s templates, genres drawn in shuffled rounds; the same for the same
    seed and Faker version."""
    check_draw(split, n, TEMPLATES)
    templates = TEMPLATES[split]  # type: ignore[index]
    rng = random.Random(f"ordinary:{split}:{seed}")
    draws = SeededDraws(rng, [genre for genre in GENRES if genre in templates])
    out: list[OrdinaryText] = []
    while len(out) < n:
        genre = draws.next_kind()
        index = rng.randrange(len(templates[genre]))
        fake = draws.faker(rng.choice(LOCALES))
        out.append(OrdinaryText(_fill(templates[genre][index], fake, rng), f"{split}:{genre}:{index}"))
    return out
