"""Query Writer: a hard query at the level of the advanced tool.

Every lifted value must be in the query (answerable) and no intermediate value may be (implicit):
both are checked mechanically by `check_query`, whoever wrote the query. The model-free writer
speaks as a user: each goal's request from the domain's phrasing data (or the realiser, for tools
from elsewhere), the values woven into the sentence with the words that name them, the fields the
user wants back asked for in plain words, and seeded greetings, context and politeness around it.
It never writes a tool name, a parameter label, a key-value block or a description clause.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol

from pydantic import Field

from hardgen.graph import COMPUTED_RESULT_NAMES
from hardgen.schema import Record, Step, ToolSpec
from hardgen.synth import _voice as voice
from hardgen.synth._advanced_tool import AdvancedTool, ElementSelector
from hardgen.synth._answering import field_noun, qualified_key
from hardgen.synth._phrasing import builtin_phrasing, tool_phrasing
from hardgen.synth._slots import REFERENCE, extract_values
from hardgen.synth._text import humanize, is_id_like, value_atoms
from hardgen.tools import is_status_text
from hardgen.verify import value_in_text

_ANSWER_KEY_PRIORITY = re.compile(
    r"(status|total|balance|price|amount|cost|count|temperature|distance|duration|result|value|"
    r"id$|_id$|number|code|name|title|date|time|level|score|rate|quantity)"
)

REFERENCE_PHRASE = REFERENCE
"""The canonical form of a reference to a value the conversation already produced (a later turn
referring to an earlier result): the agent must find it in the earlier turns. Queries vary the
wording ("the same order as before", "the route from earlier", see `_voice.REFERENCES`);
`_slots.extract_values` reads every variant back as this phrase."""


class HardQuery(Record):
    text: str
    lifted_values: dict[str, Any] = Field(default_factory=dict)
    answer_fields: list[str] = Field(default_factory=list)
    answer_values: list[Any] = Field(default_factory=list)
    noise: list[str] = Field(default_factory=list)


class QueryWriter(Protocol):
    async def write(self, tool: AdvancedTool, arguments: Mapping[str, Any], steps: Sequence[Step],
                    tools: Mapping[str, ToolSpec], rng: random.Random,
                    references: Collection[str] = ()) -> HardQuery: ...


def intermediate_values(steps: Sequence[Step], lifted: Mapping[str, Any]) -> list[Any]:
    """Values that flowed from one call's output into another's input and are not also stated by
    the user: the implicit steps' values a hard query must not reveal."""
    stated = {str(a).lower() for v in lifted.values() for a in value_atoms(v)}
    found: list[Any] = []
    for step in steps:
        for source in step.sources:
            for atom in value_atoms(step.call.arguments.get(source.parameter)):
                if str(atom).lower() in stated:
                    continue
                if isinstance(atom, (int, float)) and abs(atom) < 100:
                    continue  # small numbers (counts, indices) appear in ordinary prose by chance
                if isinstance(atom, str) and len(atom) < 3:
                    continue
                found.append(atom)
    return found


def check_query(text: str, lifted: Mapping[str, Any], steps: Sequence[Step],
                references: Collection[str] = ()) -> list[str]:
    """Problems that make a query unusable: a lifted value missing, or an intermediate value shown.
    `references` are lifted values the conversation already holds (an earlier turn's result); the
    query may name them instead of repeating them."""
    problems = []
    for name, value in lifted.items():
        if name in references:
            continue
        for atom in value_atoms(value):
            if not value_in_text(atom, text):
                problems.append(f"unanswerable: the value of {name!r} is not in the query")
                break
    for atom in intermediate_values(steps, lifted):
        if value_in_text(atom, text):
            problems.append("leaks an intermediate value that the agent must look up itself")
            break
    named = names_a_tool(text, [s.call.name for s in steps])
    if named:
        problems.append(f"names the tool {named!r}: say what you want, not which function does it")
    narration = narrates_steps(text)
    if narration:
        problems.append(f"narrates the steps ({narration!r}): leave how to do it to the assistant")
    return problems


_MULTI_WORD_IDENTIFIER = re.compile(r"_|[a-z][A-Z]")
_NARRATION = re.compile(
    r"\bstep\s*(?:\d|one|two|three)\b|\bstep[- ]by[- ]step\b"
    r"|\b(?:call|invoke|use|run)\s+(?:the\s+)?[\w-]+\s+(?:tool|function|api|endpoint)\b"
    r"|\bfirst\b[^.!?]{0,80}?\b(?:look(?:ing)?\s+up|find(?:ing)?\s+out|search(?:ing)?\s+for|fetch|retriev\w*)\b"
    r"[^.!?]{0,80}?\b(?:then|after\s+that|next)\b"
    r"|\b(?:look\s+up|find)\s+what\s+you\s+need\b",
    re.I,
)


