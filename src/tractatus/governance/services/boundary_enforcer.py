"""BoundaryEnforcer: some decisions belong to people, and some claims need evidence.

1. **Values decisions.** An action or task that *decides* a question of values (what to
   optimize people's attention for, which people deserve priority, whether to weaken a privacy
   policy, what the mission is, overriding someone's choice, trading safety for growth) is
   escalated: a person must decide. Each rule is a phrase pattern "decision verb ... values
   object" within a few words, so merely mentioning a value word ("we value your feedback",
   "the purpose of this function", "we should design a better UI") does not trigger it.
2. **Absolute assurance**: "guarantees 100% safety", "zero risk", "never fails".
3. **Unsourced statistics**: "87% of users prefer..." with no "according to", citation or link
   anywhere in the text (a footnote or link after the sentence counts as a source).
4. **Unverified maturity claims**: "production-ready", "battle-tested", "enterprise-grade"
   with no evidence (deployments, benchmarks, audits, certifications, a link).

Rules 2-4 are not triggered when the claim is negated or disowned within its clause ("we cannot
guarantee zero risk", "the tests guarantee nothing", "it is not production-ready yet").

Every finding carries verdict ESCALATE. It runs on every message, so all patterns are compiled
once per policy and each is a single regex search: no per-word Python loops.
"""

from __future__ import annotations

import re
from typing import Callable, ClassVar, Literal, Sequence

import re2
from pydantic import Field

from tractatus.governance.actions import Action, Finding, Severity, Span, Verdict
from tractatus.governance.ascii_gate import AsciiGate, leftmost_start
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.lazy_pattern import lazy_compile
from tractatus.governance.normalize import normalize
from tractatus.governance.services.patterns import (
    Anchored,
    AnchoredAny,
    alternation,
    clause_before,
    excerpt,
    gap,
    is_negated,
    present_words,
    sentence_at,
    words,
)
from tractatus.governance.state import GovernanceState

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.never_capture = True  # a yes/no prefilter: no groups needed
Hit = tuple[str, str, re.Match[str]]  # (rule id, message, match)
RuleName = Literal["values_decision", "absolute_assurance", "unsourced_statistic", "unverified_maturity_claim"]


class BoundaryEnforcerSettings(CheckSettings):
    rules: tuple[RuleName, ...] = Field(min_length=1, description="which of the four rules run")
    values_max_gap_words: int = Field(ge=0, le=12, description="words allowed between a decision verb and its values object")
    negation_window_chars: int = Field(ge=0, le=200, description="how far back (within the clause) a negation disowns a claim")


_PEOPLE = alternation(
    words(
        "users user people persons customers customer patients patient applicants applicant candidates "
        "candidate employees employee students student citizens members tenants families groups lives "
        "children residents workers volunteers donors clients communities neighborhoods neighbourhoods "
        "schools hospitals"
    )
)
_DECIDE_ANCHORS = words(
    "decide decides deciding determine determining choose choosing judge judging rank ranking prioritize prioritise "
    "prioritizing prioritising select selecting pick picking sort sorting rate score"
)

# Each piece: (regex with {gap} for the allowed distance, anchor groups). Any match contains at
# least one word of every group (see patterns.Anchored): the regex runs only when they occur.
Piece = tuple[str, tuple[frozenset[str], ...]]

