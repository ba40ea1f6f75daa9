"""Travel: airports, flights, hotels, bookings, seats, insurance, a travel wallet and frequent-flyer points.

Users speak in cities, names, dates and amounts; the API works in airport codes (`LIS`), flight ids
(`FL-20417`), hotel ids (`HT-3051`), booking ids (`BK-1007`) and payment method ids (`WALLET`,
`CARD-4821`). So most tasks chain: city -> airport code -> flight id -> booking id -> seat or insurance.

Money: the travel wallet, cards and every booking are in USD. Hotel nightly rates are quoted in the
hotel's local currency (as hotel sites do) and charged in USD at the fixed rates of `world/_data.py`,
the same rates `convert_currency` uses, so a converted price is exactly what a booking costs.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import random
import re
from typing import Any, Literal

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._data import CITIES, USD_RATES, person_name
from hardgen.world._domain import Chain, Domain, ExampleCall, load_attributes
from hardgen.world._errors import (
    ConflictError,
    InsufficientFundsError,
    InvalidArgumentError,
    InvalidStateError,
    NotFoundError,
)

_described = with_config(ConfigDict(use_attribute_docstrings=True))

WALLET_ID = "WALLET"
_AIRLINES = (
    ("Avalon Air", "AV"), ("Skyward", "SW"), ("Polar Wings", "PW"), ("Meridian Airways", "MA"), ("Coastline Air", "CL"),
)
_HOTEL_PATTERNS = (
    "Grand {city} Hotel", "{city} Harbour Inn", "The {city} Residence", "Hotel Central {city}",
    "{city} Garden Suites", "Old Town {city} Lodge", "{city} Skyline Hotel",
)
_INSURANCE_RATE = {"basic": 0.05, "premium": 0.09}
_INSURANCE_COVER = {"basic": 1.0, "premium": 1.5}
_UNINSURED_REFUND_SHARE = 0.75
_SEAT_RE = re.compile(r"^([1-9]|[1-3][0-9]|40)[A-F]$")
_PASSPORT_RE = re.compile(r"^[A-Z0-9]{6,9}$")
_NAME_RE = re.compile(r"^[A-Z][a-zA-Z'-]+( [A-Z][a-zA-Z'-]+)+$")


# -- result records ----------------------------------------------------------------------------------
@_described
class Airport(TypedDict):
    """An airport of the network."""

    airport_code: str
    """IATA code of the airport, e.g. 'LIS'; what search_flights takes as origin or destination."""
    airport_name: str
    city: str
    country: str
    currency: str
    """ISO code of the local currency (hotel rates in this city are quoted in it)."""


@_described
class AirportList(TypedDict):
    airports: list[Airport]


@_described
class Flight(TypedDict):
    """A scheduled flight with its price for one passenger."""

    flight_id: str
    """Internal flight id, e.g. 'FL-20417'; what book_flight takes."""
    airline: str
    flight_number: str
    origin_airport_code: str
    destination_airport_code: str
    date: str
    """Departure date, YYYY-MM-DD."""
    departure_time: str
    arrival_time: str
    duration_minutes: int
    price: float
    """Fare for one passenger in USD."""
    currency: str
    seats_left: int


@_described
class FlightList(TypedDict):
    flights: list[Flight]


@_described
class Hotel(TypedDict):
    """A hotel with its nightly rate in local currency."""

    hotel_id: str
    """Internal hotel id, e.g. 'HT-3051'; what book_hotel takes."""
    hotel_name: str
    city: str
    stars: int
    nightly_rate: float
    """Price of one night in the hotel's local currency (see `currency`)."""
    currency: str
    rooms_available: int


@_described
class HotelList(TypedDict):
    hotels: list[Hotel]


@_described
class Booking(TypedDict):
    """A flight or hotel booking."""

    booking_id: str
    """Internal booking id, e.g. 'BK-1007'."""
    kind: Literal["flight", "hotel"]
    status: Literal["confirmed", "cancelled"]
    traveller_name: str
    flight_id: str | None
    hotel_id: str | None
    start_date: str
    """Flight date or hotel check-in date, YYYY-MM-DD."""
    end_date: str
    """Flight date or hotel check-out date, YYYY-MM-DD."""
    price: float
    """Amount charged in USD."""
    currency: str
    payment_method_id: str
    seat: str | None
    policy_id: str | None
    """Travel insurance policy id, when insured."""


@_described
class BookingList(TypedDict):
    bookings: list[Booking]


@_described
class Cancellation(TypedDict):
    booking_id: str
    status: str
    refund_amount: float
    """USD refunded: the full price when insured, otherwise 75%."""
    payment_method_id: str
    """Where the refund went."""


@_described
class SeatAssignment(TypedDict):
    booking_id: str
    flight_id: str
    seat: str


@_described
class PaymentMethod(TypedDict):
    payment_method_id: str
    """'WALLET' for the travel wallet, or a card id such as 'CARD-4821'."""
    kind: Literal["wallet", "card"]
    label: str
    available_balance: float
    """USD that can be charged to it now."""


@_described
class PaymentMethodList(TypedDict):
    payment_methods: list[PaymentMethod]


@_described
class WalletTopUp(TypedDict):
    payment_method_id: str
    amount: float
    wallet_balance: float


@_described
class FrequentFlyerAccount(TypedDict):
    member_number: str
    tier: Literal["Blue", "Silver", "Gold"]
    points_balance: int