def names_a_tool(text: str, tools: Collection[str]) -> str | None:
    """A tool name written as code in `text` (`get_order`, `createTicket`). One-word names (`cd`,
    `login`) are ordinary words and are not counted."""
    for name in dict.fromkeys(tools):
        if _MULTI_WORD_IDENTIFIER.search(name) and re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text, re.I):
            return name
    return None


def narrates_steps(text: str) -> str | None:
    """The phrase where `text` tells the assistant how to work ("first look up ..., then ...",
    "use the search tool", "step 1"), or None. A hard query states the goal, never the steps."""
    match = _NARRATION.search(text)
    return match.group(0) if match else None


def answer_fields(steps: Sequence[Step], goal_steps: Sequence[int], lifted: Mapping[str, Any],
                  limit: int = 2) -> list[tuple[str, Any]]:
    """Fields of the goal steps' results that the user asks to be told, most informative first."""
    stated = {str(a).lower() for v in lifted.values() for a in value_atoms(v)}
    # A sum that is then rounded is a step on the way: the user asks for the rounded one.
    passed_on = {(s.step, str(s.path[-1])) for step in steps for s in step.sources
                 if s.path and str(s.path[-1]).lower() in COMPUTED_RESULT_NAMES}
    picked: list[tuple[str, Any]] = []
    for i in goal_steps:
        result = steps[i].observation.result if i < len(steps) else None
        if not isinstance(result, dict):
            continue
        scalars = [(k, v) for k, v in result.items()
                   if isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).lower() not in stated
                   and (i, k) not in passed_on
                   and (not isinstance(v, str) or 0 < len(v) <= 60) and not is_status_text(v)]
        scalars.sort(key=lambda kv: (0 if _ANSWER_KEY_PRIORITY.search(kv[0]) else 1, kv[0]))
        for key, value in scalars[:limit]:
            if isinstance(value, str) and len(value.split()) > 6:
                continue
            picked.append((key, value))
    return picked


def _field_nouns(steps: Sequence[Step], goal_steps: Sequence[int], keys: Sequence[str]) -> dict[str, str]:
    """How the user names each asked-for field: by the first goal step whose result has it."""
    nouns: dict[str, str] = {}
    for key in keys:
        tool = next((steps[i].call.name for i in goal_steps if i < len(steps)
                     and isinstance(steps[i].observation.result, dict) and key in steps[i].observation.result), "")
        nouns[key] = field_noun(qualified_key(key, tool) if tool else key)
    return nouns


