"""Maps: geocoding and reverse geocoding, place search by name or near coordinates, place details
and opening hours, directions and travel-time matrices between places, saved favourite places and
saved multi-stop routes.

Users give addresses, place names and city names ("how long to walk from my hotel to the Maritime
Museum?"); directions and routes need place ids (`PL-48213`), which only geocoding, the searches and
the favourites give, and the nearby search needs coordinates that geocoding produces. Places are
generated per city of the shared city pool (`hardgen.world._data.CITIES`), so a place's city is also a
weather location and a travel destination; each city's airport is a place too.

Distances are great-circle distances stretched by a per-mode road factor; durations come from
per-mode speeds. Ground routes exist only within one landmass and up to 2,500 km.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from typing import Annotated, Any, Literal, cast

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._data import CITIES
from hardgen.world._domain import Chain, Domain, load_attributes
from hardgen.world._errors import ConflictError, InvalidArgumentError, NotFoundError

_DOCS = ConfigDict(use_attribute_docstrings=True)

PlaceCategory = Literal[
    "restaurant",
    "cafe",
    "museum",
    "park",
    "hotel",
    "hospital",
    "pharmacy",
    "supermarket",
    "gas_station",
    "train_station",
    "airport",
    "office",
]
TravelMode = Literal["driving", "walking", "cycling", "transit"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TODAY = "2025-03-14"
MAX_WAYPOINTS = 8
MAX_GROUND_KM = 2500.0
# Road distance = great-circle distance x factor; speed in km/h; fixed minutes added (parking, waiting).
MODES: dict[str, tuple[float, float, float]] = {
    "driving": (1.25, 40.0, 3.0),
    "walking": (1.2, 4.8, 0.0),
    "cycling": (1.22, 15.0, 0.0),
    "transit": (1.3, 24.0, 6.0),
}
MODE_LIMIT_KM = {"walking": 40.0, "cycling": 150.0}
LANDMASS = {
    "Avalon": "americas",
    "United States": "americas",
    "Canada": "americas",
    "Mexico": "americas",
    "Portugal": "europe",
    "Spain": "europe",
    "France": "europe",
    "Germany": "europe",
    "Italy": "europe",
    "Switzerland": "europe",
    "United Kingdom": "europe",
    "Japan": "japan",
    "South Korea": "korea",
    "India": "south_asia",
    "Singapore": "southeast_asia",
    "Australia": "australia",
}


@with_config(_DOCS)
class GeocodeResult(TypedDict):
    place_id: str
    """Map place id (e.g. PL-48213); directions, details and favourites need it."""
    name: str
    formatted_address: str
    city: str
    country: str
    latitude: float
    longitude: float
    match_type: Literal["address", "place", "city"]
    """What the query matched: a street address, a named place, or a whole city (its centre)."""


@with_config(_DOCS)
class ReverseGeocodeResult(TypedDict):
    place_id: str
    """Map place id of the nearest known place."""
    name: str
    formatted_address: str
    city: str
    distance_km: float
    """How far the place is from the given coordinates."""


@with_config(_DOCS)
class NearbyPlace(TypedDict):
    place_id: str
    """Map place id (e.g. PL-48213)."""
    name: str
    category: str
    formatted_address: str
    rating: float
    distance_km: float


class NearbyPlaceList(TypedDict):
    places: list[NearbyPlace]


@with_config(_DOCS)
class PlaceSummary(TypedDict):
    place_id: str
    """Map place id (e.g. PL-48213)."""
    name: str
    category: str
    formatted_address: str
    city: str
    latitude: float
    longitude: float


class PlaceList(TypedDict):
    places: list[PlaceSummary]


@with_config(_DOCS)
class PlaceDetails(TypedDict):
    place_id: str
    """Map place id (e.g. PL-48213)."""
    name: str
    category: str
    formatted_address: str
    city: str
    """City the place is in (weather and travel tools know the same cities)."""
    country: str
    latitude: float
    longitude: float
    phone: str
    rating: float
    rating_count: int
    price_level: int | None
    """0 (free) to 4 (very expensive); null where it does not apply."""
    opening_hours: dict[str, str]
    """Per weekday: "HH:MM-HH:MM", "24h" or "closed"."""


class OpenCheck(TypedDict):
    place_id: str
    day: Weekday
    time: str
    is_open: bool
    hours_that_day: str


class Directions(TypedDict):
    origin_place_id: str
    destination_place_id: str
    mode: TravelMode
    distance_km: float
    duration_min: int
    steps: list[str]


class MatrixCell(TypedDict):
    origin_place_id: str
    destination_place_id: str
    reachable: bool
    distance_km: float | None
    duration_min: int | None


class TravelTimeMatrix(TypedDict):
    mode: TravelMode
    cells: list[MatrixCell]


class StraightLineDistance(TypedDict):
    distance_km: float
    bearing_degrees: float
    compass_direction: str


@with_config(_DOCS)
class FavoritePlace(TypedDict):
    favorite_id: str
    """Favourite id (e.g. FAV-3); pass it to remove_favorite_place."""
    label: str
    """The user's own name for the place, e.g. "Home"."""
    place_id: str
    name: str
    formatted_address: str
    city: str


