"""What kind of action a tool performs, as far as a sensible task cares.

A gold may only contain writes the user asked for, plus *enabling* writes that make another
call possible without being a change the user cares about (log in, change directory, press the
brake before starting the engine). It must not create an entity and then destroy it, and a new
entity's name must not repeat an existing one. These predicates tell those cases apart from the
tool's name, its `@tool` hints and the API graph's state-prerequisite edges; a tool can say so
itself with `@tool(enables=True)` (or `"enables": true` in JSON docs), which always wins.

Names are matched on whole words of the snake/camel-case name, so `login_bank`, `ticket_login`,
`cd` and `selectAccount` are enabling, `create_note` and `mkdir` create, `cancel_order` and `rm`
destroy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from hardgen.schema import Step, ToolSpec
from hardgen.tools._derive import _READ_VERBS, _WRITE_VERBS

PrerequisiteTest = Callable[[str, str], bool]
"""(earlier tool, later tool) -> whether the earlier one is a state prerequisite of the later one."""

_ENABLING_WORDS = frozenset({
    "login", "logon", "signin", "authenticate", "auth", "cd", "chdir", "connect", "select", "switch", "use",
    "unlock", "start", "press", "release", "open",
})
_ENABLING_PHRASES = (("log", "in"), ("sign", "in"), ("log", "on"))
_CREATING_WORDS = frozenset({
    "create", "add", "new", "register", "save", "store", "make", "post", "write", "book", "place", "submit",
    "apply", "request", "file", "mkdir", "touch", "subscribe", "open", "schedule", "insert", "upload",
    "invite", "plan", "compose", "draft",
})
_DESTROYING_WORDS = frozenset({
    "delete", "remove", "cancel", "archive", "discard", "drop", "rm", "rmdir", "revoke", "unsubscribe",
    "close", "clear", "destroy", "purge", "erase", "unsend", "withdraw", "reject", "dismiss", "trash", "undo",
})
# Parameters that name the thing a creating call brings into being.
_NAMING_WORDS = frozenset({"name", "title", "label", "nickname", "subject", "filename", "path", "dirname",
                           "folder", "directory"})


def name_words(name: str) -> list[str]:
    """`selectAccount` -> ["select", "account"]; `ticket_login` -> ["ticket", "login"]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def _verb(name: str) -> str:
    """The verb of a tool's name: its first known verb (`git_create_branch` -> create, a domain
    prefix first), else its first word (`mkdir`)."""
    words = name_words(name)
    known = _CREATING_WORDS | _DESTROYING_WORDS | _READ_VERBS | _WRITE_VERBS
    return next((w for w in words if w in known), words[0] if words else "")


def _has_phrase(words: Sequence[str], phrases: Sequence[tuple[str, ...]]) -> bool:
    return any(tuple(words[i:i + len(p)]) == p for p in phrases for i in range(len(words)))


def declared_enabling(spec: ToolSpec | None) -> bool | None:
    """What the tool itself says (`@tool(enables=...)`), or None when it says nothing."""
    if spec is None:
        return None
    value = spec.hints.get("enables")
    return bool(value) if isinstance(value, bool) else None


_LOG_IN_WORDS = frozenset({"login", "logon", "signin", "authenticate"})


def is_log_in(name: str) -> bool:
    """A name that reads like opening a session as someone (`message_login`, `log_in_user`)."""
    words = name_words(name)
    return _has_phrase(words, _ENABLING_PHRASES) or any(w in _LOG_IN_WORDS for w in words)


def is_enabling_name(name: str) -> bool:
    """A name that reads like a session or mode change rather than a change to data."""
    words = name_words(name)
    if not words:
        return False
    if is_log_in(name) or any(w in {"cd", "chdir"} for w in words):
        return True
    # "select_account", "switch_profile", "start_engine", "press_brake_pedal": the verb alone.
    return words[0] in _ENABLING_WORDS - {"open"} and len(words) <= 3


def is_creating(name: str) -> bool:
    """A write that brings a new entity into being (`create_note`, `add_payee`, `mkdir`)."""
    return _verb(name) in _CREATING_WORDS


def is_destroying(name: str) -> bool:
    """A write that deletes, cancels or retires an entity (`delete_note`, `cancel_order`, `rm`)."""
    return _verb(name) in _DESTROYING_WORDS


