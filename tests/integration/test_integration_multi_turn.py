"""Multi-turn samples on one evolving state, where later turns may refer to earlier results."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hardgen.pipeline import generate as run_generate
from hardgen.pipeline import iter_jsonl, load_config
from hardgen.schema import Sample
from hardgen.synth import refers_back
from hardgen.verify import value_in_text, verify_sample


def test_later_turns_refer_to_earlier_results_and_still_verify(tmp_path: Path) -> None:
    config = load_config(overrides={
        "out": str(tmp_path / "run"), "sources": [{"kind": "world", "domains": ["weather", "maps"]}],
        "synthesis.samples": 12, "synthesis.turns": 3, "probe.tasks_per_tool": 1, "sampling.traces": 60,
    })
    asyncio.run(run_generate(config))
    samples = [Sample.model_validate(r) for r in iter_jsonl(tmp_path / "run" / "samples.jsonl")]
    assert samples and all(verify_sample(s).passed for s in samples)
    assert max(s.metadata.turns for s in samples) == 3
    for sample in samples:  # one evolving state: each turn's gold starts where the last one ended
        assert len(sample.gold) == sample.metadata.turns == sum(m.role == "user" for m in sample.messages)
    referring = [(s, i) for s in samples for i, turn in enumerate(s.gold) if refers_back(turn.query)]
    assert referring, "no later turn referred to an earlier result"
    for sample, index in referring:
        assert index > 0
        turn = sample.gold[index]
        earlier_results = [st.observation.result for t in sample.gold[:index] for st in t.steps]
        # Some argument of this turn is a value only the earlier turns produced, never stated here.
        carried = [v for st in turn.steps for v in st.call.arguments.values()
                   if isinstance(v, str) and not value_in_text(v, turn.query)
                   and any(value_in_text(v, str(r)) for r in earlier_results)]
        assert carried