class FavoriteList(TypedDict):
    favorites: list[FavoritePlace]


class RemovedFavorite(TypedDict):
    favorite_id: str
    label: str
    removed: bool


class RouteStop(TypedDict):
    place_id: str
    name: str


class RouteLeg(TypedDict):
    from_place_id: str
    to_place_id: str
    distance_km: float
    duration_min: int


@with_config(_DOCS)
class SavedRoute(TypedDict):
    route_id: str
    """Saved route id (e.g. RT-12)."""
    name: str
    mode: TravelMode
    stops: list[RouteStop]
    """Origin, waypoints in order, destination."""
    legs: list[RouteLeg]
    total_distance_km: float
    total_duration_min: int


class RouteSummary(TypedDict):
    route_id: str
    name: str
    mode: TravelMode
    stop_count: int
    total_distance_km: float
    total_duration_min: int


class RouteList(TypedDict):
    routes: list[RouteSummary]


class DeletedRoute(TypedDict):
    route_id: str
    deleted: bool


class PlaceRating(TypedDict):
    place_id: str
    your_stars: int
    rating: float
    rating_count: int


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km on a 6371 km sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def _bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


def _compass(bearing: float) -> str:
    return ("north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest")[
        round(bearing / 45) % 8
    ]


def _normal(text: str) -> str:
    """Lower case, punctuation dropped, spaces collapsed: how addresses and names are compared."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _check_coordinates(latitude: float, longitude: float) -> None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidArgumentError(
            f"({latitude}, {longitude}) are not coordinates; latitude -90..90, longitude -180..180"
        )


class MapsAPI:
    """A maps service with the user's favourite places and saved routes."""

    def __init__(self) -> None:
        self.today: str = TODAY
        self.places: dict[str, dict[str, Any]] = {}
        self.favorites: dict[str, dict[str, Any]] = {}
        self.routes: dict[str, dict[str, Any]] = {}
        self.my_ratings: dict[str, int] = {}
        self.next_favorite_number: int = 1
        self.next_route_number: int = 1

    def load_state(self, state: dict[str, Any]) -> None:
        """Load a state made by `generate_state` (unknown keys are an error, not silently ignored)."""
        load_attributes(self, state, "maps")

    # -- helpers ---------------------------------------------------------------------------------
    def _place(self, place_id: str) -> dict[str, Any]:
        if place_id not in self.places:
            raise NotFoundError(
                f"no place {place_id!r}; get place ids from geocode_address, search_places_by_name or search_nearby_places"
            )
        return self.places[place_id]

    def _route(self, route_id: str) -> dict[str, Any]:
        if route_id not in self.routes:
            raise NotFoundError(f"no saved route {route_id!r}; list_saved_routes shows route ids")
        return self.routes[route_id]

    def _leg(self, origin: dict[str, Any], destination: dict[str, Any], mode: str) -> tuple[float, int]:
        """(road km, minutes) between two places by `mode`, or NotFoundError when there is no route."""
        straight = great_circle_km(
            origin["latitude"], origin["longitude"], destination["latitude"], destination["longitude"]
        )
        if LANDMASS[origin["country"]] != LANDMASS[destination["country"]] or straight > MAX_GROUND_KM:
            raise NotFoundError(
                f"no ground route from {origin['city']} to {destination['city']}; they are {straight:.0f} km apart "
                "across sea or too far (fly instead)"
            )
        if mode == "transit" and origin["city"] != destination["city"]:
            raise NotFoundError(
                f"transit works within one city; {origin['city']} to {destination['city']} needs driving"
            )
        factor, speed, fixed = MODES[mode]
        road = straight * factor
        if mode in MODE_LIMIT_KM and road > MODE_LIMIT_KM[mode]:
            raise NotFoundError(f"{road:.0f} km is too far for {mode} (limit {MODE_LIMIT_KM[mode]:.0f} km)")
        if mode == "driving" and road > 30:
            speed = 85.0  # highways between cities
        return round(road, 2), max(1, round(road / speed * 60 + fixed))

    def _summary(self, place: dict[str, Any]) -> PlaceSummary:
        keys = ("place_id", "name", "category", "formatted_address", "city", "latitude", "longitude")
        return {k: place[k] for k in keys}  # type: ignore[return-value]

    def _route_view(self, route: dict[str, Any]) -> SavedRoute:
        return {
            "route_id": route["route_id"],
            "name": route["name"],
            "mode": route["mode"],
            "stops": [{"place_id": p, "name": self.places[p]["name"]} for p in route["stops"]],
            "legs": [dict(leg) for leg in route["legs"]],  # type: ignore[misc]
            "total_distance_km": round(sum(leg["distance_km"] for leg in route["legs"]), 2),
            "total_duration_min": sum(leg["duration_min"] for leg in route["legs"]),
        }

    def _legs(self, stops: list[str], mode: str) -> list[dict[str, Any]]:
        legs = []
        for a, b in itertools.pairwise(stops):
            if a == b:
                raise InvalidArgumentError(f"two consecutive stops are the same place {a}")
            km, minutes = self._leg(self.places[a], self.places[b], mode)
            legs.append({"from_place_id": a, "to_place_id": b, "distance_km": km, "duration_min": minutes})
        return legs

    # -- geocoding -------------------------------------------------------------------------------
    @tool
    def geocode_address(self, address: str) -> GeocodeResult:
        """Turn a street address, a place name or a city name into coordinates and a place id.

        Accepts "12 Harbor Street, Lisbon", "Maritime Museum, Lisbon" (a place name, with its city
        when the name exists in several cities) or "Lisbon" (the city centre).

        Args:
            address: The address, place name or city to find.

        Returns:
            The matched place id, formatted address, city, country, coordinates and what kind of match it was.
        """
        wanted = _normal(address)
        if not wanted:
            raise InvalidArgumentError("address is empty")

        def result(place: dict[str, Any], match: Literal["address", "place", "city"]) -> GeocodeResult:
            keys = ("place_id", "name", "formatted_address", "city", "country", "latitude", "longitude")
            return cast(GeocodeResult, {**{k: place[k] for k in keys}, "match_type": match})

        places = list(self.places.values())
        for place in places:
            if _normal(place["formatted_address"]) == wanted:
                return result(place, "city" if place["category"] == "city" else "address")
        for place in places:
            if place["category"] == "city" and _normal(place["city"]) == wanted:
                return result(place, "city")
        for place in places:
            if _normal(f"{place['name']} {place['city']}") == wanted:
                return result(place, "place")
        named = [p for p in places if _normal(p["name"]) == wanted]
        street = [p for p in places if _normal(p["formatted_address"].rsplit(",", 1)[0]) == wanted]
        lookups: tuple[tuple[list[dict[str, Any]], Literal["place", "address"]], ...] = (
            (named, "place"),
            (street, "address"),
        )
        for matches, kind in lookups:
            if len(matches) == 1:
                return result(matches[0], kind)
            if len(matches) > 1:
                cities = ", ".join(sorted({p["city"] for p in matches}))
                raise InvalidArgumentError(
                    f"{address!r} exists in several cities ({cities}); add the city, e.g. '{address}, {matches[0]['city']}'"
                )
        raise NotFoundError(f"nothing found for {address!r}; try search_places_by_name or a full address with the city")

    @tool
    def reverse_geocode(self, latitude: float, longitude: float) -> ReverseGeocodeResult:
        """Find the known place or address nearest to coordinates (within 3 km).

        Args:
            latitude: Latitude in degrees, -90 to 90.
            longitude: Longitude in degrees, -180 to 180.

        Returns:
            The nearest place with its id, address, city and distance.
        """
        _check_coordinates(latitude, longitude)
        best = min(
            self.places.values(),
            key=lambda p: (great_circle_km(latitude, longitude, p["latitude"], p["longitude"]), p["place_id"]),
        )
        distance = great_circle_km(latitude, longitude, best["latitude"], best["longitude"])
        if distance > 3:
            raise NotFoundError(f"no known place within 3 km of ({latitude}, {longitude})")
        return {
            "place_id": best["place_id"],
            "name": best["name"],
            "formatted_address": best["formatted_address"],
            "city": best["city"],
            "distance_km": round(distance, 3),
        }

    @tool
    def measure_distance(
        self, latitude_1: float, longitude_1: float, latitude_2: float, longitude_2: float
    ) -> StraightLineDistance:
        """Straight-line (great-circle) distance and bearing between two coordinate pairs.

        Args:
            latitude_1: Latitude of the first point.
            longitude_1: Longitude of the first point.
            latitude_2: Latitude of the second point.
            longitude_2: Longitude of the second point.

        Returns:
            Distance in km, bearing from the first point to the second and its compass direction.
        """
        _check_coordinates(latitude_1, longitude_1)
        _check_coordinates(latitude_2, longitude_2)
        bearing = _bearing(latitude_1, longitude_1, latitude_2, longitude_2)
        return {
            "distance_km": round(great_circle_km(latitude_1, longitude_1, latitude_2, longitude_2), 3),
            "bearing_degrees": round(bearing, 1),
            "compass_direction": _compass(bearing),
        }

    # -- places ----------------------------------------------------------------------------------
    @tool(requires=["geocode_address"])
    def search_nearby_places(
        self,
        latitude: float,
        longitude: float,
        category: PlaceCategory,
        radius_km: Annotated[float, Field(gt=0, le=50)] = 3.0,
        min_rating: float = 0.0,
    ) -> NearbyPlaceList:
        """Places of a category near coordinates, nearest first (at most 10).

        Coordinates usually come from geocode_address.

        Args:
            latitude: Latitude of the centre of the search.
            longitude: Longitude of the centre of the search.
            category: Kind of place.
            radius_km: Search radius in km, up to 50.
            min_rating: Only places rated at least this (0 to 5).

        Returns:
            Matching places with id, rating and distance.
        """
        _check_coordinates(latitude, longitude)
        found = []
        for p in self.places.values():
            if p["category"] != category or p["rating"] < min_rating:
                continue
            distance = great_circle_km(latitude, longitude, p["latitude"], p["longitude"])
            if distance <= radius_km:
                found.append(
                    {
                        "place_id": p["place_id"],
                        "name": p["name"],
                        "category": p["category"],
                        "formatted_address": p["formatted_address"],
                        "rating": p["rating"],
                        "distance_km": round(distance, 3),
                    }
                )
        found.sort(key=lambda p: (p["distance_km"], p["place_id"]))
        return {"places": found[:10]}  # type: ignore[typeddict-item]

    @tool
    def search_places_by_name(self, query: str, city: str | None = None) -> PlaceList:
        """Search places by part of their name, optionally in one city.

        Args:
            query: Part of the place name, case-insensitive, e.g. "maritime".
            city: Only places in this city, e.g. "Lisbon".

        Returns:
            Matching places (at most 20) with id, address, city and coordinates.
        """
        needle = _normal(query)
        if not needle:
            raise InvalidArgumentError("query is empty; give part of a place name")
        if city is not None and not any(p["city"].lower() == city.strip().lower() for p in self.places.values()):
            raise NotFoundError(f"no city {city!r} on the map")
        found = [
            self._summary(p)
            for p in self.places.values()
            if needle in _normal(p["name"]) and (city is None or p["city"].lower() == city.strip().lower())
        ]
        return {"places": sorted(found, key=lambda p: (p["city"], p["name"], p["place_id"]))[:20]}

    @tool
    def get_place_details(self, place_id: str) -> PlaceDetails:
        """Full details of a place: address, city, coordinates, phone, rating, price level and opening hours.

        Args:
            place_id: Map place id, e.g. "PL-48213".

        Returns:
            The place's details.
        """
        place = self._place(place_id)
        return {**place, "opening_hours": dict(place["opening_hours"])}  # type: ignore[typeddict-item]

    @tool
    def check_place_open(self, place_id: str, day: Weekday, time: str) -> OpenCheck:
        """Whether a place is open on a weekday at a time.

        Args:
            place_id: Map place id, e.g. "PL-48213".
            day: Day of the week.
            time: Local time, HH:MM (24-hour), e.g. "18:30".

        Returns:
            Whether it is open, and its hours that day.
        """
        place = self._place(place_id)
        match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", time.strip())
        if not match:
            raise InvalidArgumentError(f"time {time!r} must be HH:MM, 00:00 to 23:59")
        hours = place["opening_hours"][day]
        is_open = False
        if hours == "24h":
            is_open = True
        elif hours != "closed":
            opens, closes = hours.split("-")
            is_open = opens <= time.strip() < closes
        return {"place_id": place_id, "day": day, "time": time.strip(), "is_open": is_open, "hours_that_day": hours}

    @tool(mutates=True)
    def rate_place(self, place_id: str, stars: Annotated[int, Field(ge=1, le=5)]) -> PlaceRating:
        """Rate a place from 1 to 5 stars; the user can rate each place once.

        Args:
            place_id: Map place id, e.g. "PL-48213".
            stars: 1 (poor) to 5 (excellent).

        Returns:
            The place's new average rating and count.
        """
        place = self._place(place_id)
        if place_id in self.my_ratings:
            raise ConflictError(f"you already rated {place['name']} ({self.my_ratings[place_id]} stars)")
        total = place["rating"] * place["rating_count"] + stars
        place["rating_count"] += 1
        place["rating"] = round(total / place["rating_count"], 2)
        self.my_ratings[place_id] = stars
        return {
            "place_id": place_id,
            "your_stars": stars,
            "rating": place["rating"],
            "rating_count": place["rating_count"],
        }

    # -- directions ------------------------------------------------------------------------------
    @tool(requires=["geocode_address"])
    def get_directions(
        self, origin_place_id: str, destination_place_id: str, mode: TravelMode = "driving"
    ) -> Directions:
        """Directions between two places: road distance, travel time and turn-by-turn steps.

        Transit works within a city; walking is limited to 40 km and cycling to 150 km; there is no
        ground route across the sea or beyond 2,500 km.

        Args:
            origin_place_id: Place id of the start (from geocode_address, a search or favourites).
            destination_place_id: Place id of the end.
            mode: How to travel.

        Returns:
            Distance in km, duration in minutes and the steps.
        """
        origin, destination = self._place(origin_place_id), self._place(destination_place_id)
        if origin_place_id == destination_place_id:
            raise InvalidArgumentError("origin and destination are the same place")
        km, minutes = self._leg(origin, destination, mode)
        heading = _compass(
            _bearing(origin["latitude"], origin["longitude"], destination["latitude"], destination["longitude"])
        )
        verb = {"driving": "Drive", "walking": "Walk", "cycling": "Cycle", "transit": "Take transit"}[mode]
        steps = [
            f"Head {heading} from {origin['name']} ({origin['formatted_address']})",
            f"{verb} {km:.1f} km toward {destination['city'] if destination['city'] != origin['city'] else destination['name']}",
            f"Arrive at {destination['name']}, {destination['formatted_address']}",
        ]
        return {
            "origin_place_id": origin_place_id,
            "destination_place_id": destination_place_id,
            "mode": mode,
            "distance_km": km,
            "duration_min": minutes,
            "steps": steps,
        }

    @tool(requires=["geocode_address"])
    def get_travel_time_matrix(
        self, origin_place_ids: list[str], destination_place_ids: list[str], mode: TravelMode = "driving"
    ) -> TravelTimeMatrix:
        """Travel distance and time from each of 1-5 origins to each of 1-5 destinations.

        Unreachable pairs (no route for the mode) are reported with reachable=false instead of failing.

        Args:
            origin_place_ids: Place ids of the origins.
            destination_place_ids: Place ids of the destinations.
            mode: How to travel.

        Returns:
            One cell per origin-destination pair, in origin-major order.
        """
        for ids, what in ((origin_place_ids, "origin_place_ids"), (destination_place_ids, "destination_place_ids")):
            if not 1 <= len(ids) <= 5:
                raise InvalidArgumentError(f"{what} must list 1 to 5 place ids")
        cells: list[MatrixCell] = []
        for o in origin_place_ids:
            origin = self._place(o)
            for d in destination_place_ids:
                destination = self._place(d)
                try:
                    km, minutes = (0.0, 0) if o == d else self._leg(origin, destination, mode)
                    cells.append(
                        {
                            "origin_place_id": o,
                            "destination_place_id": d,
                            "reachable": True,
                            "distance_km": km,
                            "duration_min": minutes,
                        }
                    )
                except NotFoundError:
                    cells.append(
                        {
                            "origin_place_id": o,
                            "destination_place_id": d,
                            "reachable": False,
                            "distance_km": None,
                            "duration_min": None,
                        }
                    )
        return {"mode": mode, "cells": cells}

    # -- favourites ------------------------------------------------------------------------------
    @tool
    def list_favorite_places(self) -> FavoriteList:
        """The user's saved favourite places (such as "Home" or "Office") with their place ids.

        Returns:
            Every favourite with its label, place id, name, address and city.
        """
        rows: list[FavoritePlace] = []
        for fav in self.favorites.values():
            place = self.places[fav["place_id"]]
            rows.append(
                {
                    "favorite_id": fav["favorite_id"],
                    "label": fav["label"],
                    "place_id": place["place_id"],
                    "name": place["name"],
                    "formatted_address": place["formatted_address"],
                    "city": place["city"],
                }
            )
        return {"favorites": sorted(rows, key=lambda f: int(f["favorite_id"].split("-")[1]))}

    @tool(mutates=True, requires=["geocode_address"])
    def save_favorite_place(self, place_id: str, label: str) -> FavoritePlace:
        """Save a place as a favourite under a label the user chooses (unique, 1 to 40 characters).

        Args:
            place_id: Map place id, e.g. "PL-48213".
            label: The user's name for it, e.g. "Gym".

        Returns:
            The new favourite with its id.
        """
        place = self._place(place_id)
        name = " ".join(label.split())
        if not 1 <= len(name) <= 40:
            raise InvalidArgumentError("label must be 1 to 40 characters")
        for fav in self.favorites.values():
            if fav["label"].lower() == name.lower():
                raise ConflictError(f"label {name!r} is already used by {fav['favorite_id']}; pick another label")
            if fav["place_id"] == place_id:
                raise ConflictError(f"{place['name']} is already a favourite ({fav['label']!r}, {fav['favorite_id']})")
        favorite_id = f"FAV-{self.next_favorite_number}"
        self.next_favorite_number += 1
        self.favorites[favorite_id] = {
            "favorite_id": favorite_id,
            "place_id": place_id,
            "label": name,
            "saved_date": self.today,
        }
        return {
            "favorite_id": favorite_id,
            "label": name,
            "place_id": place_id,
            "name": place["name"],
            "formatted_address": place["formatted_address"],
            "city": place["city"],
        }

    @tool(mutates=True, requires=["list_favorite_places"])
    def remove_favorite_place(self, favorite_id: str) -> RemovedFavorite:
        """Remove a favourite place.

        Args:
            favorite_id: Favourite id, e.g. "FAV-3" (from list_favorite_places).

        Returns:
            The removed favourite's id and label.
        """
        if favorite_id not in self.favorites:
            raise NotFoundError(f"no favourite {favorite_id!r}; list_favorite_places shows favourite ids")
        fav = self.favorites.pop(favorite_id)
        return {"favorite_id": favorite_id, "label": fav["label"], "removed": True}

    # -- routes ----------------------------------------------------------------------------------
    @tool(mutates=True, requires=["geocode_address"])
    def create_route(
        self,
        name: str,
        origin_place_id: str,
        destination_place_id: str,
        mode: TravelMode = "driving",
        waypoint_place_ids: list[str] | None = None,
    ) -> SavedRoute:
        """Plan and save a route from an origin through optional waypoints to a destination.

        Every leg must be travelable by the mode (see get_directions); at most 8 waypoints.

        Args:
            name: Route name, unique, 1 to 60 characters, e.g. "Saturday errands".
            origin_place_id: Place id of the start.
            destination_place_id: Place id of the end.
            mode: How to travel every leg.
            waypoint_place_ids: Place ids to pass through, in order.

        Returns:
            The saved route with its id, legs and totals.
        """
        title = " ".join(name.split())
        if not 1 <= len(title) <= 60:
            raise InvalidArgumentError("route name must be 1 to 60 characters")
        for route in self.routes.values():
            if route["name"].lower() == title.lower():
                raise ConflictError(f"a route named {title!r} exists ({route['route_id']})")
        waypoints = list(waypoint_place_ids or [])
        if len(waypoints) > MAX_WAYPOINTS:
            raise InvalidArgumentError(f"at most {MAX_WAYPOINTS} waypoints")
        stops = [origin_place_id, *waypoints, destination_place_id]
        for place_id in stops:
            self._place(place_id)
        legs = self._legs(stops, mode)
        route_id = f"RT-{self.next_route_number}"
        self.next_route_number += 1
        self.routes[route_id] = {"route_id": route_id, "name": title, "mode": mode, "stops": stops, "legs": legs}
        return self._route_view(self.routes[route_id])

    @tool(mutates=True, requires=["create_route"])
    def add_route_waypoint(self, route_id: str, place_id: str, position: int | None = None) -> SavedRoute:
        """Insert a stop into a saved route and recompute its legs.

        Args:
            route_id: Saved route id, e.g. "RT-12" (from create_route or list_saved_routes).
            place_id: Place id of the new stop.
            position: Where among the waypoints: 0 is right after the origin; omit to add it just
                before the destination.

        Returns:
            The updated route.
        """
        route = self._route(route_id)
        self._place(place_id)
        waypoints = route["stops"][1:-1]
        if len(waypoints) >= MAX_WAYPOINTS:
            raise InvalidArgumentError(f"route {route_id} already has {MAX_WAYPOINTS} waypoints")
        index = len(waypoints) if position is None else position
        if not 0 <= index <= len(waypoints):
            raise InvalidArgumentError(f"position must be 0 to {len(waypoints)} for route {route_id}")
        stops = [route["stops"][0], *waypoints[:index], place_id, *waypoints[index:], route["stops"][-1]]
        route["legs"] = self._legs(stops, route["mode"])
        route["stops"] = stops
        return self._route_view(route)

    @tool
    def get_saved_route(self, route_id: str) -> SavedRoute:
        """A saved route with its stops, legs and totals.

        Args:
            route_id: Saved route id, e.g. "RT-12".

        Returns:
            The route.
        """
        return self._route_view(self._route(route_id))

    @tool
    def list_saved_routes(self) -> RouteList:
        """The user's saved routes.

        Returns:
            Every route with its id, name, mode, number of stops and totals.
        """
        rows: list[RouteSummary] = []
        for route in self.routes.values():
            view = self._route_view(route)
            rows.append(
                {
                    "route_id": view["route_id"],
                    "name": view["name"],
                    "mode": view["mode"],
                    "stop_count": len(view["stops"]),
                    "total_distance_km": view["total_distance_km"],
                    "total_duration_min": view["total_duration_min"],
                }
            )
        return {"routes": sorted(rows, key=lambda r: int(r["route_id"].split("-")[1]))}

    @tool(mutates=True, requires=["list_saved_routes"])
    def delete_saved_route(self, route_id: str) -> DeletedRoute:
        """Delete a saved route.

        Args:
            route_id: Saved route id, e.g. "RT-12" (from list_saved_routes).

        Returns:
            The deleted route's id.
        """
        self._route(route_id)
        del self.routes[route_id]
        return {"route_id": route_id, "deleted": True}


