"""The vehicle domain: controls enforce their state prerequisites; distances feed the fuel plan."""

from __future__ import annotations

from typing import Any

import pytest
from world_helpers import ok

from hardgen.tools import Session
from hardgen.world import default_world, get_domain
from hardgen.world.domains.vehicle import _LAND_MASS

DOMAIN = get_domain("vehicle")


def error(session: Session, tool: str, **arguments: Any) -> tuple[str, str]:
    obs = session.call(tool, arguments)
    assert not obs.ok, f"{tool}({arguments}) unexpectedly succeeded: {obs.result}"
    assert obs.error is not None
    return obs.error.type, obs.error.message


@pytest.fixture
def world() -> Session:
    return default_world(0, domains=["vehicle"], timeout=None)


def car(session: Session) -> Any:
    return session.environment_of("start_engine").instance


def neighbour(city: str) -> str:
    return next(c for c in sorted(_LAND_MASS) if c != city and _LAND_MASS[c] == _LAND_MASS[city])


def start(session: Session) -> None:
    ok(session, "lock_doors")
    ok(session, "press_brake_pedal")
    assert ok(session, "start_engine")["engine_state"] == "running"


def test_engine_start_needs_locked_doors_and_brake(world: Session) -> None:
    unlocked = [d for d, v in car(world).doors.items() if v == "unlocked"]
    assert unlocked, "the seed-0 car is parked with a door unlocked"
    kind, message = error(world, "start_engine")
    assert kind == "InvalidStateError" and unlocked[0] in message
    assert ok(world, "lock_doors", doors=unlocked)["all_locked"] is True
    kind, message = error(world, "start_engine")
    assert kind == "InvalidStateError" and "brake" in message
    ok(world, "press_brake_pedal")
    assert ok(world, "start_engine")["engine_state"] == "running"
    assert error(world, "start_engine")[0] == "InvalidStateError"
    assert ok(world, "get_car_status")["engine_state"] == "running"


def test_cruise_control_chain(world: Session) -> None:
    assert error(world, "shift_gear", gear="D")[0] == "InvalidStateError"  # engine off
    start(world)
    ok(world, "release_brake_pedal")
    assert "brake" in error(world, "shift_gear", gear="D")[1]  # leaving park needs the brake
    ok(world, "press_brake_pedal")
    ok(world, "shift_gear", gear="D")
    assert "release_brake_pedal" in error(world, "drive_at_speed", speed_kmh=60)[1]
    ok(world, "release_brake_pedal")
    ok(world, "drive_at_speed", speed_kmh=30)
    kind, message = error(world, "set_cruise_control", target_speed_kmh=100)
    assert kind == "InvalidStateError" and "40" in message
    ok(world, "drive_at_speed", speed_kmh=80)
    assert ok(world, "set_cruise_control", target_speed_kmh=110) == {"enabled": True, "target_speed_kmh": 110}
    assert ok(world, "get_car_status")["speed_kmh"] == 110
    assert error(world, "set_cruise_control", target_speed_kmh=300)[0] == "InvalidArgumentError"
    assert error(world, "unlock_doors")[0] == "InvalidStateError"  # moving
    assert error(world, "shift_gear", gear="P")[0] == "InvalidStateError"
    assert ok(world, "press_brake_pedal")["speed_kmh"] == 0
    assert ok(world, "get_car_status")["cruise_control"]["enabled"] is False
    assert error(world, "disable_cruise_control")[0] == "InvalidStateError"


def test_refuel_for_a_trip_adds_the_missing_fuel(world: Session) -> None:
    here = car(world).location_city
    farthest = max((c for c in _LAND_MASS if c != here and _LAND_MASS[c] == _LAND_MASS[here]),
                   key=lambda c: ok(world, "estimate_drive_distance", from_city=here, to_city=c)["distance_km"])
    distance = ok(world, "estimate_drive_distance", from_city=here, to_city=farthest)
    plan = ok(world, "check_trip_range", distance_km=distance["distance_km"])
    assert plan["can_reach"] is False and plan["liters_to_add"] > 0, "seed 0: the longest trip needs fuel"
    filled = ok(world, "fill_fuel_tank", liters_to_add=plan["liters_to_add"])
    after = ok(world, "check_trip_range", distance_km=distance["distance_km"])
    assert after["can_reach"] is plan["reachable_on_full_tank"]
    assert filled["fuel_liters"] == ok(world, "get_fuel_level")["fuel_liters"]
    free = car(world).tank_capacity_liters - car(world).fuel_liters
    assert error(world, "fill_fuel_tank", liters_to_add=free + 5)[0] == "InvalidArgumentError"
    start(world)
    assert "stop_engine" in error(world, "fill_fuel_tank", liters_to_add=1.0)[1]


