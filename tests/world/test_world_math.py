"""The math domain: correct numbers (checked against independent computations), registers and
datasets as state that later calls need, and clear errors for unknown units and bad input."""

from __future__ import annotations

import statistics
from typing import Any

import pytest
from world_helpers import fails, ok

from hardgen.world import default_world
from hardgen.world.domains.math import UNITS, generate_state


@pytest.fixture
def calc() -> Any:
    return default_world(0, domains=["math"], timeout=None)


def test_register_arithmetic_chain(calc: Any) -> None:
    fails(calc, "evaluate_expression", "NotFoundError", expression="principal * 2")
    ok(calc, "store_register", name="Principal", value=1000)
    ok(calc, "store_register", name="rate", value=0.05)
    result = ok(calc, "evaluate_expression", expression="principal * (1 + rate) ** 2")
    assert result["result"] == 1102.5 and result["registers_used"] == ["principal", "rate"]
    ok(calc, "store_register", name="balance", value=result["result"])
    assert ok(calc, "recall_register", name="BALANCE")["value"] == 1102.5
    assert "overwrite" in fails(calc, "store_register", "ConflictError", name="rate", value=0.06)
    assert ok(calc, "store_register", name="rate", value=0.06, overwrite=True)["value"] == 0.06
    assert ok(calc, "clear_register", name="rate")["last_value"] == 0.06
    fails(calc, "recall_register", "NotFoundError", name="rate")
    fails(calc, "clear_register", "NotFoundError", name="rate")
    names = [r["name"] for r in ok(calc, "list_registers")["registers"]]
    assert names == sorted(names) and "balance" in names and "rate" not in names
    fails(calc, "store_register", "InvalidArgumentError", name="2fast", value=1)
    fails(calc, "store_register", "InvalidArgumentError", name="sqrt", value=1)


def test_expression_evaluator_is_safe_and_exact(calc: Any) -> None:
    assert ok(calc, "evaluate_expression", expression="0.1 + 0.2")["result"] == 0.3
    assert ok(calc, "evaluate_expression", expression="sqrt(16) + max(2, 7) - abs(-3) + 7 // 2 + 7 % 4")["result"] == 14
    assert ok(calc, "evaluate_expression", expression="round(pi, 4)")["result"] == 3.1416
    assert ok(calc, "evaluate_expression", expression="-2 ** 2")["result"] == -4
    fails(calc, "evaluate_expression", "InvalidArgumentError", expression="1 / 0")
    fails(calc, "evaluate_expression", "InvalidArgumentError", expression="__import__('os').getcwd()")
    fails(calc, "evaluate_expression", "InvalidArgumentError", expression="(1).real")
    fails(calc, "evaluate_expression", "InvalidArgumentError", expression="2 ** 100000")
    fails(calc, "evaluate_expression", "InvalidArgumentError", expression="10 ** 400 * 1.0")
    fails(calc, "evaluate_expression", "InvalidArgumentError", expression="(-8) ** 0.5")
    fails(calc, "evaluate_expression", "InvalidArgumentError", expression="sqrt(-1)")
    fails(calc, "evaluate_expression", "InvalidArgumentError", expression="2 +")
    fails(calc, "evaluate_expression", "InvalidArgumentError", expression="")


@pytest.mark.parametrize("seed", [0, 2])
def test_dataset_summary_chain(seed: int) -> None:
    session = default_world(seed, domains=["math"], timeout=None)
    listed = ok(session, "list_datasets")["datasets"]
    dataset_id = next(d["dataset_id"] for d in listed if d["name"] == "exam_scores")
    values = ok(session, "get_dataset", dataset_id=dataset_id)["values"]
    assert len(values) == next(d["count"] for d in listed if d["name"] == "exam_scores")
    stats = ok(session, "calculate_statistics", values=values)
    assert stats["mean"] == pytest.approx(statistics.fmean(values))
    assert stats["median"] == pytest.approx(statistics.median(values))
    assert stats["stdev"] == pytest.approx(statistics.stdev(values))
    assert stats["range"] == pytest.approx(max(values) - min(values))
    p90 = ok(session, "calculate_percentile", values=values, percentile=90)["value"]
    ok(session, "store_register", name="p90_score", value=p90)
    assert ok(session, "evaluate_expression", expression="p90_score")["result"] == p90
    fails(session, "get_dataset", "NotFoundError", dataset_id="exam_scores")