_INVERSE_VERBS = {("add", "remove"), ("lock", "unlock"), ("arm", "disarm"), ("enable", "disable"),
                  ("subscribe", "unsubscribe"), ("follow", "unfollow"), ("block", "unblock"),
                  ("freeze", "unfreeze"), ("mute", "unmute"), ("pin", "unpin"), ("archive", "unarchive"),
                  ("turn_on", "turn_off"), ("engage", "disengage"), ("open", "close"), ("start", "stop")}


def undoes(earlier: str, later: str) -> bool:
    """Whether `later` reverses what `earlier` did to the same kind of thing: freeze_card then
    unfreeze_card, add_to_cart then remove_from_cart, lock_doors then unlock_doors."""
    a, b = name_words(earlier), name_words(later)
    if not a or not b:
        return False
    if len(a) > 1 and len(b) > 1 and f"{a[0]}_{a[1]}" in {x for pair in _INVERSE_VERBS for x in pair}:
        a = [f"{a[0]}_{a[1]}", *a[2:]]
    if len(b) > 1 and f"{b[0]}_{b[1]}" in {x for pair in _INVERSE_VERBS for x in pair}:
        b = [f"{b[0]}_{b[1]}", *b[2:]]
    verbs = (a[0], b[0])
    inverse = verbs in _INVERSE_VERBS or verbs[1] == "un" + verbs[0]
    objects = set(a[1:]) - {"from", "to", "on", "off"}, set(b[1:]) - {"from", "to", "on", "off"}
    return inverse and (objects[0] == objects[1] or bool(objects[0] & objects[1]))


def names_new_entity(tool: str, parameter: str) -> bool:
    """Whether `parameter` of a creating `tool` is the name of the new entity: `name` of
    `create_notebook`, `scene_name` of `create_scene`, `path` of `mkdir`, but not `traveller_name`
    of `book_flight` (that traveller exists already)."""
    if not is_creating(tool):
        return False
    words = name_words(parameter)
    if not words or words[-1] not in _NAMING_WORDS:
        return False
    qualifiers = words[:-1]
    return not qualifiers or all(q in name_words(tool) for q in qualifiers)


def enabling_steps(steps: Sequence[Step], specs: Mapping[str, ToolSpec],
                   is_prerequisite: PrerequisiteTest | None = None) -> set[int]:
    """Write steps that only enable a later step: the tool says so (`enables`), or its name reads
    like a session change (log in, cd, select) and a later step of its environment follows, or it
    is a state prerequisite of a later step (a graph edge or that tool's `requires` hint) that
    creates nothing and whose result feeds no later argument."""
    names = [s.call.name for s in steps]
    fed = {src.step for s in steps for src in s.sources}
    out: set[int] = set()
    for i, name in enumerate(names):
        spec = specs.get(name)
        later = names[i + 1:]
        if spec is None or not spec.mutates or not later:
            continue
        declared = declared_enabling(spec)
        if declared is not None:
            if declared:
                out.add(i)
            continue
        required = any(name in (specs[n].hints.get("requires") or []) for n in later if n in specs) or (
            is_prerequisite is not None and any(is_prerequisite(name, n) for n in later))
        same_env = any(specs[n].environment == spec.environment for n in later if n in specs)
        if (is_enabling_name(name) and (required or same_env)) or (required and i not in fed and not is_creating(name)):
            out.add(i)
    return out


_STATUS_TEXT = re.compile(
    r"\b(?:success(?:ful(?:ly)?)?|succeeded|failed|failure|not found|invalid|unable to|could not|cannot be"
    r"|does not exist|already exists?|logged (?:in|out)|has been|have been|was (?:added|created|deleted|removed"
    r"|updated|sent|moved|copied)|no (?:such|matching))\b"
    # "'report.txt' moved to 'old.txt'", "'Backup' removed": the call's own argument, quoted, and what befell it
    r"|^'[^']+' (?:moved|copied|renamed|removed|deleted|created|added|updated|saved|sent)\b", re.IGNORECASE)


def is_status_text(value: object) -> bool:
    """Whether `value` is a sentence a tool says about its own call ("Contact 'x' added
    successfully.", "User ID 'USR9' not found.") rather than data: such a line is never a value
    to send on (the text of a message) nor a fact to tell the user."""
    return isinstance(value, str) and len(value.split()) >= 2 and bool(_STATUS_TEXT.search(value))