# rule id -> (what the person must decide, pieces)
_VALUES_RULES: dict[str, tuple[str, tuple[Piece, ...]]] = {
    "boundary.values.engagement": (
        "what to optimize people's attention for",
        (
            (
                r"\b(?:optimi[sz]e|optimi[sz]ing|maximi[sz]e|maximi[sz]ing)\b{gap}"
                + alternation(
                    [
                        "engagement", "clicks", "click-through", "click through", "ctr", "watch time", "time on site",
                        "time on app", "time on platform", "screen time", "attention", "virality", "addictiveness",
                        "dwell time", "time spent", "outrage", "shares",
                    ]
                )
                + r"\b",
                (words("optimize optimise optimizing optimising maximize maximise maximizing maximising"),),
            ),
            (
                r"\b(?:maximum|max|maximal)\s+(?:user\s+)?(?:engagement|clicks|attention|virality|watch\s+time|screen\s+time)\b",
                (words("maximum max maximal"), words("engagement clicks attention virality time")),
            ),
            (r"\b(?:engagement|clicks|attention|growth)\s+at\s+(?:any|all)\s+costs?\b", (words("cost costs"),)),
            (
                r"\b(?:keep|get)\s+(?:users|people|them|viewers|readers|kids|children|players)\s+(?:scrolling|hooked|addicted|"
                r"glued|clicking|watching)\b|\bmake\s+(?:it|the\s+\w+|our\s+\w+)\s+(?:more\s+)?(?:addictive|compulsive)\b",
                (words("keep get make"), words("scrolling hooked addicted glued clicking watching addictive compulsive")),
            ),
        ),
    ),
    "boundary.values.priority_of_people": (
        "which people deserve priority",
        (
            (
                r"\b(?:decide|decides|deciding|determine|determining|choose|choosing|judge|judging|rank|ranking|"
                r"prioriti[sz]e|prioriti[sz]ing|select|selecting|pick|picking|sort|sorting)\b{gap}(?:who|which|what)\s+"
                r"(?:of\s+(?:the|our)\s+)?" + _PEOPLE + r"\b{gap}(?:deserves?|merits?|worth|get\s+priority|gets?\s+priority|"
                r"priority|should\s+(?:get|receive|be\s+(?:saved|helped|served|denied|treated))|qualif(?:y|ies)\s+for\s+help)\b",
                (_DECIDE_ANCHORS, words("deserve deserves merit merits worth priority should qualify qualifies")),
            ),
            (
                r"\b(?:rank|ranking|prioriti[sz]e|prioriti[sz]ing|sort|rate|score)\s+(?:the\s+)?" + _PEOPLE
                + r"\s+(?:by|based\s+on|according\s+to)\s+(?:their\s+)?(?:worth|value|deservingness|usefulness|importance|merit)\b",
                (_DECIDE_ANCHORS, words("worth value deservingness usefulness importance merit")),
            ),
            (r"\b(?:which|whose)\s+lives\s+(?:matter|count|are\s+worth)", (words("lives"),)),
            (
                r"\b(?:decide|decides|deciding|determine|determining|choose|choosing|judge|judging|pick|picking)\s+who\s+"
                r"(?:deserves?|gets?\s+(?:priority|help|treatment|care|the\s+(?:last\s+|remaining\s+|only\s+)?(?:\w+\s+)?"
                r"(?:job|loan|transplant|organ|vaccines?|beds?|ventilators?|scholarship|grant|apartment|housing|promotion|"
                r"raise|benefits|aid|treatment|medicine|medication|funding|spot|slot|place))|should\s+(?:get|receive|be)|"
                r"lives|dies|is\s+worth)\b",
                (_DECIDE_ANCHORS, words("who")),
            ),
        ),
    ),
    "boundary.values.privacy_policy": (
        "whether to weaken privacy or sell people's data",
        (
            (
                r"\b(?:change|modify|update|rewrite|amend|revise)\b{gap}(?:privacy|data|ethics|consent|retention|moderation|content)\s+"
                r"(?:polic(?:y|ies)|guidelines|rules|principles|standards|terms)\b{gap}(?:to|so\s+(?:that\s+)?we\s+can)\s+"
                r"(?:allow|permit|let|enable|start)\b",
                (words("change modify update rewrite amend revise"), words("allow permit let enable start")),
            ),
            (
                r"\b(?:weaken|relax|loosen|gut|abandon|scrap|drop|water\s+down|remove|bypass)\b{gap}(?:privacy|data|ethics|consent|"
                r"retention|moderation)\s+(?:polic(?:y|ies)|guidelines|rules|principles|standards|protections?|safeguards?)\b",
                (words("weaken relax loosen gut abandon scrap drop water remove bypass"),
                 words("privacy data ethics consent retention moderation"),
                 words("policy policies guidelines rules principles standards protection protections safeguard safeguards")),
            ),
            (
                r"\b(?:sell|selling|monetize|monetise|monetizing|monetising|rent|trade|trading)\b{gap}(?:user|users'?|customer|"
                r"customers'?|personal|private|people's|their|patient|visitor)\s+(?:data|information|details|records)\b",
                (words("sell selling monetize monetise monetizing monetising rent trade trading"), words("data information details records")),
            ),
            (
                r"\bshare\b{gap}(?:user|users'?|customer|customers'?|personal|private|patient)\s+(?:data|information)\s+with\s+"
                r"(?:third\s+parties|advertisers|data\s+brokers|brokers)\b",
                (words("share"), words("parties advertisers brokers")),
            ),
        ),
    ),
    "boundary.values.purpose": (
        "what the mission, purpose or values are",
        (
            (
                # "values"/"principles" only with a first-person or organisational owner: "change its
                # values to lower case" is code, "redefine our company's core values" is not.
                r"\b(?:redefine|redefining|change|changing|rewrite|rewriting|decide|deciding|determine|choose|abandon|drop|"
                r"replace)\b{gap}(?:our|the\s+(?:company|organi[sz]ation|team|firm)'s)\s+(?:(?:company|organi[sz]ation|team|"
                r"firm)'s\s+)?(?:core\s+)?(?:mission|purpose|values|vision|principles|ethics)\b",
                (words("mission purpose values vision principles ethics"),),
            ),
            (
                r"\b(?:redefine|redefining|change|changing|rewrite|rewriting|decide|deciding|determine|choose|abandon|drop|"
                r"replace)\b{gap}(?:its|their)\s+(?:core\s+)?(?:mission|purpose|vision)\b",
                (words("mission purpose vision"),),
            ),
            (
                r"\bdecide\s+what\s+(?:is\s+meaningful|gives\s+(?:life|work)\s+meaning|our\s+purpose\s+is|makes\s+(?:a\s+)?life\s+worth)\b",
                (words("decide"), words("what")),
            ),
        ),
    ),
    "boundary.values.agency": (
        "whether to override people's own choices",
        (
            (
                r"\b(?:override|overrule|bypass|ignore|disregard|circumvent)\b{gap}(?:the\s+)?(?:user's|users'|user|customer's|"
                r"customers'|patient's|person's|people's|their|his|her)\s+(?:choices?|consent|decisions?|preferences?|"
                r"opt[\s-]?outs?|wishes|autonomy|privacy\s+settings)\b",
                (words("override overrule bypass ignore disregard circumvent"),
                 words("choice choices consent decision decisions preference preferences opt optout optouts wishes autonomy settings")),
            ),
            (r"\bdecide\s+for\s+(?:the\s+)?(?:user|users|them|people|customers|patients)\b", (words("decide"), words("for"))),
            (
                r"\b(?:decide|determine|choose)\s+whether\s+(?:to\s+(?:let|allow)\s+)?(?:the\s+)?" + _PEOPLE
                + r"\s+(?:can|may|should\s+be\s+allowed\s+to|get\s+to|are\s+allowed\s+to)\b",
                (words("decide determine choose"), words("whether")),
            ),
            (
                r"\bwithout\s+(?:their|the\s+user's|users'|the\s+customer's|customers'|patient)\s+(?:consent|knowledge|permission)\b",
                (words("without"), words("consent knowledge permission")),
            ),
            (
                r"\b(?:manipulate|nudge|trick|deceive)\s+(?:the\s+)?(?:users|people|customers|voters|patients|readers)\b",
                (words("manipulate nudge trick deceive"),),
            ),
        ),
    ),
    "boundary.values.tradeoff": (
        "whether to trade safety, privacy or truth for something else",
        (
            (
                r"\b(?:hide|conceal|cover\s+up|withhold|keep\s+quiet\s+about)\b{gap}from\s+(?:the\s+)?(?:our\s+)?(?:users|customers|"
                r"patients|public|regulators|regulator|investors|readers|families)\b",
                (words("hide conceal cover withhold quiet"), words("from")),
            ),
            (
                r"\b(?:trade|trade\s+off|sacrifice|give\s+up|compromise)\b{gap}(?:privacy|safety|accuracy|fairness|wellbeing|"
                r"well-being|honesty|transparency|ethics|user\s+trust|health|truth)\b{gap}(?:for|to\s+gain|in\s+exchange\s+for|"
                r"to\s+get|to\s+increase|to\s+boost)\b",
                (words("trade sacrifice give compromise"),),
            ),
            (
                r"\bprioriti[sz]e\s+(?:profits?|revenue|growth|engagement|speed|clicks)\s+over\s+(?:safety|privacy|wellbeing|"
                r"well-being|accuracy|ethics|fairness|people|users|truth)\b",
                (words("prioritize prioritise"), words("over")),
            ),
            (
                r"\b(?:decide|determine|judge|choose)\s+(?:what\s+is|what's|whether\s+(?:it\s+is|it's)?|if\s+(?:it\s+is|it's)?)\s*"
                r"(?:\w+\s+)?(?:ethical|moral|fair|right|wrong|acceptable|just)\b",
                (words("decide determine judge choose"), words("ethical moral fair right wrong acceptable just")),
            ),
            (
                r"\b(?:decide|determine|choose)\s+(?:which|what)\s+(?:\w+\s+)?(?:research|innovations?|ideas?|projects?)\s+"
                r"(?:to\s+fund|to\s+pursue|deserves?|(?:is|are)\s+worth)\b",
                (words("decide determine choose"), words("research innovation innovations idea ideas project projects")),
            ),
        ),
    ),
}

