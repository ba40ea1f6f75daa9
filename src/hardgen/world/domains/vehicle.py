"""Vehicle: one connected car whose controls have real preconditions.

The hard part of this domain is state, not ids: the engine starts only with every door locked, the
brake pressed and the gear in park; leaving park needs the brake; cruise control needs the engine
on, drive gear and a speed of at least 40 km/h; refuelling needs the engine off; navigation needs
the engine on. A task such as "set cruise control to 100" therefore hides a chain of 5-6 calls.
Distances come from the shared city pool's coordinates (great circle x a road factor), and only
cities on the same land mass can be driven between.
"""

from __future__ import annotations

import difflib
import math
import random
from typing import Any, Literal

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._data import CITIES
from hardgen.world._domain import Chain, Domain, ExampleCall, load_attributes
from hardgen.world._errors import InvalidArgumentError, InvalidStateError, NotFoundError

_described = with_config(ConfigDict(use_attribute_docstrings=True))

Door = Literal["driver", "passenger", "rear_left", "rear_right"]
Gear = Literal["P", "R", "N", "D"]
Tire = Literal["front_left", "front_right", "rear_left", "rear_right"]
DOORS: tuple[str, ...] = ("driver", "passenger", "rear_left", "rear_right")
TIRES: tuple[str, ...] = ("front_left", "front_right", "rear_left", "rear_right")

_ROAD_FACTOR = 1.25  # roads are longer than the great circle
_AVERAGE_SPEED_KMH = 85.0
_MIN_CRUISE_KMH = 40
_MAX_REVERSE_KMH = 15
# Cities a car can drive between (by land mass).
_LAND_MASS = {
    "Rivermist": "north_america", "Stonebrook": "north_america", "Silverpine": "north_america",
    "Toronto": "north_america", "New York": "north_america", "Chicago": "north_america",
    "Mexico City": "north_america", "Lisbon": "europe", "Berlin": "europe", "Paris": "europe",
    "London": "europe", "Zurich": "europe", "Madrid": "europe", "Rome": "europe", "Tokyo": "japan",
    "Osaka": "japan", "Mumbai": "south_asia", "Singapore": "south_asia", "Seoul": "korea", "Sydney": "australia",
}
_COORDS = {row[0]: (row[4], row[5]) for row in CITIES}
_MODELS = ("Aurora S3 sedan", "Kestrel GT hatchback", "Tundra X5 SUV", "Meridian E-Wagon", "Vantage C2 coupe")


# -- result records ----------------------------------------------------------------------------------
@_described
class DoorLocks(TypedDict):
    doors: dict[str, str]
    """Each door ('driver', 'passenger', 'rear_left', 'rear_right') -> 'locked' or 'unlocked'."""
    all_locked: bool


@_described
class BrakeState(TypedDict):
    brake_pressed: bool
    speed_kmh: int


@_described
class EngineState(TypedDict):
    engine_state: Literal["running", "stopped"]
    gear: str
    fuel_liters: float


@_described
class GearState(TypedDict):
    gear: str
    """'P' park, 'R' reverse, 'N' neutral or 'D' drive."""
    speed_kmh: int


@_described
class SpeedState(TypedDict):
    speed_kmh: int
    gear: str
    cruise_control_enabled: bool


@_described
class CruiseControl(TypedDict):
    enabled: bool
    target_speed_kmh: int | None


@_described
class FuelLevel(TypedDict):
    fuel_liters: float
    tank_capacity_liters: float
    fuel_percent: float
    range_km: float
    """Distance the current fuel lasts at the car's average consumption."""


@_described
class Refuel(TypedDict):
    liters_added: float
    fuel_liters: float
    fuel_percent: float


@_described
class TirePressure(TypedDict):
    position: str
    pressure_psi: float
    status: Literal["ok", "low", "high"]


@_described
class TireReport(TypedDict):
    tires: list[TirePressure]
    recommended_psi: float
    needs_attention: bool


@_described
class Route(TypedDict):
    origin_city: str
    destination_city: str
    distance_km: float
    """Road distance in km."""
    eta_minutes: int
    fuel_needed_liters: float
    enough_fuel: bool


@_described
class DriveDistance(TypedDict):
    from_city: str
    to_city: str
    distance_km: float
    """Road distance in km (great-circle distance x 1.25)."""
    drive_minutes: int


