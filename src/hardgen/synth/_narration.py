"""The model-free Reasoner's thinking, written as a person would think it through.

Each sentence is grounded in the plan: what the user wants (the goal's request, turned to the third
person), which value is missing and which call will give it, what an earlier result showed (its
actual value), why a call has to come first, what went wrong on a retry, and what the final result
says. Wording is drawn with a generator seeded from the query, so a run stays deterministic.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from typing import Any

from hardgen.schema import ToolSpec
from hardgen.synth import _voice as voice
from hardgen.synth._answering import field_noun
from hardgen.synth._phrasing import tool_phrasing


def narrator_rng(query: str, turn: int, attempt: int = 0) -> random.Random:
    return random.Random(zlib.crc32(f"{turn}|{attempt}|{query}".encode()))


def act(spec: ToolSpec | None, name: str, rng: random.Random) -> str:
    """What a call does, as the assistant says it to itself ("cancel their order")."""
    if spec is None:
        return f"run {name}"
    return voice.third_person(rng.choice(tool_phrasing(spec).ask).replace("{", "").replace("}", ""))


def _noun(parameter: str) -> str:
    return voice.noun(parameter)


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def intro(goal_acts: Sequence[str], rng: random.Random) -> str:
    what = voice.join_list(list(goal_acts))
    return rng.choice((
        f"The user wants me to {what}.", f"So the task is to {what}.", f"They're asking me to {what}.",
        f"Goal here: {what}.", f"Okay, they'd like me to {what}.", f"Right, I need to {what} for them.",
        f"What they need is for me to {what}.", f"This request comes down to this: {what}.",
        f"Reading the message, I should {what}.", f"My job this turn is to {what}.",
    ))


def prerequisite(pre_act: str, consumer_act: str, rng: random.Random) -> str:
    return rng.choice((
        f"I have to {pre_act} before I can {consumer_act}.",
        f"Step one is to {pre_act}; {consumer_act} won't work otherwise.",
        f"{voice.capitalise(pre_act)} first, since the rest depends on it.",
        f"Nothing else works until I {pre_act}, so that comes first.",
        f"Before I {consumer_act}, I need to {pre_act}.",
        f"First things first: I'll {pre_act}.",
    ))


def lookup(parameter: str, this_act: str, consumer_act: str, rng: random.Random) -> str:
    noun = _noun(parameter)
    return rng.choice((
        f"I don't have the {noun} yet, so I'll {this_act} first.",
        f"The {noun} isn't in the message; if I {this_act}, it should turn up.",
        f"First I need the {noun}. I can get it if I {this_act}.",
        f"Nothing in the request gives the {noun}, so I'll {this_act} to find it.",
        f"{voice.capitalise(this_act)} comes first, because that tells me the {noun}.",
        f"Before I can {consumer_act}, I need the {noun}, so I'll {this_act}.",
        f"To {consumer_act} I'm missing the {noun}. Let me {this_act}.",
        f"Missing piece: the {noun}. I'll {this_act} and read it off the result.",
    ))


def explore(this_act: str, rng: random.Random) -> str:
    """A call made because the task's outline names it, before it is clear what it will give."""
    return rng.choice((
        f"I'll {this_act} first; that should tell me more about what I'm working with.",
        f"{voice.capitalise(this_act)} comes first, since the rest builds on it.",
        f"Let me {this_act} to see what I'm dealing with.",
        f"A good first step is to {this_act}.",
    ))


def from_result(parameter: str, value: Any, rng: random.Random) -> str:
    noun, shown = _noun(parameter), _show(value)
    return rng.choice((
        f"That lookup returned {shown} for the {noun}.",
        f"Good, the {noun} is {shown}.",
        f"{shown} is the {noun} I needed.",
        f"Now I know the {noun}: {shown}.",
        f"The result gives me the {noun}, {shown}.",
        f"So the {noun} is {shown}.",
        f"From that result, the {noun} I want is {shown}.",
    ))


def from_request(parameters: Sequence[str], rng: random.Random) -> str:
    nouns = voice.join_list([f"the {_noun(p)}" for p in parameters])
    return rng.choice((
        f"They gave me {nouns}.", f"The message already has {nouns}.", f"I can take {nouns} straight from the request.",
        f"{voice.capitalise(nouns)} {'are' if len(parameters) > 1 else 'is'} right there in what they wrote.",
        f"No lookup needed for {nouns}; the user said it.", f"They told me {nouns} themselves.",
    ))


def from_earlier(parameter: str, rng: random.Random) -> str:
    noun = _noun(parameter)
    return rng.choice((
        f"They mean the {noun} from earlier in our conversation, so I'll reuse it.",
        f"The {noun} is the one we already dealt with, so I take it from the earlier result.",
        f"'The same' points back to the {noun} from before; I have it from the last turn.",
    ))


def goal(this_act: str, rng: random.Random, after_lookup: bool) -> str:
    if after_lookup:
        return rng.choice((f"Now I can {this_act}.", f"With that I'll {this_act}.", f"Next I'll {this_act}.",
                           f"That's enough to {this_act}.", f"Time to {this_act}."))
    return rng.choice((f"I'll {this_act}.", f"Let me {this_act}.", f"So I'll {this_act} now.",
                       f"Nothing to look up here, I can {this_act} directly.", f"This just needs me to {this_act}.",
                       f"Straight to it: {this_act}."))


def retry(error: str, rng: random.Random) -> str:
    return rng.choice((
        f"That didn't work ({error}), so I'll get the values another way.",
        f"The last call failed with {error}; I'll try a different source.",
        f"Hm, {error}. I'll take the missing value from somewhere else.",
    ))


def final(facts: Sequence[tuple[str, Any]], done: Sequence[str], failed: bool, rng: random.Random) -> str:
    if failed and not facts and not done:
        return rng.choice(("That failed and I have no other way to do it, so I'll explain what went wrong.",
                           "I couldn't get it to work; best to say so plainly."))
    if facts:
        key, value = facts[0]
        noun, shown = field_noun(key), _show(value)
        more = ", and the other values they asked for are there too" if len(facts) > 1 else ""
        return rng.choice((
            f"The {noun} came back as {shown}, which is what they asked for{more}.",
            f"The result shows the {noun} is {shown}; that answers the question{more}.",
            f"I have the {noun} now ({shown}), so I can reply{more}.",
            f"Got it, the {noun} is {shown}{more}. Time to write the answer.",
            f"{shown} is the {noun} they wanted, so I'll report it{more}.",
            f"Everything's in: {noun} {shown}{more}. I'll sum it up.",
            f"That gives me the {noun}, {shown}, so I can answer.",
        ))
    if done:
        what = voice.join_list(list(done))
        return rng.choice((
            f"No errors came back, so I've {what}. I'll confirm that.",
            f"That worked; I'll let them know I {what}.",
            "The change went through. All that's left is to tell them.",
            "Done without a problem, so I'll confirm it briefly.",
            f"Everything succeeded, which means I {what}.",
            f"It's {'all ' if len(done) > 1 else ''}done; a short confirmation is enough.",
        ))
    return rng.choice(("I have what they wanted; a short summary will do.",
                       "The results are in, so I'll summarise them briefly.",
                       "That's the information they were after. I'll pass it on.",
                       "I can answer from these results now."))
