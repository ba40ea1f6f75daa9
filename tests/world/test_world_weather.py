"""The weather domain: city names resolve to location ids that the detailed endpoints need, unit
preferences change every reading, subscriptions and alerts follow their rules, worlds are seeded."""

from __future__ import annotations

from typing import Any

import pytest
from world_helpers import fails, ok

from hardgen.world import default_world
from hardgen.world.domains.weather import generate_state


def loc(session: Any, city: str) -> str:
    return ok(session, "get_location_id", city=city)["location_id"]


def session_locations(session: Any) -> list[dict[str, Any]]:
    return list(session.state()["weather"]["locations"].values())


@pytest.fixture
def weather() -> Any:
    return default_world(0, domains=["weather"], timeout=None)


@pytest.mark.parametrize("seed", [0, 4])
def test_forecast_vs_normal_chain(seed: int) -> None:
    session = default_world(seed, domains=["weather"], timeout=None)
    location = ok(session, "get_location_id", city="lisbon", country="Portugal")
    assert (location["city"], location["region"]) == ("Lisbon", "Europe")
    forecast = ok(
        session,
        "get_weather_forecast",
        location_id=location["location_id"],
        start_date="2025-03-15",
        end_date="2025-03-18",
    )
    assert [d["date"] for d in forecast["days"]] == ["2025-03-15", "2025-03-16", "2025-03-17", "2025-03-18"]
    assert all(d["low"] < d["high"] for d in forecast["days"])
    stored = session.state()["weather"]["forecasts"][location["location_id"]]
    assert forecast["days"][0]["high"] == stored[1]["high_c"]
    month = int(forecast["days"][0]["date"][5:7])
    normal = ok(session, "get_historical_averages", location_id=location["location_id"], month=month)
    assert normal["month"] == 3 and normal["avg_low"] < normal["avg_high"]


def test_weather_at_address_cross_domain_chain() -> None:
    session = default_world(0, domains=["maps", "weather"], timeout=None)
    city = ok(session, "geocode_address", address="Zurich Central Station")["city"]
    location_id = ok(session, "get_location_id", city=city)["location_id"]
    days = ok(session, "get_weather_forecast", location_id=location_id, start_date="2025-03-14", end_date="2025-03-16")
    assert days["city"] == "Zurich" and len(days["days"]) == 3


def test_location_ids_differ_across_seeds_and_lookups_fail_helpfully(weather: Any) -> None:
    other = default_world(1, domains=["weather"], timeout=None)
    assert loc(weather, "Berlin") != loc(other, "Berlin")
    assert "Lisbon" in fails(weather, "get_location_id", "NotFoundError", city="Lisbn")
    fails(weather, "get_location_id", "NotFoundError", city="Lisbon", country="Spain")
    assert "get_location_id" in fails(weather, "get_current_weather", "NotFoundError", location_id="Lisbon")
    cities = {x["city"] for x in ok(weather, "search_weather_locations", query="japan")["locations"]}
    assert cities == {"Tokyo", "Osaka"}


def test_forecast_horizon_and_dates_are_validated(weather: Any) -> None:
    location_id = loc(weather, "Paris")
    full = ok(weather, "get_weather_forecast", location_id=location_id, start_date="2025-03-14", end_date="2025-03-27")
    assert len(full["days"]) == 14
    assert "get_historical_averages" in fails(
        weather,
        "get_weather_forecast",
        "InvalidArgumentError",
        location_id=location_id,
        start_date="2025-03-20",
        end_date="2025-04-02",
    )
    fails(
        weather,
        "get_weather_forecast",
        "InvalidArgumentError",
        location_id=location_id,
        start_date="2025-03-13",
        end_date="2025-03-14",
    )
    fails(
        weather,
        "get_weather_forecast",
        "InvalidArgumentError",
        location_id=location_id,
        start_date="2025-03-18",
        end_date="2025-03-16",
    )
    fails(
        weather,
        "get_weather_forecast",
        "InvalidArgumentError",
        location_id=location_id,
        start_date="tomorrow",
        end_date="2025-03-16",
    )
    fails(weather, "get_historical_averages", "ArgumentError", location_id=location_id, month=13)


def test_unit_preferences_change_every_reading(weather: Any) -> None:
    location_id = loc(weather, "Toronto")
    celsius = ok(weather, "get_current_weather", location_id=location_id)
    normals_c = ok(weather, "get_historical_averages", location_id=location_id, month=1)
    units = ok(weather, "set_weather_units", temperature="fahrenheit", wind_speed="m/s", precipitation="in")
    assert (
        units
        == ok(weather, "get_weather_units")
        == {"temperature": "fahrenheit", "wind_speed": "m/s", "precipitation": "in"}
    )
    fahrenheit = ok(weather, "get_current_weather", location_id=location_id)
    assert fahrenheit["temperature_unit"] == "fahrenheit"
    assert fahrenheit["temperature"] == pytest.approx(celsius["temperature"] * 9 / 5 + 32, abs=0.06)
    assert fahrenheit["wind_speed"] == pytest.approx(celsius["wind_speed"] / 3.6, abs=0.06)
    normals_f = ok(weather, "get_historical_averages", location_id=location_id, month=1)
    assert normals_f["avg_precipitation"] == pytest.approx(normals_c["avg_precipitation"] / 25.4, abs=0.01)
    fails(weather, "set_weather_units", "InvalidArgumentError")
    fails(weather, "set_weather_units", "ArgumentError", temperature="kelvin")


