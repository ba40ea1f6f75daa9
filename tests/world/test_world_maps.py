"""The maps domain: names and addresses geocode to place ids and coordinates that directions,
nearby search and routes need; distances are sane; favourites and routes keep their rules."""

from __future__ import annotations

from typing import Any

import pytest
from world_helpers import fails, ok

from hardgen.world import default_world
from hardgen.world.domains.maps import generate_state, great_circle_km


def places(session: Any) -> list[dict[str, Any]]:
    return list(session.state()["maps"]["places"].values())


def place_in(session: Any, city: str, category: str) -> dict[str, Any]:
    return next(p for p in places(session) if p["city"] == city and p["category"] == category)


@pytest.fixture
def maps() -> Any:
    return default_world(0, domains=["maps"], timeout=None)


def test_geocoding_matches_addresses_places_and_cities(maps: Any) -> None:
    museum = place_in(maps, "Lisbon", "museum")
    by_address = ok(maps, "geocode_address", address=museum["formatted_address"].upper().replace(",", ""))
    assert (by_address["place_id"], by_address["match_type"]) == (museum["place_id"], "address")
    by_name = ok(maps, "geocode_address", address=f"{museum['name']}, Lisbon")
    assert (by_name["place_id"], by_name["match_type"]) == (museum["place_id"], "place")
    city = ok(maps, "geocode_address", address="new york")
    assert (city["match_type"], city["city"], city["latitude"]) == ("city", "New York", 40.64)
    station = ok(maps, "geocode_address", address="Lisbon Central Station")
    assert station["city"] == "Lisbon"
    shared = next(p["name"] for p in places(maps) if sum(q["name"] == p["name"] for q in places(maps)) > 1)
    assert "add the city" in fails(maps, "geocode_address", "InvalidArgumentError", address=shared)
    fails(maps, "geocode_address", "NotFoundError", address="1 Nowhere Road, Atlantis")
    fails(maps, "geocode_address", "InvalidArgumentError", address=" , ")


def test_reverse_geocode_and_coordinates(maps: Any) -> None:
    museum = place_in(maps, "Tokyo", "museum")
    near = ok(maps, "reverse_geocode", latitude=museum["latitude"] + 0.0005, longitude=museum["longitude"])
    assert near["place_id"] == museum["place_id"] and near["distance_km"] < 0.1
    fails(maps, "reverse_geocode", "NotFoundError", latitude=0.0, longitude=-30.0)
    fails(maps, "reverse_geocode", "InvalidArgumentError", latitude=95.0, longitude=0.0)
    lisbon, madrid = ok(maps, "geocode_address", address="Lisbon"), ok(maps, "geocode_address", address="Madrid")
    measured = ok(
        maps,
        "measure_distance",
        latitude_1=lisbon["latitude"],
        longitude_1=lisbon["longitude"],
        latitude_2=madrid["latitude"],
        longitude_2=madrid["longitude"],
    )
    assert 480 < measured["distance_km"] < 540
    assert 60 < measured["bearing_degrees"] < 75 and measured["compass_direction"] == "northeast"


@pytest.mark.parametrize("seed", [0, 6])
def test_nearby_search_chain(seed: int) -> None:
    session = default_world(seed, domains=["maps"], timeout=None)
    centre = ok(session, "geocode_address", address="Paris")
    found = ok(
        session,
        "search_nearby_places",
        latitude=centre["latitude"],
        longitude=centre["longitude"],
        category="restaurant",
        radius_km=10,
    )["places"]
    assert found and all(p["category"] == "restaurant" for p in found)
    assert [p["distance_km"] for p in found] == sorted(p["distance_km"] for p in found)
    details = ok(session, "get_place_details", place_id=found[0]["place_id"])
    assert details["city"] == "Paris"
    assert great_circle_km(
        centre["latitude"], centre["longitude"], details["latitude"], details["longitude"]
    ) == pytest.approx(found[0]["distance_km"], abs=0.001)
    good = ok(
        session,
        "search_nearby_places",
        latitude=centre["latitude"],
        longitude=centre["longitude"],
        category="restaurant",
        radius_km=10,
        min_rating=4.5,
    )["places"]
    assert all(p["rating"] >= 4.5 for p in good)
    fails(session, "search_nearby_places", "ArgumentError", latitude=1.0, longitude=1.0, category="casino")
    fails(session, "search_nearby_places", "ArgumentError", latitude=1.0, longitude=1.0, category="cafe", radius_km=500)