_ASSURANCE_OBJECTS = (
    r"(?:safety|security|success|results|accuracy|uptime|privacy|protection|profits?|returns?|compliance|safe|secure|"
    r"accurate|correct|bug[\s-]free|error[\s-]free|risk[\s-]free)"
)
_ABSOLUTE_ASSURANCE: tuple[Piece, ...] = (
    (
        r"\bguarantee[sd]?\b(?:\s+that)?(?:\s+\w+){0,4}?\s+(?:100\s?%|complete|total|absolute|full|perfect|zero)?\s*"
        + _ASSURANCE_OBJECTS + r"\b|\bguaranteed\s+to\s+(?:work|succeed|be\s+safe|be\s+secure|be\s+accurate|never)\b"
        r"|\b(?:results|success|profits?|returns|weight\s+loss|approval)\s+(?:are\s+|is\s+)?guaranteed\b",
        (words("guarantee guarantees guaranteed"),),
    ),
    (
        r"\b100\s?(?:%|percent)\s+(?:safe|secure|accurate|guaranteed|risk[\s-]free|reliable|effective|certain|protected|"
        r"uptime|success|safety|security|accuracy|bug[\s-]free|error[\s-]free|correct)\b",
        (words("#"), words("% percent")),
    ),
    (
        r"\bzero\s+(?:risk|risks|chance\s+of\s+(?:failure|error|harm)|defects|vulnerabilities)\b"
        r"|\brisk[\s-]free\b(?!\s+(?:trial|cancellation|returns?))"  # a "risk-free trial" is a no-cost trial
        r"|\bno\s+risk\s+(?:at\s+all|whatsoever)\b|\bwithout\s+any\s+risk\b",
        (words("zero free risk"),),
    ),
    (r"\b100\s?(?:%|percent)\s+of\s+the\s+time\b", (words("time"), words("% percent"))),
    (
        r"\b(?:never|cannot|can't|will\s+never|won't\s+ever)\s+(?:fail|fails|break|breaks|crash|crashes|go\s+down|be\s+hacked|"
        r"be\s+breached|lose\s+(?:your\s+)?data|let\s+you\s+down)\b",
        (words("never cannot can won"), words("fail fails break breaks crash crashes down hacked breached lose")),
    ),
    (
        r"\b(?:completely|totally|perfectly|absolutely|fully|entirely)\s+(?:safe|secure|risk[\s-]free|foolproof|unhackable|"
        r"guaranteed|harmless)\b",
        (words("completely totally perfectly absolutely fully entirely"),),
    ),
    (r"\b(?:foolproof|fail[\s-]?proof|unhackable|unbreakable)\b", (words("foolproof failproof proof unhackable unbreakable"),)),
    # Paraphrases: removing every risk rather than naming a number. "eliminates all risk",
    # "prevents every attack", "removes any possibility of fraud".
    (
        r"\b(?:eliminat|remov|prevent|stop|block|eradicat|end)(?:es|e|s|ed|ing)?\s+(?:all|every|any)\s+(?:\w+\s+){0,2}?"
        r"(?:risks?|threats?|attacks?|breach(?:es)?|fraud|vulnerabilit(?:y|ies)|downtime|data\s+loss|failures?|liability|"
        r"danger|harm|side\s+effects|possibility\s+of\s+\w+|chance\s+of\s+\w+)\b",
        (
            words(
                "eliminate eliminates eliminated eliminating remove removes removed removing prevent prevents prevented "
                "preventing stop stops stopped stopping block blocks blocked blocking eradicate eradicates eradicated "
                "eradicating end ends ended ending"
            ),
            words("all every any"),
        ),
    ),
    (
        r"\bimpossible\s+to\s+(?:hack|breach|fail|crash|break|lose|go\s+wrong)\b|\bnothing\s+(?:can|will|could)\s+(?:ever\s+)?go\s+wrong\b"
        r"|\bno\s+chance\s+of\s+(?:failure|error|harm|loss|a\s+breach|being\s+hacked)\b"
        r"|\balways\s+(?:safe|secure|accurate|correct|protected)\b"  # not "always works": "it always works after a restart"
        r"|\bnever\s+(?:goes\s+down|lets\s+you\s+down|loses\s+(?:your\s+)?data|makes\s+(?:a\s+)?mistakes?)\b",
        (words("impossible nothing chance always never"),),
    ),
    (
        # "invest with no risk", "carries zero downside"; not "no risk factors were found" (a finding).
        r"\b(?:with|has|have|offers?|provides?|carries|carry|means)\s+(?:absolutely\s+)?(?:no|zero)\s+(?:risk|risks|downside|chance\s+of\s+failure)\b"
        r"(?!\s+(?:factors?|assessments?|register|scores?|levels?|profiles?|indicators?|flags?|were|was|is|are|found|identified|detected))",
        (words("no zero"), words("risk risks downside chance")),
    ),
)