@_described
class PointsRedemption(TypedDict):
    points_redeemed: int
    wallet_credit: float
    """USD credited to the travel wallet (1 USD per 100 points)."""
    points_balance: int
    wallet_balance: float


@_described
class CurrencyConversion(TypedDict):
    """A conversion at the fixed published rates."""

    amount: float
    """The converted amount, in `currency`, rounded to cents."""
    currency: str
    """Currency of `amount` (the target currency)."""
    original_amount: float
    original_currency: str
    rate: float
    """Units of the target currency per unit of the original currency."""


@_described
class InsurancePolicy(TypedDict):
    policy_id: str
    """Internal policy id, e.g. 'POL-501'."""
    booking_id: str
    plan: Literal["basic", "premium"]
    premium: float
    """USD paid for the policy."""
    coverage_amount: float
    """USD covered for trip cancellation and delay."""
    payment_method_id: str


@_described
class Traveller(TypedDict):
    traveller_name: str
    passport_number: str
    is_account_holder: bool


@_described
class TravellerList(TypedDict):
    travellers: list[Traveller]


# -- helpers -----------------------------------------------------------------------------------------
def _city_rows() -> dict[str, tuple[Any, ...]]:
    return {row[2]: row for row in CITIES}


_AIRPORTS = _city_rows()


def _distance_km(a: str, b: str) -> float:
    """Great-circle distance between two airports (haversine)."""
    lat1, lon1 = map(math.radians, _AIRPORTS[a][4:6])
    lat2, lon2 = map(math.radians, _AIRPORTS[b][4:6])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def _parse_date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidArgumentError(f"{what} {value!r} is not a date; use YYYY-MM-DD, e.g. '2025-06-05'") from None


def _airport(row: tuple[Any, ...]) -> Airport:
    city, country, code, name, _lat, _lon, currency = row
    return {"airport_code": code, "airport_name": name, "city": city, "country": country, "currency": currency}


def _convert(amount: float, from_currency: str, to_currency: str) -> tuple[float, float]:
    """(converted amount rounded to cents, rate) at the fixed rates."""
    for code in (from_currency, to_currency):
        if code not in USD_RATES:
            raise InvalidArgumentError(
                f"unknown currency {code!r}; supported: {', '.join(sorted(USD_RATES))}"
            )
    rate = USD_RATES[to_currency] / USD_RATES[from_currency]
    return round(amount * rate, 2), round(rate, 6)


