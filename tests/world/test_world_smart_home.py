"""The smart-home domain: room names lead to device ids, locks need the PIN, security transitions hold."""

from __future__ import annotations

from typing import Any

import pytest
from world_helpers import error_type, ok

from hardgen.tools import Session
from hardgen.world import default_world, get_domain

DOMAIN = get_domain("smart_home")


@pytest.fixture
def world() -> Session:
    return default_world(0, domains=["smart_home"], timeout=None)


def home(session: Session) -> Any:
    return session.environment_of("list_rooms").instance


def test_room_name_to_device_id_to_brightness(world: Session) -> None:
    rooms = ok(world, "list_rooms")["rooms"]
    living = next(r for r in rooms if r["room_name"] == "Living Room")
    devices = ok(world, "list_devices_in_room", room_name="living room")["devices"]
    assert len(devices) == living["device_count"] and {d["room_name"] for d in devices} == {"Living Room"}
    light = next(d for d in devices if d["device_type"] == "light")
    status = ok(world, "set_light_brightness", device_id=light["device_id"], brightness_percent=35)
    assert status["brightness_percent"] == 35 and status["power"] == "on"
    assert ok(world, "get_device_status", device_id=light["device_id"])["brightness_percent"] == 35
    assert error_type(world, "set_light_brightness", device_id=light["device_id"], brightness_percent=0) == "InvalidArgumentError"
    assert error_type(world, "list_devices_in_room", room_name="Ballroom") == "NotFoundError"
    thermostat = next(d for d in devices if d["device_type"] == "thermostat")
    assert error_type(world, "set_light_brightness", device_id=thermostat["device_id"], brightness_percent=50) == "InvalidArgumentError"


def test_thermostat_is_range_checked(world: Session) -> None:
    room = next(r for r in ok(world, "list_rooms")["rooms"] if r["room_name"] == "Living Room")
    devices = ok(world, "list_devices_in_room", room_name=room["room_name"])["devices"]
    thermostat = next(d for d in devices if d["device_type"] == "thermostat")
    assert error_type(world, "set_thermostat", device_id=thermostat["device_id"], target_temperature_c=40.0) == "InvalidArgumentError"
    status = ok(world, "set_thermostat", device_id=thermostat["device_id"], target_temperature_c=19.5, mode="eco")
    assert (status["target_temperature_c"], status["thermostat_mode"], status["power"]) == (19.5, "eco", "on")
    assert error_type(world, "get_device_status", device_id="DEV-0") == "NotFoundError"


def test_scene_from_room_devices_switches_them(world: Session) -> None:
    devices = ok(world, "list_devices_in_room", room_name="Kitchen")["devices"]
    ids = [d["device_id"] for d in devices]
    for device_id in ids:
        ok(world, "turn_on_device", device_id=device_id)
    scene = ok(world, "create_scene", scene_name="Kitchen off", device_ids=ids, power_state="off")
    assert scene["scene_id"] in [s["scene_id"] for s in ok(world, "list_scenes")["scenes"]]
    activation = ok(world, "activate_scene", scene_id=scene["scene_id"])
    assert activation["changed_device_ids"] == ids
    assert {ok(world, "get_device_status", device_id=i)["power"] for i in ids} == {"off"}
    assert ok(world, "activate_scene", scene_id=scene["scene_id"])["changed_device_ids"] == []
    assert error_type(world, "create_scene", scene_name="kitchen OFF", device_ids=ids, power_state="on") == "ConflictError"
    lock = ok(world, "find_devices_by_type", device_type="smart_lock")["devices"][0]
    assert error_type(world, "create_scene", scene_name="Bad", device_ids=[lock["device_id"]], power_state="on") == "InvalidArgumentError"
    assert error_type(world, "activate_scene", scene_id="SC-99") == "NotFoundError"