_POPULATION_WORDS = words(
    "users people customers consumers clients buyers shoppers respondents participants adults americans "
    "europeans britons voters readers viewers visitors subscribers members doctors dentists physicians "
    "nurses experts scientists developers engineers programmers professionals employees workers managers "
    "executives ceos companies businesses firms organizations organisations teams patients parents "
    "students teachers children kids teens teenagers women men millennials households homeowners "
    "investors marketers travelers travellers drivers smokers individuals citizens residents gamers "
    "owners families couples startups enterprises"
)
_POPULATION = alternation(_POPULATION_WORDS)
_SMALL_NUMBER = r"(?:one|two|three|four|five|six|seven|eight|nine|ten)"
_CHANGE_VERBS = words(
    "improves improved increases increased boosts boosted raises raised lifts lifted cuts reduces reduced lowers lowered "
    "decreases decreased grows grew doubles doubled triples tripled slashes slashed drives drove saves saved "
    "accelerates accelerated speeds shrinks shrank halves halved"
)
_CHANGE_VERBS_PATTERN = alternation(_CHANGE_VERBS)
# A percentage or a multiplier: "47%", "47 percent", "3x", "2.5 times", "10-fold".
_AMOUNT = r"(?:\d{1,4}(?:[.,]\d{1,3})?\s?(?:%|percent|per\s+cent)|\d{1,4}(?:\.\d{1,2})?\s?(?:x|times|[\s-]?fold))"
# Where an amount ends: not inside a longer number or word ("3xl", "60.5"), but a sentence's
# full stop may follow it ("reduces incidents by 60%.").
_AMOUNT_END = r"(?!\w|[.,]\d)"
_COMPARATIVES = words(
    "more less fewer higher lower faster slower better cheaper greater increase decrease improvement reduction gain "
    "boost drop growth uplift jump rise lift"
)
_STATISTIC: tuple[Piece, ...] = (
    (
        r"(?<![\w.])\d{1,3}(?:[.,]\d{1,6})?\s?(?:%|percent|per\s+cent)\s+of\s+(?:all\s+|the\s+|our\s+|surveyed\s+|u\.?s\.?\s+)?"
        r"(?:\w+\s+)?" + _POPULATION + r"\b",
        (words("% percent cent"), words("of"), _POPULATION_WORDS),
    ),
    (
        # Starts with a digit class, not \b: lets the regex engine skip to digits.
        r"\d{1,9}\s+(?:out\s+of|in)\s+(?:\d{1,9}|" + _SMALL_NUMBER + r")\s+(?:\w+\s+)?" + _POPULATION + r"\b",
        (words("out in"), words("#"), _POPULATION_WORDS),
    ),
    (
        r"\b" + _SMALL_NUMBER + r"\s+(?:out\s+of|in)\s+(?:\d{1,9}|" + _SMALL_NUMBER + r")\s+(?:\w+\s+)?" + _POPULATION + r"\b",
        (words("out in"), words("one two three four five six seven eight nine ten"), _POPULATION_WORDS),
    ),
    (r"(?<![\w.])\d{1,9}(?:\.\d{1,6})?\s?(?:x|times)\s+more\s+likely\b", (words("likely"), words("more"))),
    (
        r"\b(?:half|a\s+third|two[\s-]thirds|a\s+quarter|three[\s-]quarters)\s+of\s+(?:all\s+|the\s+|our\s+)?(?:\w+\s+)?"
        + _POPULATION + r"\b",
        (words("half third thirds quarter quarters"), words("of"), _POPULATION_WORDS),
    ),
    # Effect sizes, however phrased: "improves productivity by 47% across all teams", "cut costs
    # 30%", "boosts conversion up to 3x". Third-person and past forms only: "increase the
    # timeout by 50%" is an instruction, not a claim.
    (
        r"\b(?:" + _CHANGE_VERBS_PATTERN + r")\b(?:\s+[\w'-]+){0,5}?\s+(?:by\s+|up\s+to\s+|nearly\s+|almost\s+|over\s+|more\s+than\s+|an?\s+)*"
        + _AMOUNT + _AMOUNT_END,
        (_CHANGE_VERBS, words("#")),
    ),
    # "a 47% increase in productivity", "3x faster", "40% fewer incidents".
    (
        r"(?<![\w.])" + _AMOUNT + r"\s+(?:more|less|fewer|higher|lower|faster|slower|better|cheaper|greater|increase|decrease|"
        r"improvement|reduction|gain|boost|drop|growth|uplift|jump|rise|lift)\b",
        (words("#"), _COMPARATIVES),
    ),
    # "productivity rose 47%", "churn fell by a third".
    (
        r"\b(?:productivity|revenue|sales|conversions?|engagement|retention|efficiency|performance|output|profits?|roi|churn|"
        r"costs?|errors?|incidents?|satisfaction|growth)\s+(?:rose|rises|grew|grows|jumped|jumps|fell|falls|dropped|drops|climbed|"
        r"climbs|soared|soars|increased|decreased|improved|doubled|tripled)\s+(?:by\s+)?" + _AMOUNT + _AMOUNT_END,
        (words("#"), words("rose rises grew grows jumped jumps fell falls dropped drops climbed climbs soared soars increased decreased improved doubled tripled")),
    ),
)
# A change in a price is a price, not a claim about results: "Rent increased by 3% in 2023",
# "the store cut prices by 20%", "tickets are 10% cheaper", "save 25% on orders over $50".
# Messages report prices, fees, taxes and interest rates all the time; the boundary rule is for
# effect sizes claimed for a product or practice ("improves productivity by 47%"). Known cost: a
# product claim about a price ("our tool cuts fees by 30%") is not flagged either.
_PRICE_QUANTITY = lazy_compile(
    r"\b(?:prices?|pricing|priced|rents?|fees?|fares?|tax(?:es)?|tariffs?|inflation|(?:interest|mortgage|exchange|tax|"
    r"bank|base|lending|savings)\s+rates?|wages?|salar(?:y|ies)|premiums?|tuition|postage|bills?|stocks?|yields?|"
    r"discounts?|coupons?|rebates?|cheaper|pricier)\b"
)
_DISCOUNT = lazy_compile(r"\bsave[sd]?\s+(?:you\s+)?\S+\s+(?:on|off)\b|%\s+off\b")
# A dated change with nobody credited for it is a report, not a claim about results: "Sales
# increased by 12% last quarter", "membership grew 8% in 2023" (as "engagement was up 3% this
# quarter"). It must be intransitive (the quantity changed; nothing "improves productivity by
# 47%"), anchored to a time, and carry no cause ("rose 47% after rollout", "with our tool").
_REPORTED_CHANGE = lazy_compile(
    r"^[\w'-]+\s+(?:by\s+|up\s+to\s+|nearly\s+|almost\s+|over\s+|more\s+than\s+|an?\s+)*\d"
    r"|^(?:productivity|revenue|sales|conversions?|engagement|retention|efficiency|performance|output|profits?|roi|churn|"
    r"costs?|errors?|incidents?|satisfaction|growth)\s+[\w'-]+\s+(?:by\s+)?\d"
)
_TIME_ANCHOR = lazy_compile(
    r"\b(?:19|20)\d{2}\b|\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b|\bq[1-4]\b|\b(?:yesterday|today|tonight)\b"
    r"|\b(?:last|this|next|past|previous|each|every|per|a)\s+(?:week|month|quarter|year|season|decade|day)\b"
    r"|\b(?:first|second|third|fourth|final)\s+(?:quarter|half)\b|\b(?:year|month|quarter|week)[\s-]on[\s-](?:year|month|quarter|week)\b"
    r"|\b(?:year|month|quarter|week)[\s-]over[\s-](?:year|month|quarter|week)\b|\b(?:annually|monthly|weekly|daily)\b"
    r"|\b(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|"
    r"jul|aug|sep|sept|oct|nov|dec|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
)
_CAUSE = lazy_compile(
    r"\b(?:after|thanks\s+to|because|due\s+to|following|with|using|once|when|since\s+(?:we|you|they|the|our|adopting|"
    r"switching|using|introducing|launching)|by\s+(?:using|adopting|switching|introducing)|from\s+(?:using|adopting))\b"
)
# A measured result reported in the past tense needs no date: "The results are in: revenue grew
# 4%", "sign-ups rose 8%", "latency dropped 12%". Like a dated report, the quantity changed (no
# agent "improves productivity by 47%") and no cause is credited ("rose 47% after rollout"); and
# it is not generalised ("rose 47% across all teams", "for every customer"): a claim about
# everyone needs a source, one result of one's own does not. Known cost: a bare boast in the
# past tense ("Productivity rose 47%.") passes too; with a cause or an "all" it is still flagged.
_PAST_TENSE_CHANGE = lazy_compile(r"^(?:[\w'-]+\s+)?(?:rose|grew|fell|shrank|sank|[\w'-]+ed)\s+(?:by\s+|nearly\s+|almost\s+|over\s+|more\s+than\s+|an?\s+)*\d")
# The same result told by whoever measured it: "We cut p95 latency by 12%", "our team reduced build
# times by 40%": the writer (not a product, not a practice) changed their own quantity, in the past
# tense; a cause or a generalisation still makes it a claim ("with our tool", "for every client").
_OWN_RESULT = lazy_compile(r"(?:^|\b)(?:we|i|our\s+team|the\s+team)\s+(?:just\s+|finally\s+|have\s+|'ve\s+)?$")
_PAST_TENSE_VERB = lazy_compile(r"^(?:[\w'-]+ed|grew|rose|fell|cut|shrank|drove|halved|slashed)\b")
_GENERALISED = lazy_compile(r"\b(?:all|every|everyone|everybody|any|always|across|universally|wherever|whoever)\b")
# The words that can name the changed quantity: the clause's last few words before the match
# ("Interest rates increased 0.25%") and the match itself up to its amount ("cut prices by 20%").
_SUBJECT_WORDS = 4


