"""Smart home: rooms and devices, switches, lights, thermostats, PIN-protected locks, scenes,
schedules, an energy report and a security system.

Users name rooms ("the kitchen") and device kinds ("the lights"); the API addresses devices by id
(`DEV-4821`), scenes by `SC-3` and schedules by `SCH-7`. Locks need the lock PIN, and three wrong
PINs lock the keypad out until the security code is used (arming or disarming resets it). The
security system moves between `disarmed`, `armed_home` and `armed_away`; arming away needs every
smart lock locked, and locks cannot be opened while the system is armed away.
"""

from __future__ import annotations

import random
import re
from typing import Any, Literal

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._domain import Chain, Domain, ExampleCall, load_attributes
from hardgen.world._errors import (
    AuthenticationError,
    ConflictError,
    InvalidArgumentError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
)

_described = with_config(ConfigDict(use_attribute_docstrings=True))

DeviceType = Literal["light", "thermostat", "smart_lock", "smart_plug", "camera", "speaker", "tv", "blinds"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_MAX_PIN_ATTEMPTS = 3
_PRICE_PER_KWH = 0.28
# Room -> device (name, type, typical watts) that it may hold.
_ROOM_DEVICES: dict[str, tuple[tuple[str, str, int], ...]] = {
    "Living Room": (("Ceiling Light", "light", 40), ("Floor Lamp", "light", 12), ("TV", "tv", 110),
                    ("Speaker", "speaker", 15), ("Thermostat", "thermostat", 900), ("Blinds", "blinds", 5)),
    "Kitchen": (("Pendant Lights", "light", 30), ("Coffee Maker Plug", "smart_plug", 800), ("Speaker", "speaker", 15)),
    "Master Bedroom": (("Bedside Lamp", "light", 8), ("Ceiling Light", "light", 35), ("Blinds", "blinds", 5),
                       ("Thermostat", "thermostat", 700)),
    "Guest Bedroom": (("Ceiling Light", "light", 35), ("Heater Plug", "smart_plug", 1200)),
    "Office": (("Desk Lamp", "light", 10), ("Monitor Plug", "smart_plug", 60), ("Speaker", "speaker", 15)),
    "Garage": (("Garage Light", "light", 50), ("Garage Door Lock", "smart_lock", 3), ("Camera", "camera", 6)),
    "Hallway": (("Hall Light", "light", 20), ("Front Door Lock", "smart_lock", 3), ("Doorbell Camera", "camera", 5)),
    "Patio": (("String Lights", "light", 25), ("Patio Door Lock", "smart_lock", 3), ("Camera", "camera", 6)),
    "Nursery": (("Night Light", "light", 4), ("Thermostat", "thermostat", 500), ("Baby Monitor", "camera", 4)),
    "Basement": (("Basement Light", "light", 45), ("Dehumidifier Plug", "smart_plug", 300)),
}
_REQUIRED_ROOMS = ("Living Room", "Kitchen", "Hallway", "Garage")


# -- result records ----------------------------------------------------------------------------------
@_described
class Room(TypedDict):
    room_id: str
    room_name: str
    """Room name as people say it, e.g. 'Living Room'; what list_devices_in_room takes."""
    floor: int
    device_count: int


@_described
class RoomList(TypedDict):
    rooms: list[Room]


@_described
class DeviceSummary(TypedDict):
    device_id: str
    """Internal device id, e.g. 'DEV-4821'; what every device control takes."""
    device_name: str
    device_type: str
    room_name: str
    power: Literal["on", "off"]


@_described
class DeviceList(TypedDict):
    devices: list[DeviceSummary]


@_described
class DeviceStatus(TypedDict):
    """A device and its type-specific settings (null where they do not apply)."""

    device_id: str
    device_name: str
    device_type: str
    room_name: str
    power: Literal["on", "off"]
    brightness_percent: int | None
    target_temperature_c: float | None
    thermostat_mode: str | None
    lock_state: Literal["locked", "unlocked"] | None


@_described
class Scene(TypedDict):
    scene_id: str
    """Internal scene id, e.g. 'SC-3'."""
    scene_name: str
    device_ids: list[str]
    power_state: Literal["on", "off"]


@_described
class SceneList(TypedDict):
    scenes: list[Scene]


@_described
class SceneActivation(TypedDict):
    scene_id: str
    power_state: Literal["on", "off"]
    changed_device_ids: list[str]
    """Devices whose power actually changed."""


@_described
class Schedule(TypedDict):
    schedule_id: str
    """Internal schedule id, e.g. 'SCH-7'."""
    device_id: str
    action: Literal["turn_on", "turn_off"]
    time: str
    days: list[str]


@_described
class ScheduleList(TypedDict):
    schedules: list[Schedule]


@_described
class ScheduleDeletion(TypedDict):
    schedule_id: str
    deleted: bool


@_described
class DeviceEnergy(TypedDict):
    device_id: str
    device_name: str
    room_name: str
    kwh: float


@_described
class EnergyReport(TypedDict):
    period: Literal["day", "week"]
    room_name: str | None
    total_kwh: float
    estimated_cost: float
    """Cost of total_kwh at the home's tariff (0.28 USD/kWh)."""
    currency: str
    devices: list[DeviceEnergy]
    """Devices by consumption, highest first."""


@_described
class SecurityStatus(TypedDict):
    state: Literal["disarmed", "armed_home", "armed_away"]
    unlocked_lock_ids: list[str]
    """Device ids of smart locks that are unlocked (arming away needs none)."""


class SmartHomeAPI:
    """One home: rooms, devices by id, scenes, schedules, energy and the security system."""

    def __init__(self) -> None:
        self.home_name = ""
        self.lock_pin = "0000"
        self.security_code = "0000"
        self.failed_pin_attempts = 0
        self.security_state = "disarmed"
        self.rooms: dict[str, dict[str, Any]] = {}
        self.devices: dict[str, dict[str, Any]] = {}
        self.scenes: dict[str, dict[str, Any]] = {}
        self.schedules: dict[str, dict[str, Any]] = {}
        self.next_scene_number = 1
        self.next_schedule_number = 1

    def load_state(self, state: dict[str, Any]) -> None:
        """Load a state made by `generate_state` (or a hand-written one of the same shape)."""
        load_attributes(self, state, "smart_home")

    # -- internal --------------------------------------------------------------------------------
    def _device(self, device_id: str, kind: str | None = None) -> dict[str, Any]:
        device = self.devices.get(device_id)
        if device is None:
            raise NotFoundError(f"no device {device_id!r}; use list_devices_in_room or find_devices_by_type for ids")
        if kind is not None and device["device_type"] != kind:
            raise InvalidArgumentError(
                f"device {device_id} ({device['device_name']}) is a {device['device_type']}, not a {kind}"
            )
        return device

    def _room_name(self, device: dict[str, Any]) -> str:
        return str(self.rooms[device["room_id"]]["room_name"])

    def _summary(self, device: dict[str, Any]) -> DeviceSummary:
        return {"device_id": device["device_id"], "device_name": device["device_name"],
                "device_type": device["device_type"], "room_name": self._room_name(device), "power": device["power"]}

    def _status(self, device: dict[str, Any]) -> DeviceStatus:
        return {**self._summary(device), "brightness_percent": device.get("brightness_percent"),
                "target_temperature_c": device.get("target_temperature_c"),
                "thermostat_mode": device.get("thermostat_mode"), "lock_state": device.get("lock_state")}

    def _switchable(self, device_id: str) -> dict[str, Any]:
        device = self._device(device_id)
        if device["device_type"] == "smart_lock":
            raise InvalidArgumentError(f"{device_id} is a smart lock; use lock_smart_lock or unlock_smart_lock")
        return device

    def _check_pin(self, pin: str) -> None:
        if self.failed_pin_attempts >= _MAX_PIN_ATTEMPTS:
            raise PermissionDeniedError(
                "the lock keypad is locked out after 3 wrong PINs; arm or disarm the security system with the "
                "security code to reset it"
            )
        if pin != self.lock_pin:
            self.failed_pin_attempts += 1
            left = _MAX_PIN_ATTEMPTS - self.failed_pin_attempts
            raise AuthenticationError(f"wrong lock PIN; {left} attempt(s) left before the keypad locks out")
        self.failed_pin_attempts = 0

    def _check_security_code(self, security_code: str) -> None:
        if security_code != self.security_code:
            raise AuthenticationError("wrong security code")
        self.failed_pin_attempts = 0

    def _unlocked_locks(self) -> list[str]:
        return sorted(d["device_id"] for d in self.devices.values()
                      if d["device_type"] == "smart_lock" and d["lock_state"] == "unlocked")

    # -- rooms and devices -----------------------------------------------------------------------
    @tool
    def list_rooms(self) -> RoomList:
        """List the rooms of the home with how many devices each has.

        Returns:
            Rooms with room_id, room_name, floor and device_count.
        """
        rooms: list[Room] = []
        for room_id in sorted(self.rooms):
            room = self.rooms[room_id]
            count = sum(d["room_id"] == room_id for d in self.devices.values())
            rooms.append({"room_id": room_id, "room_name": room["room_name"], "floor": room["floor"], "device_count": count})
        return {"rooms": rooms}

    @tool
    def list_devices_in_room(self, room_name: str) -> DeviceList:
        """List the devices of one room, to get their device ids.

        Args:
            room_name: Room name, e.g. 'Living Room' (see list_rooms).

        Returns:
            The room's devices with device_id, name, type and power.
        """
        wanted = " ".join(room_name.split()).lower()
        room_id = next((r for r, room in self.rooms.items() if room["room_name"].lower() == wanted), None)
        if room_id is None:
            names = ", ".join(sorted(r["room_name"] for r in self.rooms.values()))
            raise NotFoundError(f"no room called {room_name!r}; rooms: {names}")
        devices = sorted((d for d in self.devices.values() if d["room_id"] == room_id), key=lambda d: d["device_id"])
        return {"devices": [self._summary(d) for d in devices]}

    @tool
    def find_devices_by_type(self, device_type: DeviceType) -> DeviceList:
        """List every device of one kind across the home (all lights, all locks...).

        Args:
            device_type: One of 'light', 'thermostat', 'smart_lock', 'smart_plug', 'camera', 'speaker', 'tv', 'blinds'.

        Returns:
            Matching devices with their device ids and rooms.
        """
        devices = sorted((d for d in self.devices.values() if d["device_type"] == device_type),
                         key=lambda d: (self._room_name(d), d["device_id"]))
        return {"devices": [self._summary(d) for d in devices]}

    @tool
    def get_device_status(self, device_id: str) -> DeviceStatus:
        """Get a device's power and settings (brightness, thermostat target and mode, lock state).

        Args:
            device_id: Device id such as 'DEV-4821'.

        Returns:
            The device status.
        """
        return self._status(self._device(device_id))

    @tool(mutates=True)
    def turn_on_device(self, device_id: str) -> DeviceStatus:
        """Switch a device on (any device except smart locks). Does nothing if it is already on.

        Args:
            device_id: Device id such as 'DEV-4821'.

        Returns:
            The device status.
        """
        device = self._switchable(device_id)
        device["power"] = "on"
        return self._status(device)

    @tool(mutates=True)
    def turn_off_device(self, device_id: str) -> DeviceStatus:
        """Switch a device off (any device except smart locks). Does nothing if it is already off.

        Args:
            device_id: Device id such as 'DEV-4821'.

        Returns:
            The device status.
        """
        device = self._switchable(device_id)
        device["power"] = "off"
        return self._status(device)

    @tool(mutates=True)
    def set_light_brightness(self, device_id: str, brightness_percent: int) -> DeviceStatus:
        """Set a light's brightness; the light is switched on.

        Args:
            device_id: Device id of a light, e.g. 'DEV-4821'.
            brightness_percent: Brightness from 1 to 100.

        Returns:
            The light's status.
        """
        device = self._device(device_id, "light")
        if not 1 <= brightness_percent <= 100:
            raise InvalidArgumentError(f"brightness_percent must be between 1 and 100, got {brightness_percent}")
        device["brightness_percent"] = brightness_percent
        device["power"] = "on"
        return self._status(device)

    @tool(mutates=True)
    def set_thermostat(
        self, device_id: str, target_temperature_c: float, mode: Literal["heat", "cool", "auto", "eco"] = "auto"
    ) -> DeviceStatus:
        """Set a thermostat's target temperature and mode; the thermostat is switched on.

        Args:
            device_id: Device id of a thermostat (find_devices_by_type with 'thermostat').
            target_temperature_c: Target temperature, 10 to 32 degrees Celsius.
            mode: 'heat', 'cool', 'auto' or 'eco'.

        Returns:
            The thermostat's status.
        """
        device = self._device(device_id, "thermostat")
        if not 10 <= target_temperature_c <= 32:
            raise InvalidArgumentError(f"target_temperature_c must be between 10 and 32, got {target_temperature_c}")
        device["target_temperature_c"] = round(float(target_temperature_c), 1)
        device["thermostat_mode"] = mode
        device["power"] = "on"
        return self._status(device)

    # -- locks -----------------------------------------------------------------------------------
    @tool(mutates=True)
    def lock_smart_lock(self, device_id: str, pin: str) -> DeviceStatus:
        """Lock a smart lock with the lock PIN.

        Args:
            device_id: Device id of a smart lock (find_devices_by_type with 'smart_lock').
            pin: The home's lock PIN (4-6 digits).

        Returns:
            The lock's status.
        """
        device = self._device(device_id, "smart_lock")
        self._check_pin(pin)
        device["lock_state"] = "locked"
        return self._status(device)

    @tool(mutates=True)
    def unlock_smart_lock(self, device_id: str, pin: str) -> DeviceStatus:
        """Unlock a smart lock with the lock PIN. Refused while the security system is armed away.

        Args:
            device_id: Device id of a smart lock.
            pin: The home's lock PIN (4-6 digits).

        Returns:
            The lock's status.
        """
        device = self._device(device_id, "smart_lock")
        if self.security_state == "armed_away":
            raise InvalidStateError("the security system is armed away; disarm_security_system before unlocking")
        self._check_pin(pin)
        device["lock_state"] = "unlocked"
        return self._status(device)

    # -- scenes ----------------------------------------------------------------------------------
    @tool(mutates=True)
    def create_scene(self, scene_name: str, device_ids: list[str], power_state: Literal["on", "off"]) -> Scene:
        """Save a scene: a named set of devices to switch on or off together with activate_scene.

        Args:
            scene_name: Scene name, 1-40 characters, unique, e.g. 'Movie night'.
            device_ids: Ids of the devices in the scene (no smart locks), e.g. ['DEV-4821', 'DEV-1177'].
            power_state: 'on' or 'off': what activating the scene does to every device.

        Returns:
            The scene with its scene_id.
        """
        name = " ".join(scene_name.split())
        if not 1 <= len(name) <= 40:
            raise InvalidArgumentError("scene_name must have 1 to 40 characters")
        if not device_ids:
            raise InvalidArgumentError("a scene needs at least one device id")
        if any(s["scene_name"].lower() == name.lower() for s in self.scenes.values()):
            raise ConflictError(f"a scene named {name!r} already exists")
        ordered = list(dict.fromkeys(device_ids))
        for device_id in ordered:
            self._switchable(device_id)
        scene_id = f"SC-{self.next_scene_number}"
        self.next_scene_number += 1
        self.scenes[scene_id] = {"scene_id": scene_id, "scene_name": name, "device_ids": ordered, "power_state": power_state}
        return {"scene_id": scene_id, "scene_name": name, "device_ids": list(ordered), "power_state": power_state}

    @tool
    def list_scenes(self) -> SceneList:
        """List the saved scenes.

        Returns:
            Scenes with scene_id, name, devices and power state.
        """
        return {"scenes": [
            {"scene_id": s["scene_id"], "scene_name": s["scene_name"], "device_ids": list(s["device_ids"]),
             "power_state": s["power_state"]}
            for s in sorted(self.scenes.values(), key=lambda s: int(s["scene_id"].split("-")[1]))
        ]}

    @tool(mutates=True)
    def activate_scene(self, scene_id: str) -> SceneActivation:
        """Activate a saved scene: switch all its devices on or off.

        Args:
            scene_id: Scene id such as 'SC-3' (from create_scene or list_scenes).

        Returns:
            The devices whose power changed.
        """
        scene = self.scenes.get(scene_id)
        if scene is None:
            raise NotFoundError(f"no scene {scene_id!r}; use list_scenes to find scene ids")
        changed = []
        for device_id in scene["device_ids"]:
            device = self.devices.get(device_id)
            if device is not None and device["power"] != scene["power_state"]:
                device["power"] = scene["power_state"]
                changed.append(device_id)
        return {"scene_id": scene_id, "power_state": scene["power_state"], "changed_device_ids": changed}

    # -- schedules -------------------------------------------------------------------------------
    @tool(mutates=True)
    def create_device_schedule(
        self, device_id: str, action: Literal["turn_on", "turn_off"], time: str, days: list[Weekday]
    ) -> Schedule:
        """Schedule a device to switch on or off at a time on given weekdays.

        Args:
            device_id: Device id such as 'DEV-4821' (no smart locks).
            action: 'turn_on' or 'turn_off'.
            time: 24-hour time HH:MM, e.g. '06:45'.
            days: Weekdays it runs on, from 'mon' to 'sun', e.g. ['mon', 'wed', 'fri'].

        Returns:
            The schedule with its schedule_id.
        """
        self._switchable(device_id)
        if not _TIME_RE.match(time):
            raise InvalidArgumentError(f"time {time!r} must be 24-hour HH:MM, e.g. '06:45'")
        if not days:
            raise InvalidArgumentError("days must name at least one weekday")
        ordered = [d for d in _WEEKDAYS if d in set(days)]
        for s in self.schedules.values():
            if s["device_id"] == device_id and s["time"] == time and set(s["days"]) & set(ordered):
                raise ConflictError(
                    f"schedule {s['schedule_id']} already switches {device_id} at {time} on {', '.join(s['days'])}"
                )
        schedule_id = f"SCH-{self.next_schedule_number}"
        self.next_schedule_number += 1
        self.schedules[schedule_id] = {"schedule_id": schedule_id, "device_id": device_id, "action": action,
                                       "time": time, "days": ordered}
        return {"schedule_id": schedule_id, "device_id": device_id, "action": action, "time": time, "days": list(ordered)}

    @tool
    def list_device_schedules(self, device_id: str | None = None) -> ScheduleList:
        """List schedules, optionally for one device.

        Args:
            device_id: Only this device's schedules. Omit for all.

        Returns:
            Schedules with schedule_id, device_id, action, time and days.
        """
        if device_id is not None:
            self._device(device_id)
        found = sorted((s for s in self.schedules.values() if device_id is None or s["device_id"] == device_id),
                       key=lambda s: int(s["schedule_id"].split("-")[1]))
        return {"schedules": [{k: (list(v) if isinstance(v, list) else v) for k, v in s.items()} for s in found]}  # type: ignore[misc]

    @tool(mutates=True)
    def delete_device_schedule(self, schedule_id: str) -> ScheduleDeletion:
        """Delete a schedule.

        Args:
            schedule_id: Schedule id such as 'SCH-7' (from list_device_schedules).

        Returns:
            The deleted schedule id.
        """
        if schedule_id not in self.schedules:
            raise NotFoundError(f"no schedule {schedule_id!r}; use list_device_schedules to find schedule ids")
        del self.schedules[schedule_id]
        return {"schedule_id": schedule_id, "deleted": True}

    # -- energy ----------------------------------------------------------------------------------
    @tool
    def get_energy_usage_report(self, period: Literal["day", "week"] = "week", room_name: str | None = None) -> EnergyReport:
        """Energy used by the devices over the last day or week, optionally for one room, with its cost.

        Args:
            period: 'day' (yesterday) or 'week' (the last 7 days).
            room_name: Only devices of this room, e.g. 'Kitchen'. Omit for the whole home.

        Returns:
            Total kWh, estimated cost in USD and per-device consumption, highest first.
        """
        room_id = None
        if room_name is not None:
            wanted = " ".join(room_name.split()).lower()
            room_id = next((r for r, room in self.rooms.items() if room["room_name"].lower() == wanted), None)
            if room_id is None:
                raise NotFoundError(f"no room called {room_name!r}; use list_rooms")
        rows: list[DeviceEnergy] = []
        for device in self.devices.values():
            if room_id is not None and device["room_id"] != room_id:
                continue
            history = device["energy_kwh_last_7_days"]
            kwh = round(history[-1] if period == "day" else sum(history), 3)
            rows.append({"device_id": device["device_id"], "device_name": device["device_name"],
                         "room_name": self._room_name(device), "kwh": kwh})
        rows.sort(key=lambda r: (-r["kwh"], r["device_id"]))
        total = round(sum(r["kwh"] for r in rows), 3)
        return {"period": period, "room_name": self.rooms[room_id]["room_name"] if room_id else None,
                "total_kwh": total, "estimated_cost": round(total * _PRICE_PER_KWH, 2), "currency": "USD", "devices": rows}

    # -- security --------------------------------------------------------------------------------
    @tool
    def get_security_system_status(self) -> SecurityStatus:
        """The security system's state and which smart locks are unlocked.

        Returns:
            State ('disarmed', 'armed_home' or 'armed_away') and unlocked lock ids.
        """
        return {"state": self.security_state, "unlocked_lock_ids": self._unlocked_locks()}  # type: ignore[typeddict-item]

    @tool(mutates=True)
    def arm_security_system(self, mode: Literal["home", "away"], security_code: str) -> SecurityStatus:
        """Arm the security system from disarmed. 'away' needs every smart lock locked first.

        Args:
            mode: 'home' (perimeter only, people inside) or 'away' (everything).
            security_code: The alarm's security code.

        Returns:
            The new security status.
        """
        if self.security_state != "disarmed":
            raise InvalidStateError(f"the system is already {self.security_state}; disarm it first")
        self._check_security_code(security_code)
        unlocked = self._unlocked_locks()
        if mode == "away" and unlocked:
            raise InvalidStateError(
                f"cannot arm away with unlocked lock(s) {', '.join(unlocked)}; lock them with lock_smart_lock first"
            )
        self.security_state = f"armed_{mode}"
        return {"state": self.security_state, "unlocked_lock_ids": unlocked}  # type: ignore[typeddict-item]

    @tool(mutates=True)
    def disarm_security_system(self, security_code: str) -> SecurityStatus:
        """Disarm the security system (also resets a locked-out lock keypad).

        Args:
            security_code: The alarm's security code.

        Returns:
            The new security status.
        """
        if self.security_state == "disarmed":
            raise InvalidStateError("the security system is already disarmed")
        self._check_security_code(security_code)
        self.security_state = "disarmed"
        return {"state": "disarmed", "unlocked_lock_ids": self._unlocked_locks()}


# -- world generation --------------------------------------------------------------------------------
def generate_state(seed: int) -> dict[str, Any]:
    """A home of 6-9 rooms with 15-35 devices, a week of energy readings, a few scenes and schedules;
    deterministic for `seed`."""
    rng = random.Random(f"smart_home:{seed}")
    optional = [r for r in _ROOM_DEVICES if r not in _REQUIRED_ROOMS]
    room_names = list(_REQUIRED_ROOMS) + rng.sample(optional, rng.randint(2, 5))
    ids = iter(rng.sample(range(1000, 10000), 100))
    rooms: dict[str, dict[str, Any]] = {}
    devices: dict[str, dict[str, Any]] = {}
    for number, room_name in enumerate(room_names, start=1):
        room_id = f"RM-{number:02d}"
        floor = 0 if room_name in ("Garage", "Basement") else 1 if room_name in ("Living Room", "Kitchen", "Hallway", "Patio") else 2
        rooms[room_id] = {"room_id": room_id, "room_name": room_name, "floor": floor}
        catalogue = _ROOM_DEVICES[room_name]
        keep = [d for d in catalogue if d[1] in ("smart_lock", "thermostat")]
        keep += rng.sample([d for d in catalogue if d not in keep], rng.randint(1, len(catalogue) - len(keep)))
        for device_name, device_type, watts in sorted(keep):
            device_id = f"DEV-{next(ids)}"
            power = rng.choice(("on", "off"))
            device: dict[str, Any] = {
                "device_id": device_id, "device_name": device_name, "device_type": device_type, "room_id": room_id,
                "power": "on" if device_type in ("smart_lock", "camera") else power,
                "energy_kwh_last_7_days": [round(watts * rng.uniform(0.5, 8) / 1000, 3) for _ in range(7)],
            }
            if device_type == "light":
                device["brightness_percent"] = rng.choice((30, 50, 70, 100))
            elif device_type == "thermostat":
                device["target_temperature_c"] = float(rng.randint(18, 23))
                device["thermostat_mode"] = rng.choice(("heat", "auto", "eco"))
            elif device_type == "smart_lock":
                device["lock_state"] = rng.choice(("locked", "unlocked"))
            devices[device_id] = device
    api = SmartHomeAPI()
    api.rooms, api.devices = rooms, devices
    switchable = sorted(d for d, v in devices.items() if v["device_type"] != "smart_lock")
    for scene_name in rng.sample(("Good morning", "Movie night", "Away", "Dinner", "Bedtime"), rng.randint(1, 3)):
        api.create_scene(scene_name, rng.sample(switchable, rng.randint(2, 4)), rng.choice(("on", "off")))
    for _ in range(rng.randint(3, 6)):
        try:
            api.create_device_schedule(
                rng.choice(switchable), rng.choice(("turn_on", "turn_off")), f"{rng.randint(5, 23):02d}:{rng.choice((0, 15, 30, 45)):02d}",
                sorted(rng.sample(_WEEKDAYS, rng.randint(1, 7)), key=_WEEKDAYS.index),  # type: ignore[arg-type]
            )
        except ConflictError:
            pass  # a clashing random schedule is simply not made
    pin_digits = rng.choice((4, 6))
    return {
        "home_name": f"{rng.choice(('Maple', 'Harbor', 'Cedar', 'Willow', 'Summit'))} {rng.choice(('House', 'Cottage', 'Loft'))}",
        "lock_pin": str(rng.randrange(10 ** (pin_digits - 1), 10**pin_digits)),
        "security_code": f"{rng.randrange(1000, 10000)}",
        "failed_pin_attempts": 0, "security_state": "disarmed", "rooms": rooms, "devices": devices,
        "scenes": api.scenes, "schedules": api.schedules,
        "next_scene_number": api.next_scene_number, "next_schedule_number": api.next_schedule_number,
    }


# -- examples (from the seed-0 world) ---------------------------------------------------------------
def _examples() -> dict[str, list[ExampleCall]]:
    state = generate_state(0)
    pin, code = state["lock_pin"], state["security_code"]
    lights: ExampleCall = ("find_devices_by_type", {"device_type": "light"})
    locks: ExampleCall = ("find_devices_by_type", {"device_type": "smart_lock"})
    kitchen: ExampleCall = ("list_devices_in_room", {"room_name": "Kitchen"})
    lock_all = [("lock_smart_lock", {"device_id": f"$0.devices.{i}.device_id", "pin": pin})
                for i in range(sum(d["device_type"] == "smart_lock" for d in state["devices"].values()))]
    return {
        "list_rooms": [("list_rooms", {})],
        "list_devices_in_room": [("list_rooms", {}), ("list_devices_in_room", {"room_name": "$0.rooms.0.room_name"})],
        "find_devices_by_type": [lights],
        "get_device_status": [kitchen, ("get_device_status", {"device_id": "$0.devices.0.device_id"})],
        "turn_on_device": [kitchen, ("turn_on_device", {"device_id": "$0.devices.0.device_id"})],
        "turn_off_device": [kitchen, ("turn_off_device", {"device_id": "$0.devices.0.device_id"})],
        "set_light_brightness": [lights, ("set_light_brightness", {"device_id": "$0.devices.0.device_id",
                                                                   "brightness_percent": 40})],
        "set_thermostat": [("find_devices_by_type", {"device_type": "thermostat"}),
                           ("set_thermostat", {"device_id": "$0.devices.0.device_id", "target_temperature_c": 21.5,
                                               "mode": "heat"})],
        "lock_smart_lock": [locks, ("lock_smart_lock", {"device_id": "$0.devices.0.device_id", "pin": pin})],
        "unlock_smart_lock": [locks, ("unlock_smart_lock", {"device_id": "$0.devices.0.device_id", "pin": pin})],
        "create_scene": [lights, ("create_scene", {"scene_name": "Reading", "device_ids": ["$0.devices.0.device_id",
                                                   "$0.devices.1.device_id"], "power_state": "on"})],
        "list_scenes": [("list_scenes", {})],
        "activate_scene": [lights,
                           ("create_scene", {"scene_name": "Lights out", "device_ids": ["$0.devices.0.device_id"],
                                             "power_state": "off"}),
                           ("activate_scene", {"scene_id": "$1.scene_id"})],
        "create_device_schedule": [kitchen, ("create_device_schedule", {"device_id": "$0.devices.0.device_id",
                                             "action": "turn_on", "time": "06:40", "days": ["mon", "tue", "wed"]})],
        "list_device_schedules": [("list_device_schedules", {})],
        "delete_device_schedule": [("list_device_schedules", {}),
                                   ("delete_device_schedule", {"schedule_id": "$0.schedules.0.schedule_id"})],
        "get_energy_usage_report": [("get_energy_usage_report", {"period": "week", "room_name": "Kitchen"})],
        "get_security_system_status": [("get_security_system_status", {})],
        "arm_security_system": [locks, *lock_all, ("arm_security_system", {"mode": "away", "security_code": code})],
        "disarm_security_system": [("arm_security_system", {"mode": "home", "security_code": code}),
                                   ("disarm_security_system", {"security_code": code})],
    }


DOMAIN = Domain(
    name="smart_home",
    description="A smart home: rooms and their devices by id, power, light brightness, thermostats, "
    "PIN-protected smart locks with keypad lockout, scenes, weekly schedules, an energy usage report "
    "and a security system with arm/disarm transitions.",
    environment_class=SmartHomeAPI,
    generate_state=generate_state,
    chains=(
        Chain("dim_room_lights", "Room name -> its devices -> set a light's brightness by device id.",
              ("list_rooms", "list_devices_in_room", "set_light_brightness")),
        Chain("scene_from_room", "Devices of a room -> a scene of their ids -> activate the new scene id.",
              ("list_devices_in_room", "create_scene", "activate_scene")),
        Chain("leave_home", "Find the locks, lock each with the PIN, then arm away (needs all locked).",
              ("find_devices_by_type", "lock_smart_lock", "arm_security_system")),
        Chain("let_guest_in", "Disarm the armed-away system, find the locks, unlock the front door.",
              ("disarm_security_system", "find_devices_by_type", "unlock_smart_lock")),
        Chain("replace_schedule", "A device's schedules -> delete one by id -> create a new one for the device.",
              ("list_device_schedules", "delete_device_schedule", "create_device_schedule")),
        Chain("energy_hog_off", "Energy report for a room -> the top device's id -> switch it off.",
              ("get_energy_usage_report", "turn_off_device", "get_device_status")),
        Chain("warm_the_nursery", "Room -> its devices -> set the room's thermostat.",
              ("list_rooms", "list_devices_in_room", "set_thermostat")),
    ),
    examples=_examples(),
)