def test_subscribe_city_alerts_chain_and_rules(weather: Any) -> None:
    subscribed = {s["location_id"] for s in ok(weather, "list_alert_subscriptions")["subscriptions"]}
    city = next(x["city"] for x in session_locations(weather) if x["location_id"] not in subscribed)
    location_id = loc(weather, city)
    sub = ok(
        weather,
        "subscribe_weather_alerts",
        location_id=location_id,
        alert_types=["storm", "storm", "flood"],
        channel="sms",
    )
    assert sub["alert_types"] == ["storm", "flood"] and sub["min_severity"] == "moderate"
    assert "update_alert_subscription" in fails(
        weather,
        "subscribe_weather_alerts",
        "ConflictError",
        location_id=location_id,
        alert_types=["heat"],
        channel="email",
    )
    updated = ok(
        weather,
        "update_alert_subscription",
        subscription_id=sub["subscription_id"],
        channel="push",
        min_severity="severe",
    )
    assert (updated["channel"], updated["min_severity"], updated["alert_types"]) == (
        "push",
        "severe",
        ["storm", "flood"],
    )
    fails(weather, "update_alert_subscription", "InvalidArgumentError", subscription_id=sub["subscription_id"])
    fails(
        weather,
        "subscribe_weather_alerts",
        "InvalidArgumentError",
        location_id=loc(weather, "Rome"),
        alert_types=[],
        channel="sms",
    )
    fails(
        weather,
        "subscribe_weather_alerts",
        "ArgumentError",
        location_id=loc(weather, "Rome"),
        alert_types=["tornado"],
        channel="sms",
    )
    assert ok(weather, "unsubscribe_weather_alerts", subscription_id=sub["subscription_id"])["removed"]
    fails(weather, "unsubscribe_weather_alerts", "NotFoundError", subscription_id=sub["subscription_id"])
    assert sub["subscription_id"] not in {
        s["subscription_id"] for s in ok(weather, "list_alert_subscriptions")["subscriptions"]
    }


def test_acknowledge_city_alert_chain(weather: Any) -> None:
    state = weather.state()["weather"]
    alert = next(a for a in state["alerts"].values() if a["ends"] >= state["today"])
    city = state["locations"][alert["location_ids"][0]]["city"]
    alerts = ok(weather, "get_location_alerts", location_id=loc(weather, city))["alerts"]
    assert alert["alert_id"] in [a["alert_id"] for a in alerts]
    acknowledged = ok(weather, "acknowledge_weather_alert", alert_id=alert["alert_id"])
    assert acknowledged["acknowledged"] is True
    fails(weather, "acknowledge_weather_alert", "InvalidStateError", alert_id=alert["alert_id"])
    region_alerts = ok(weather, "get_weather_alerts", region=alert["region"])["alerts"]
    assert next(a for a in region_alerts if a["alert_id"] == alert["alert_id"])["acknowledged"]
    expired = next((a for a in state["alerts"].values() if a["ends"] < state["today"]), None)
    if expired:
        fails(weather, "acknowledge_weather_alert", "InvalidStateError", alert_id=expired["alert_id"])
        assert expired["alert_id"] not in [
            a["alert_id"] for a in ok(weather, "get_weather_alerts", region=expired["region"])["alerts"]
        ]
    fails(weather, "acknowledge_weather_alert", "NotFoundError", alert_id="WA-1")


def test_region_alerts_filter_by_severity(weather: Any) -> None:
    for region in ("North America", "Europe", "East Asia", "Oceania"):
        every = ok(weather, "get_weather_alerts", region=region)["alerts"]
        severe = ok(weather, "get_weather_alerts", region=region, min_severity="severe")["alerts"]
        assert [a for a in every if a["severity"] in ("severe", "extreme")] == severe
        assert all(a["region"] == region for a in every)


def test_compare_sun_and_air_quality(weather: Any) -> None:
    ids = [loc(weather, c) for c in ("Singapore", "Toronto", "Lisbon")]
    comparison = ok(weather, "compare_current_weather", location_ids=ids)
    temps = [c["temperature"] for c in comparison["cities"]]
    assert temps == sorted(temps, reverse=True)
    assert comparison["warmest_location_id"] == comparison["cities"][0]["location_id"]
    fails(weather, "compare_current_weather", "InvalidArgumentError", location_ids=[ids[0], ids[0]])
    summer = ok(weather, "get_sunrise_sunset", location_id=loc(weather, "London"), date="2025-06-21")
    winter = ok(weather, "get_sunrise_sunset", location_id=loc(weather, "London"), date="2025-12-21")
    assert summer["day_length_hours"] > 16 > 8 > winter["day_length_hours"]
    sydney_june = ok(weather, "get_sunrise_sunset", location_id=loc(weather, "Sydney"), date="2025-06-21")
    assert sydney_june["day_length_hours"] < 11
    air = ok(weather, "get_air_quality", location_id=ids[0])
    assert 0 < air["aqi"] <= 500 and air["category"] in (
        "good",
        "moderate",
        "unhealthy_for_sensitive_groups",
        "unhealthy",
    )


def test_climate_follows_latitude_and_hemisphere() -> None:
    session = default_world(3, domains=["weather"], timeout=None)
    berlin, sydney = loc(session, "Berlin"), loc(session, "Sydney")
    assert (
        ok(session, "get_historical_averages", location_id=berlin, month=7)["avg_high"]
        > ok(session, "get_historical_averages", location_id=berlin, month=1)["avg_high"]
    )
    assert (
        ok(session, "get_historical_averages", location_id=sydney, month=1)["avg_high"]
        > ok(session, "get_historical_averages", location_id=sydney, month=7)["avg_high"]
    )


def test_generate_state_is_seeded() -> None:
    assert generate_state(8) == generate_state(8)
    assert generate_state(8) != generate_state(9)
    state = generate_state(8)
    assert len(state["locations"]) == 20
    assert all(len(days) == 14 for days in state["forecasts"].values())
    assert all(set(a["location_ids"]) <= set(state["locations"]) for a in state["alerts"].values())