# One RE2 pass that every _STATISTIC match must contain: each piece with its look-arounds and
# word boundaries dropped and its counts relaxed, so it matches wherever a piece could (a
# superset), in RE2's Unicode classes for Python's \d and \s. Most messages hold no candidate,
# and RE2 scans a kilobyte once in a few microseconds where the eight Python patterns took
# ~60 µs between them; when it finds one, the Python patterns decide exactly as before.
_D = r"\p{Nd}"
_S = r"[\s\p{Z}\x{0b}\x{1c}-\x{1f}\x{85}]"
_STATISTIC_TRIGGER = (
    rf"{_D}{_S}?(?:%|percent|per{_S}+cent|x|times|(?:{_S}|-)?fold)"  # percentages and multipliers (5 pieces)
    rf"|(?:{_D}|{_SMALL_NUMBER}){_S}+(?:out{_S}+of|in){_S}+(?:{_D}|{_SMALL_NUMBER})"  # "9 out of 10", "one in five"
    rf"|(?:half|third|thirds|quarter|quarters){_S}+of{_S}"  # "two-thirds of parents"
)
_SOURCE: tuple[Piece, ...] = (
    (r"\baccording\s+to\b|\bdata\s+from\b|\bpublished\s+(?:in|by)\b|\bet\s+al\b|\bdoi\b", (words("according data published et doi"),)),
    (r"\bsources?\s*:|\bsourced?\s+from\b|\bcit(?:ed|ing|ation|es)\b", (words("source sources sourced cited citing citation cites"),)),
    (r"\bper\s+(?:the|a)\s+\w+", (words("per"),)),
    (
        r"\b(?:survey|poll|study|report|paper|analysis|census)\s+(?:by|from|of|published|conducted)\b",
        (words("survey poll study report paper analysis census"),),
    ),
    (r"https?://|\bwww\.|\[\d+\]|\bn\s?=\s?\d", (words("http https www [ n"),)),
    (r"\([a-z][a-z-]+(?:\s+et\s+al\.?)?,?\s+(?:19|20)\d{2}\)", (words("("), words("#"))),
    (r"\b(?:telemetry|analytics\s+dashboard|server\s+logs)\b", (words("telemetry analytics logs"),)),
    # Own measurements, pointed to: "in our benchmark", "from the 2024 pilot", "(see docs/benchmarks.md)".
    (
        r"\b(?:in|from|on|during)\s+(?:our|the|a|this|that|its)\s+(?:\w+\s+){0,2}?(?:benchmarks?|experiments?|trials?|pilot|"
        r"evaluations?|measurements?|a/b\s+tests?|load\s+tests?|tests?|study|studies|audit|survey|poll)\b|\bmeasured\s+(?:on|in|with|by|over)\b",
        (words("benchmark benchmarks experiment experiments trial trials pilot evaluation evaluations measurement measurements test tests study studies audit survey poll measured"),),
    ),
    (r"\(see\s+[^)\n]{2,120}\)|\bsee\s+(?:docs?|appendix|table|figure|fig\.|section|the\s+(?:report|appendix|table|figure))\b", (words("see"),)),
    (r"\b[\w.-]+/[\w./-]*\.(?:md|csv|json|html|pdf|txt|ipynb|xlsx)\b", (words("md csv json html pdf txt ipynb xlsx"),)),
    (r"\b(?:19|20)\d{2}\s+(?:\w+\s+){0,2}?(?:survey|poll|study|report|census)\b", (words("survey poll study report census"), words("#"))),
    # A named source attributed as news writes it: "..., the CDC reports", "Gartner estimated that...".
    # Vague or first-person attributions name no one and stay unsourced: "experts say", "new
    # research shows", "industry data shows", "a study finds", "we found", "our team found".
    (
        r"(?:^|[,;:.!?(]\s*|\n)(?!(?:our|my|we|i|us)\b)(?:[\w.&'-]+\s+){0,3}?"
        r"(?!(?:experts?|sources?|data|numbers|figures|evidence|research|studies|study|surveys?|polls?|reports?|analysts|"
        r"scientists|researchers|doctors|insiders|people|users|customers|everyone|everybody|they|we|i|it|this|that)\s)"
        r"[\w.&'-]+\s+(?:says|said|reports|reported|finds|found|estimates|estimated|shows|showed)\b",
        (words("says said reports reported finds found estimates estimated shows showed"),),
    ),
)
_MATURITY: Piece = (
    r"\b(?:production[\s-](?:ready|grade|proven)|battle[\s-](?:tested|hardened|proven)|enterprise[\s-](?:grade|ready|class)|"
    r"military[\s-]grade|bank[\s-]grade|industrial[\s-]strength|rock[\s-]solid|proven\s+at\s+scale|field[\s-]proven|"
    r"market[\s-]proven|bulletproof|ready\s+for\s+production|production[\s-]quality|tested\s+at\s+scale)\b",
    (words("production battle enterprise military bank industrial rock proven bulletproof scale"),),
)
_EVIDENCE: tuple[Piece, ...] = (
    (r"\b(?:used|running|deployed|in\s+production|relied\s+on)\s+(?:by|at|in|across)\b", (words("used running deployed production relied"),)),
    (r"\bbenchmark(?:s|ed)?\b|\btest\s+coverage\b|\bcoverage\s+of\s+\d|\bcase\s+stud(?:y|ies)\b", (words("benchmark benchmarks benchmarked coverage case"),)),
    (
        r"\baudit(?:s|ed)?\b|\bcertified\b|\bsoc\s?2\b|\biso\s?27001\b|\bpen(?:etration)?[\s-]?test(?:s|ed)?\b",
        (words("audit audits audited certified soc iso pen penetration pentest pentests"),),
    ),
    (r"\bcustomers?\s+(?:including|such\s+as|like)\b|\bsince\s+(?:19|20)\d{2}\b", (words("customer customers since"),)),
    (
        r"\b\d[\d,.]{0,15}\+?\s*(?:k|m|million|thousand)?\s+(?:customers|companies|deployments|installations|requests|users|"
        r"organizations|organisations)\b",
        (words("#"), words("customers companies deployments installations requests users organizations organisations")),
    ),
    (r"https?://|\baccording\s+to\b|\buptime\s+(?:of|record)\b", (words("http https according uptime"),)),
)
# A maturity claim is not made when it is negated, a goal or a question: "not production-ready",
# "until it is battle-tested", "we aim to be enterprise-grade".
_NOT_CLAIMED = lazy_compile(
    r"\b(?:no|not|never|isn't|aren't|wasn't|nothing|without|yet|until|before|once|when|whether|if|"
    r"make|making|get|getting|become|becoming|towards?|aim|aims|aiming|goal|plan|plans|planned|roadmap|path\s+to|"
    r"strive|hope|hoping|want|wants|need|needs|needed|far\s+from|claims?\s+of|beware)\b",
    re.IGNORECASE,
)


