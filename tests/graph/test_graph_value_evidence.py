"""Evidence that names cannot give: a value one call returned and the next call took, tables kept
as name -> id maps, and what a call says about itself (never a value to send on)."""

from __future__ import annotations

from hardgen.graph import ApiGraph, SamplerConfig, TraceSampler
from hardgen.graph._values import ValuePools, keyed_map_names
from hardgen.schema import EnvironmentSpec
from hardgen.tools import Session, is_status_text


def _graph(*classes: str) -> tuple[ApiGraph, Session]:
    session = Session.from_specs([EnvironmentSpec(name=c.lower(), target=f"graph_fixture_evidence:{c}")
                                  for c in classes], timeout=None)
    return ApiGraph.from_session(session), session


def test_a_value_an_earlier_call_of_the_same_environment_returned_is_data_flow() -> None:
    graph, _ = _graph("Drive", "Calculator")
    assert not graph.data_sources("read_file")  # `entries` and `file_name` share no word
    history = [("list_entries", {"entries": ["budget.csv", "plan.txt"]}), ("add", {"result": "plan.txt"})]
    found = graph.value_sources("read_file", {"file_name": "plan.txt"}, history)
    # The listing is evidence; the calculator, another environment, returning the same text is not.
    assert found == [("file_name", "list_entries", ("entries", 1))]
    assert graph.value_sources("read_file", {"file_name": "plan.txt"}, history, given={"file_name"}) == []


def test_sampling_that_sees_a_listed_name_taken_learns_the_edge_and_then_uses_it() -> None:
    graph, session = _graph("Drive")
    graph.pools.add("drive", "filename", "plan.txt")  # a name known from an earlier call
    sampler = TraceSampler(graph, session, seed=3, mode="legality",
                           config=SamplerConfig(min_length=2, max_length=3, feed_target=1.0))
    for _ in range(30):  # list the folder, then (nothing it feeds yet) any legal call: read_file
        sampler.sample(target="list_entries")
        if graph.data_sources("read_file"):
            break
    assert [u for u, _ in graph.data_sources("read_file", "file_name")] == ["list_entries"]
    # Now a trace aimed at read_file first lists the folder and reads a listed file from it.
    trace = sampler.sample(mode="legality", target="read_file")
    names = [s.call.name for s in trace.steps]
    assert names[:2] == ["list_entries", "read_file"]
    assert trace.steps[1].sources and trace.steps[1].sources[0].step == 0


def test_a_name_to_id_map_gives_names_and_ids_that_belong_together() -> None:
    assert keyed_map_names("user_map", {"Alice": "USR001", "Bob": "USR002"}) == ("user_name", "user_id")
    assert keyed_map_names("name_to_id", {"Alice": 1, "Bob": 2}) == ("name", "id")
    assert keyed_map_names("settings", {"theme": "dark", "font": "mono"}) is None  # keys are field names
    pools = ValuePools()
    pools.learn_state("drive", {"user_map": {"Alice": "USR001", "Bob": "USR002"}})
    assert pools.values("drive", "username") == ["Alice", "Bob"]
    assert pools.values("drive", "userid") == ["USR001", "USR002"]
    assert "alice" not in pools.to_json()["values"]["drive"]  # a person is no field name
    records = [pools.record("drive", i) for i in pools.records("drive", "username")]
    assert {"username": "Bob", "userid": "USR002"} in records


def test_what_a_call_says_about_itself_never_enters_the_pools() -> None:
    assert is_status_text("Contact 'Kenji' added successfully.")
    assert is_status_text("User ID 'USR009' not found.")
    assert is_status_text("'report.txt' moved to 'old.txt'") and is_status_text("'Backup' removed")
    assert not is_status_text("Can we move our call to Thursday?")
    assert not is_status_text("Meeting at 3 PM")
    pools = ValuePools()
    pools.learn("drive", {"message": "File 'plan.txt' shared successfully.", "text": "ship it today"})
    assert pools.values("drive", "message") == [] and pools.values("drive", "text") == ["ship it today"]


def test_a_folder_s_entries_keyed_by_name_are_file_names() -> None:
    pools = ValuePools()
    pools.learn_state("fs", {"root": {"type": "directory", "contents": {
        "report.txt": {"type": "file", "content": "Q1"}, "budget.csv": {"type": "file", "content": "a,b"},
        "Backup": {"type": "directory", "contents": {}}}}})
    assert set(pools.values("fs", "filename")) == {"report.txt", "budget.csv", "Backup"}
    # A record's fields keyed by their names stay fields.
    pools.learn_state("shop", {"addresses": {"home": {"street": "1 Main St"}, "work": {"street": "2 Side Rd"}}})
    assert "filename" not in pools.to_json()["values"]["shop"]


def test_a_made_up_placeholder_is_never_learned_wherever_it_was_seen() -> None:
    pools = ValuePools()
    pools.learn("social", {"username_to_unfollow": "sample username to unfollow", "username": "ana_p"})
    assert pools.values("social", "usernametounfollow") == [] and pools.values("social", "username") == ["ana_p"]


def test_two_parameters_of_one_call_get_two_known_values_when_there_are_two() -> None:
    import random

    from hardgen.graph import ArgumentFiller
    from hardgen.schema import ToolSpec

    spec = ToolSpec(name="diff", description="Compare two files.", mutates=False, parameters={
        "type": "object", "properties": {"file_name1": {"type": "string"}, "file_name2": {"type": "string"}},
        "required": ["file_name1", "file_name2"]}, environment="fs")
    graph = ApiGraph.build([spec])
    for name in ("a.txt", "b.txt"):
        graph.pools.add("fs", "filename1", name)
        graph.pools.add("fs", "filename2", name)
    for seed in range(20):
        args, _ = ArgumentFiller(graph, random.Random(seed)).fill("diff")
        assert args["file_name1"] != args["file_name2"]
