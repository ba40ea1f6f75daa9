"""Weather: current conditions, a 14-day forecast, climate averages, air quality, sunrise and
sunset, and weather alerts for the cities of the shared pool, plus the user's alert subscriptions
and unit preferences.

Every detailed endpoint takes a location id (`LOC-48213`), not a city name, so a user's "what will
the weather be in Lisbon on Friday?" needs `get_location_id` first. Unit preferences are state: after
`set_weather_units(temperature="fahrenheit")` every reading comes back in Fahrenheit.

The data are static and seeded (a latitude-driven climate plus seeded noise), so answers are
reproducible. Times are local standard time.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import random
from collections.abc import Sequence
from typing import Annotated, Any, Literal, cast

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._data import CITIES
from hardgen.world._domain import Chain, Domain, load_attributes
from hardgen.world._errors import ConflictError, InvalidArgumentError, InvalidStateError, NotFoundError

_DOCS = ConfigDict(use_attribute_docstrings=True)

Region = Literal["North America", "Latin America", "Europe", "East Asia", "South Asia", "Southeast Asia", "Oceania"]
Condition = Literal["sunny", "partly_cloudy", "cloudy", "fog", "rain", "thunderstorm", "snow"]
AlertType = Literal["heat", "cold", "storm", "flood", "snow", "wind", "air_quality"]
Severity = Literal["minor", "moderate", "severe", "extreme"]
TemperatureUnit = Literal["celsius", "fahrenheit"]
WindUnit = Literal["kph", "mph", "m/s"]
PrecipitationUnit = Literal["mm", "in"]
Channel = Literal["email", "sms", "push"]

TODAY = "2025-03-14"
FORECAST_DAYS = 14
SEVERITY_ORDER = ("minor", "moderate", "severe", "extreme")
REGION_OF_COUNTRY = {
    "Avalon": "North America",
    "United States": "North America",
    "Canada": "North America",
    "Mexico": "Latin America",
    "Portugal": "Europe",
    "Spain": "Europe",
    "France": "Europe",
    "Germany": "Europe",
    "Italy": "Europe",
    "United Kingdom": "Europe",
    "Switzerland": "Europe",
    "Japan": "East Asia",
    "South Korea": "East Asia",
    "India": "South Asia",
    "Singapore": "Southeast Asia",
    "Australia": "Oceania",
}
# (IANA time zone, standard UTC offset in hours) per city.
TIME_ZONES = {
    "Rivermist": ("America/Los_Angeles", -8),
    "Stonebrook": ("America/Los_Angeles", -8),
    "Silverpine": ("America/Los_Angeles", -8),
    "Lisbon": ("Europe/Lisbon", 0),
    "Berlin": ("Europe/Berlin", 1),
    "Paris": ("Europe/Paris", 1),
    "London": ("Europe/London", 0),
    "Tokyo": ("Asia/Tokyo", 9),
    "Osaka": ("Asia/Tokyo", 9),
    "Toronto": ("America/Toronto", -5),
    "Sydney": ("Australia/Sydney", 10),
    "Zurich": ("Europe/Zurich", 1),
    "Mumbai": ("Asia/Kolkata", 5.5),
    "Singapore": ("Asia/Singapore", 8),
    "New York": ("America/New_York", -5),
    "Chicago": ("America/Chicago", -6),
    "Madrid": ("Europe/Madrid", 1),
    "Rome": ("Europe/Rome", 1),
    "Seoul": ("Asia/Seoul", 9),
    "Mexico City": ("America/Mexico_City", -6),
}


@with_config(_DOCS)
class LocationInfo(TypedDict):
    location_id: str
    """Weather location id (e.g. LOC-48213); every detailed weather tool needs it."""
    city: str
    country: str
    region: Region
    """Alert region the city belongs to."""
    latitude: float
    longitude: float
    timezone: str


class LocationList(TypedDict):
    locations: list[LocationInfo]


@with_config(_DOCS)
class CurrentWeather(TypedDict):
    location_id: str
    city: str
    observed_at: str
    """Local observation time, YYYY-MM-DDTHH:MM."""
    condition: Condition
    temperature: float
    feels_like: float
    temperature_unit: TemperatureUnit
    humidity_pct: int
    wind_speed: float
    wind_unit: WindUnit
    wind_direction: str
    pressure_hpa: int
    uv_index: int


@with_config(_DOCS)
class ForecastDay(TypedDict):
    date: str
    condition: Condition
    high: float
    """Daily maximum temperature in temperature_unit."""
    low: float
    precipitation: float
    """Expected precipitation in precipitation_unit."""
    precipitation_chance_pct: int
    wind_speed: float


class Forecast(TypedDict):
    location_id: str
    city: str
    temperature_unit: TemperatureUnit
    precipitation_unit: PrecipitationUnit
    wind_unit: WindUnit
    days: list[ForecastDay]


class ClimateAverages(TypedDict):
    location_id: str
    city: str
    month: int
    avg_high: float
    avg_low: float
    temperature_unit: TemperatureUnit
    avg_precipitation: float
    precipitation_unit: PrecipitationUnit
    rainy_days: int


@with_config(_DOCS)
class WeatherAlert(TypedDict):
    alert_id: str
    """Weather alert id (e.g. WA-3104); pass it to acknowledge_weather_alert."""
    region: Region
    location_ids: list[str]
    alert_type: AlertType
    severity: Severity
    headline: str
    starts: str
    ends: str
    acknowledged: bool


class AlertList(TypedDict):
    alerts: list[WeatherAlert]


@with_config(_DOCS)
class AirQuality(TypedDict):
    location_id: str
    city: str
    aqi: int
    """US air quality index, 0 (clean) to 500."""
    category: Literal["good", "moderate", "unhealthy_for_sensitive_groups", "unhealthy", "very_unhealthy"]
    pm25: float
    pm10: float
    ozone_ppb: float
    dominant_pollutant: Literal["pm25", "pm10", "ozone"]


class SunTimes(TypedDict):
    location_id: str
    date: str
    sunrise: str
    sunset: str
    day_length_hours: float


class CityComparison(TypedDict):
    location_id: str
    city: str
    temperature: float
    condition: Condition
    humidity_pct: int


class WeatherComparison(TypedDict):
    temperature_unit: TemperatureUnit
    cities: list[CityComparison]
    """Warmest first."""
    warmest_location_id: str
    coldest_location_id: str


class UnitPreferences(TypedDict):
    temperature: TemperatureUnit
    wind_speed: WindUnit
    precipitation: PrecipitationUnit


@with_config(_DOCS)
class AlertSubscription(TypedDict):
    subscription_id: str
    """Alert subscription id (e.g. SUB-3); pass it to update_alert_subscription or unsubscribe_weather_alerts."""
    location_id: str
    alert_types: list[AlertType]
    channel: Channel
    min_severity: Severity


class SubscriptionList(TypedDict):
    subscriptions: list[AlertSubscription]


class Unsubscribed(TypedDict):
    subscription_id: str
    location_id: str
    removed: bool


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidArgumentError(f"{what} {value!r} is not a date; use YYYY-MM-DD") from None


def _aqi_category(aqi: int) -> str:
    for limit, name in ((50, "good"), (100, "moderate"), (150, "unhealthy_for_sensitive_groups"), (200, "unhealthy")):
        if aqi <= limit:
            return name
    return "very_unhealthy"


class WeatherAPI:
    """A weather service with per-user alert subscriptions and unit preferences."""

    def __init__(self) -> None:
        self.today: str = TODAY
        self.locations: dict[str, dict[str, Any]] = {}
        self.current: dict[str, dict[str, Any]] = {}
        self.forecasts: dict[str, list[dict[str, Any]]] = {}
        self.climate: dict[str, list[dict[str, Any]]] = {}
        self.air_quality: dict[str, dict[str, Any]] = {}
        self.alerts: dict[str, dict[str, Any]] = {}
        self.acknowledged_alert_ids: list[str] = []
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.units: dict[str, str] = {"temperature": "celsius", "wind_speed": "kph", "precipitation": "mm"}
        self.next_subscription_number: int = 1

    def load_state(self, state: dict[str, Any]) -> None:
        """Load a state made by `generate_state` (unknown keys are an error, not silently ignored)."""
        load_attributes(self, state, "weather")

    # -- helpers ---------------------------------------------------------------------------------
    def _location(self, location_id: str) -> dict[str, Any]:
        if location_id not in self.locations:
            raise NotFoundError(f"no weather location {location_id!r}; use get_location_id with the city name")
        return self.locations[location_id]

    def _alert(self, alert_id: str) -> dict[str, Any]:
        if alert_id not in self.alerts:
            raise NotFoundError(f"no weather alert {alert_id!r}; use get_weather_alerts or get_location_alerts")
        return self.alerts[alert_id]

    def _subscription(self, subscription_id: str) -> dict[str, Any]:
        if subscription_id not in self.subscriptions:
            raise NotFoundError(f"no subscription {subscription_id!r}; list_alert_subscriptions shows yours")
        return self.subscriptions[subscription_id]

    def _temp(self, celsius: float) -> float:
        return round(celsius * 9 / 5 + 32, 1) if self.units["temperature"] == "fahrenheit" else round(celsius, 1)

    def _wind(self, kph: float) -> float:
        factor = {"kph": 1.0, "mph": 0.621371, "m/s": 1 / 3.6}[self.units["wind_speed"]]
        return round(kph * factor, 1)

    def _rain(self, mm: float) -> float:
        return round(mm / 25.4, 2) if self.units["precipitation"] == "in" else round(mm, 1)

    def _alert_view(self, alert: dict[str, Any]) -> WeatherAlert:
        view = {
            **alert,
            "location_ids": list(alert["location_ids"]),
            "acknowledged": alert["alert_id"] in self.acknowledged_alert_ids,
        }
        return cast(WeatherAlert, view)

    def _active(self, alert: dict[str, Any]) -> bool:
        return alert["ends"] >= self.today  # ISO dates compare as strings

    # -- locations -------------------------------------------------------------------------------
    @tool
    def get_location_id(self, city: str, country: str | None = None) -> LocationInfo:
        """Look up the weather location id of a city; the forecast, current-weather, air-quality,
        alert and subscription tools all need this id.

        Args:
            city: City name, e.g. "Lisbon" (case-insensitive).
            country: Country, to make sure the right city is found, e.g. "Portugal".

        Returns:
            The location id with the city's country, alert region, coordinates and time zone.
        """
        wanted = city.strip().lower()
        for location in self.locations.values():
            if location["city"].lower() == wanted:
                if country is not None and location["country"].lower() != country.strip().lower():
                    raise NotFoundError(f"{location['city']} is in {location['country']}, not {country}")
                return dict(location)  # type: ignore[return-value]
        names = [loc["city"] for loc in self.locations.values()]
        close = difflib.get_close_matches(city.strip().title(), names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; search_weather_locations lists known cities"
        raise NotFoundError(f"no weather location for city {city!r}{hint}")

    @tool
    def search_weather_locations(self, query: str) -> LocationList:
        """Search the covered cities by part of a city, country or region name.

        Args:
            query: Text to match, e.g. "japan", "san", "Europe" (case-insensitive).

        Returns:
            Matching locations with their location ids.
        """
        needle = query.strip().lower()
        if not needle:
            raise InvalidArgumentError("query is empty; give part of a city, country or region name")
        found = [
            cast(LocationInfo, dict(loc))
            for loc in self.locations.values()
            if needle in loc["city"].lower() or needle in loc["country"].lower() or needle in loc["region"].lower()
        ]
        return {"locations": sorted(found, key=lambda loc: loc["city"])}

    # -- readings --------------------------------------------------------------------------------
    @tool(requires=["get_location_id"])
    def get_current_weather(self, location_id: str) -> CurrentWeather:
        """Current conditions at a location, in the user's preferred units (see set_weather_units).

        Args:
            location_id: Weather location id, e.g. "LOC-48213" (from get_location_id).

        Returns:
            Temperature, feels-like, humidity, wind, pressure, UV index and sky condition.
        """
        location = self._location(location_id)
        now = self.current[location_id]
        return {
            "location_id": location_id,
            "city": location["city"],
            "observed_at": now["observed_at"],
            "condition": now["condition"],
            "temperature": self._temp(now["temperature_c"]),
            "feels_like": self._temp(now["feels_like_c"]),
            "temperature_unit": self.units["temperature"],  # type: ignore[typeddict-item]
            "humidity_pct": now["humidity_pct"],
            "wind_speed": self._wind(now["wind_kph"]),
            "wind_unit": self.units["wind_speed"],  # type: ignore[typeddict-item]
            "wind_direction": now["wind_direction"],
            "pressure_hpa": now["pressure_hpa"],
            "uv_index": now["uv_index"],
        }

    @tool(requires=["get_location_id"])
    def get_weather_forecast(self, location_id: str, start_date: str, end_date: str) -> Forecast:
        """Daily forecast for a date range within the next 14 days (today included).

        Args:
            location_id: Weather location id, e.g. "LOC-48213" (from get_location_id).
            start_date: First day, YYYY-MM-DD, from today on.
            end_date: Last day, YYYY-MM-DD, at most 13 days after today.

        Returns:
            One entry per day with condition, high, low, precipitation and wind, in the preferred units.
        """
        location = self._location(location_id)
        start, end = _date(start_date, "start_date"), _date(end_date, "end_date")
        first = _date(self.today, "today")
        last = first + dt.timedelta(days=FORECAST_DAYS - 1)
        if end < start:
            raise InvalidArgumentError(f"end_date {end_date} is before start_date {start_date}")
        if start < first or end > last:
            raise InvalidArgumentError(
                f"forecasts cover {first} to {last}; for past months use get_historical_averages"
            )
        days: list[ForecastDay] = [
            {
                "date": d["date"],
                "condition": d["condition"],
                "high": self._temp(d["high_c"]),
                "low": self._temp(d["low_c"]),
                "precipitation": self._rain(d["precipitation_mm"]),
                "precipitation_chance_pct": d["precipitation_chance_pct"],
                "wind_speed": self._wind(d["wind_kph"]),
            }
            for d in self.forecasts[location_id]
            if start.isoformat() <= d["date"] <= end.isoformat()
        ]
        return {
            "location_id": location_id,
            "city": location["city"],
            "temperature_unit": self.units["temperature"],  # type: ignore[typeddict-item]
            "precipitation_unit": self.units["precipitation"],  # type: ignore[typeddict-item]
            "wind_unit": self.units["wind_speed"],  # type: ignore[typeddict-item]
            "days": days,
        }

    @tool(requires=["get_location_id"])
    def get_historical_averages(self, location_id: str, month: Annotated[int, Field(ge=1, le=12)]) -> ClimateAverages:
        """Long-term climate averages of a location for a calendar month (useful for trips beyond the forecast).

        Args:
            location_id: Weather location id, e.g. "LOC-48213" (from get_location_id).
            month: Month number, 1 (January) to 12 (December).

        Returns:
            Average daily high and low, monthly precipitation and rainy days, in the preferred units.
        """
        location = self._location(location_id)
        normals = self.climate[location_id][month - 1]
        return {
            "location_id": location_id,
            "city": location["city"],
            "month": month,
            "avg_high": self._temp(normals["avg_high_c"]),
            "avg_low": self._temp(normals["avg_low_c"]),
            "temperature_unit": self.units["temperature"],  # type: ignore[typeddict-item]
            "avg_precipitation": self._rain(normals["avg_precipitation_mm"]),
            "precipitation_unit": self.units["precipitation"],  # type: ignore[typeddict-item]
            "rainy_days": normals["rainy_days"],
        }

    @tool(requires=["get_location_id"])
    def get_air_quality(self, location_id: str) -> AirQuality:
        """Current air quality at a location: AQI, its category and pollutant levels.

        Args:
            location_id: Weather location id, e.g. "LOC-48213" (from get_location_id).

        Returns:
            The AQI reading.
        """
        location = self._location(location_id)
        return {"location_id": location_id, "city": location["city"], **self.air_quality[location_id]}  # type: ignore[typeddict-item]

    @tool(requires=["get_location_id"])
    def get_sunrise_sunset(self, location_id: str, date: str) -> SunTimes:
        """Sunrise, sunset (local standard time) and day length at a location on a date.

        Args:
            location_id: Weather location id, e.g. "LOC-48213" (from get_location_id).
            date: The day, YYYY-MM-DD (any year from 2000 to 2100).

        Returns:
            Sunrise and sunset as HH:MM and the day length in hours.
        """
        location = self._location(location_id)
        day = _date(date, "date")
        if not 2000 <= day.year <= 2100:
            raise InvalidArgumentError("date must be in the years 2000 to 2100")
        declination = math.radians(23.44) * math.sin(2 * math.pi * (284 + day.timetuple().tm_yday) / 365)
        latitude = math.radians(location["latitude"])
        cos_hour = max(-1.0, min(1.0, -math.tan(latitude) * math.tan(declination)))
        half_day_min = math.degrees(math.acos(cos_hour)) * 4
        offset = TIME_ZONES[location["city"]][1]
        noon = 720 + (offset * 15 - location["longitude"]) * 4  # solar noon, minutes after local midnight

        def clock(minutes: float) -> str:
            m = round(minutes) % 1440
            return f"{m // 60:02d}:{m % 60:02d}"

        return {
            "location_id": location_id,
            "date": date,
            "sunrise": clock(noon - half_day_min),
            "sunset": clock(noon + half_day_min),
            "day_length_hours": round(2 * half_day_min / 60, 2),
        }

    @tool(requires=["get_location_id"])
    def compare_current_weather(self, location_ids: list[str]) -> WeatherComparison:
        """Compare the current temperature and conditions of 2 to 10 locations, warmest first.

        Args:
            location_ids: Weather location ids (from get_location_id), e.g. ["LOC-48213", "LOC-51022"].

        Returns:
            The cities sorted warmest first, with the warmest and coldest location ids.
        """
        unique = list(dict.fromkeys(location_ids))
        if not 2 <= len(unique) <= 10:
            raise InvalidArgumentError("give 2 to 10 different location ids")
        rows: list[CityComparison] = []
        for location_id in unique:
            location = self._location(location_id)
            now = self.current[location_id]
            rows.append(
                {
                    "location_id": location_id,
                    "city": location["city"],
                    "temperature": self._temp(now["temperature_c"]),
                    "condition": now["condition"],
                    "humidity_pct": now["humidity_pct"],
                }
            )
        rows.sort(key=lambda r: (-r["temperature"], r["city"]))
        return {
            "temperature_unit": self.units["temperature"],  # type: ignore[typeddict-item]
            "cities": rows,
            "warmest_location_id": rows[0]["location_id"],
            "coldest_location_id": rows[-1]["location_id"],
        }

    # -- alerts ----------------------------------------------------------------------------------
    @tool
    def get_weather_alerts(self, region: Region, min_severity: Severity = "minor") -> AlertList:
        """Active and upcoming weather alerts in a region.

        Args:
            region: Alert region (get_location_id shows a city's region).
            min_severity: Only alerts at least this severe.

        Returns:
            The alerts, most severe first, each with the location ids it covers.
        """
        floor = SEVERITY_ORDER.index(min_severity)
        found = [
            self._alert_view(a)
            for a in self.alerts.values()
            if a["region"] == region and self._active(a) and SEVERITY_ORDER.index(a["severity"]) >= floor
        ]
        found.sort(key=lambda a: (-SEVERITY_ORDER.index(a["severity"]), a["starts"], a["alert_id"]))
        return {"alerts": found}

    @tool(requires=["get_location_id"])
    def get_location_alerts(self, location_id: str) -> AlertList:
        """Active and upcoming weather alerts that cover one location.

        Args:
            location_id: Weather location id, e.g. "LOC-48213" (from get_location_id).

        Returns:
            The alerts covering it, most severe first.
        """
        self._location(location_id)
        found = [
            self._alert_view(a) for a in self.alerts.values() if location_id in a["location_ids"] and self._active(a)
        ]
        found.sort(key=lambda a: (-SEVERITY_ORDER.index(a["severity"]), a["starts"], a["alert_id"]))
        return {"alerts": found}

    @tool(mutates=True, requires=["get_location_alerts"])
    def acknowledge_weather_alert(self, alert_id: str) -> WeatherAlert:
        """Mark an active weather alert as seen, so it stops being pushed to the user.

        Args:
            alert_id: Weather alert id, e.g. "WA-3104" (from get_weather_alerts or get_location_alerts).

        Returns:
            The alert, now acknowledged.
        """
        alert = self._alert(alert_id)
        if not self._active(alert):
            raise InvalidStateError(f"alert {alert_id} ended on {alert['ends']}; only active alerts are acknowledged")
        if alert_id in self.acknowledged_alert_ids:
            raise InvalidStateError(f"alert {alert_id} is already acknowledged")
        self.acknowledged_alert_ids.append(alert_id)
        return self._alert_view(alert)

    # -- preferences and subscriptions -----------------------------------------------------------
    @tool
    def get_weather_units(self) -> UnitPreferences:
        """The user's unit preferences that every weather reading uses.

        Returns:
            Temperature, wind speed and precipitation units.
        """
        return dict(self.units)  # type: ignore[return-value]

    @tool(mutates=True)
    def set_weather_units(
        self,
        temperature: TemperatureUnit | None = None,
        wind_speed: WindUnit | None = None,
        precipitation: PrecipitationUnit | None = None,
    ) -> UnitPreferences:
        """Change the units weather readings are reported in; omitted units stay as they are.

        Args:
            temperature: Temperature unit.
            wind_speed: Wind speed unit.
            precipitation: Precipitation unit.

        Returns:
            The unit preferences now in force.
        """
        given = {"temperature": temperature, "wind_speed": wind_speed, "precipitation": precipitation}
        changes: dict[str, str] = {k: v for k, v in given.items() if v is not None}
        if not changes:
            raise InvalidArgumentError("give at least one of temperature, wind_speed, precipitation")
        self.units.update(changes)
        return dict(self.units)  # type: ignore[return-value]

    @tool
    def list_alert_subscriptions(self) -> SubscriptionList:
        """The user's weather alert subscriptions.

        Returns:
            Every subscription with its location id, alert types, channel and minimum severity.
        """
        subs = [
            cast(AlertSubscription, {**s, "alert_types": list(s["alert_types"])}) for s in self.subscriptions.values()
        ]
        return {"subscriptions": sorted(subs, key=lambda s: int(s["subscription_id"].split("-")[1]))}

    @staticmethod
    def _alert_types(alert_types: Sequence[str]) -> list[str]:
        unique = list(dict.fromkeys(alert_types))
        if not unique:
            raise InvalidArgumentError("alert_types is empty; give at least one alert type")
        return unique

    @tool(mutates=True, requires=["get_location_id"])
    def subscribe_weather_alerts(
        self, location_id: str, alert_types: list[AlertType], channel: Channel, min_severity: Severity = "moderate"
    ) -> AlertSubscription:
        """Subscribe the user to alerts for a location. One subscription per location (change it with
        update_alert_subscription).

        Args:
            location_id: Weather location id, e.g. "LOC-48213" (from get_location_id).
            alert_types: Alert types to be notified about, e.g. ["storm", "flood"].
            channel: How to notify.
            min_severity: Only alerts at least this severe.

        Returns:
            The new subscription with its id.
        """
        self._location(location_id)
        types = self._alert_types(alert_types)
        for sub in self.subscriptions.values():
            if sub["location_id"] == location_id:
                raise ConflictError(
                    f"already subscribed to {location_id} ({sub['subscription_id']}); use update_alert_subscription"
                )
        subscription_id = f"SUB-{self.next_subscription_number}"
        self.next_subscription_number += 1
        sub = {
            "subscription_id": subscription_id,
            "location_id": location_id,
            "alert_types": types,
            "channel": channel,
            "min_severity": min_severity,
        }
        self.subscriptions[subscription_id] = sub
        return {**sub, "alert_types": list(types)}  # type: ignore[typeddict-item]

    @tool(mutates=True, requires=["subscribe_weather_alerts"])
    def update_alert_subscription(
        self,
        subscription_id: str,
        alert_types: list[AlertType] | None = None,
        channel: Channel | None = None,
        min_severity: Severity | None = None,
    ) -> AlertSubscription:
        """Change an alert subscription's alert types, channel or minimum severity (omitted ones stay).

        Args:
            subscription_id: Subscription id, e.g. "SUB-3" (from subscribe_weather_alerts or list_alert_subscriptions).
            alert_types: New list of alert types (replaces the old list).
            channel: New notification channel.
            min_severity: New minimum severity.

        Returns:
            The updated subscription.
        """
        sub = self._subscription(subscription_id)
        if alert_types is None and channel is None and min_severity is None:
            raise InvalidArgumentError("nothing to change; give alert_types, channel or min_severity")
        if alert_types is not None:
            sub["alert_types"] = self._alert_types(alert_types)
        if channel is not None:
            sub["channel"] = channel
        if min_severity is not None:
            sub["min_severity"] = min_severity
        return {**sub, "alert_types": list(sub["alert_types"])}  # type: ignore[typeddict-item]

    @tool(mutates=True, requires=["list_alert_subscriptions"])
    def unsubscribe_weather_alerts(self, subscription_id: str) -> Unsubscribed:
        """Cancel an alert subscription.

        Args:
            subscription_id: Subscription id, e.g. "SUB-3" (from list_alert_subscriptions).

        Returns:
            The removed subscription's id and location.
        """
        sub = self._subscription(subscription_id)
        del self.subscriptions[subscription_id]
        return {"subscription_id": subscription_id, "location_id": sub["location_id"], "removed": True}


# -- generated worlds ----------------------------------------------------------------------------
_HEADLINES = {
    "heat": "Excessive heat warning",
    "cold": "Hard freeze warning",
    "storm": "Severe thunderstorm watch",
    "flood": "Flood advisory",
    "snow": "Winter storm warning",
    "wind": "High wind warning",
    "air_quality": "Air quality alert",
}
_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def _condition(rng: random.Random, chance: int, high: float) -> str:
    if chance >= 60:
        if high < 2:
            return "snow"
        return "thunderstorm" if high > 24 and rng.random() < 0.4 else "rain"
    if chance >= 35:
        return rng.choice(("cloudy", "cloudy", "fog"))
    return rng.choice(("sunny", "partly_cloudy"))


def generate_state(seed: int) -> dict[str, Any]:
    """A weather world for the 20 shared cities: seeded climate normals, a 14-day forecast,
    current readings, air quality, some alerts and a subscription or two, from `seed`."""
    rng = random.Random(seed)
    today = dt.date.fromisoformat(TODAY)
    ids = rng.sample(range(10000, 99999), len(CITIES))
    locations: dict[str, Any] = {}
    climate: dict[str, Any] = {}
    forecasts: dict[str, Any] = {}
    current: dict[str, Any] = {}
    air_quality: dict[str, Any] = {}
    for number, (city, country, _code, _airport, lat, lon, _currency) in zip(ids, CITIES, strict=True):
        location_id = f"LOC-{number}"
        locations[location_id] = {
            "location_id": location_id,
            "city": city,
            "country": country,
            "region": REGION_OF_COUNTRY[country],
            "latitude": lat,
            "longitude": lon,
            "timezone": TIME_ZONES[city][0],
        }
        # Climate from latitude: warmer and less seasonal near the equator; seasons flip in the south.
        mean = 30 - 0.42 * abs(lat) + rng.uniform(-1.5, 1.5)
        swing = 1 + 0.2 * abs(lat)
        wettest = rng.randint(1, 12)
        base_rain = rng.uniform(25, 140)
        normals: list[dict[str, Any]] = []
        for month in range(1, 13):
            season = math.cos(2 * math.pi * (month - 7) / 12) * (1 if lat >= 0 else -1)
            rain = base_rain * (1 + 0.6 * math.cos(2 * math.pi * (month - wettest) / 12))
            normals.append(
                {
                    "month": month,
                    "avg_high_c": round(mean + swing * season + 4.5, 1),
                    "avg_low_c": round(mean + swing * season - 4.5, 1),
                    "avg_precipitation_mm": round(rain, 1),
                    "rainy_days": max(1, min(25, round(rain / 7))),
                }
            )
        climate[location_id] = normals
        days: list[dict[str, Any]] = []
        for k in range(FORECAST_DAYS):
            day = today + dt.timedelta(days=k)
            normal = normals[day.month - 1]
            high = normal["avg_high_c"] + rng.uniform(-4, 4)
            low = min(high - 2, normal["avg_low_c"] + rng.uniform(-3, 3))
            chance = min(95, max(0, round(rng.gauss(normal["rainy_days"] * 3, 20))))
            days.append(
                {
                    "date": day.isoformat(),
                    "condition": _condition(rng, chance, high),
                    "high_c": round(high, 1),
                    "low_c": round(low, 1),
                    "precipitation_mm": round(rng.uniform(1, 18), 1) if chance >= 50 else 0.0,
                    "precipitation_chance_pct": chance,
                    "wind_kph": round(rng.uniform(3, 35), 1),
                }
            )
        forecasts[location_id] = days
        now_temp = round((days[0]["high_c"] * 2 + days[0]["low_c"]) / 3, 1)
        wind = days[0]["wind_kph"]
        current[location_id] = {
            "observed_at": f"{TODAY}T09:00",
            "condition": days[0]["condition"],
            "temperature_c": now_temp,
            "feels_like_c": round(now_temp - (wind / 10 if now_temp < 15 else -rng.uniform(0, 2)), 1),
            "humidity_pct": rng.randint(30, 95),
            "wind_kph": wind,
            "wind_direction": rng.choice(_COMPASS),
            "pressure_hpa": rng.randint(995, 1030),
            "uv_index": max(0, min(11, round(11 - abs(lat) / 6 + rng.uniform(-2, 1)))),
        }
        aqi = rng.choice((rng.randint(10, 50), rng.randint(10, 50), rng.randint(51, 100), rng.randint(101, 180)))
        pm25 = round(aqi * rng.uniform(0.25, 0.4), 1)
        air_quality[location_id] = {
            "aqi": aqi,
            "category": _aqi_category(aqi),
            "pm25": pm25,
            "pm10": round(pm25 * rng.uniform(1.3, 2.0), 1),
            "ozone_ppb": round(rng.uniform(10, 70), 1),
            "dominant_pollutant": rng.choice(("pm25", "pm25", "pm10", "ozone")),
        }

    alerts: dict[str, Any] = {}
    by_region: dict[str, list[str]] = {}
    for location in locations.values():
        by_region.setdefault(location["region"], []).append(location["location_id"])
    for number in sorted(rng.sample(range(3000, 3999), 10)):
        region = rng.choice(sorted(by_region))
        covered = sorted(rng.sample(by_region[region], min(len(by_region[region]), rng.randint(1, 3))))
        alert_type = rng.choice(sorted(_HEADLINES))
        starts = today + dt.timedelta(days=rng.randint(-3, 4))
        ends = starts + dt.timedelta(days=rng.randint(0, 3))
        cities = ", ".join(locations[c]["city"] for c in covered)
        alerts[f"WA-{number}"] = {
            "alert_id": f"WA-{number}",
            "region": region,
            "location_ids": covered,
            "alert_type": alert_type,
            "severity": rng.choice(SEVERITY_ORDER),
            "headline": f"{_HEADLINES[alert_type]} for {cities}",
            "starts": starts.isoformat(),
            "ends": ends.isoformat(),
        }

    subscriptions: dict[str, Any] = {}
    for k, location_id in enumerate(rng.sample(sorted(locations), 2), start=1):
        subscriptions[f"SUB-{k}"] = {
            "subscription_id": f"SUB-{k}",
            "location_id": location_id,
            "alert_types": sorted(rng.sample(sorted(_HEADLINES), 2)),
            "channel": rng.choice(("email", "sms", "push")),
            "min_severity": "moderate",
        }
    return {
        "today": TODAY,
        "locations": locations,
        "current": current,
        "forecasts": forecasts,
        "climate": climate,
        "air_quality": air_quality,
        "alerts": alerts,
        "acknowledged_alert_ids": [],
        "subscriptions": subscriptions,
        "units": {"temperature": "celsius", "wind_speed": "kph", "precipitation": "mm"},
        "next_subscription_number": 3,
    }


def _city(name: str) -> tuple[str, dict[str, Any]]:
    return ("get_location_id", {"city": name})


DOMAIN = Domain(
    name="weather",
    description=(
        "Weather for the world's cities: location ids, current conditions, 14-day forecasts, climate averages, "
        "air quality, sunrise and sunset, regional and local alerts, alert subscriptions and unit preferences."
    ),
    environment_class=WeatherAPI,
    generate_state=generate_state,
    chains=(
        Chain(
            "forecast_vs_normal",
            "Will next week be warmer than usual in a city the user names: the city name only gives a location "
            "id; the forecast needs it; the forecast's dates give the month whose climate normal to compare with.",
            ("get_location_id", "get_weather_forecast", "get_historical_averages"),
        ),
        Chain(
            "current_weather_in_fahrenheit",
            "Report current weather in the user's preferred units: set the unit preference (state), look up the "
            "location id, read the weather.",
            ("set_weather_units", "get_location_id", "get_current_weather"),
        ),
        Chain(
            "subscribe_city_alerts",
            "Subscribe to a city's storm alerts and later switch the channel: city -> location id -> "
            "subscription id -> update.",
            ("get_location_id", "subscribe_weather_alerts", "update_alert_subscription"),
        ),
        Chain(
            "acknowledge_city_alert",
            "Dismiss the alert affecting a named city: city -> location id -> its alerts -> alert id acknowledged.",
            ("get_location_id", "get_location_alerts", "acknowledge_weather_alert"),
        ),
        Chain(
            "warmest_of_cities",
            "Which of several named cities is warmest right now: each city's location id, then one comparison.",
            ("get_location_id", "get_location_id", "compare_current_weather"),
        ),
        Chain(
            "weather_at_address",
            "Forecast for a place or address: maps geocoding gives its city, the city gives the location id.",
            ("maps.geocode_address", "get_location_id", "get_weather_forecast"),
        ),
    ),
    examples={
        "get_location_id": [_city("Lisbon")],
        "search_weather_locations": [("search_weather_locations", {"query": "Japan"})],
        "get_current_weather": [_city("Lisbon"), ("get_current_weather", {"location_id": "$0.location_id"})],
        "get_weather_forecast": [
            _city("Lisbon"),
            (
                "get_weather_forecast",
                {"location_id": "$0.location_id", "start_date": "2025-03-15", "end_date": "2025-03-21"},
            ),
        ],
        "get_historical_averages": [
            _city("Lisbon"),
            ("get_historical_averages", {"location_id": "$0.location_id", "month": 7}),
        ],
        "get_air_quality": [_city("Berlin"), ("get_air_quality", {"location_id": "$0.location_id"})],
        "get_sunrise_sunset": [
            _city("Tokyo"),
            ("get_sunrise_sunset", {"location_id": "$0.location_id", "date": "2025-06-21"}),
        ],
        "compare_current_weather": [
            _city("Lisbon"),
            _city("Berlin"),
            ("compare_current_weather", {"location_ids": ["$0.location_id", "$1.location_id"]}),
        ],
        "get_weather_alerts": [("get_weather_alerts", {"region": "East Asia"})],
        "get_location_alerts": [_city("Seoul"), ("get_location_alerts", {"location_id": "$0.location_id"})],
        "acknowledge_weather_alert": [
            _city("Seoul"),
            ("get_location_alerts", {"location_id": "$0.location_id"}),
            ("acknowledge_weather_alert", {"alert_id": "$1.alerts.0.alert_id"}),
        ],
        "get_weather_units": [("get_weather_units", {})],
        "set_weather_units": [("set_weather_units", {"temperature": "fahrenheit", "wind_speed": "mph"})],
        "list_alert_subscriptions": [("list_alert_subscriptions", {})],
        "subscribe_weather_alerts": [
            _city("Lisbon"),
            (
                "subscribe_weather_alerts",
                {"location_id": "$0.location_id", "alert_types": ["storm", "flood"], "channel": "push"},
            ),
        ],
        "update_alert_subscription": [
            ("list_alert_subscriptions", {}),
            (
                "update_alert_subscription",
                {"subscription_id": "$0.subscriptions.0.subscription_id", "channel": "email"},
            ),
        ],
        "unsubscribe_weather_alerts": [
            ("list_alert_subscriptions", {}),
            ("unsubscribe_weather_alerts", {"subscription_id": "$0.subscriptions.0.subscription_id"}),
        ],
    },
)