@_described
class TripRange(TypedDict):
    distance_km: float
    range_km: float
    can_reach: bool
    """Whether the trip can be driven on the fuel in the tank now."""
    liters_to_add: float
    """Fuel to add before leaving (0 when the tank suffices), capped at what fits in the tank;
    what fill_fuel_tank takes."""
    reachable_on_full_tank: bool


@_described
class ClimateState(TypedDict):
    temperature_c: float
    fan_speed: int
    mode: str


@_described
class Headlights(TypedDict):
    headlights: Literal["off", "on", "auto"]


@_described
class CarStatus(TypedDict):
    """Everything the dashboard shows."""

    model: str
    location_city: str
    engine_state: Literal["running", "stopped"]
    gear: str
    speed_kmh: int
    brake_pressed: bool
    doors: dict[str, str]
    all_doors_locked: bool
    fuel_liters: float
    fuel_percent: float
    headlights: str
    climate: ClimateState
    cruise_control: CruiseControl
    navigation_destination: str | None
    odometer_km: int


def _road_km(a: str, b: str) -> float:
    lat1, lon1 = map(math.radians, _COORDS[a])
    lat2, lon2 = map(math.radians, _COORDS[b])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return round(6371.0 * 2 * math.asin(math.sqrt(h)) * _ROAD_FACTOR, 1)