def _anchored(pieces: Sequence[Piece], gap_pattern: str = "") -> AnchoredAny:
    return AnchoredAny(Anchored(pattern.replace("{gap}", gap_pattern), *groups) for pattern, groups in pieces)


class BoundaryEnforcer:
    name: ClassVar[str] = "boundary_enforcer"
    kind: ClassVar[str] = "service"
    stateful: ClassVar[bool] = False  # a pure function of the text: the governor may cache it
    Settings: ClassVar[type[CheckSettings]] = BoundaryEnforcerSettings

    def __init__(self, settings: BoundaryEnforcerSettings) -> None:
        self.settings = settings
        g = gap(settings.values_max_gap_words)
        # Patterns are lower-case and run case-sensitively on the lower-cased views that
        # normalization provides (offsets kept): about twice as fast as IGNORECASE.
        self._values = tuple((rule_id, what, _anchored(pieces, g)) for rule_id, (what, pieces) in _VALUES_RULES.items())
        self._assurance = _anchored(_ABSOLUTE_ASSURANCE)
        self._statistic = _anchored(_STATISTIC)
        self._statistic_trigger = re2.compile(_STATISTIC_TRIGGER, _RE2_OPTIONS)
        self._source = _anchored(_SOURCE)
        self._maturity = Anchored(_MATURITY[0], *_MATURITY[1])
        self._evidence = _anchored(_EVIDENCE)
        self._hit_gate_built: AsciiGate | None = None  # `_hit_gate`, built on the first text

    def _hit_gate(self) -> AsciiGate | None:
        """One RE2 scan over a view for every pattern a finding can come from (each rule's hits
        are matches of its patterns; the source and evidence patterns only withdraw a hit). On
        ASCII text it finds nothing, as in most texts, only where none of those patterns has a
        match: then no rule can find anything in that view, and none runs. One scan costs what
        each pattern's own gate costs (~5 µs a kilobyte), where the rules cost ~30 µs a view.
        None when a pattern has no RE2 form (then every view runs, as before). Built on the
        first text, not with the policy: joining the sources is milliseconds of start-up."""
        gate = self._hit_gate_built
        if gate is None:
            hit_patterns = [p for _, _, pieces in self._values for p in pieces.patterns]
            hit_patterns += [*self._assurance.patterns, *self._statistic.patterns, self._maturity]
            sources = [pattern.gate_source() for pattern in hit_patterns]
            if any(source is None for source in sources):
                return None
            gate = self._hit_gate_built = AsciiGate("|".join(source for source in sources if source is not None))
        return gate

    # -- domain API ------------------------------------------------------------------------
    def enforce(self, text: str) -> tuple[Finding, ...]:
        """The boundary findings for `text` (normalized first). Empty means no boundary is crossed."""
        return tuple(self.evaluate(CheckContext(action=Action(text=text), text=normalize(text), state=GovernanceState())))

    # -- Check interface -------------------------------------------------------------------
    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        ntext = ctx.text
        # The plain view first; the leet-decoded view ("zer0 r1sk") only where it differs. ASCII
        # text (the usual case after normalization) lower-cases with str.lower, which keeps
        # offsets there; otherwise the normalizer's offset-preserving lower-case view is used.
        views: list[tuple[str, Callable[[int, int], Span]]] = [
            (ntext.text.lower() if ntext.text.isascii() else ntext.lower_text, ntext.to_original_span)
        ]
        if ntext.words != ntext.text:
            lower_words = ntext.words.lower() if ntext.words.isascii() else ntext.lower_words
            views.append((lower_words, ntext.words_to_original_span))
        gate = self._hit_gate()
        if gate is not None:
            views = [(text, to_original) for text, to_original in views if gate.may_match(text)]
            if not views:
                return []  # no rule can find anything (and the word set is not needed)
        present = present_words(ntext)
        found: list[Finding] = []
        for rule in self.settings.rules:
            for text, to_original in views:
                hits = self._RULES[rule](self, text, present)
                if hits:
                    found.extend(self._finding(rule, rule_id, message, text, m, to_original) for rule_id, message, m in hits)
                    break
        return found

    def _finding(
        self, category: str, rule_id: str, message: str, text: str, m: re.Match[str], to_original: Callable[[int, int], Span]
    ) -> Finding:
        return Finding(
            source=self.name,
            source_kind=self.kind,
            category=category,
            severity=Severity.HIGH,
            rule_id=rule_id,
            message=message,
            span=to_original(m.start(), m.end()),
            evidence=excerpt(text, m.start(), m.end()),
            verdict=Verdict.ESCALATE,
        )

    def _values_decisions(self, text: str, present: frozenset[str]) -> list[Hit]:
        window = self.settings.negation_window_chars
        hits: list[Hit] = []
        for rule_id, what, pieces in self._values:
            m = pieces.first(text, present)
            # "we will never sell customer data", "don't trade accuracy for speed": a refusal
            # holds the line; it does not decide the question the other way.
            if m is not None and not _is_quoted(text, m) and not is_negated(text, m.start(), window):
                hits.append((rule_id, f"decides {what}: a person must decide", m))
        return hits

    def _absolute_assurance(self, text: str, present: frozenset[str]) -> list[Hit]:
        window = self.settings.negation_window_chars
        for m in self._assurance.finditer(text, present):
            if not is_negated(text, m.start(), window):
                return [("boundary.absolute_assurance", "absolute assurance: no one can promise this", m)]
        return []

    def _unsourced_statistic(self, text: str, present: frozenset[str]) -> list[Hit]:
        if not self._may_hold_statistic(text):
            return []
        for m in self._statistic.finditer(text, present):
            if (
                _reports_a_price(text, m, self.settings.negation_window_chars)
                or _reports_a_dated_change(text, m)
                or _reports_own_result(text, m, self.settings.negation_window_chars)
            ):
                continue
            if self._source.first(text, present):
                return []
            return [("boundary.unsourced_statistic", "statistic with no source: cite where it comes from", m)]
        return []

    def _may_hold_statistic(self, text: str) -> bool:
        if text.isascii():  # the same bytes the wrapper would pass, without its match object
            return leftmost_start(self._statistic_trigger, text.encode("ascii")) >= 0
        try:
            return self._statistic_trigger.search(text) is not None
        except UnicodeError:  # lone surrogates cannot be encoded for RE2: let the patterns decide
            return True

    def _unverified_maturity_claim(self, text: str, present: frozenset[str]) -> list[Hit]:
        window = self.settings.negation_window_chars
        for m in self._maturity.finditer(text, present):
            disowned = _NOT_CLAIMED.search(clause_before(text, m.start(), window))
            if disowned or sentence_at(text, m.start(), m.end()).rstrip().endswith("?"):
                continue
            if self._evidence.first(text, present):
                return []
            return [("boundary.unverified_maturity_claim", "maturity claim with no evidence", m)]
        return []

    _RULES: ClassVar[dict[str, Callable[[BoundaryEnforcer, str, frozenset[str]], list[Hit]]]] = {
        "values_decision": _values_decisions,
        "absolute_assurance": _absolute_assurance,
        "unsourced_statistic": _unsourced_statistic,
        "unverified_maturity_claim": _unverified_maturity_claim,
    }


