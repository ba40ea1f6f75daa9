"""Shared pools for generated worlds, so that people and places agree across domains
(a CRM contact can also be a messaging user; a travel city also has weather and an airport)."""

from __future__ import annotations

FIRST_NAMES = (
    "Alice", "Bruno", "Chen", "Dara", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Liam",
    "Maya", "Nikolai", "Olga", "Priya", "Quentin", "Rosa", "Samir", "Tess", "Umar", "Vera", "Wen", "Ximena",
    "Yusuf", "Zoe", "Aarav", "Beatriz", "Carlos", "Dmitri", "Emeka", "Fatima", "Gustav", "Hana", "Ivan",
    "Julia", "Kofi", "Lucia", "Mateo", "Nadia",
)
LAST_NAMES = (
    "Anders", "Baker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
    "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Schmidt", "Tanaka",
    "Ueda", "Varga", "Weber", "Xu", "Yilmaz", "Zhang", "Novak", "Silva", "Hughes", "Mensah",
)

# (city, country, IATA airport code, airport name, latitude, longitude, currency)
CITIES = (
    ("Rivermist", "Avalon", "RMS", "Rivermist International", 47.61, -122.33, "USD"),
    ("Stonebrook", "Avalon", "SBK", "Stonebrook Regional", 45.52, -122.68, "USD"),
    ("Silverpine", "Avalon", "SVP", "Silverpine Field", 37.77, -122.42, "USD"),
    ("Lisbon", "Portugal", "LIS", "Humberto Delgado", 38.77, -9.13, "EUR"),
    ("Berlin", "Germany", "BER", "Berlin Brandenburg", 52.36, 13.50, "EUR"),
    ("Paris", "France", "CDG", "Charles de Gaulle", 49.01, 2.55, "EUR"),
    ("London", "United Kingdom", "LHR", "Heathrow", 51.47, -0.45, "GBP"),
    ("Tokyo", "Japan", "HND", "Haneda", 35.55, 139.78, "JPY"),
    ("Osaka", "Japan", "KIX", "Kansai International", 34.43, 135.24, "JPY"),
    ("Toronto", "Canada", "YYZ", "Pearson International", 43.68, -79.63, "CAD"),
    ("Sydney", "Australia", "SYD", "Kingsford Smith", -33.94, 151.18, "AUD"),
    ("Zurich", "Switzerland", "ZRH", "Zurich Airport", 47.46, 8.55, "CHF"),
    ("Mumbai", "India", "BOM", "Chhatrapati Shivaji", 19.09, 72.87, "INR"),
    ("Singapore", "Singapore", "SIN", "Changi", 1.36, 103.99, "SGD"),
    ("New York", "United States", "JFK", "John F. Kennedy", 40.64, -73.78, "USD"),
    ("Chicago", "United States", "ORD", "O'Hare", 41.98, -87.90, "USD"),
    ("Madrid", "Spain", "MAD", "Barajas", 40.49, -3.57, "EUR"),
    ("Rome", "Italy", "FCO", "Fiumicino", 41.80, 12.25, "EUR"),
    ("Seoul", "South Korea", "ICN", "Incheon", 37.46, 126.44, "KRW"),
    ("Mexico City", "Mexico", "MEX", "Benito Juarez", 19.44, -99.07, "MXN"),
)

# Units per 1 USD, fixed so conversions are deterministic.
USD_RATES = {
    "USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 151.2, "CAD": 1.36, "AUD": 1.52, "CHF": 0.88,
    "INR": 83.1, "SGD": 1.34, "KRW": 1342.0, "MXN": 17.1,
}


def person_name(index: int) -> str:
    """A deterministic full name for person number `index` (shared across domains)."""
    return f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[(index * 7 + index // len(FIRST_NAMES)) % len(LAST_NAMES)]}"


def email_of(name: str, domain: str = "example.com") -> str:
    return name.lower().replace(" ", ".") + "@" + domain