def _city(name: str) -> str:
    for city in _COORDS:
        if city.lower() == name.strip().lower():
            return city
    close = difflib.get_close_matches(name.strip().title(), list(_COORDS), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known cities: {', '.join(_COORDS)}"
    raise NotFoundError(f"unknown city {name!r}{hint}")


class VehicleAPI:
    """A connected car: doors, brake, engine, gears, speed, cruise control, fuel, tires, navigation, cabin."""

    def __init__(self) -> None:
        self.model = ""
        self.location_city = "Berlin"
        self.odometer_km = 0
        self.engine_state = "stopped"
        self.doors: dict[str, str] = dict.fromkeys(DOORS, "locked")
        self.brake_pressed = False
        self.gear = "P"
        self.speed_kmh = 0
        self.cruise_control: dict[str, Any] = {"enabled": False, "target_speed_kmh": None}
        self.fuel_liters = 0.0
        self.tank_capacity_liters = 50.0
        self.consumption_l_per_100km = 7.0
        self.tire_pressure_psi: dict[str, float] = dict.fromkeys(TIRES, 33.0)
        self.recommended_tire_psi = 33.0
        self.headlights = "off"
        self.climate: dict[str, Any] = {"temperature_c": 21.0, "fan_speed": 0, "mode": "off"}
        self.navigation: dict[str, Any] = {"destination_city": None, "distance_km": None}

    def load_state(self, state: dict[str, Any]) -> None:
        """Load a state made by `generate_state` (or a hand-written one of the same shape)."""
        load_attributes(self, state, "vehicle")

    # -- internal --------------------------------------------------------------------------------
    def _require_running(self, action: str) -> None:
        if self.engine_state != "running":
            raise InvalidStateError(f"{action} needs the engine running; start it with start_engine")

    def _range_km(self) -> float:
        return round(self.fuel_liters / self.consumption_l_per_100km * 100, 1)

    def _locks(self) -> DoorLocks:
        return {"doors": dict(self.doors), "all_locked": all(v == "locked" for v in self.doors.values())}

    def _route(self, origin: str, destination: str) -> float:
        if origin == destination:
            raise InvalidArgumentError(f"the car is already in {origin}")
        if _LAND_MASS[origin] != _LAND_MASS[destination]:
            raise NotFoundError(f"no road route between {origin} and {destination}: they are not on the same land mass")
        return _road_km(origin, destination)

    # -- doors and brake -------------------------------------------------------------------------
    @tool(mutates=True)
    def lock_doors(self, doors: list[Door] | None = None) -> DoorLocks:
        """Lock some or all doors. All doors must be locked before start_engine.

        Args:
            doors: Doors to lock, from 'driver', 'passenger', 'rear_left', 'rear_right'. Omit to lock all.

        Returns:
            The lock state of every door.
        """
        for door in doors if doors is not None else DOORS:
            self.doors[door] = "locked"
        return self._locks()

    @tool(mutates=True)
    def unlock_doors(self, doors: list[Door] | None = None) -> DoorLocks:
        """Unlock some or all doors; refused while the car is moving.

        Args:
            doors: Doors to unlock, from 'driver', 'passenger', 'rear_left', 'rear_right'. Omit to unlock all.

        Returns:
            The lock state of every door.
        """
        if self.speed_kmh > 0:
            raise InvalidStateError(f"cannot unlock doors while moving at {self.speed_kmh} km/h; press_brake_pedal to stop")
        for door in doors if doors is not None else DOORS:
            self.doors[door] = "unlocked"
        return self._locks()

    @tool(mutates=True)
    def press_brake_pedal(self) -> BrakeState:
        """Press and hold the brake pedal. Needed to start the engine and to shift out of park;
        while moving it brings the car to a stop and disengages cruise control.

        Returns:
            The brake state and the speed (0 after braking).
        """
        self.brake_pressed = True
        self.speed_kmh = 0
        self.cruise_control = {"enabled": False, "target_speed_kmh": None}
        return {"brake_pressed": True, "speed_kmh": 0}

    @tool(mutates=True, requires=["press_brake_pedal"])
    def release_brake_pedal(self) -> BrakeState:
        """Release the brake pedal. The car can only drive (drive_at_speed) with the brake released.

        Returns:
            The brake state and the speed.
        """
        if not self.brake_pressed:
            raise InvalidStateError("the brake pedal is not pressed")
        self.brake_pressed = False
        return {"brake_pressed": False, "speed_kmh": self.speed_kmh}

    # -- engine, gears, speed --------------------------------------------------------------------
    @tool(mutates=True, requires=["lock_doors", "press_brake_pedal"])
    def start_engine(self) -> EngineState:
        """Start the engine. Needs every door locked (lock_doors), the brake pressed (press_brake_pedal),
        the gear in park and fuel in the tank.

        Returns:
            The engine state, gear and fuel.
        """
        if self.engine_state == "running":
            raise InvalidStateError("the engine is already running")
        unlocked = [d for d in DOORS if self.doors[d] != "locked"]
        if unlocked:
            raise InvalidStateError(f"cannot start: door(s) {', '.join(unlocked)} unlocked; call lock_doors first")
        if not self.brake_pressed:
            raise InvalidStateError("cannot start: press the brake pedal first (press_brake_pedal)")
        if self.gear != "P":
            raise InvalidStateError(f"cannot start in gear {self.gear}; shift to P first")
        if self.fuel_liters <= 0:
            raise InvalidStateError("cannot start: the fuel tank is empty; fill_fuel_tank first")
        self.engine_state = "running"
        return {"engine_state": "running", "gear": self.gear, "fuel_liters": self.fuel_liters}

    @tool(mutates=True, requires=["start_engine"])
    def stop_engine(self) -> EngineState:
        """Stop the engine. The car must be stopped (speed 0) and in park. Ends navigation.

        Returns:
            The engine state, gear and fuel.
        """
        if self.engine_state != "running":
            raise InvalidStateError("the engine is not running")
        if self.speed_kmh > 0 or self.gear != "P":
            raise InvalidStateError("stop the car (press_brake_pedal) and shift to P before stopping the engine")
        self.engine_state = "stopped"
        self.cruise_control = {"enabled": False, "target_speed_kmh": None}
        self.navigation = {"destination_city": None, "distance_km": None}
        if self.climate["mode"] != "off":
            self.climate = {**self.climate, "mode": "off", "fan_speed": 0}
        return {"engine_state": "stopped", "gear": self.gear, "fuel_liters": self.fuel_liters}

    @tool(mutates=True, requires=["start_engine"])
    def shift_gear(self, gear: Gear) -> GearState:
        """Shift the transmission. Needs the engine running; shifting out of park needs the brake pressed;
        park and reverse need the car stopped.

        Args:
            gear: 'P' park, 'R' reverse, 'N' neutral or 'D' drive.

        Returns:
            The gear now engaged and the speed.
        """
        self._require_running("shifting gear")
        if self.gear == "P" and gear != "P" and not self.brake_pressed:
            raise InvalidStateError("press the brake pedal before shifting out of park")
        if gear in ("P", "R") and self.speed_kmh > 0:
            raise InvalidStateError(f"cannot shift to {gear} while moving at {self.speed_kmh} km/h; press_brake_pedal first")
        self.gear = gear
        if gear != "D":
            self.cruise_control = {"enabled": False, "target_speed_kmh": None}
        return {"gear": gear, "speed_kmh": self.speed_kmh}

    @tool(mutates=True, requires=["shift_gear", "release_brake_pedal"])
    def drive_at_speed(self, speed_kmh: int) -> SpeedState:
        """Accelerate or slow down to a speed. Needs the engine running, gear D (or R up to 15 km/h)
        and the brake released.

        Args:
            speed_kmh: Target speed in km/h, 0 to 200.

        Returns:
            The speed, gear and whether cruise control is still engaged.
        """
        self._require_running("driving")
        if not 0 <= speed_kmh <= 200:
            raise InvalidArgumentError(f"speed_kmh must be between 0 and 200, got {speed_kmh}")
        if self.gear not in ("D", "R"):
            raise InvalidStateError(f"the car is in gear {self.gear}; shift_gear to D to drive")
        if self.gear == "R" and speed_kmh > _MAX_REVERSE_KMH:
            raise InvalidArgumentError(f"reverse is limited to {_MAX_REVERSE_KMH} km/h")
        if self.brake_pressed:
            raise InvalidStateError("release_brake_pedal before driving")
        self.speed_kmh = speed_kmh
        if speed_kmh < _MIN_CRUISE_KMH:
            self.cruise_control = {"enabled": False, "target_speed_kmh": None}
        return {"speed_kmh": speed_kmh, "gear": self.gear, "cruise_control_enabled": self.cruise_control["enabled"]}

    @tool(mutates=True, requires=["drive_at_speed"])
    def set_cruise_control(self, target_speed_kmh: int) -> CruiseControl:
        """Engage cruise control at a target speed. Needs the engine running, gear D and the car
        already moving at 40 km/h or more (drive_at_speed).

        Args:
            target_speed_kmh: Speed to hold, 40 to 180 km/h.

        Returns:
            The cruise control state.
        """
        self._require_running("cruise control")
        if not _MIN_CRUISE_KMH <= target_speed_kmh <= 180:
            raise InvalidArgumentError(f"target_speed_kmh must be between {_MIN_CRUISE_KMH} and 180, got {target_speed_kmh}")
        if self.gear != "D":
            raise InvalidStateError(f"cruise control needs gear D; the car is in {self.gear}")
        if self.speed_kmh < _MIN_CRUISE_KMH:
            raise InvalidStateError(
                f"cruise control engages at {_MIN_CRUISE_KMH} km/h or more; the car is at {self.speed_kmh} km/h (use drive_at_speed)"
            )
        self.cruise_control = {"enabled": True, "target_speed_kmh": target_speed_kmh}
        self.speed_kmh = target_speed_kmh
        return {"enabled": True, "target_speed_kmh": target_speed_kmh}

    @tool(mutates=True)
    def disable_cruise_control(self) -> CruiseControl:
        """Disengage cruise control (the car keeps its current speed).

        Returns:
            The cruise control state.
        """
        if not self.cruise_control["enabled"]:
            raise InvalidStateError("cruise control is not engaged")
        self.cruise_control = {"enabled": False, "target_speed_kmh": None}
        return {"enabled": False, "target_speed_kmh": None}

    # -- fuel and tires --------------------------------------------------------------------------
    @tool
    def get_fuel_level(self) -> FuelLevel:
        """Fuel in the tank, tank capacity and the range it gives.

        Returns:
            Liters, capacity, percent and range in km.
        """
        return {"fuel_liters": self.fuel_liters, "tank_capacity_liters": self.tank_capacity_liters,
                "fuel_percent": round(self.fuel_liters / self.tank_capacity_liters * 100, 1), "range_km": self._range_km()}

    @tool(mutates=True)
    def fill_fuel_tank(self, liters_to_add: float) -> Refuel:
        """Add fuel at the pump. Needs the engine off; the tank cannot be overfilled.

        Args:
            liters_to_add: Liters to add, more than 0 and at most the free space in the tank
                (check_trip_range tells how much a trip needs).

        Returns:
            Liters added and the new level.
        """
        if self.engine_state == "running":
            raise InvalidStateError("turn the engine off (stop_engine) before refuelling")
        free = round(self.tank_capacity_liters - self.fuel_liters, 1)
        if liters_to_add <= 0:
            raise InvalidArgumentError(f"liters_to_add must be positive, got {liters_to_add}")
        if liters_to_add > free + 1e-9:
            raise InvalidArgumentError(f"only {free} liters fit in the tank; cannot add {liters_to_add}")
        self.fuel_liters = round(self.fuel_liters + liters_to_add, 1)
        return {"liters_added": liters_to_add, "fuel_liters": self.fuel_liters,
                "fuel_percent": round(self.fuel_liters / self.tank_capacity_liters * 100, 1)}

    @tool
    def check_tire_pressure(self) -> TireReport:
        """Read the pressure of all four tires against the recommended pressure (±3 psi is ok).

        Returns:
            Each tire's pressure and status, and whether any needs attention.
        """
        tires: list[TirePressure] = []
        for position in TIRES:
            psi = self.tire_pressure_psi[position]
            gap = psi - self.recommended_tire_psi
            status: Literal["ok", "low", "high"] = "low" if gap < -3 else "high" if gap > 3 else "ok"
            tires.append({"position": position, "pressure_psi": psi, "status": status})
        return {"tires": tires, "recommended_psi": self.recommended_tire_psi,
                "needs_attention": any(t["status"] != "ok" for t in tires)}

    @tool(mutates=True)
    def inflate_tires(self, pressure_psi: float, tires: list[Tire] | None = None) -> TireReport:
        """Set tire pressure with the on-board compressor. The car must be standing still.

        Args:
            pressure_psi: Pressure to set, 26 to 42 psi.
            tires: Tires to inflate, from 'front_left', 'front_right', 'rear_left', 'rear_right'. Omit for all four.

        Returns:
            The tire report after inflating.
        """
        if self.speed_kmh > 0:
            raise InvalidStateError("stop the car (press_brake_pedal) before inflating tires")
        if not 26 <= pressure_psi <= 42:
            raise InvalidArgumentError(f"pressure_psi must be between 26 and 42, got {pressure_psi}")
        for position in tires if tires is not None else TIRES:
            self.tire_pressure_psi[position] = round(pressure_psi, 1)
        return self.check_tire_pressure()

    # -- trips -----------------------------------------------------------------------------------
    @tool
    def estimate_drive_distance(self, from_city: str, to_city: str) -> DriveDistance:
        """Road distance and driving time between two cities.

        Args:
            from_city: Start city, e.g. 'Berlin'.
            to_city: Destination city, e.g. 'Paris'.

        Returns:
            Distance in km and minutes at an average 85 km/h.
        """
        origin, destination = _city(from_city), _city(to_city)
        km = self._route(origin, destination)
        return {"from_city": origin, "to_city": destination, "distance_km": km,
                "drive_minutes": round(km / _AVERAGE_SPEED_KMH * 60)}

    @tool
    def check_trip_range(self, distance_km: float) -> TripRange:
        """Whether the fuel in the tank covers a trip, and how much to add if not.

        Args:
            distance_km: Trip length in km (from estimate_drive_distance), more than 0.

        Returns:
            Range, can_reach, liters_to_add (for fill_fuel_tank) and whether a full tank would do.
        """
        if distance_km <= 0:
            raise InvalidArgumentError(f"distance_km must be positive, got {distance_km}")
        needed = distance_km * self.consumption_l_per_100km / 100
        free = self.tank_capacity_liters - self.fuel_liters
        missing = max(0.0, needed - self.fuel_liters)
        to_add = min(math.ceil(missing * 10) / 10, math.floor(free * 10) / 10)
        return {"distance_km": distance_km, "range_km": self._range_km(), "can_reach": missing == 0,
                "liters_to_add": round(to_add, 1), "reachable_on_full_tank": needed <= self.tank_capacity_liters}

    @tool(mutates=True, requires=["start_engine"])
    def start_navigation(self, destination_city: str) -> Route:
        """Start turn-by-turn navigation from the car's city to a destination city. Needs the engine running.

        Args:
            destination_city: City to drive to, e.g. 'Paris'.

        Returns:
            The route: distance, ETA, fuel needed and whether the tank suffices.
        """
        self._require_running("navigation")
        destination = _city(destination_city)
        km = self._route(self.location_city, destination)
        fuel = round(km * self.consumption_l_per_100km / 100, 1)
        self.navigation = {"destination_city": destination, "distance_km": km}
        return {"origin_city": self.location_city, "destination_city": destination, "distance_km": km,
                "eta_minutes": round(km / _AVERAGE_SPEED_KMH * 60), "fuel_needed_liters": fuel,
                "enough_fuel": fuel <= self.fuel_liters}

    # -- cabin -----------------------------------------------------------------------------------
    @tool(mutates=True, requires=["start_engine"])
    def set_climate_control(
        self, temperature_c: float, fan_speed: int = 2, mode: Literal["auto", "cool", "heat", "defrost"] = "auto"
    ) -> ClimateState:
        """Set the cabin climate. Needs the engine running.

        Args:
            temperature_c: Target cabin temperature, 16 to 30 degrees Celsius.
            fan_speed: Fan level, 1 to 5.
            mode: 'auto', 'cool', 'heat' or 'defrost'.

        Returns:
            The climate settings now in effect.
        """
        self._require_running("climate control")
        if not 16 <= temperature_c <= 30:
            raise InvalidArgumentError(f"temperature_c must be between 16 and 30, got {temperature_c}")
        if not 1 <= fan_speed <= 5:
            raise InvalidArgumentError(f"fan_speed must be between 1 and 5, got {fan_speed}")
        self.climate = {"temperature_c": float(temperature_c), "fan_speed": fan_speed, "mode": mode}
        return dict(self.climate)  # type: ignore[return-value]

    @tool(mutates=True)
    def set_headlights(self, mode: Literal["off", "on", "auto"]) -> Headlights:
        """Switch the headlights.

        Args:
            mode: 'off', 'on' or 'auto' (on when it is dark).

        Returns:
            The headlight mode.
        """
        self.headlights = mode
        return {"headlights": mode}

    @tool
    def get_car_status(self) -> CarStatus:
        """Show the dashboard: engine, gear, speed, brake, doors, fuel, lights, climate, cruise control, navigation.

        Returns:
            The full car status.
        """
        return {
            "model": self.model, "location_city": self.location_city, "engine_state": self.engine_state,  # type: ignore[typeddict-item]
            "gear": self.gear, "speed_kmh": self.speed_kmh, "brake_pressed": self.brake_pressed,
            "doors": dict(self.doors), "all_doors_locked": all(v == "locked" for v in self.doors.values()),
            "fuel_liters": self.fuel_liters,
            "fuel_percent": round(self.fuel_liters / self.tank_capacity_liters * 100, 1),
            "headlights": self.headlights, "climate": dict(self.climate),  # type: ignore[typeddict-item]
            "cruise_control": dict(self.cruise_control),  # type: ignore[typeddict-item]
            "navigation_destination": self.navigation["destination_city"], "odometer_km": self.odometer_km,
        }


# -- world generation --------------------------------------------------------------------------------
def generate_state(seed: int) -> dict[str, Any]:
    """A parked car (engine off, gear P) somewhere drivable, with random door locks, fuel, tires and
    cabin settings; deterministic for `seed`."""
    rng = random.Random(f"vehicle:{seed}")
    drivable = sorted(c for c in _LAND_MASS if sum(m == _LAND_MASS[c] for m in _LAND_MASS.values()) > 1)
    capacity = float(rng.choice((40, 45, 50, 55, 60, 70)))
    recommended = float(rng.choice((32, 33, 35, 36)))
    tires = {t: round(recommended + rng.uniform(-2, 2), 1) for t in TIRES}
    if rng.random() < 0.5:  # a slow puncture half the time
        tires[rng.choice(TIRES)] = round(recommended - rng.uniform(5, 9), 1)
    doors = {d: rng.choice(("locked", "unlocked")) for d in DOORS}
    if all(v == "locked" for v in doors.values()):
        doors["driver"] = "unlocked"  # a parked car the owner just left: something to lock first
    return {
        "model": rng.choice(_MODELS),
        "location_city": rng.choice(drivable),
        "odometer_km": rng.randrange(2_000, 180_000),
        "engine_state": "stopped",
        "doors": doors,
        "brake_pressed": False,
        "gear": "P",
        "speed_kmh": 0,
        "cruise_control": {"enabled": False, "target_speed_kmh": None},
        "fuel_liters": round(capacity * rng.uniform(0.1, 0.85), 1),
        "tank_capacity_liters": capacity,
        "consumption_l_per_100km": round(rng.uniform(5.5, 9.5), 1),
        "tire_pressure_psi": tires,
        "recommended_tire_psi": recommended,
        "headlights": rng.choice(("off", "auto")),
        "climate": {"temperature_c": float(rng.randint(18, 24)), "fan_speed": 0, "mode": "off"},
        "navigation": {"destination_city": None, "distance_km": None},
    }


# -- examples (from the seed-0 world) ---------------------------------------------------------------
def _examples() -> dict[str, list[ExampleCall]]:
    state = generate_state(0)
    here = state["location_city"]
    there = next(c for c in sorted(_LAND_MASS) if c != here and _LAND_MASS[c] == _LAND_MASS[here])
    start: list[ExampleCall] = [("lock_doors", {}), ("press_brake_pedal", {}), ("start_engine", {})]
    drive: list[ExampleCall] = [*start, ("shift_gear", {"gear": "D"}), ("release_brake_pedal", {}),
                                ("drive_at_speed", {"speed_kmh": 70})]
    return {
        "lock_doors": [("lock_doors", {"doors": ["driver", "passenger"]})],
        "unlock_doors": [("unlock_doors", {"doors": ["rear_left"]})],
        "press_brake_pedal": [("press_brake_pedal", {})],
        "release_brake_pedal": [("press_brake_pedal", {}), ("release_brake_pedal", {})],
        "start_engine": start,
        "stop_engine": [*start, ("stop_engine", {})],
        "shift_gear": [*start, ("shift_gear", {"gear": "D"})],
        "drive_at_speed": drive,
        "set_cruise_control": [*drive, ("set_cruise_control", {"target_speed_kmh": 100})],
        "disable_cruise_control": [*drive, ("set_cruise_control", {"target_speed_kmh": 90}),
                                   ("disable_cruise_control", {})],
        "get_fuel_level": [("get_fuel_level", {})],
        "fill_fuel_tank": [("get_fuel_level", {}), ("fill_fuel_tank", {"liters_to_add": 3.0})],
        "check_tire_pressure": [("check_tire_pressure", {})],
        "inflate_tires": [("check_tire_pressure", {}),
                          ("inflate_tires", {"pressure_psi": "$0.recommended_psi", "tires": ["front_left"]})],
        "estimate_drive_distance": [("estimate_drive_distance", {"from_city": here, "to_city": there})],
        "check_trip_range": [("estimate_drive_distance", {"from_city": here, "to_city": there}),
                             ("check_trip_range", {"distance_km": "$0.distance_km"})],
        "start_navigation": [*start, ("start_navigation", {"destination_city": there})],
        "set_climate_control": [*start, ("set_climate_control", {"temperature_c": 22.0, "fan_speed": 2, "mode": "auto"})],
        "set_headlights": [("set_headlights", {"mode": "on"})],
        "get_car_status": [("get_car_status", {})],
    }


DOMAIN = Domain(
    name="vehicle",
    description="A connected car: door locks, brake, engine start with its preconditions, gears, speed, "
    "cruise control, fuel and refuelling, tire pressure, navigation and drive distances between cities, "
    "climate control, headlights and a dashboard status.",
    environment_class=VehicleAPI,
    generate_state=generate_state,
    chains=(
        Chain("start_the_car", "Lock every door, press the brake, start the engine (state prerequisites).",
              ("lock_doors", "press_brake_pedal", "start_engine")),
        Chain("engage_cruise_control", "Start, shift to drive, release the brake, reach a speed, hold it with cruise control.",
              ("lock_doors", "press_brake_pedal", "start_engine", "shift_gear", "release_brake_pedal",
               "drive_at_speed", "set_cruise_control")),
        Chain("refuel_for_a_trip", "Distance to a city -> fuel missing for that distance -> add exactly that fuel.",
              ("estimate_drive_distance", "check_trip_range", "fill_fuel_tank")),
        Chain("navigate_somewhere", "Start the car, then start navigation to a city (needs the engine on).",
              ("lock_doors", "press_brake_pedal", "start_engine", "start_navigation")),
        Chain("warm_cabin", "Start the car, then set the climate (needs the engine on).",
              ("lock_doors", "press_brake_pedal", "start_engine", "set_climate_control")),
        Chain("park_and_refuel", "Stop the moving car, shift to park, stop the engine, refuel (needs the engine off).",
              ("press_brake_pedal", "shift_gear", "stop_engine", "fill_fuel_tank")),
    ),
    examples=_examples(),
)