def test_directions_between_named_places(maps: Any) -> None:
    museum = place_in(maps, "Lisbon", "museum")
    origin = ok(maps, "geocode_address", address=f"{museum['name']}, Lisbon")["place_id"]
    destination = ok(maps, "geocode_address", address="Lisbon Central Station")["place_id"]
    walk = ok(maps, "get_directions", origin_place_id=origin, destination_place_id=destination, mode="walking")
    drive = ok(maps, "get_directions", origin_place_id=origin, destination_place_id=destination, mode="driving")
    assert walk["distance_km"] == pytest.approx(drive["distance_km"] * 1.2 / 1.25, abs=0.02)  # road factors
    assert walk["duration_min"] > drive["duration_min"]
    assert museum["name"] in walk["steps"][0] and walk["steps"][-1].startswith("Arrive at Lisbon Central Station")
    madrid = ok(maps, "geocode_address", address="Madrid")["place_id"]
    road = ok(maps, "get_directions", origin_place_id=origin, destination_place_id=madrid, mode="driving")
    assert 550 < road["distance_km"] < 700 and 360 < road["duration_min"] < 540
    assert "driving" in fails(
        maps, "get_directions", "NotFoundError", origin_place_id=origin, destination_place_id=madrid, mode="transit"
    )
    fails(maps, "get_directions", "NotFoundError", origin_place_id=origin, destination_place_id=madrid, mode="walking")
    tokyo = ok(maps, "geocode_address", address="Tokyo")["place_id"]
    assert "fly" in fails(maps, "get_directions", "NotFoundError", origin_place_id=origin, destination_place_id=tokyo)
    fails(maps, "get_directions", "InvalidArgumentError", origin_place_id=origin, destination_place_id=origin)
    fails(maps, "get_directions", "NotFoundError", origin_place_id="Lisbon", destination_place_id=origin)


def test_travel_time_matrix_reports_unreachable_pairs(maps: Any) -> None:
    a = ok(maps, "geocode_address", address="Berlin")["place_id"]
    b = ok(maps, "geocode_address", address="Paris")["place_id"]
    c = ok(maps, "geocode_address", address="Seoul")["place_id"]
    cells = ok(maps, "get_travel_time_matrix", origin_place_ids=[a], destination_place_ids=[b, c, a])["cells"]
    assert [c_["reachable"] for c_ in cells] == [True, False, True]
    assert cells[1]["duration_min"] is None and cells[2]["distance_km"] == 0.0
    fails(maps, "get_travel_time_matrix", "InvalidArgumentError", origin_place_ids=[], destination_place_ids=[b])


def test_open_place_nearby_chain(maps: Any) -> None:
    centre = ok(maps, "geocode_address", address="Rome")
    cafes = ok(
        maps,
        "search_nearby_places",
        latitude=centre["latitude"],
        longitude=centre["longitude"],
        category="cafe",
        radius_km=10,
    )["places"]
    cafe_id = cafes[0]["place_id"]
    hours = ok(maps, "get_place_details", place_id=cafe_id)["opening_hours"]["tuesday"]
    opens, closes = hours.split("-")
    assert ok(maps, "check_place_open", place_id=cafe_id, day="tuesday", time=opens)["is_open"]
    assert not ok(maps, "check_place_open", place_id=cafe_id, day="tuesday", time=closes)["is_open"]
    fails(maps, "check_place_open", "InvalidArgumentError", place_id=cafe_id, day="tuesday", time="7pm")
    route = ok(maps, "get_directions", origin_place_id=centre["place_id"], destination_place_id=cafe_id, mode="walking")
    assert route["distance_km"] > 0


def test_commute_with_errand_chain_and_route_rules(maps: Any) -> None:
    favorites = {f["label"]: f for f in ok(maps, "list_favorite_places")["favorites"]}
    home, office = favorites["Home"]["place_id"], favorites["Office"]["place_id"]
    home_details = ok(maps, "get_place_details", place_id=home)
    stop = ok(
        maps,
        "search_nearby_places",
        latitude=home_details["latitude"],
        longitude=home_details["longitude"],
        category="train_station",
        radius_km=15,
    )["places"][0]["place_id"]
    route = ok(
        maps,
        "create_route",
        name="Morning run",
        origin_place_id=home,
        destination_place_id=office,
        waypoint_place_ids=[stop],
        mode="cycling",
    )
    assert [s["place_id"] for s in route["stops"]] == [home, stop, office]
    assert route["total_distance_km"] == pytest.approx(sum(leg["distance_km"] for leg in route["legs"]))
    fails(maps, "create_route", "ConflictError", name="morning  RUN", origin_place_id=home, destination_place_id=office)
    fails(maps, "create_route", "InvalidArgumentError", name="Loop", origin_place_id=home, destination_place_id=home)
    fails(
        maps,
        "create_route",
        "InvalidArgumentError",
        name="Many",
        origin_place_id=home,
        destination_place_id=office,
        waypoint_place_ids=[stop, office] * 5,
    )
    assert ok(maps, "get_saved_route", route_id=route["route_id"]) == route
    assert route["route_id"] in [r["route_id"] for r in ok(maps, "list_saved_routes")["routes"]]


