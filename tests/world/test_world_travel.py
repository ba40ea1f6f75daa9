"""The travel domain: its chains carry real values end to end, and its failures are typed observations."""

from __future__ import annotations

from typing import Any

import pytest
from world_helpers import error_type, ok

from hardgen.tools import Session
from hardgen.world import default_world, get_domain
from hardgen.world._data import CITIES, USD_RATES

DOMAIN = get_domain("travel")


@pytest.fixture
def world() -> Session:
    return default_world(0, domains=["travel"], timeout=None)


def api(session: Session) -> Any:
    return session.environment_of("search_flights").instance


def bookable_route(session: Session) -> dict[str, Any]:
    """A flight of the seed-0 world with seats left (its route and date are what a user would say)."""
    return min((f for f in api(session).flights.values() if f["seats_left"] > 0),
               key=lambda f: (f["date"], f["flight_id"]))


def richest_card(session: Session) -> str:
    cards = api(session).cards
    return max(cards, key=lambda c: cards[c]["available_credit"])


CITY_OF = {row[2]: row[0] for row in CITIES}


def test_fly_between_cities_chain_flows_codes_and_ids(world: Session) -> None:
    target = bookable_route(world)
    origin = ok(world, "find_airport_by_city", city=CITY_OF[target["origin_airport_code"]].upper())
    dest = ok(world, "find_airport_by_city", city=CITY_OF[target["destination_airport_code"]])
    assert (origin["airport_code"], dest["airport_code"]) == (target["origin_airport_code"], target["destination_airport_code"])
    flights = ok(world, "search_flights", origin_airport_code=origin["airport_code"],
                 destination_airport_code=dest["airport_code"], date=target["date"])["flights"]
    assert target["flight_id"] in [f["flight_id"] for f in flights]
    assert [f["price"] for f in flights] == sorted(f["price"] for f in flights)
    card = richest_card(world)
    before = api(world).cards[card]["available_credit"]
    seats = target["seats_left"]
    booking = ok(world, "book_flight", flight_id=target["flight_id"], traveller_name=api(world).account_holder,
                 payment_method_id=card)
    assert booking["booking_id"].startswith("BK-") and booking["status"] == "confirmed"
    assert booking["flight_id"] == target["flight_id"] and booking["price"] == target["price"]
    assert api(world).cards[card]["available_credit"] == pytest.approx(before - target["price"])
    assert ok(world, "get_flight_details", flight_id=target["flight_id"])["seats_left"] == seats - 1
    assert ok(world, "get_travel_booking", booking_id=booking["booking_id"])["traveller_name"] == api(world).account_holder


def test_seat_selection_needs_a_booking_and_a_free_seat(world: Session) -> None:
    target = bookable_route(world)
    booking = ok(world, "book_flight", flight_id=target["flight_id"], traveller_name=api(world).account_holder,
                 payment_method_id=richest_card(world))
    taken = api(world).flights[target["flight_id"]]["occupied_seats"][0]
    assert error_type(world, "select_seat", booking_id=booking["booking_id"], seat=taken) == "ConflictError"
    assert error_type(world, "select_seat", booking_id=booking["booking_id"], seat="52K") == "InvalidArgumentError"
    free = next(f"{r}A" for r in range(1, 41) if f"{r}A" not in api(world).flights[target["flight_id"]]["occupied_seats"])
    assert ok(world, "select_seat", booking_id=booking["booking_id"], seat=free.lower())["seat"] == free
    assert ok(world, "get_travel_booking", booking_id=booking["booking_id"])["seat"] == free
    assert error_type(world, "select_seat", booking_id="BK-9", seat=free) == "NotFoundError"


def test_seat_on_an_existing_booking_found_by_traveller(world: Session) -> None:
    traveller = next(b["traveller_name"] for b in api(world).bookings.values())
    bookings = ok(world, "list_travel_bookings", traveller_name=traveller.lower())["bookings"]
    assert bookings and {b["traveller_name"] for b in bookings} == {traveller}
    booking = bookings[0]
    taken = set(api(world).flights[booking["flight_id"]]["occupied_seats"])
    seat = next(f"{r}D" for r in range(1, 41) if f"{r}D" not in taken)
    ok(world, "select_seat", booking_id=booking["booking_id"], seat=seat)
    assert ok(world, "get_travel_booking", booking_id=booking["booking_id"])["seat"] == seat
    assert error_type(world, "list_travel_bookings", traveller_name="Nobody Here") == "NotFoundError"