def test_leave_home_locks_then_arms_away(world: Session) -> None:
    pin, code = home(world).lock_pin, home(world).security_code
    unlocked = ok(world, "get_security_system_status")["unlocked_lock_ids"]
    assert unlocked, "the seed-0 home has an unlocked lock"
    assert error_type(world, "arm_security_system", mode="away", security_code=code) == "InvalidStateError"
    for lock in ok(world, "find_devices_by_type", device_type="smart_lock")["devices"]:
        assert ok(world, "lock_smart_lock", device_id=lock["device_id"], pin=pin)["lock_state"] == "locked"
    assert ok(world, "arm_security_system", mode="away", security_code=code)["state"] == "armed_away"
    assert error_type(world, "arm_security_system", mode="home", security_code=code) == "InvalidStateError"
    front = unlocked[0]
    assert error_type(world, "unlock_smart_lock", device_id=front, pin=pin) == "InvalidStateError"
    assert error_type(world, "disarm_security_system", security_code="0000" if code != "0000" else "1111") == "AuthenticationError"
    assert ok(world, "disarm_security_system", security_code=code)["state"] == "disarmed"
    assert ok(world, "unlock_smart_lock", device_id=front, pin=pin)["lock_state"] == "unlocked"
    assert error_type(world, "disarm_security_system", security_code=code) == "InvalidStateError"


def test_wrong_pins_lock_the_keypad_out_until_the_security_code_is_used(world: Session) -> None:
    pin, code = home(world).lock_pin, home(world).security_code
    lock = ok(world, "find_devices_by_type", device_type="smart_lock")["devices"][0]["device_id"]
    wrong = "1" * len(pin) if pin != "1" * len(pin) else "2" * len(pin)
    for _ in range(3):
        assert error_type(world, "lock_smart_lock", device_id=lock, pin=wrong) == "AuthenticationError"
    assert error_type(world, "lock_smart_lock", device_id=lock, pin=pin) == "PermissionDeniedError"
    ok(world, "arm_security_system", mode="home", security_code=code)
    assert ok(world, "lock_smart_lock", device_id=lock, pin=pin)["lock_state"] == "locked"
    assert error_type(world, "turn_off_device", device_id=lock) == "InvalidArgumentError"


def test_schedules_create_conflict_and_delete(world: Session) -> None:
    plug = ok(world, "find_devices_by_type", device_type="smart_plug")["devices"][0]["device_id"]
    made = ok(world, "create_device_schedule", device_id=plug, action="turn_on", time="06:45", days=["fri", "mon"])
    assert made["days"] == ["mon", "fri"]
    assert error_type(world, "create_device_schedule", device_id=plug, action="turn_off", time="06:45",
                      days=["mon"]) == "ConflictError"
    assert error_type(world, "create_device_schedule", device_id=plug, action="turn_on", time="6:45",
                      days=["tue"]) == "InvalidArgumentError"
    listed = ok(world, "list_device_schedules", device_id=plug)["schedules"]
    assert made["schedule_id"] in [s["schedule_id"] for s in listed]
    ok(world, "delete_device_schedule", schedule_id=made["schedule_id"])
    assert made["schedule_id"] not in [s["schedule_id"] for s in ok(world, "list_device_schedules")["schedules"]]
    assert error_type(world, "delete_device_schedule", schedule_id=made["schedule_id"]) == "NotFoundError"


def test_energy_report_totals_and_room_filter(world: Session) -> None:
    week = ok(world, "get_energy_usage_report", period="week")
    day = ok(world, "get_energy_usage_report", period="day")
    assert week["total_kwh"] > day["total_kwh"] > 0
    assert week["total_kwh"] == pytest.approx(sum(d["kwh"] for d in week["devices"]), abs=1e-3)
    assert week["estimated_cost"] == pytest.approx(round(week["total_kwh"] * 0.28, 2))
    kitchen = ok(world, "get_energy_usage_report", period="week", room_name="Kitchen")
    assert {d["room_name"] for d in kitchen["devices"]} == {"Kitchen"}
    top = kitchen["devices"][0]
    assert top["kwh"] == max(d["kwh"] for d in kitchen["devices"])
    assert ok(world, "turn_off_device", device_id=top["device_id"])["power"] == "off"
    assert ok(world, "get_device_status", device_id=top["device_id"])["power"] == "off"
    assert error_type(world, "get_energy_usage_report", room_name="Attic") == "NotFoundError"


def test_generate_state_is_deterministic_per_seed_and_varies_across_seeds() -> None:
    assert DOMAIN.generate_state(2) == DOMAIN.generate_state(2)
    a, b = DOMAIN.generate_state(2), DOMAIN.generate_state(3)
    assert a["devices"].keys() != b["devices"].keys() and a["lock_pin"] != b["lock_pin"]
    for state in (a, b):
        types = {d["device_type"] for d in state["devices"].values()}
        assert {"light", "smart_lock", "thermostat"} <= types
        assert 15 <= len(state["devices"]) <= 40