def _is_quoted(text: str, m: re.Match[str]) -> bool:
    """A quoted phrase is mentioned, not proposed: "what does 'maximize engagement' mean?".
    An unquoted question ("should we optimize for maximum engagement?") still asks to decide."""
    before = text[max(0, m.start() - 1) : m.start()]
    after = text[m.end() : m.end() + 1]
    return before in ("'", '"', "\u201c") and after in ("'", '"', "\u201d")


def _reports_a_price(text: str, m: re.Match[str], window: int) -> bool:
    """True when the statistic at `m` is a change in a price or a discount (see _PRICE_QUANTITY)."""
    head = clause_before(text, m.start(), window).split()[-_SUBJECT_WORDS:]
    changed = " ".join(head) + " " + m.group()
    return _PRICE_QUANTITY.search(changed) is not None or _DISCOUNT.search(text, m.start(), m.end() + 4) is not None


def _reports_a_dated_change(text: str, m: re.Match[str]) -> bool:
    """True when the statistic at `m` is an uncredited change, dated (see _REPORTED_CHANGE) or a
    measured result in the past tense that claims nothing general (see _PAST_TENSE_CHANGE)."""
    if _REPORTED_CHANGE.search(m.group()) is None:
        return False
    sentence = _sentence_around(text, m.start(), m.end())
    if _CAUSE.search(sentence) is not None:
        return False
    if _TIME_ANCHOR.search(sentence) is not None:
        return True
    return _PAST_TENSE_CHANGE.search(m.group()) is not None and _GENERALISED.search(sentence) is None


def _reports_own_result(text: str, m: re.Match[str], window: int) -> bool:
    """True when the writer reports a change they made, in the past tense, with no cause credited
    and nothing general claimed (see _OWN_RESULT)."""
    if _PAST_TENSE_VERB.search(m.group()) is None or _OWN_RESULT.search(clause_before(text, m.start(), window)) is None:
        return False
    sentence = _sentence_around(text, m.start(), m.end())
    return _CAUSE.search(sentence) is None and _GENERALISED.search(sentence) is None


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end], ended by ". ", "! ", "? " or a newline: unlike
    patterns.sentence_at, a dotted date ("on 13.05.2018") stays inside its sentence."""
    left = max(text.rfind(". ", 0, start), text.rfind("! ", 0, start), text.rfind("? ", 0, start), text.rfind("\n", 0, start))
    ends = [i for i in (text.find(c, end) for c in (". ", "! ", "? ", "\n")) if i != -1]
    return text[left + 1 : min(ends) + 1 if ends else len(text)]