class ModelFreeQueryWriter:
    """A user's request woven from phrasing data and the lifted values; never states intermediate values."""

    name = "model-free"

    def __init__(self, noise: bool = True, ask_back: bool = True) -> None:
        self.noise = noise
        self.ask_back = ask_back

    async def write(self, tool: AdvancedTool, arguments: Mapping[str, Any], steps: Sequence[Step],
                    tools: Mapping[str, ToolSpec], rng: random.Random,
                    references: Collection[str] = ()) -> HardQuery:
        return self.compose(tool, arguments, steps, tools, rng, references)

    def compose(self, tool: AdvancedTool, arguments: Mapping[str, Any], steps: Sequence[Step],
                tools: Mapping[str, ToolSpec], rng: random.Random, references: Collection[str] = ()) -> HardQuery:
        """A query that passes `check_query`: a phrasing whose everyday words happen to name an
        intermediate value ("at home" when the room looked up is Home) is drawn again."""
        query = self._draw(tool, arguments, steps, tools, rng, references, filler=True)
        for attempt in range(6):
            if not check_query(query.text, arguments, steps, references):
                break
            query = self._draw(tool, arguments, steps, tools, rng, references, filler=attempt < 3)
        return query

    def _draw(self, tool: AdvancedTool, arguments: Mapping[str, Any], steps: Sequence[Step],
              tools: Mapping[str, ToolSpec], rng: random.Random, references: Collection[str],
              filler: bool) -> HardQuery:
        goal_tools = list(dict.fromkeys(tool.steps[i].tool for i in tool.goal_steps if i < len(tool.steps)))
        requests = []
        for name in goal_tools:
            spec = tools.get(name)
            asks = tool_phrasing(spec).ask if spec is not None else [name.replace("_", " ")]
            requests.append(_refer_back(re.sub(r"\{\w+\}", "it", rng.choice(asks)), tool, name, tools))
        plain = plain_values(arguments, tool.parameters.get("properties", {}))
        selectors = _selector_entities(tool)
        mentions = []
        mention_params: list[str] = []
        properties = tool.parameters.get("properties", {})
        for pname, value in arguments.items():
            if value in ([], {}, "", None):
                continue  # "no tags", "no mentions": nothing a person would say ("the tags should be ''")
            schema = properties.get(pname)
            if isinstance(schema, dict) and "default" in schema and schema["default"] == value \
                    and pname not in tool.parameters.get("required", []):
                continue  # "use the max count 10" when 10 is what the tool does anyway
            mention_params.append(pname)
            if pname in references:
                text = rng.choice(voice.REFERENCES).format(n=re.sub(r" ids?$", "", voice.noun(pname)))
            else:
                text = voice.render(value, pname in plain)
            if pname in references:
                mentions.append((rng.choice((f"with {text}", f"for {text}")), f"use {text}"))
            elif pname in selectors:
                mentions.append(voice.selection(selectors[pname], text, rng))
            else:
                schema = tool.parameters.get("properties", {}).get(pname, {})
                words = voice.label(pname, str(schema.get("description", ""))) if isinstance(schema, dict) else None
                mentions.append(voice.mention(pname, text, rng, value, words))
        paired = list(zip(mention_params, mentions, strict=True))
        rng.shuffle(paired)
        short = all(spec is not None and (spec.environment or "", spec.name) in builtin_phrasing()
                    for spec in (tools.get(n) for n in goal_tools[:1]))
        # Only a value of the first request's own call, or of the calls before it that serve it,
        # goes inline: "rate a place for the destination PL-9" would say which place to rate,
        # and it is another one.
        first_goal = min(tool.goal_steps, default=len(tool.steps) - 1)
        first_params = {b.param for t in tool.steps[:first_goal + 1] for b in t.arguments.values() if b.kind == "param"}
        paired.sort(key=lambda pm: pm[0] not in first_params)
        mentions = [m for _, m in paired]
        n_inline = min(2, sum(pm[0] in first_params for pm in paired)) if short else 0
        inline = [m[0] for m in mentions[:n_inline]]
        statements = [m[1] for m in mentions[n_inline:]]
        if len(inline) == 2 and rng.random() < 0.4:
            statements.insert(0, mentions[1][1])
            inline = inline[:1]
        first = requests[0] + (" " + voice.join_list(inline) if inline else "")
        request = first
        for other in requests[1:]:
            request = rng.choice(voice.JOINS).format(a=request, b=other)
        fields = answer_fields(steps, tool.goal_steps, arguments) if self.ask_back else []
        fields = [(k, v) for k, v in fields if not is_id_like(v) or k.endswith("id")]
        nouns = _field_nouns(steps, tool.goal_steps, [k for k, _ in fields])
        field_text = voice.join_list([f"the {nouns[k]}" for k in dict.fromkeys(k for k, _ in fields)])
        field_text = field_text[len("the "):] if field_text.startswith("the ") else field_text
        inline_ask = bool(fields) and rng.random() < 0.3
        if inline_ask:
            request += " " + rng.choice(voice.ASK_INLINE).format(f=field_text)
        frame = rng.choice(voice.FRAMES)
        sentence = frame.replace("{R}", voice.capitalise(request)).replace("{r}", request)
        sentence = re.sub(r"\bfor me for me\b", "for me", sentence)  # a request that ends "for me" in a frame that adds it
        parts = [sentence]
        if statements:
            parts.append(voice.capitalise(voice.join_list(statements)) + ".")
        if fields and not inline_ask:
            parts.append(rng.choice(voice.ASKS).format(f=field_text))
        noise: list[str] = []
        later = bool(steps) and steps[0].turn > 0
        if later:
            parts.insert(0, rng.choice(voice.LATER_OPENERS))
        elif self.noise and filler and rng.random() < 0.45:
            parts.insert(0, rng.choice(voice.GREETINGS))
        if self.noise and filler and rng.random() < 0.45:
            sentence = rng.choice(voice.CONTEXT)
            noise.append(sentence)
            parts.insert(rng.randrange(1 if later else 0, len(parts) + 1), sentence)
        if self.noise and filler and rng.random() < 0.3:
            parts.append(rng.choice(voice.CLOSERS))
        text = voice.articles(" ".join(p.strip() for p in parts if p.strip()))
        return HardQuery(
            text=text,
            lifted_values=dict(arguments),
            answer_fields=[k for k, _ in fields],
            answer_values=[v for _, v in fields],
            noise=noise,
        )


_ACTOR_FIELDS = frozenset({"username", "author", "owner", "created_by", "creator"})
"""Fields of a write's result that name who made it: the user who asked for the write (unless
the write makes a person: a new contact's username is theirs, see `_MAKES_PEOPLE`)."""
_MAKES_PEOPLE = frozenset({"user", "contact", "member", "account", "person", "customer", "employee", "profile",
                           "friend", "follower", "participant", "guest", "attendee"})