def test_navigation_needs_the_engine_and_a_road(world: Session) -> None:
    here = car(world).location_city
    there = neighbour(here)
    assert error(world, "start_navigation", destination_city=there)[0] == "InvalidStateError"
    start(world)
    route = ok(world, "start_navigation", destination_city=there.lower())
    expected = ok(world, "estimate_drive_distance", from_city=here, to_city=there)["distance_km"]
    assert route["destination_city"] == there and route["distance_km"] == expected
    assert ok(world, "get_car_status")["navigation_destination"] == there
    island = "Sydney" if _LAND_MASS[here] != "australia" else "Tokyo"
    assert error(world, "start_navigation", destination_city=island)[0] == "NotFoundError"
    assert error(world, "start_navigation", destination_city="Atlantis")[0] == "NotFoundError"
    assert error(world, "estimate_drive_distance", from_city=here, to_city=here)[0] == "InvalidArgumentError"
    ok(world, "stop_engine")
    assert ok(world, "get_car_status")["navigation_destination"] is None


def test_park_and_refuel_from_a_moving_car(world: Session) -> None:
    start(world)
    ok(world, "shift_gear", gear="D")
    ok(world, "release_brake_pedal")
    ok(world, "drive_at_speed", speed_kmh=50)
    assert error(world, "stop_engine")[0] == "InvalidStateError"
    assert error(world, "fill_fuel_tank", liters_to_add=1.0)[0] == "InvalidStateError"
    ok(world, "press_brake_pedal")
    ok(world, "shift_gear", gear="P")
    assert ok(world, "stop_engine")["engine_state"] == "stopped"
    before = car(world).fuel_liters
    assert ok(world, "fill_fuel_tank", liters_to_add=2.5)["fuel_liters"] == pytest.approx(before + 2.5)


def test_tires_climate_and_lights(world: Session) -> None:
    report = ok(world, "check_tire_pressure")
    fixed = ok(world, "inflate_tires", pressure_psi=report["recommended_psi"])
    assert fixed["needs_attention"] is False
    assert {t["pressure_psi"] for t in fixed["tires"]} == {report["recommended_psi"]}
    assert error(world, "inflate_tires", pressure_psi=60.0)[0] == "InvalidArgumentError"
    assert error(world, "set_climate_control", temperature_c=22.0)[0] == "InvalidStateError"
    start(world)
    assert error(world, "set_climate_control", temperature_c=35.0)[0] == "InvalidArgumentError"
    assert ok(world, "set_climate_control", temperature_c=23.5, mode="heat")["mode"] == "heat"
    assert ok(world, "set_headlights", mode="on") == {"headlights": "on"}
    status = ok(world, "get_car_status")
    assert status["climate"]["temperature_c"] == 23.5 and status["headlights"] == "on"


def test_argument_validation_rejects_unknown_enum_values(world: Session) -> None:
    assert error(world, "lock_doors", doors=["sunroof"])[0] == "ArgumentError"
    assert error(world, "shift_gear", gear="X")[0] == "ArgumentError"


def test_generate_state_is_deterministic_per_seed_and_varies_across_seeds() -> None:
    assert DOMAIN.generate_state(1) == DOMAIN.generate_state(1)
    states = [DOMAIN.generate_state(s) for s in range(6)]
    assert len({(s["location_city"], s["fuel_liters"], s["model"]) for s in states}) == 6
    for state in states:
        assert state["engine_state"] == "stopped" and state["gear"] == "P"
        assert 0 < state["fuel_liters"] < state["tank_capacity_liters"]
        assert any(v == "unlocked" for v in state["doors"].values())
