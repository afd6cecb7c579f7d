"""Great-circle distances between places given by latitude and longitude (degrees)."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG), good to about 0.5 % anywhere on Earth


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in kilometres (haversine formula).

    Haversine stays accurate for short distances, where the spherical law of cosines loses
    digits to rounding; the workshops of a network are often only tens of kilometres apart.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_km(a: tuple[float | None, float | None],
                b: tuple[float | None, float | None]) -> float | None:
    """The distance between two (lat, lon) points, or None when either is not known."""
    if a[0] is None or a[1] is None or b[0] is None or b[1] is None:
        return None
    return haversine_km(a[0], a[1], b[0], b[1])