class TravelAPI:
    """A travel agency account: search and book flights and hotels, manage bookings and payments."""

    def __init__(self) -> None:
        self.today = "2025-06-02"
        self.account_holder = ""
        self.travellers: dict[str, dict[str, Any]] = {}
        self.wallet_balance = 0.0
        self.cards: dict[str, dict[str, Any]] = {}
        self.flights: dict[str, dict[str, Any]] = {}
        self.hotels: dict[str, dict[str, Any]] = {}
        self.bookings: dict[str, dict[str, Any]] = {}
        self.policies: dict[str, dict[str, Any]] = {}
        self.frequent_flyer: dict[str, Any] = {"member_number": "", "points": 0}
        self.next_booking_number = 1001
        self.next_policy_number = 501

    def load_state(self, state: dict[str, Any]) -> None:
        """Load a state made by `generate_state` (or a hand-written one of the same shape)."""
        load_attributes(self, state, "travel")

    # -- internal --------------------------------------------------------------------------------
    def _flight(self, flight_id: str) -> dict[str, Any]:
        flight = self.flights.get(flight_id)
        if flight is None:
            raise NotFoundError(f"no flight {flight_id!r}; use search_flights to find flight ids")
        return flight

    def _hotel(self, hotel_id: str) -> dict[str, Any]:
        hotel = self.hotels.get(hotel_id)
        if hotel is None:
            raise NotFoundError(f"no hotel {hotel_id!r}; use search_hotels to find hotel ids")
        return hotel

    def _booking(self, booking_id: str) -> dict[str, Any]:
        booking = self.bookings.get(booking_id)
        if booking is None:
            raise NotFoundError(f"no booking {booking_id!r}; use list_travel_bookings to find booking ids")
        return booking

    def _traveller(self, traveller_name: str) -> str:
        for name in self.travellers:
            if name.lower() == traveller_name.strip().lower():
                return name
        raise NotFoundError(
            f"no traveller {traveller_name!r} on this account; travellers: {', '.join(sorted(self.travellers))}; "
            "add one with add_traveller"
        )

    def _airport_code(self, code: str, what: str) -> str:
        upper = code.strip().upper()
        if upper not in _AIRPORTS:
            raise NotFoundError(f"unknown {what} airport code {code!r}; use find_airport_by_city to get a code")
        return upper

    def _available(self, payment_method_id: str) -> float:
        if payment_method_id == WALLET_ID:
            return float(self.wallet_balance)
        card = self.cards.get(payment_method_id)
        if card is None:
            raise NotFoundError(
                f"no payment method {payment_method_id!r}; use list_travel_payment_methods to see 'WALLET' and card ids"
            )
        return float(card["available_credit"])

    def _charge(self, payment_method_id: str, amount: float, purpose: str) -> None:
        available = self._available(payment_method_id)
        if amount > available + 1e-9:
            raise InsufficientFundsError(
                f"{purpose} costs {amount:.2f} USD but {payment_method_id} has only {available:.2f} USD available; "
                "use another payment method or top up the wallet"
            )
        self._adjust(payment_method_id, -amount)

    def _adjust(self, payment_method_id: str, delta: float) -> None:
        if payment_method_id == WALLET_ID:
            self.wallet_balance = round(self.wallet_balance + delta, 2)
        else:
            card = self.cards[payment_method_id]
            card["available_credit"] = round(card["available_credit"] + delta, 2)

    def _new_booking_id(self) -> str:
        booking_id = f"BK-{self.next_booking_number}"
        self.next_booking_number += 1
        return booking_id

    @staticmethod
    def _flight_view(flight: dict[str, Any]) -> Flight:
        keys = Flight.__annotations__
        return {k: flight[k] for k in keys}  # type: ignore[return-value]

    @staticmethod
    def _booking_view(booking: dict[str, Any]) -> Booking:
        keys = Booking.__annotations__
        return {k: booking[k] for k in keys}  # type: ignore[return-value]

    # -- airports --------------------------------------------------------------------------------
    @tool
    def find_airport_by_city(self, city: str) -> Airport:
        """Look up the airport that serves a city, to get its IATA airport code.

        Use this first whenever a user names a city: flight search needs airport codes.

        Args:
            city: City name as a traveller would say it, e.g. 'Lisbon' or 'New York'.

        Returns:
            The airport: airport_code, airport_name, city, country and local currency.
        """
        wanted = city.strip().lower()
        for row in CITIES:
            if row[0].lower() == wanted:
                return _airport(row)
        close = difflib.get_close_matches(city.strip().title(), [row[0] for row in CITIES], n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; use list_airports to see the cities served"
        raise NotFoundError(f"no airport serves a city called {city!r}{hint}")

    @tool
    def list_airports(self, country: str | None = None) -> AirportList:
        """List the airports of the network, optionally only those of one country.

        Args:
            country: Country name to filter by, e.g. 'Japan'. Omit to list every airport.

        Returns:
            The airports with their codes, cities and currencies.
        """
        rows = list(CITIES)
        if country is not None:
            rows = [r for r in rows if r[1].lower() == country.strip().lower()]
            if not rows:
                countries = sorted({r[1] for r in CITIES})
                raise NotFoundError(f"no airports in country {country!r}; countries served: {', '.join(countries)}")
        return {"airports": [_airport(r) for r in rows]}

    # -- flights ---------------------------------------------------------------------------------
    @tool
    def search_flights(
        self, origin_airport_code: str, destination_airport_code: str, date: str, max_price: float | None = None
    ) -> FlightList:
        """Search direct flights between two airports on a date, cheapest first.

        Needs IATA airport codes: get them from find_airport_by_city when the user names cities.

        Args:
            origin_airport_code: IATA code of the departure airport, e.g. 'RMS' (the airport_code of find_airport_by_city).
            destination_airport_code: IATA code of the arrival airport, e.g. 'LIS'.
            date: Departure date, YYYY-MM-DD; not in the past.
            max_price: Only flights whose fare in USD is at most this. Omit for no limit.

        Returns:
            Matching flights (possibly none) with flight_id, times, price in USD and seats left.
        """
        origin = self._airport_code(origin_airport_code, "origin")
        destination = self._airport_code(destination_airport_code, "destination")
        if origin == destination:
            raise InvalidArgumentError("origin and destination are the same airport")
        day = _parse_date(date, "date")
        if day < dt.date.fromisoformat(self.today):
            raise InvalidArgumentError(f"date {date} is in the past (today is {self.today})")
        found = [
            f for f in self.flights.values()
            if f["origin_airport_code"] == origin and f["destination_airport_code"] == destination and f["date"] == day.isoformat()
            and (max_price is None or f["price"] <= max_price)
        ]
        found.sort(key=lambda f: (f["price"], f["departure_time"], f["flight_id"]))
        return {"flights": [self._flight_view(f) for f in found]}

    @tool
    def get_flight_details(self, flight_id: str) -> Flight:
        """Get one flight's schedule, fare and remaining seats.

        Args:
            flight_id: Internal flight id such as 'FL-20417', from search_flights.

        Returns:
            The flight.
        """
        return self._flight_view(self._flight(flight_id))

    @tool(mutates=True)
    def book_flight(self, flight_id: str, traveller_name: str, payment_method_id: str) -> Booking:
        """Book one seat on a flight for a traveller of this account and pay for it.

        Needs a flight_id from search_flights and a payment method id from list_travel_payment_methods
        ('WALLET' or a card id). Earns frequent-flyer points (1 per USD).

        Args:
            flight_id: Internal flight id such as 'FL-20417', from search_flights.
            traveller_name: Full name of a traveller registered on the account (see list_travellers).
            payment_method_id: 'WALLET' or a card id such as 'CARD-4821'.

        Returns:
            The confirmed booking with its booking_id.
        """
        flight = self._flight(flight_id)
        name = self._traveller(traveller_name)
        if flight["seats_left"] <= 0:
            raise ConflictError(f"flight {flight_id} is sold out; search_flights for another flight")
        for b in self.bookings.values():
            if b["flight_id"] == flight_id and b["traveller_name"] == name and b["status"] == "confirmed":
                raise ConflictError(f"{name} already holds booking {b['booking_id']} on flight {flight_id}")
        self._charge(payment_method_id, flight["price"], f"flight {flight_id}")
        flight["seats_left"] -= 1
        points = int(flight["price"])
        self.frequent_flyer["points"] += points
        booking = {
            "booking_id": self._new_booking_id(), "kind": "flight", "status": "confirmed", "traveller_name": name,
            "flight_id": flight_id, "hotel_id": None, "start_date": flight["date"], "end_date": flight["date"],
            "price": flight["price"], "currency": "USD", "payment_method_id": payment_method_id, "seat": None,
            "policy_id": None, "points_earned": points,
        }
        self.bookings[booking["booking_id"]] = booking
        return self._booking_view(booking)

    @tool(mutates=True)
    def select_seat(self, booking_id: str, seat: str) -> SeatAssignment:
        """Choose or change the seat of a confirmed flight booking.

        Args:
            booking_id: Flight booking id such as 'BK-1007' (from book_flight or list_travel_bookings).
            seat: Seat as row 1-40 and letter A-F, e.g. '14C'.

        Returns:
            The seat now assigned to the booking.
        """
        booking = self._booking(booking_id)
        if booking["kind"] != "flight":
            raise InvalidArgumentError(f"booking {booking_id} is a hotel booking; seats exist only on flights")
        if booking["status"] != "confirmed":
            raise InvalidStateError(f"booking {booking_id} is {booking['status']}; seats can only be chosen on confirmed bookings")
        wanted = seat.strip().upper()
        if not _SEAT_RE.match(wanted):
            raise InvalidArgumentError(f"seat {seat!r} is not valid; use a row 1-40 and a letter A-F, e.g. '14C'")
        flight = self.flights[booking["flight_id"]]
        taken = set(flight["occupied_seats"]) | {
            b["seat"] for b in self.bookings.values()
            if b["flight_id"] == booking["flight_id"] and b["status"] == "confirmed" and b["booking_id"] != booking_id
        }
        if wanted in taken:
            raise ConflictError(f"seat {wanted} on flight {booking['flight_id']} is taken; choose another seat")
        booking["seat"] = wanted
        return {"booking_id": booking_id, "flight_id": booking["flight_id"], "seat": wanted}

    # -- hotels ----------------------------------------------------------------------------------
    @tool
    def search_hotels(self, city: str, min_stars: int = 1) -> HotelList:
        """Find hotels in a city, cheapest first, with nightly rates in the local currency.

        Args:
            city: City name, e.g. 'Lisbon'.
            min_stars: Only hotels with at least this many stars (1-5).

        Returns:
            Hotels with hotel_id, stars, nightly_rate and its currency, and rooms available.
        """
        if not 1 <= min_stars <= 5:
            raise InvalidArgumentError(f"min_stars must be between 1 and 5, got {min_stars}")
        wanted = city.strip().lower()
        if wanted not in {row[0].lower() for row in CITIES}:
            raise NotFoundError(f"no hotels listed in {city!r}; cities covered: {', '.join(r[0] for r in CITIES)}")
        found = [h for h in self.hotels.values() if h["city"].lower() == wanted and h["stars"] >= min_stars]
        found.sort(key=lambda h: (h["nightly_rate"] / USD_RATES[h["currency"]], h["hotel_id"]))
        return {"hotels": [dict(h) for h in found]}  # type: ignore[misc]

    @tool(mutates=True)
    def book_hotel(
        self, hotel_id: str, traveller_name: str, check_in: str, check_out: str, payment_method_id: str
    ) -> Booking:
        """Book a hotel room for a traveller between two dates and pay for it in USD.

        The total is nightly_rate x nights, converted from the hotel's currency to USD at the fixed rates
        (the same as convert_currency).

        Args:
            hotel_id: Internal hotel id such as 'HT-3051', from search_hotels.
            traveller_name: Full name of a traveller registered on the account.
            check_in: Arrival date, YYYY-MM-DD, today or later.
            check_out: Departure date, YYYY-MM-DD, after check_in, at most 30 nights later.
            payment_method_id: 'WALLET' or a card id such as 'CARD-4821'.

        Returns:
            The confirmed hotel booking with its booking_id and price in USD.
        """
        hotel = self._hotel(hotel_id)
        name = self._traveller(traveller_name)
        start, end = _parse_date(check_in, "check_in"), _parse_date(check_out, "check_out")
        if start < dt.date.fromisoformat(self.today):
            raise InvalidArgumentError(f"check_in {check_in} is in the past (today is {self.today})")
        nights = (end - start).days
        if not 1 <= nights <= 30:
            raise InvalidArgumentError(f"check_out must be 1 to 30 nights after check_in; got {nights} nights")
        if hotel["rooms_available"] <= 0:
            raise ConflictError(f"{hotel['hotel_name']} ({hotel_id}) has no rooms available; pick another hotel")
        price, _rate = _convert(hotel["nightly_rate"] * nights, hotel["currency"], "USD")
        self._charge(payment_method_id, price, f"{nights} nights at {hotel['hotel_name']}")
        hotel["rooms_available"] -= 1
        booking: dict[str, Any] = {
            "booking_id": self._new_booking_id(), "kind": "hotel", "status": "confirmed", "traveller_name": name,
            "flight_id": None, "hotel_id": hotel_id, "start_date": start.isoformat(), "end_date": end.isoformat(),
            "price": price, "currency": "USD", "payment_method_id": payment_method_id, "seat": None,
            "policy_id": None, "points_earned": 0,
        }
        self.bookings[booking["booking_id"]] = booking
        return self._booking_view(booking)

    # -- bookings --------------------------------------------------------------------------------
    @tool
    def get_travel_booking(self, booking_id: str) -> Booking:
        """Get a flight or hotel booking by its id.

        Args:
            booking_id: Booking id such as 'BK-1007'.

        Returns:
            The booking, with status, price, seat and insurance policy if any.
        """
        return self._booking_view(self._booking(booking_id))

    @tool
    def list_travel_bookings(
        self, traveller_name: str | None = None, status: Literal["confirmed", "cancelled"] | None = None
    ) -> BookingList:
        """List the account's bookings, to find a booking id from a traveller's name or a date.

        Args:
            traveller_name: Only this traveller's bookings. Omit for all travellers.
            status: Only bookings in this status. Omit for all.

        Returns:
            Bookings in id order.
        """
        name = self._traveller(traveller_name) if traveller_name is not None else None
        found = [
            b for b in self.bookings.values()
            if (name is None or b["traveller_name"] == name) and (status is None or b["status"] == status)
        ]
        found.sort(key=lambda b: int(b["booking_id"].split("-")[1]))
        return {"bookings": [self._booking_view(b) for b in found]}

    @tool(mutates=True)
    def cancel_travel_booking(self, booking_id: str) -> Cancellation:
        """Cancel a confirmed flight or hotel booking and refund it to the original payment method.

        Insured bookings are refunded in full; others get 75% back. Frequent-flyer points earned by the
        booking are taken back.

        Args:
            booking_id: Booking id such as 'BK-1007'.

        Returns:
            The cancellation with the refund amount in USD.
        """
        booking = self._booking(booking_id)
        if booking["status"] != "confirmed":
            raise InvalidStateError(f"booking {booking_id} is already {booking['status']}")
        share = 1.0 if booking["policy_id"] else _UNINSURED_REFUND_SHARE
        refund = round(booking["price"] * share, 2)
        self._adjust(booking["payment_method_id"], refund)
        booking["status"] = "cancelled"
        booking["seat"] = None
        if booking["kind"] == "flight":
            self.flights[booking["flight_id"]]["seats_left"] += 1
        else:
            self.hotels[booking["hotel_id"]]["rooms_available"] += 1
        self.frequent_flyer["points"] = max(0, self.frequent_flyer["points"] - booking["points_earned"])
        return {
            "booking_id": booking_id, "status": "cancelled", "refund_amount": refund,
            "payment_method_id": booking["payment_method_id"],
        }

    @tool(mutates=True)
    def purchase_travel_insurance(
        self, booking_id: str, plan: Literal["basic", "premium"], payment_method_id: str
    ) -> InsurancePolicy:
        """Insure a confirmed booking against cancellation and delay.

        An insured booking is refunded in full on cancellation. The premium is 5% (basic) or 9% (premium)
        of the booking price, at least 10 USD; premium cover is 150% of the price.

        Args:
            booking_id: Booking id such as 'BK-1007'.
            plan: 'basic' or 'premium'.
            payment_method_id: 'WALLET' or a card id such as 'CARD-4821'.

        Returns:
            The policy with its policy_id, premium and coverage.
        """
        booking = self._booking(booking_id)
        if booking["status"] != "confirmed":
            raise InvalidStateError(f"booking {booking_id} is {booking['status']}; only confirmed bookings can be insured")
        if booking["policy_id"]:
            raise ConflictError(f"booking {booking_id} is already insured by policy {booking['policy_id']}")
        premium = round(max(10.0, booking["price"] * _INSURANCE_RATE[plan]), 2)
        self._charge(payment_method_id, premium, f"{plan} insurance for {booking_id}")
        policy_id = f"POL-{self.next_policy_number}"
        self.next_policy_number += 1
        policy = {
            "policy_id": policy_id, "booking_id": booking_id, "plan": plan, "premium": premium,
            "coverage_amount": round(booking["price"] * _INSURANCE_COVER[plan], 2),
            "payment_method_id": payment_method_id,
        }
        self.policies[policy_id] = policy
        booking["policy_id"] = policy_id
        return dict(policy)  # type: ignore[return-value]

    # -- money -----------------------------------------------------------------------------------
    @tool
    def list_travel_payment_methods(self) -> PaymentMethodList:
        """List the travel wallet and the cards on file with what each can pay now (USD).

        Returns:
            Payment methods with payment_method_id, kind, label and available_balance.
        """
        methods: list[PaymentMethod] = [
            {"payment_method_id": WALLET_ID, "kind": "wallet", "label": "Travel wallet",
             "available_balance": round(self.wallet_balance, 2)}
        ]
        for card_id in sorted(self.cards):
            card = self.cards[card_id]
            methods.append({"payment_method_id": card_id, "kind": "card", "label": card["label"],
                            "available_balance": round(card["available_credit"], 2)})
        return {"payment_methods": methods}

    @tool(mutates=True)
    def top_up_travel_wallet(self, amount: float, payment_method_id: str) -> WalletTopUp:
        """Move money from a card on file into the travel wallet.

        Args:
            amount: USD to add, more than 0 and at most 5000.
            payment_method_id: Card id such as 'CARD-4821' to charge (not 'WALLET').

        Returns:
            The top-up and the new wallet balance.
        """
        if not 0 < amount <= 5000:
            raise InvalidArgumentError(f"top-up amount must be more than 0 and at most 5000 USD, got {amount}")
        if payment_method_id == WALLET_ID:
            raise InvalidArgumentError("top up the wallet from a card id such as 'CARD-4821', not from 'WALLET'")
        amount = round(amount, 2)
        self._charge(payment_method_id, amount, "wallet top-up")
        self.wallet_balance = round(self.wallet_balance + amount, 2)
        return {"payment_method_id": payment_method_id, "amount": amount, "wallet_balance": self.wallet_balance}

    @tool
    def convert_currency(self, amount: float, from_currency: str, to_currency: str) -> CurrencyConversion:
        """Convert an amount between currencies at the fixed published rates.

        Use it to compare a hotel rate quoted in local currency with a budget, or to prepare a payment
        in another currency.

        Args:
            amount: Amount in from_currency, 0 or more.
            from_currency: ISO code of the original currency, e.g. 'EUR'.
            to_currency: ISO code of the wanted currency, e.g. 'USD'.

        Returns:
            The converted amount (in to_currency, rounded to cents) and the rate used.
        """
        if amount < 0:
            raise InvalidArgumentError(f"amount must not be negative, got {amount}")
        src, dst = from_currency.strip().upper(), to_currency.strip().upper()
        converted, rate = _convert(amount, src, dst)
        return {"amount": converted, "currency": dst, "original_amount": amount, "original_currency": src, "rate": rate}

    @tool
    def get_frequent_flyer_account(self) -> FrequentFlyerAccount:
        """Show the frequent-flyer membership: member number, tier and points balance.

        Returns:
            The membership; tier is Blue below 10000 points, Silver below 40000, Gold from 40000.
        """
        points = int(self.frequent_flyer["points"])
        tier: Literal["Blue", "Silver", "Gold"] = "Blue" if points < 10000 else "Silver" if points < 40000 else "Gold"
        return {"member_number": self.frequent_flyer["member_number"], "tier": tier, "points_balance": points}

    @tool(mutates=True)
    def redeem_frequent_flyer_points(self, points: int) -> PointsRedemption:
        """Turn frequent-flyer points into travel wallet credit (100 points = 1 USD).

        Args:
            points: Points to redeem: at least 1000 and a multiple of 500, at most the balance.

        Returns:
            Points redeemed, the USD credited and the new balances.
        """
        if points < 1000 or points % 500:
            raise InvalidArgumentError(f"redeem at least 1000 points in multiples of 500, got {points}")
        balance = int(self.frequent_flyer["points"])
        if points > balance:
            raise InsufficientFundsError(f"only {balance} points available; cannot redeem {points}")
        self.frequent_flyer["points"] = balance - points
        credit = round(points / 100, 2)
        self.wallet_balance = round(self.wallet_balance + credit, 2)
        return {"points_redeemed": points, "wallet_credit": credit,
                "points_balance": self.frequent_flyer["points"], "wallet_balance": self.wallet_balance}

    # -- travellers ------------------------------------------------------------------------------
    @tool
    def list_travellers(self) -> TravellerList:
        """List the travellers registered on the account (bookings need one of these names).

        Returns:
            Travellers with name, passport number and whether they hold the account.
        """
        return {"travellers": [
            {"traveller_name": name, "passport_number": t["passport_number"],
             "is_account_holder": name == self.account_holder}
            for name, t in sorted(self.travellers.items())
        ]}

    @tool(mutates=True)
    def add_traveller(self, traveller_name: str, passport_number: str) -> Traveller:
        """Register a new traveller on the account so flights and hotels can be booked for them.

        Args:
            traveller_name: Full name as on the passport, e.g. 'Maya Costa'.
            passport_number: 6 to 9 capital letters and digits, e.g. 'P4829105'.

        Returns:
            The registered traveller.
        """
        name = " ".join(traveller_name.split())
        if not _NAME_RE.match(name):
            raise InvalidArgumentError(f"traveller_name {traveller_name!r} must be a capitalised full name, e.g. 'Maya Costa'")
        if not _PASSPORT_RE.match(passport_number):
            raise InvalidArgumentError(f"passport_number {passport_number!r} must be 6-9 capital letters or digits")
        if any(n.lower() == name.lower() for n in self.travellers):
            raise ConflictError(f"traveller {name!r} is already registered")
        self.travellers[name] = {"passport_number": passport_number}
        return {"traveller_name": name, "passport_number": passport_number, "is_account_holder": False}


# -- world generation --------------------------------------------------------------------------------
def generate_state(seed: int) -> dict[str, Any]:
    """A travel account with 3-4 travellers, 2-3 cards, ~400 flights over the next week, ~80 hotels
    and a few existing bookings; deterministic for `seed`."""
    rng = random.Random(f"travel:{seed}")
    today = dt.date(2025, 6, 2)
    people = rng.sample(range(200), 4)
    names = list(dict.fromkeys(person_name(i) for i in people))[: rng.randint(3, 4)]
    travellers = {n: {"passport_number": f"{chr(65 + rng.randrange(26))}{rng.randrange(10**7, 10**8)}"} for n in names}

    card_numbers = rng.sample(range(1000, 10000), 3)
    networks = ("Visa", "Mastercard", "Amex")
    cards: dict[str, dict[str, Any]] = {}
    limits = [round(rng.uniform(4000, 8000), 2), round(rng.uniform(90, 180), 2), round(rng.uniform(900, 2500), 2)]
    for number, limit in zip(card_numbers[: rng.randint(2, 3)], limits, strict=False):
        cards[f"CARD-{number}"] = {"label": f"{rng.choice(networks)} ending {number}", "available_credit": limit}

    codes = [row[2] for row in CITIES]
    edges: set[tuple[str, str]] = set()
    for code in codes:
        for other in rng.sample([c for c in codes if c != code], 2):
            edges.add(tuple(sorted((code, other))))  # type: ignore[arg-type]
    flight_ids = iter(rng.sample(range(10000, 100000), 2000))
    flights: dict[str, dict[str, Any]] = {}
    for a, b in sorted(edges):
        for origin, dest in ((a, b), (b, a)):
            distance = _distance_km(origin, dest)
            airline, prefix = rng.choice(_AIRLINES)
            for day_offset in range(1, 8):
                if rng.random() > 0.6:
                    continue
                for _ in range(rng.choice((1, 1, 2))):
                    minutes = int(distance / 13.5) + 35
                    depart = rng.randrange(6 * 60, 22 * 60, 5)
                    arrive = (depart + minutes) % (24 * 60)
                    flight_id = f"FL-{next(flight_ids)}"
                    flights[flight_id] = {
                        "flight_id": flight_id, "airline": airline, "flight_number": f"{prefix} {rng.randrange(100, 1000)}",
                        "origin_airport_code": origin, "destination_airport_code": dest,
                        "date": (today + dt.timedelta(days=day_offset)).isoformat(),
                        "departure_time": f"{depart // 60:02d}:{depart % 60:02d}",
                        "arrival_time": f"{arrive // 60:02d}:{arrive % 60:02d}",
                        "duration_minutes": minutes,
                        "price": round(60 + min(distance, 12000) * 0.08 * rng.uniform(0.8, 1.4), 2),
                        "currency": "USD", "seats_left": rng.choice((0, 2, 5, 9, 14, 23, 40)),
                        "occupied_seats": sorted({f"{rng.randint(1, 40)}{rng.choice('ABCDEF')}" for _ in range(4)}),
                    }

    hotel_ids = iter(rng.sample(range(1000, 10000), 200))
    hotels: dict[str, dict[str, Any]] = {}
    for city, _country, _code, _name, _lat, _lon, currency in CITIES:
        for pattern in rng.sample(_HOTEL_PATTERNS, rng.randint(3, 5)):
            hotel_id = f"HT-{next(hotel_ids)}"
            stars = rng.randint(2, 5)
            usd = rng.uniform(40, 90) * stars
            hotels[hotel_id] = {
                "hotel_id": hotel_id, "hotel_name": pattern.format(city=city), "city": city, "stars": stars,
                "nightly_rate": round(usd * USD_RATES[currency], 2), "currency": currency,
                "rooms_available": rng.choice((0, 1, 3, 6, 10)),
            }

    state: dict[str, Any] = {
        "today": today.isoformat(), "account_holder": names[0], "travellers": travellers,
        "wallet_balance": round(rng.uniform(250, 1500), 2), "cards": cards, "flights": flights, "hotels": hotels,
        "bookings": {}, "policies": {},
        "frequent_flyer": {"member_number": f"FF{rng.randrange(10**7, 10**8)}", "points": rng.randrange(1500, 30000, 50)},
        "next_booking_number": 1001, "next_policy_number": 501,
    }
    # A few bookings made earlier (paid already: they do not touch today's balances).
    api = TravelAPI()
    api.load_state(state)
    for flight_id in rng.sample(sorted(f for f, v in flights.items() if v["seats_left"] > 0), 4):
        flight = flights[flight_id]
        booking_id = api._new_booking_id()
        api.bookings[booking_id] = {
            "booking_id": booking_id, "kind": "flight", "status": "confirmed", "traveller_name": rng.choice(names),
            "flight_id": flight_id, "hotel_id": None, "start_date": flight["date"], "end_date": flight["date"],
            "price": flight["price"], "currency": "USD", "payment_method_id": rng.choice(sorted(cards)),
            "seat": None, "policy_id": None, "points_earned": int(flight["price"]),
        }
        flight["seats_left"] -= 1
    state["bookings"] = api.bookings
    state["next_booking_number"] = api.next_booking_number
    return state


# -- examples (from the seed-0 world) ---------------------------------------------------------------
def _examples() -> dict[str, list[ExampleCall]]:
    state = generate_state(0)
    by_code = {row[2]: row[0] for row in CITIES}
    rich_card = max(state["cards"], key=lambda c: state["cards"][c]["available_credit"])
    flights = state["flights"].values()
    flight = min((f for f in flights if f["seats_left"] > 0),
                 key=lambda f: (f["date"], f["origin_airport_code"], f["destination_airport_code"]))
    route = (flight["origin_airport_code"], flight["destination_airport_code"], flight["date"])
    listed = sorted((f for f in flights if (f["origin_airport_code"], f["destination_airport_code"], f["date"]) == route),
                    key=lambda f: (f["price"], f["departure_time"], f["flight_id"]))
    bookable = next(i for i, f in enumerate(listed) if f["seats_left"] > 0)
    free_seat = next(f"{row}{letter}" for row in range(1, 41) for letter in "ABCDEF"
                     if f"{row}{letter}" not in listed[bookable]["occupied_seats"])
    origin_city, dest_city = by_code[flight["origin_airport_code"]], by_code[flight["destination_airport_code"]]
    traveller = state["account_holder"]

    def cheapest_hotel(city: str) -> dict[str, Any]:
        return min((h for h in state["hotels"].values() if h["city"] == city),
                   key=lambda h: (h["nightly_rate"] / USD_RATES[h["currency"]], h["hotel_id"]))

    hotel_city = next(row[0] for row in CITIES if cheapest_hotel(row[0])["rooms_available"] > 0)
    search_flight = ("search_flights", {"origin_airport_code": route[0], "destination_airport_code": route[1], "date": route[2]})
    book = ("book_flight", {"flight_id": f"$0.flights.{bookable}.flight_id", "traveller_name": traveller,
                            "payment_method_id": rich_card})
    existing = sorted(state["bookings"])[0]
    next_week = dt.date.fromisoformat(state["today"]) + dt.timedelta(days=7)
    return {
        "find_airport_by_city": [("find_airport_by_city", {"city": origin_city})],
        "list_airports": [("list_airports", {"country": "Japan"})],
        "search_flights": [
            ("find_airport_by_city", {"city": origin_city}),
            ("find_airport_by_city", {"city": dest_city}),
            ("search_flights", {"origin_airport_code": "$0.airport_code", "destination_airport_code": "$1.airport_code",
                                "date": flight["date"]}),
        ],
        "get_flight_details": [search_flight, ("get_flight_details", {"flight_id": "$0.flights.0.flight_id"})],
        "book_flight": [search_flight, book],
        "select_seat": [search_flight, book, ("select_seat", {"booking_id": "$1.booking_id", "seat": free_seat})],
        "search_hotels": [("search_hotels", {"city": hotel_city})],
        "book_hotel": [
            ("search_hotels", {"city": hotel_city}),
            ("book_hotel", {"hotel_id": "$0.hotels.0.hotel_id", "traveller_name": traveller,
                            "check_in": next_week.isoformat(),
                            "check_out": (next_week + dt.timedelta(days=2)).isoformat(),
                            "payment_method_id": rich_card}),
        ],
        "get_travel_booking": [("get_travel_booking", {"booking_id": existing})],
        "list_travel_bookings": [("list_travel_bookings", {"status": "confirmed"})],
        "cancel_travel_booking": [
            ("list_travel_bookings", {"status": "confirmed"}),
            ("cancel_travel_booking", {"booking_id": "$0.bookings.0.booking_id"}),
        ],
        "purchase_travel_insurance": [
            ("list_travel_bookings", {"status": "confirmed"}),
            ("purchase_travel_insurance", {"booking_id": "$0.bookings.0.booking_id", "plan": "premium",
                                           "payment_method_id": rich_card}),
        ],
        "list_travel_payment_methods": [("list_travel_payment_methods", {})],
        "top_up_travel_wallet": [
            ("list_travel_payment_methods", {}),
            ("top_up_travel_wallet", {"amount": 200.0, "payment_method_id": rich_card}),
        ],
        "convert_currency": [("convert_currency", {"amount": 250.0, "from_currency": "EUR", "to_currency": "USD"})],
        "get_frequent_flyer_account": [("get_frequent_flyer_account", {})],
        "redeem_frequent_flyer_points": [("redeem_frequent_flyer_points", {"points": 1000})],
        "list_travellers": [("list_travellers", {})],
        "add_traveller": [("add_traveller", {"traveller_name": "Rosa Lindqvist", "passport_number": "X7730215"})],
    }


DOMAIN = Domain(
    name="travel",
    description="Travel agency account: airports by city, flight and hotel search and booking, seats, "
    "cancellations with refunds, travel insurance, a travel wallet and cards, frequent-flyer points, "
    "and currency conversion at fixed rates.",
    environment_class=TravelAPI,
    generate_state=generate_state,
    chains=(
        Chain("fly_between_cities", "City names -> airport codes -> flights on a date -> book one for a traveller.",
              ("find_airport_by_city", "search_flights", "book_flight")),
        Chain("book_and_pick_seat", "Search a route, book a flight, then choose a seat on the new booking id.",
              ("search_flights", "book_flight", "select_seat")),
        Chain("insure_then_cancel", "Find a traveller's booking, insure it, cancel it for a full refund.",
              ("list_travel_bookings", "purchase_travel_insurance", "cancel_travel_booking")),
        Chain("insured_hotel_stay", "Hotels in a city -> book one by hotel id -> insure the new booking id.",
              ("search_hotels", "book_hotel", "purchase_travel_insurance")),
        Chain("top_up_then_book", "See payment methods, top the wallet up from a card, pay a flight from the wallet.",
              ("list_travel_payment_methods", "top_up_travel_wallet", "book_flight")),
        Chain("seat_on_existing_booking", "A traveller's bookings -> choose a seat on one -> read the booking back.",
              ("list_travel_bookings", "select_seat", "get_travel_booking")),
        Chain("new_traveller_trip", "Register a traveller, book a flight in the new name, choose the seat.",
              ("add_traveller", "book_flight", "select_seat")),
    ),
    examples=_examples(),
)