# -- generated worlds ----------------------------------------------------------------------------
_NAMES: dict[str, tuple[str, ...]] = {
    "restaurant": (
        "Trattoria Sole",
        "The Copper Pot",
        "Golden Lotus",
        "Casa Verde",
        "Blue Fin Sushi",
        "Le Petit Jardin",
        "Saffron House",
        "Harbor Grill",
        "Olive & Thyme",
        "Smokehouse 21",
    ),
    "cafe": ("Bean & Leaf", "Morning Ritual", "Cafe Lumen", "The Daily Grind", "Kettle & Crumb"),
    "museum": ("City History Museum", "Modern Art Gallery", "Science Museum", "Maritime Museum", "Design Museum"),
    "park": ("Riverside Park", "Central Gardens", "Hilltop Park", "Botanical Garden"),
    "hotel": ("Grand Plaza Hotel", "Harborview Inn", "The Meridian Hotel", "Parkside Suites", "Old Town Lodge"),
    "hospital": ("General Hospital", "St. Clare Medical Center"),
    "pharmacy": ("Corner Pharmacy", "HealthPlus Pharmacy"),
    "supermarket": ("FreshMart", "Daily Market", "GreenGrocer"),
    "gas_station": ("QuickFuel", "Northway Fuel"),
    "office": ("Harbor Point Offices", "Tower One", "Riverside Business Park", "The Exchange Building"),
}
_STREETS = (
    "Harbor Street",
    "Market Lane",
    "King's Road",
    "Elm Avenue",
    "Station Road",
    "River Walk",
    "Castle Street",
    "Garden Row",
    "Mill Lane",
    "Park Avenue",
    "Bridge Street",
    "Chapel Hill",
)
_HOURS = {
    "restaurant": ("12:00", "23:00"),
    "cafe": ("07:00", "18:00"),
    "museum": ("10:00", "18:00"),
    "park": ("06:00", "22:00"),
    "supermarket": ("08:00", "21:00"),
    "pharmacy": ("08:30", "20:00"),
    "office": ("08:00", "19:00"),
}