def _to_self(request: str) -> str:
    """ "get statistics for a user" -> "get statistics for me", "the user tweets" -> "my tweets"."""
    request = re.sub(r"\b(?:a|an|the|one|that)(?: specific| given| particular)? user's\b", "my", request)
    request = re.sub(r"\bthe user (?=\w+s\b)", "my ", request, count=1)
    request = re.sub(r"\b(?:all )?(?:the )?(\w+s) (?:from|of|by) (?:a|an|the|one)(?: specific| given)? user\b",
                     r"all my \1", request, count=1)
    return re.sub(r"\b(?:a|an|the|one|that)(?: specific| given| particular)? (?:user|person|account holder)\b",
                  "me", request, count=1)


_PEOPLE = frozenset({"user", "person", "customer", "contact", "employee", "member", "friend", "receiver", "sender",
                     "recipient", "owner", "traveler", "traveller", "passenger", "candidate", "patient", "guest"})


def _refer_back(request: str, tool: AdvancedTool, name: str, tools: Mapping[str, ToolSpec] | None = None) -> str:
    """ "comment on a tweet" -> "comment on it" when the tweet is one an earlier goal of the same
    task made: "a tweet" would leave the agent to guess which."""
    index = next((i for i in tool.goal_steps if i < len(tool.steps) and tool.steps[i].tool == name), None)
    if index is None:
        return request
    goals = set(tool.goal_steps)
    for parameter, binding in tool.steps[index].arguments.items():
        if binding.kind != "ref" or binding.step not in goals or binding.step >= index:
            continue
        keys = [p for p in binding.path if isinstance(p, str)]
        source = tools.get(tool.steps[binding.step].tool) if tools else None
        if keys and keys[-1] in _ACTOR_FIELDS and source is not None and source.mutates \
                and not set(humanize(source.name).split()) & _MAKES_PEOPLE:
            # The author of the tweet the user just posted is the user: "get statistics for a
            # user" would leave the agent to guess whose, "for me" says it.
            request = _to_self(request)
            continue
        words = humanize(parameter).split()
        noun = " ".join(words[:-1]) if len(words) > 1 and words[-1] in ("id", "ids", "name", "number") else ""
        if noun and noun not in _PEOPLE:  # "log in a user" is not "log in it"
            # Only the noun itself, not one modifying another ("the tweet comments" stays).
            request = re.sub(rf"\b(?:a|an|the|that|this|one)(?: specific| given)? {re.escape(noun)}"
                             r"(?=\s*$|\s*[,.;!?]|\s+(?:and|then|to|for|in|on|with|from|by|of|plus|after|again)\b)",
                             "it", request, count=1)
    return request


_PLAIN = re.compile(r"^(?:[A-Z][a-z]+(?: [A-Z][a-z]+){0,3}|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"
                    r"|[A-Za-z]{1,6}[-_]\d+[A-Za-z0-9-]*|[a-z]+)$")


def _selector_entities(tool: AdvancedTool) -> dict[str, str]:
    """Parameters that pick one element of a looked-up list ("the account whose nickname is X"),
    with the noun of that list's elements."""
    found: dict[str, str] = {}
    for step in tool.steps:
        for binding in step.arguments.values():
            if binding.kind != "ref":
                continue
            for at, item in enumerate(binding.path):
                if isinstance(item, ElementSelector):
                    # The list the element is picked from: its key before the selector (`tweets`),
                    # else what the listing tool lists (`get_user_tweets` -> tweet); never the
                    # field read from the element after it (`username`).
                    before = [p for p in binding.path[:at] if isinstance(p, str)]
                    source = tool.steps[binding.step].tool if binding.step is not None and binding.step < len(tool.steps) else ""
                    listed = [w for w in humanize(source).split() if w not in ("get", "list", "search", "find", "all")]
                    entity = before[-1] if before else (listed[-1] if listed else "one")
                    # `commit_history` lists commits: the element is a commit, not a history.
                    entity = re.sub(r"_(?:history|list|log|items|entries|results|records)$", "", entity)
                    found[item.param] = voice.noun(entity[:-1] if entity.endswith("s") else entity)
    return found


def plain_values(arguments: Mapping[str, Any], schemas: Mapping[str, Any]) -> set[str]:
    """Parameters whose string value the slot filler reads back whole without quotes (names, emails,
    dates, ids, single lower-case words); the rest is quoted."""
    plain = set()
    for pname, value in arguments.items():
        if not isinstance(value, str) or not _PLAIN.match(value):
            continue
        if value.islower() and value.isalpha() and schemas.get(pname, {}).get("enum") is None:
            continue  # a bare word is read back only for parameters with a fixed set of values
        found = extract_values(f"It is for {value} today.")
        if any(v.text == value for v in found):
            plain.add(pname)
    return plain
