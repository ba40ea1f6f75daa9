"""What a cooperative model would answer to the Query Writer's prompt: a request in the user's words
that holds every value the prompt lists (read back from the prompt as a model would read it)."""

from __future__ import annotations

import re


def query_from_prompt(prompt: str) -> str:
    goal = prompt.split("What the person wants done:", 1)[1].strip().splitlines()[0]
    goal = re.sub(r" \([^)]*\)", "", goal).rstrip(".")
    block = prompt.split("written exactly as shown:", 1)[1].split("\n\n")[0]
    values = re.findall(r"^- (.+?): (.+?)(?: \([^()]*\))?$", block, flags=re.M)
    said = " ".join(f"The {label} is {value}." for label, value in values)
    fields = re.search(r"The person asks to be told: (.+)\.$", prompt, flags=re.M)
    ask = f" Tell me the {fields.group(1)}." if fields else ""
    return f"Could you {goal[:1].lower()}{goal[1:]}? {said}{ask}"
