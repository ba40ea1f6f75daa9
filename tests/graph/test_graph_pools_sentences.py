"""What a call says about itself never becomes a value to send on."""

from __future__ import annotations

from hardgen.graph._values import ValuePools


def test_a_result_that_is_only_a_sentence_is_no_value_of_the_tools_subject() -> None:
    pools = ValuePools()
    pools.learn("shop", "Insight added to memo", ("insight",))
    assert pools.values("shop", "insight") == []
    # A one-word answer, or a sentence inside data, is still data.
    pools.learn("shop", "Sunny", ("weather",))
    pools.learn("shop", {"insight": "Orders peak on Mondays"}, ("insight",))
    assert pools.values("shop", "weather") == ["Sunny"]
    assert pools.values("shop", "insight") == ["Orders peak on Mondays"]
