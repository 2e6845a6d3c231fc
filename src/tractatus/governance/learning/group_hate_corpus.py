"""A labelled development set for hate aimed at groups: the project's own templates, seeded.

Why generated: issue 9 grades the abuse detector on ETHOS-style hate comments, a public set that
is kept back to measure us and must not be fetched or read. These templates are what we may build
against instead: hate statements about a protected group without slurs (dehumanization,
exclusion, calls for violence, wishes of harm) and benign statements about the same groups that
share their words (news, counter-speech and quotes of hate being condemned, negations,
self-identification, policy debate, praise).

It is a WEAK set, written by the same team that wrote the rule tier: it measures whether the rules
hold on phrasings the rules were not written against, within what one team imagines. Its numbers
are an upper bound for real comments, never a substitute for them.

Two splits with DISJOINT template sets:
- "eval" templates were written first, before the rules were tuned, and are only measured on;
- "dev" templates are what the rules may be developed and debugged on.
Fillers (groups, predicates) are shared by both splits; the sentence frames are not.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Split = Literal["dev", "eval"]

# -- fillers --------------------------------------------------------------------------------------
# Written for this corpus, not copied from the detector's lists: they include groups and spellings
# the detector may not know ("Somalis", "Roma", "deaf people").
FILLERS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "groups": (
        "Muslims", "Jews", "immigrants", "refugees", "women", "gay people", "trans people", "Black people",
        "Mexicans", "Arabs", "disabled people", "Roma", "asylum seekers", "lesbians", "Hindus", "Chinese people",
        "migrants", "feminists", "Africans", "Sikhs", "autistic people", "Pakistanis", "Jewish people",
        "homosexuals", "Asians", "Somalis", "deaf people", "Christians", "foreigners", "girls",
    ),
    "group": (
        "Muslim", "Jew", "immigrant", "refugee", "woman", "gay man", "migrant", "Mexican", "Arab", "foreigner",
        "lesbian", "Hindu",
    ),
    "vermin": (
        "vermin", "parasites", "rats", "cockroaches", "animals", "a disease", "a cancer", "a plague", "subhuman",
        "filth", "savages", "scum", "an infestation", "apes", "pigs", "a virus", "leeches",
    ),
    "vermin_one": ("a parasite", "an animal", "a terrorist", "a criminal", "a rapist", "a savage", "a pig"),
    "adjective": ("disgusting", "stupid", "filthy", "dirty", "worthless", "inferior", "evil", "dangerous"),
    "expel": ("deported", "kicked out", "banned", "sent back", "thrown out", "removed", "expelled"),
    "violent": ("shot", "gassed", "hanged", "exterminated", "wiped out", "burned", "killed", "lynched"),
    "kill": ("kill", "exterminate", "gas", "shoot", "deport", "hang", "wipe out", "get rid of"),
    "place": ("in the kitchen", "in cages", "in camps", "in a zoo", "in the closet", "in chains"),
    "country": ("our country", "Europe", "this nation", "our towns", "the West", "our schools"),
    "activity": ("vote", "live here", "work", "marry", "have children", "own property", "teach"),
    "positive": ("welcomed", "protected", "respected", "heard", "treated fairly", "supported"),
    "good_place": ("in parliament", "in every profession", "here", "in our community", "in leadership"),
    "year": ("2015", "2019", "2021", "2023"),
    "number": ("three", "twelve", "forty", "hundreds of", "dozens of"),
    "city": ("Leeds", "Lyon", "Chicago", "Hamburg", "Toronto", "Melbourne", "Naples"),
})  # fmt: skip

# -- templates ------------------------------------------------------------------------------------
# EVAL: written first, measured on, never tuned against. Do not edit them to make the rules pass;
# add a DEV template instead.
_EVAL_TEMPLATES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "hate": (
        "{groups} are {vermin}.",
        "Honestly, {groups} are nothing but {vermin}.",
        "{groups} should all be {expel}.",
        "All {groups} must be {violent}.",
        "Deport every last one of the {groups}.",
        "I wish all {groups} would just die.",
        "{groups} don't deserve any rights.",
        "{groups} have no place in {country}.",
        "{groups} are ruining {country}.",
        "Get these {groups} out of {country}.",
        "The world would be a better place without {groups}.",
        "Kill all {groups}.",
        "{groups} belong {place}.",
        "Why are {groups} so {adjective}?",
        "{groups} shouldn't be allowed to {activity}.",
        "Every {group} is {vermin_one}.",
        "I can't stand {groups}, they are {vermin}.",
        "{groups} breed like rats and take everything.",
        "Send the {groups} back where they came from.",
        "{groups} are a threat to our way of life.",
        "{groups} need to be wiped off the face of the earth.",
        "{groups} are {adjective} and always will be.",
        "No {groups} allowed here.",
        "We have to {kill} the {groups} before it is too late.",
    ),
    "benign": (
        "{groups} in {city} held a street festival on Sunday.",
        "Report: attacks on {groups} rose in {year}.",
        "Saying {groups} are {vermin} is hateful.",
        "{groups} are not {vermin}, they are our neighbours.",
        "As a {group}, I think the new housing law is unfair.",
        "We should reduce immigration and invest the money in schools.",
        "{number} {groups} were {expel} last year, the ministry said.",
        "The politician claimed {groups} are {vermin} and was rightly condemned.",
        "{groups} deserve the same rights as everyone else.",
        "Not all {groups} think alike, and that is fine.",
        "Study finds {groups} face discrimination in housing.",
        "The myth that {groups} are {vermin} has been debunked many times.",
        "I volunteer with {groups} every weekend.",
        "{groups} should be {positive}.",
        "The museum tells the story of {groups} in {city}.",
        "It is wrong to say {groups} should be {expel}.",
        "{groups} belong {good_place}.",
        "Why are {groups} underrepresented in tech?",
        "The book describes how {groups} were {violent} during the war.",
        "Police arrested a man who shouted that {groups} should be {violent}.",
        "My neighbours are {groups} and they are lovely people.",
        "{groups} are more likely to be stopped by the police, a report says.",
        "Stop telling {groups} to go back where they came from.",
        "The city council met {groups} to talk about jobs and housing.",
    ),
})  # fmt: skip

# DEV: what the rules were developed against (different sentence frames, same fillers).
_DEV_TEMPLATES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "hate": (
        "{groups} r {vermin}",
        "those {groups} are {vermin}",
        "{groups} deserve to be {violent}.",
        "We should {kill} all {groups}.",
        "I hope the {groups} all die.",
        "death to {groups}",
        "{groups} are just {adjective}.",
        "Women belong {place}, not in parliament.",
        "{groups} must be {expel} now.",
        "The only good {group} is a dead {group}.",
        "{groups} are destroying {country}.",
        "I hate {groups}.",
        "{groups} are not welcome here.",
        "{groups} do not deserve respect.",
        "A woman's place is in the kitchen.",
        "{groups} are all {vermin} and should be {expel}.",
        "{groups} shouldn't be allowed to {activity} in {country}.",
        "Let's {kill} the {groups}.",
        "send all {groups} back",
        "{groups} spread disease.",
    ),
    "benign": (
        "{groups} celebrated the holiday with their families.",
        "Attacks on {groups} in {city} doubled, police say.",
        "Calling {groups} {vermin} is racist.",
        "{groups} are not the problem.",
        "As one of the {groups} in this office, I feel welcome.",
        "The mayor said {groups} should be {positive}.",
        "Never say {groups} are {vermin}.",
        "{groups} have the right to {activity} like anyone else.",
        "I grew up with {groups} and learned a lot.",
        "A new survey of {groups} in {city} was published today.",
        "Protesters chanted that {groups} should be {expel}; counter-protesters outnumbered them.",
        "{groups} will be {positive} under the new policy.",
        "Why do people think {groups} are {vermin}? It is simply false.",
        "The film follows {groups} who moved to {city} in {year}.",
        "We need more {groups} in science.",
        "The idea that {groups} are {adjective} is bigotry.",
        "{groups} are not {adjective}.",
        "Our team includes {groups} and we are proud of it.",
        "Immigration policy should be debated calmly.",
        "{groups} were welcomed at the town hall.",
    ),
})  # fmt: skip

TEMPLATES: Mapping[Split, Mapping[str, tuple[str, ...]]] = MappingProxyType({"dev": _DEV_TEMPLATES, "eval": _EVAL_TEMPLATES})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class GroupTalkExample:
    """One statement about a group, labelled hateful or benign, with the template it came from."""

    text: str
    hateful: bool
    template_id: str  # "<split>:<hate|benign>:<index>"


def _fill(template: str, rng: random.Random) -> str:
    chosen: dict[str, str] = {}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in chosen:  # one value per placeholder name: "a dead {group}" repeats the group
            chosen[name] = rng.choice(FILLERS[name])
        return chosen[name]

    text = _PLACEHOLDER.sub(value, template)
    return text[0].upper() + text[1:] if rng.random() < 0.7 else text  # sentences and comments


def generate(split: str, n: int, seed: int) -> list[GroupTalkExample]:
    """`n` statements from `split`'s templates, alternating hate and benign, the same for the same
    seed. Templates are drawn in shuffled rounds so each is about equally represented."""
    if split not in TEMPLATES:
        raise ValueError(f"unknown split {split!r}: expected one of {sorted(TEMPLATES)}")
    if n < 0:
        raise ValueError("n must be non-negative")
    templates = TEMPLATES[split]  # type: ignore[index]
    rng = random.Random(f"group-hate:{split}:{seed}")
    rounds: dict[str, list[int]] = {"hate": [], "benign": []}
    out: list[GroupTalkExample] = []
    while len(out) < n:
        kind = "hate" if len(out) % 2 == 0 else "benign"
        if not rounds[kind]:
            rounds[kind] = list(range(len(templates[kind])))
            rng.shuffle(rounds[kind])
        index = rounds[kind].pop()
        out.append(GroupTalkExample(_fill(templates[kind][index], rng), kind == "hate", f"{split}:{kind}:{index}"))
    return out