def test_insured_booking_is_refunded_in_full_uninsured_at_75_percent(world: Session) -> None:
    bookings = ok(world, "list_travel_bookings", status="confirmed")["bookings"]
    insured, plain = bookings[0], bookings[1]
    card = richest_card(world)
    policy = ok(world, "purchase_travel_insurance", booking_id=insured["booking_id"], plan="basic",
                payment_method_id=card)
    assert policy["booking_id"] == insured["booking_id"]
    assert policy["premium"] == pytest.approx(max(10.0, round(insured["price"] * 0.05, 2)))
    assert error_type(world, "purchase_travel_insurance", booking_id=insured["booking_id"], plan="premium",
                      payment_method_id=card) == "ConflictError"
    assert ok(world, "cancel_travel_booking", booking_id=insured["booking_id"])["refund_amount"] == insured["price"]
    assert ok(world, "cancel_travel_booking", booking_id=plain["booking_id"])["refund_amount"] == pytest.approx(
        round(plain["price"] * 0.75, 2))
    assert error_type(world, "cancel_travel_booking", booking_id=plain["booking_id"]) == "InvalidStateError"
    assert error_type(world, "purchase_travel_insurance", booking_id=plain["booking_id"], plan="basic",
                      payment_method_id=card) == "InvalidStateError"


def test_hotel_price_is_the_converted_nightly_rate(world: Session) -> None:
    hotels = ok(world, "search_hotels", city="Tokyo")["hotels"]
    hotel = next(h for h in hotels if h["rooms_available"] > 0)
    assert hotel["currency"] == "JPY"
    usd = ok(world, "convert_currency", amount=hotel["nightly_rate"] * 3, from_currency=hotel["currency"],
             to_currency="USD")
    assert usd["currency"] == "USD"
    assert usd["amount"] == pytest.approx(round(hotel["nightly_rate"] * 3 / USD_RATES["JPY"], 2))
    booking = ok(world, "book_hotel", hotel_id=hotel["hotel_id"], traveller_name=api(world).account_holder,
                 check_in="2025-06-10", check_out="2025-06-13", payment_method_id=richest_card(world))
    assert booking["kind"] == "hotel" and booking["price"] == usd["amount"]
    policy = ok(world, "purchase_travel_insurance", booking_id=booking["booking_id"], plan="premium",
                payment_method_id=richest_card(world))
    assert policy["coverage_amount"] == pytest.approx(round(booking["price"] * 1.5, 2))
    assert ok(world, "get_travel_booking", booking_id=booking["booking_id"])["policy_id"] == policy["policy_id"]
    assert error_type(world, "book_hotel", hotel_id=hotel["hotel_id"], traveller_name=api(world).account_holder,
                      check_in="2025-06-13", check_out="2025-06-10", payment_method_id="WALLET") == "InvalidArgumentError"
    full = next((h for h in api(world).hotels.values() if h["rooms_available"] == 0), None)
    assert full is not None
    assert error_type(world, "book_hotel", hotel_id=full["hotel_id"], traveller_name=api(world).account_holder,
                      check_in="2025-06-10", check_out="2025-06-11", payment_method_id="WALLET") == "ConflictError"


def test_wallet_top_up_unblocks_a_booking_that_lacked_funds(world: Session) -> None:
    wallet = api(world).wallet_balance
    pricey = min((f for f in api(world).flights.values() if f["seats_left"] > 0 and f["price"] > wallet),
                 key=lambda f: f["flight_id"])
    holder = api(world).account_holder
    assert error_type(world, "book_flight", flight_id=pricey["flight_id"], traveller_name=holder,
                      payment_method_id="WALLET") == "InsufficientFundsError"
    methods = ok(world, "list_travel_payment_methods")["payment_methods"]
    card = max((m for m in methods if m["kind"] == "card"), key=lambda m: m["available_balance"])
    top_up = ok(world, "top_up_travel_wallet", amount=round(pricey["price"] - wallet + 1, 2),
                payment_method_id=card["payment_method_id"])
    assert top_up["wallet_balance"] >= pricey["price"]
    assert ok(world, "book_flight", flight_id=pricey["flight_id"], traveller_name=holder,
              payment_method_id="WALLET")["payment_method_id"] == "WALLET"
    poor = min(methods[1:], key=lambda m: m["available_balance"])
    assert error_type(world, "top_up_travel_wallet", amount=poor["available_balance"] + 100,
                      payment_method_id=poor["payment_method_id"]) == "InsufficientFundsError"
    assert error_type(world, "top_up_travel_wallet", amount=10.0, payment_method_id="CARD-0000") == "NotFoundError"