def _opening_hours(rng: random.Random, category: str) -> dict[str, str]:
    if category in ("hotel", "hospital", "airport", "train_station", "city", "gas_station", "address"):
        return dict.fromkeys(WEEKDAYS, "24h")
    opens, closes = _HOURS[category]
    closed_day = rng.choice(("monday", "sunday", None, None)) if category in ("museum", "restaurant") else None
    return {d: "closed" if d == closed_day else f"{opens}-{closes}" for d in WEEKDAYS}


def generate_state(seed: int) -> dict[str, Any]:
    """A map of the 20 shared cities (centre, airport, central station, 9 to 12 other places and
    3 street addresses each), two favourites ("Home", "Office") and one saved route, from `seed`."""
    rng = random.Random(seed)
    numbers = iter(rng.sample(range(10000, 99999), len(CITIES) * 20))
    places: dict[str, Any] = {}

    def add(city: tuple[Any, ...], name: str, category: str, lat: float, lon: float, address: str) -> str:
        place_id = f"PL-{next(numbers)}"
        places[place_id] = {
            "place_id": place_id,
            "name": name,
            "category": category,
            "formatted_address": address,
            "city": city[0],
            "country": city[1],
            "latitude": round(lat, 5),
            "longitude": round(lon, 5),
            "phone": f"+{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            "rating": round(rng.uniform(3.0, 4.9), 1) if category != "city" else 0.0,
            "rating_count": rng.randint(5, 2500) if category != "city" else 0,
            "price_level": rng.randint(1, 4) if category in ("restaurant", "cafe", "hotel") else None,
            "opening_hours": _opening_hours(rng, category),
        }
        return place_id

    for city in CITIES:
        name, _country, code, airport, lat, lon, _currency = city
        scale = 1 / max(0.2, math.cos(math.radians(lat)))  # keep longitude offsets ~km-sized
        add(city, name, "city", lat, lon, f"{name} city centre, {name}")
        add(
            city, f"{airport} Airport ({code})", "airport", lat + 0.08, lon + 0.08 * scale, f"{airport} Airport, {name}"
        )
        add(
            city,
            f"{name} Central Station",
            "train_station",
            lat + rng.uniform(-0.01, 0.01),
            lon + rng.uniform(-0.01, 0.01) * scale,
            f"1 Station Road, {name}",
        )
        used_names: set[str] = set()
        used_addresses = {"1 Station Road"}
        categories = [rng.choice(sorted(_NAMES)) for _ in range(rng.randint(8, 11))]
        for category in ["restaurant", "cafe", "museum", "office", *categories, "address", "address", "address"]:
            street_address = f"{rng.randint(2, 180)} {rng.choice(_STREETS)}"
            place_name = street_address if category == "address" else rng.choice(_NAMES[category])
            if place_name in used_names or street_address in used_addresses:
                continue
            used_names.add(place_name)
            used_addresses.add(street_address)
            add(
                city,
                place_name,
                category,
                lat + rng.uniform(-0.035, 0.035),
                lon + rng.uniform(-0.035, 0.035) * scale,
                f"{street_address}, {name}",
            )

    home_city = rng.choice(CITIES[:12])[0]
    home = rng.choice([p for p in places.values() if p["city"] == home_city and p["category"] == "address"])
    office = rng.choice([p for p in places.values() if p["city"] == home_city and p["category"] == "office"])
    favorites = {
        "FAV-1": {"favorite_id": "FAV-1", "place_id": home["place_id"], "label": "Home", "saved_date": "2024-11-02"},
        "FAV-2": {
            "favorite_id": "FAV-2",
            "place_id": office["place_id"],
            "label": "Office",
            "saved_date": "2024-11-02",
        },
    }
    api = MapsAPI()
    api.places = places
    route_stops = [home["place_id"], office["place_id"]]
    routes = {
        "RT-1": {
            "route_id": "RT-1",
            "name": "Commute",
            "mode": "cycling",
            "stops": route_stops,
            "legs": api._legs(route_stops, "cycling"),
        },
    }
    return {
        "today": TODAY,
        "places": places,
        "favorites": favorites,
        "routes": routes,
        "my_ratings": {},
        "next_favorite_number": 3,
        "next_route_number": 2,
    }


