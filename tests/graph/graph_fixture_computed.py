"""Tools whose outputs say only "the result", and parameters whose names say nothing.

Importable by reference (`graph_fixture_computed:Calculator`) because environments are rebuilt from one.
"""

from __future__ import annotations

import statistics
from typing import Any, TypedDict

from hardgen.tools import tool


class Result(TypedDict):
    result: float


class Zipcode(TypedDict):
    zipcode: str


class Post(TypedDict):
    id: int
    content: str


class Calculator:
    """Stateless arithmetic whose every result is a bare `result` (declared reads: `round` and `add`
    sound like writes)."""

    @tool
    def mean(self, numbers: list[float]) -> Result:
        """Calculate the mean of a list of numbers.

        Args:
            numbers: List of numbers to average.
        """
        return {"result": statistics.fmean(numbers)}

    @tool
    def add(self, a: float, b: float) -> Result:
        """Add two numbers.

        Args:
            a: First number.
            b: Second number.
        """
        return {"result": a + b}

    @tool
    def round_number(self, number: float, decimal_places: int = 0) -> Result:
        """Round a number to a number of decimal places.

        Args:
            number: The number to round.
            decimal_places: How many decimal places to keep.
        """
        return {"result": round(number, decimal_places)}


class Atlas:
    """`estimate_distance` takes zip codes under names that say "city"."""

    ZIPCODES = {"Rivermist": "83214", "Stonebrook": "74532"}

    def get_zipcode(self, city: str) -> Zipcode:
        """Get the zipcode of a city.

        Args:
            city: The name of the city.
        """
        return {"zipcode": self.ZIPCODES.get(city, "00000")}

    def estimate_distance(self, cityA: str, cityB: str) -> dict[str, Any]:  # noqa: N803 (a name users give tools)
        """Estimate the distance between two cities.

        Args:
            cityA: The zipcode of the first city.
            cityB: The zipcode of the second city.
        """
        return {"distance": 750.0 if {cityA, cityB} == {"83214", "74532"} else 0.0}


class Board:
    """A comment's content is new text: the description names what the name already says."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = [{"id": 0, "content": "Hello"}]

    def get_post(self, post_id: int) -> Post:
        """Get a post.

        Args:
            post_id: The id of the post.
        """
        return {"id": post_id, "content": self.posts[post_id]["content"]}

    def comment(self, post_id: int, comment_content: str) -> dict[str, str]:
        """Comment on a post.

        Args:
            post_id: The id of the post.
            comment_content: Content of the comment.
        """
        self.posts[post_id].setdefault("comments", []).append(comment_content)
        return {"comment_status": "Comment added"}