def test_points_redeem_into_wallet_credit(world: Session) -> None:
    account = ok(world, "get_frequent_flyer_account")
    wallet = api(world).wallet_balance
    result = ok(world, "redeem_frequent_flyer_points", points=1000)
    assert result["points_balance"] == account["points_balance"] - 1000
    assert result["wallet_balance"] == pytest.approx(wallet + 10.0)
    assert error_type(world, "redeem_frequent_flyer_points", points=750) == "InvalidArgumentError"
    too_many = (result["points_balance"] // 500 + 1) * 500
    assert error_type(world, "redeem_frequent_flyer_points", points=too_many) == "InsufficientFundsError"


def test_booking_needs_a_registered_traveller(world: Session) -> None:
    target = bookable_route(world)
    card = richest_card(world)
    assert error_type(world, "book_flight", flight_id=target["flight_id"], traveller_name="Rosa Lindqvist",
                      payment_method_id=card) == "NotFoundError"
    added = ok(world, "add_traveller", traveller_name="Rosa Lindqvist", passport_number="X7730215")
    assert added["traveller_name"] in [t["traveller_name"] for t in ok(world, "list_travellers")["travellers"]]
    booking = ok(world, "book_flight", flight_id=target["flight_id"], traveller_name="rosa lindqvist",
                 payment_method_id=card)
    assert booking["traveller_name"] == "Rosa Lindqvist"
    free = next(f"{r}C" for r in range(1, 41) if f"{r}C" not in api(world).flights[target["flight_id"]]["occupied_seats"])
    assert ok(world, "select_seat", booking_id=booking["booking_id"], seat=free)["seat"] == free
    assert error_type(world, "book_flight", flight_id=target["flight_id"], traveller_name="Rosa Lindqvist",
                      payment_method_id=card) == "ConflictError"
    assert error_type(world, "add_traveller", traveller_name="Rosa Lindqvist", passport_number="X7730215") == "ConflictError"
    assert error_type(world, "add_traveller", traveller_name="rosa", passport_number="X7730215") == "InvalidArgumentError"


def test_lookup_and_search_errors_are_typed(world: Session) -> None:
    assert error_type(world, "find_airport_by_city", city="Atlantis") == "NotFoundError"
    assert "Lisbon" in world.call("find_airport_by_city", {"city": "Lisbn"}).error.message  # type: ignore[union-attr]
    assert error_type(world, "search_flights", origin_airport_code="XXX", destination_airport_code="LIS", date="2025-06-05") == "NotFoundError"
    assert error_type(world, "search_flights", origin_airport_code="RMS", destination_airport_code="LIS", date="2025-05-01") == "InvalidArgumentError"
    assert error_type(world, "search_flights", origin_airport_code="RMS", destination_airport_code="LIS", date="June 5") == "InvalidArgumentError"
    assert error_type(world, "get_flight_details", flight_id="FL-1") == "NotFoundError"
    sold_out = next(f for f in api(world).flights.values() if f["seats_left"] == 0)
    assert error_type(world, "book_flight", flight_id=sold_out["flight_id"], traveller_name=api(world).account_holder,
                      payment_method_id=richest_card(world)) == "ConflictError"
    assert error_type(world, "convert_currency", amount=5.0, from_currency="EUR", to_currency="XYZ") == "InvalidArgumentError"
    assert error_type(world, "list_airports", country="Atlantis") == "NotFoundError"
    assert [a["airport_code"] for a in ok(world, "list_airports", country="Japan")["airports"]] == ["HND", "KIX"]


def test_generate_state_is_deterministic_per_seed_and_varies_across_seeds() -> None:
    assert DOMAIN.generate_state(3) == DOMAIN.generate_state(3)
    a, b = DOMAIN.generate_state(3), DOMAIN.generate_state(4)
    assert a["flights"].keys() != b["flights"].keys() and a["travellers"] != b["travellers"]
    assert 100 <= len(a["flights"]) <= 1000 and len(a["hotels"]) >= 60