def test_extend_saved_route_chain(maps: Any) -> None:
    route = ok(maps, "list_saved_routes")["routes"][0]
    before = ok(maps, "get_saved_route", route_id=route["route_id"])
    city = ok(maps, "get_place_details", place_id=before["stops"][0]["place_id"])["city"]
    station = ok(maps, "geocode_address", address=f"{city} Central Station")["place_id"]
    extended = ok(maps, "add_route_waypoint", route_id=route["route_id"], place_id=station, position=0)
    assert [s["place_id"] for s in extended["stops"]][1] == station and len(extended["legs"]) == 2
    assert extended["total_distance_km"] >= before["total_distance_km"]
    assert ok(maps, "get_saved_route", route_id=route["route_id"]) == extended
    fails(maps, "add_route_waypoint", "InvalidArgumentError", route_id=route["route_id"], place_id=station, position=5)
    far = ok(maps, "geocode_address", address="Sydney")["place_id"]
    fails(maps, "add_route_waypoint", "NotFoundError", route_id=route["route_id"], place_id=far)
    assert ok(maps, "get_saved_route", route_id=route["route_id"]) == extended  # a failed insert changes nothing
    assert ok(maps, "delete_saved_route", route_id=route["route_id"])["deleted"]
    fails(maps, "get_saved_route", "NotFoundError", route_id=route["route_id"])


def test_save_then_remove_favorite_chain(maps: Any) -> None:
    museum = place_in(maps, "Berlin", "museum")
    place_id = ok(maps, "geocode_address", address=museum["formatted_address"])["place_id"]
    favorite = ok(maps, "save_favorite_place", place_id=place_id, label="Sunday museum")
    fails(maps, "save_favorite_place", "ConflictError", place_id=place_id, label="Again")
    other = place_in(maps, "Berlin", "cafe")["place_id"]
    fails(maps, "save_favorite_place", "ConflictError", place_id=other, label="home")
    fails(maps, "save_favorite_place", "InvalidArgumentError", place_id=other, label="   ")
    assert favorite["favorite_id"] in [f["favorite_id"] for f in ok(maps, "list_favorite_places")["favorites"]]
    assert ok(maps, "remove_favorite_place", favorite_id=favorite["favorite_id"])["label"] == "Sunday museum"
    fails(maps, "remove_favorite_place", "NotFoundError", favorite_id=favorite["favorite_id"])


def test_rating_a_place_once_updates_the_average(maps: Any) -> None:
    cafe = place_in(maps, "Madrid", "cafe")
    rated = ok(maps, "rate_place", place_id=cafe["place_id"], stars=1)
    expected = round((cafe["rating"] * cafe["rating_count"] + 1) / (cafe["rating_count"] + 1), 2)
    assert (rated["rating"], rated["rating_count"]) == (expected, cafe["rating_count"] + 1)
    fails(maps, "rate_place", "ConflictError", place_id=cafe["place_id"], stars=5)
    fails(maps, "rate_place", "ArgumentError", place_id=cafe["place_id"], stars=0)


def test_weather_at_place_cross_domain_chain() -> None:
    session = default_world(0, domains=["maps", "weather"], timeout=None)
    place_id = ok(session, "search_places_by_name", query="central station", city="Zurich")["places"][0]["place_id"]
    city = ok(session, "get_place_details", place_id=place_id)["city"]
    location_id = ok(session, "get_location_id", city=city)["location_id"]
    assert ok(session, "get_current_weather", location_id=location_id)["city"] == "Zurich"


def test_generate_state_is_seeded_and_consistent() -> None:
    assert generate_state(5) == generate_state(5)
    assert generate_state(5) != generate_state(6)
    state = generate_state(5)
    addresses = [p["formatted_address"] for p in state["places"].values()]
    assert len(addresses) == len(set(addresses))
    assert {f["place_id"] for f in state["favorites"].values()} <= set(state["places"])