def test_statistics_and_percentiles_edge_cases(calc: Any) -> None:
    single = ok(calc, "calculate_statistics", values=[4])
    assert (single["mean"], single["stdev"], single["variance"]) == (4, None, None)
    fails(calc, "calculate_statistics", "InvalidArgumentError", values=[])
    data = [15, 20, 35, 40, 50]
    assert ok(calc, "calculate_percentile", values=data, percentile=40)["value"] == 29.0
    assert ok(calc, "calculate_percentile", values=data, percentile=40, method="nearest")["value"] == 35
    assert ok(calc, "calculate_percentile", values=data, percentile=100)["value"] == 50
    assert ok(calc, "calculate_percentile", values=data, percentile=0)["value"] == 15
    fails(calc, "calculate_percentile", "ArgumentError", values=data, percentile=101)


def test_rounding_modes_and_percentages(calc: Any) -> None:
    def rounded(value: float, decimals: int, mode: str) -> float:
        return ok(calc, "round_number", value=value, decimals=decimals, mode=mode)["result"]

    assert rounded(2.5, 0, "half_even") == 2 and rounded(2.5, 0, "half_up") == 3
    assert rounded(2.675, 2, "half_up") == 2.68  # decimal, not binary-float, rounding
    assert rounded(-1.21, 1, "floor") == -1.3 and rounded(-1.29, 1, "down") == -1.2
    assert rounded(1234.5, -2, "half_up") == 1200 and rounded(1.01, 0, "ceiling") == 2
    assert ok(calc, "calculate_percentage", part=45, whole=180)["percent"] == 25
    change = ok(calc, "calculate_percentage_change", old_value=80, new_value=60)
    assert (change["change"], change["percent_change"]) == (-20, -25)
    fails(calc, "calculate_percentage", "InvalidArgumentError", part=1, whole=0)
    fails(calc, "calculate_percentage_change", "InvalidArgumentError", old_value=0, new_value=5)


def test_solve_then_use_chain_and_matrices(calc: Any) -> None:
    solution = ok(calc, "solve_linear_system", coefficients=[[1, 1, 1], [0, 2, 5], [2, 5, -1]], constants=[6, -4, 27])
    assert solution["solution"] == [5, 3, -2]
    ok(calc, "store_register", name="x", value=solution["solution"][0])
    assert ok(calc, "evaluate_expression", expression="x * 10")["result"] == 50
    fails(calc, "solve_linear_system", "InvalidArgumentError", coefficients=[[1, 2], [2, 4]], constants=[3, 6])
    fails(calc, "solve_linear_system", "InvalidArgumentError", coefficients=[[1, 2], [3, 4]], constants=[1])
    fails(calc, "solve_linear_system", "InvalidArgumentError", coefficients=[[1, 2], [3]], constants=[1, 2])

    a = [[4, 7], [2, 6]]
    inverse = ok(calc, "invert_matrix", matrix=a)["matrix"]
    assert inverse == [[0.6, -0.7], [-0.2, 0.4]]
    assert ok(calc, "multiply_matrices", a=a, b=inverse)["matrix"] == [[1, 0], [0, 1]]
    assert ok(calc, "calculate_determinant", matrix=a)["determinant"] == 10
    assert ok(calc, "calculate_determinant", matrix=[[0, 1], [1, 0]])["determinant"] == -1
    assert ok(calc, "calculate_determinant", matrix=[[1, 2], [2, 4]])["determinant"] == 0
    product = ok(calc, "multiply_matrices", a=[[1, 2, 3]], b=[[1], [2], [3]])
    assert (product["matrix"], product["rows"], product["columns"]) == ([[14]], 1, 1)
    fails(calc, "multiply_matrices", "InvalidArgumentError", a=[[1, 2]], b=[[1, 2]])
    fails(calc, "invert_matrix", "InvalidArgumentError", matrix=[[1, 2], [2, 4]])
    fails(calc, "calculate_determinant", "InvalidArgumentError", matrix=[[1, 2, 3], [4, 5, 6]])
    fails(calc, "calculate_determinant", "InvalidArgumentError", matrix=[[1] * 7] * 7)