def _geo(address: str) -> tuple[str, dict[str, Any]]:
    return ("geocode_address", {"address": address})


_MUSEUM = ("search_places_by_name", {"query": "Science Museum", "city": "Lisbon"})

DOMAIN = Domain(
    name="maps",
    description=(
        "Maps: geocode addresses, places and cities, reverse geocode, find places by name or nearby by category, "
        "place details and opening hours, directions and travel-time matrices, favourite places and saved routes."
    ),
    environment_class=MapsAPI,
    generate_state=generate_state,
    chains=(
        Chain(
            "nearby_search",
            "Find a kind of place near an address the user gives: the address gives coordinates, the nearby "
            "search gives place ids, details need one of them.",
            ("geocode_address", "search_nearby_places", "get_place_details"),
        ),
        Chain(
            "directions_between_named_places",
            "How long from one named place to another: both names become place ids before directions.",
            ("geocode_address", "geocode_address", "get_directions"),
        ),
        Chain(
            "open_place_nearby",
            "Is there a cafe open now near an address, and how to walk there: coordinates -> candidates -> "
            "opening check -> directions.",
            ("geocode_address", "search_nearby_places", "check_place_open", "get_directions"),
        ),
        Chain(
            "commute_with_errand",
            "Plan the trip from home to the office with a stop near home: favourites give place ids, details "
            "give home's coordinates, the nearby search the stop, then the route is saved.",
            ("list_favorite_places", "get_place_details", "search_nearby_places", "create_route"),
        ),
        Chain(
            "extend_saved_route",
            "Add a named place to one of the user's saved routes and read back the new totals.",
            ("list_saved_routes", "geocode_address", "add_route_waypoint", "get_saved_route"),
        ),
        Chain(
            "save_then_remove_favorite",
            "Save a place as a favourite and later remove it by the favourite id saving produced.",
            ("geocode_address", "save_favorite_place", "remove_favorite_place"),
        ),
        Chain(
            "weather_at_place",
            "Current weather at a named place: its details give the city, the city gives the weather location id.",
            ("search_places_by_name", "get_place_details", "weather.get_location_id", "weather.get_current_weather"),
        ),
    ),
    examples={
        "geocode_address": [_geo("Science Museum, Lisbon")],
        "reverse_geocode": [("reverse_geocode", {"latitude": 38.7541, "longitude": -9.1733})],
        "measure_distance": [
            _geo("Lisbon"),
            _geo("Madrid"),
            (
                "measure_distance",
                {
                    "latitude_1": "$0.latitude",
                    "longitude_1": "$0.longitude",
                    "latitude_2": "$1.latitude",
                    "longitude_2": "$1.longitude",
                },
            ),
        ],
        "search_nearby_places": [
            _geo("Lisbon"),
            (
                "search_nearby_places",
                {"latitude": "$0.latitude", "longitude": "$0.longitude", "category": "cafe", "radius_km": 5},
            ),
        ],
        "search_places_by_name": [("search_places_by_name", {"query": "museum", "city": "Lisbon"})],
        "get_place_details": [_MUSEUM, ("get_place_details", {"place_id": "$0.places.0.place_id"})],
        "check_place_open": [
            _MUSEUM,
            ("check_place_open", {"place_id": "$0.places.0.place_id", "day": "monday", "time": "11:00"}),
        ],
        "rate_place": [_MUSEUM, ("rate_place", {"place_id": "$0.places.0.place_id", "stars": 5})],
        "get_directions": [
            _geo("Science Museum, Lisbon"),
            _geo("Lisbon Central Station"),
            (
                "get_directions",
                {"origin_place_id": "$0.place_id", "destination_place_id": "$1.place_id", "mode": "walking"},
            ),
        ],
        "get_travel_time_matrix": [
            _geo("Lisbon Central Station"),
            _geo("Science Museum, Lisbon"),
            _geo("Humberto Delgado Airport, Lisbon"),
            (
                "get_travel_time_matrix",
                {
                    "origin_place_ids": ["$0.place_id"],
                    "destination_place_ids": ["$1.place_id", "$2.place_id"],
                    "mode": "transit",
                },
            ),
        ],
        "list_favorite_places": [("list_favorite_places", {})],
        "save_favorite_place": [
            _geo("Science Museum, Lisbon"),
            ("save_favorite_place", {"place_id": "$0.place_id", "label": "Museum day"}),
        ],
        "remove_favorite_place": [
            ("list_favorite_places", {}),
            ("remove_favorite_place", {"favorite_id": "$0.favorites.0.favorite_id"}),
        ],
        "create_route": [
            _geo("Lisbon Central Station"),
            _geo("Science Museum, Lisbon"),
            _geo("Humberto Delgado Airport, Lisbon"),
            (
                "create_route",
                {
                    "name": "Lisbon day",
                    "origin_place_id": "$0.place_id",
                    "destination_place_id": "$2.place_id",
                    "waypoint_place_ids": ["$1.place_id"],
                    "mode": "driving",
                },
            ),
        ],
        "add_route_waypoint": [
            ("list_saved_routes", {}),
            ("list_favorite_places", {}),
            ("get_place_details", {"place_id": "$1.favorites.0.place_id"}),
            (
                "search_nearby_places",
                {"latitude": "$2.latitude", "longitude": "$2.longitude", "category": "train_station", "radius_km": 10},
            ),
            ("add_route_waypoint", {"route_id": "$0.routes.0.route_id", "place_id": "$3.places.0.place_id"}),
        ],
        "get_saved_route": [("list_saved_routes", {}), ("get_saved_route", {"route_id": "$0.routes.0.route_id"})],
        "list_saved_routes": [("list_saved_routes", {})],
        "delete_saved_route": [("list_saved_routes", {}), ("delete_saved_route", {"route_id": "$0.routes.0.route_id"})],
    },
)
