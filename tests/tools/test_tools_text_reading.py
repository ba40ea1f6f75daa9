"""Reading tools' text results as data (`hardgen.tools._text_reading.read_text`)."""

from __future__ import annotations

import json

import pytest

from hardgen.schema import Observation, Step, ToolCall
from hardgen.tools._mcp import result_observation
from hardgen.tools._text_reading import read_text

LOG = (
    "Commit history:\nCommit: dba6f8ae1147a1eab9b3d5e3ad5ff6200d7a8106\nAuthor: T\nDate: 2023-11-14 22:13:20+00:00\n"
    "Message: Add a todo list\n\n\nCommit: faa1ccdff4911a4aabe46458a9f3bc644c9bdc3b\nAuthor: T\n"
    "Date: 2023-11-14 22:13:20+00:00\nMessage: Start the notes\n\n"
)
STATUS = (
    "Repository status:\nOn branch main\nChanges to be committed:\n"
    '  (use "git restore --staged <file>..." to unstage)\n\tnew file:   ideas.txt\n\n'
    "Untracked files:\n  (use \"git add <file>...\" to include in what will be committed)\n\tnotes.md\n\tplan.txt\n\n"
    'nothing added to commit but untracked files present (use "git add" to track)'
)


def test_key_value_blocks_under_a_heading_are_a_list_of_records() -> None:
    assert read_text(LOG) == {"commit_history": [
        {"commit": "dba6f8ae1147a1eab9b3d5e3ad5ff6200d7a8106", "author": "T", "date": "2023-11-14 22:13:20+00:00",
         "message": "Add a todo list"},
        {"commit": "faa1ccdff4911a4aabe46458a9f3bc644c9bdc3b", "author": "T", "date": "2023-11-14 22:13:20+00:00",
         "message": "Start the notes"},
    ]}
    # One block without a heading is one record; whole numbers are numbers.
    assert read_text("Name: Ada Lovelace\nOrders: 2\nCity: London") == {"name": "Ada Lovelace", "orders": 2,
                                                                         "city": "London"}
    assert read_text("ID: 1\nName: a\n\nID: 2\nName: b") == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]


def test_headed_sections_hold_their_items_and_other_lines_are_kept_in_order() -> None:
    assert read_text(STATUS) == {
        "changes_to_be_committed": [{"new_file": "ideas.txt"}],
        "untracked_files": ["notes.md", "plan.txt"],
        "lines": ["On branch main",
                  'nothing added to commit but untracked files present (use "git add" to track)'],
    }


def test_bare_items_are_a_list_of_names() -> None:
    assert read_text("  drafts\n* main\n  feature") == ["drafts", "main", "feature"]
    assert read_text("- apples\n- pears") == ["apples", "pears"]
    assert read_text("README.md\nideas.txt\n") == ["README.md", "ideas.txt"]


def test_a_sentence_gives_the_values_it_quotes_by_the_word_before_them() -> None:
    # What a preposition introduces is no field of its own: "the from" would be no question.
    assert read_text("Created branch 'fix-login' from 'main'") == {"branch": "fix-login"}
    assert read_text("Switched to branch 'drafts'") == {"branch": "drafts"}
    assert read_text("'report.txt' moved to 'old.txt'") == {"moved": "report.txt"}
    assert read_text("Copied 'a' and 'b'") is None  # which one is `and`? no faithful reading


@pytest.mark.parametrize("text", [
    "Files staged successfully",                   # a sentence
    "Ada's notes aren't here",                     # apostrophes quote nothing
    "Unstaged changes:\n",                          # a heading with nothing under it
    "Staged changes:\ndiff --git a/x b/x\nnew file mode 100644\n--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+hi",
    "commit dba6f8a\nAuthor: T <t@x>\n\n    Add a todo list\n",   # prose mixed with fields
    "two words\nand more words here",
    "",
])
def test_text_with_none_of_the_shapes_has_no_reading(text: str) -> None:
    assert read_text(text) is None


def test_json_and_python_literals_are_read_as_before() -> None:
    assert read_text('{"a": [1, 2]}') == {"a": [1, 2]}
    assert read_text("[{'name': 'customers'}, {'name': 'orders'}]") == [{"name": "customers"}, {"name": "orders"}]
    assert read_text("{1, 2}") is None  # a set has no JSON form


def test_every_value_read_is_words_the_text_said() -> None:
    def leaves(node: object) -> list[object]:
        if isinstance(node, dict):
            return [x for v in node.values() for x in leaves(v)]
        if isinstance(node, list):
            return [x for v in node for x in leaves(v)]
        return [node]

    for text in (LOG, STATUS, "  drafts\n* main", "Created branch 'fix-login' from 'main'"):
        assert all(str(v) in text for v in leaves(read_text(text)))


def test_the_agent_sees_the_literal_text_and_the_reading_is_the_result() -> None:
    observation = result_observation("git_log", {"content": [{"type": "text", "text": LOG}]})
    assert observation.ok and observation.text == LOG and observation.to_text() == LOG
    assert observation.result["commit_history"][1]["message"] == "Start the notes"
    # The same text read again (a replay) gives the very same reading.
    assert result_observation("git_log", {"content": [{"type": "text", "text": LOG}]}) == observation
    # A text with no reading is the result itself, and the agent sees it as written, not as JSON.
    plain = result_observation("t", {"content": [{"type": "text", "text": "Diff with main:\n"}]})
    assert plain.result == "Diff with main:\n" and plain.to_text() == "Diff with main:\n"
    assert Observation.success("Diff with main:\n").to_text() == json.dumps("Diff with main:\n")


def test_observations_without_text_keep_their_serialised_shape_and_old_records_load() -> None:
    old = '{"ok":true,"result":[1],"error":null}'
    assert Observation.success([1]).model_dump_json() == old
    assert Observation.model_validate_json(old).text is None
    read = Observation.success({"a": 1}, text="A: 1")
    step = Step(call=ToolCall(name="t"), observation=read)
    assert Step.model_validate_json(step.model_dump_json()).observation == read