def test_unit_conversion_catalogue(calc: Any) -> None:
    def convert(value: float, a: str, b: str) -> float:
        return ok(calc, "convert_measurement", value=value, from_unit=a, to_unit=b)["result"]

    assert convert(26.2, "miles", "km") == pytest.approx(42.1648128)
    assert convert(100, "C", "fahrenheit") == 212 and convert(-40, "f", "c") == -40 and convert(0, "K", "C") == -273.15
    assert convert(1, "gal", "l") == pytest.approx(3.785411784) and convert(10, "m/s", "km/h") == 36
    assert convert(1, "ha", "m2") == 10000 and convert(1, "st", "lb") == pytest.approx(14)
    result = ok(calc, "convert_measurement", value=5, from_unit=" Kilometers ", to_unit="mi")
    assert (result["from_unit"], result["to_unit"], result["category"]) == ("km", "mi", "length")
    assert "list_measurement_units" in fails(
        calc, "convert_measurement", "InvalidArgumentError", value=1, from_unit="furlong", to_unit="m"
    )
    fails(calc, "convert_measurement", "InvalidArgumentError", value=1, from_unit="kg", to_unit="km")
    fails(calc, "convert_measurement", "InvalidArgumentError", value=-500, from_unit="c", to_unit="k")
    catalogue = ok(calc, "list_measurement_units")["units"]
    assert len(catalogue) == len(UNITS)
    speeds = ok(calc, "list_measurement_units", category="speed")["units"]
    assert {u["symbol"] for u in speeds} == {"m/s", "km/h", "mph", "kn", "ft/s"}


def test_convert_then_round_chain(calc: Any) -> None:
    km = ok(calc, "convert_measurement", value=13.1, from_unit="mi", to_unit="km")["result"]
    rounded = ok(calc, "round_number", value=km, decimals=1)["result"]
    assert rounded == 21.1
    assert ok(calc, "store_register", name="half_marathon_km", value=rounded)["value"] == 21.1


def test_create_dataset_rules(calc: Any) -> None:
    created = ok(calc, "create_dataset", name="Trip_Costs", values=[120, 80.5, 33], unit="EUR")
    assert created["name"] == "trip_costs" and created["count"] == 3
    assert ok(calc, "get_dataset", dataset_id=created["dataset_id"])["values"] == [120, 80.5, 33]
    fails(calc, "create_dataset", "ConflictError", name="trip_costs", values=[1])
    fails(calc, "create_dataset", "InvalidArgumentError", name="bad name!", values=[1])
    fails(calc, "create_dataset", "InvalidArgumentError", name="empty", values=[])


def test_forecast_statistics_cross_domain_chain() -> None:
    session = default_world(0, domains=["weather", "math"], timeout=None)
    location_id = ok(session, "get_location_id", city="Berlin")["location_id"]
    days = ok(session, "get_weather_forecast", location_id=location_id, start_date="2025-03-14", end_date="2025-03-20")[
        "days"
    ]
    highs = [d["high"] for d in days]
    stats = ok(session, "calculate_statistics", values=highs)
    assert stats["count"] == 7 and stats["max"] == max(highs)


def test_route_in_miles_cross_domain_chain() -> None:
    session = default_world(0, domains=["maps", "math"], timeout=None)
    origin = ok(session, "geocode_address", address="Berlin")["place_id"]
    destination = ok(session, "geocode_address", address="Paris")["place_id"]
    km = ok(session, "get_directions", origin_place_id=origin, destination_place_id=destination)["distance_km"]
    miles = ok(session, "convert_measurement", value=km, from_unit="km", to_unit="miles")
    assert miles["result"] == pytest.approx(km / 1.609344) and 500 < miles["result"] < 700


def test_generate_state_is_seeded() -> None:
    assert generate_state(1) == generate_state(1)
    assert generate_state(1) != generate_state(2)
    names = sorted(d["name"] for d in generate_state(1)["datasets"].values())
    assert names == sorted(d["name"] for d in generate_state(2)["datasets"].values())
