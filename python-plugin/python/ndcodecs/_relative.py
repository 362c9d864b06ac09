"""Error bounds relative to the value range (SZ3's ``REL`` mode), resolved against the data."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def max_abs_error_from_relative(
    data: npt.ArrayLike, max_rel_error: float, fill_value: float | None = None
) -> float:
    """The absolute bound that a bound relative to the value range of ``data`` stands for.

    ``max_rel_error * (max - min)`` over the finite values of ``data`` other than ``fill_value``
    (matched by bits after rounding it to the data's dtype, as ``LinearQuantize`` matches it),
    computed in float64: SZ3's ``REL`` error-bound mode. Codecs without a header, such as
    ``LinearQuantize``, cannot record a per-chunk bound, so the relative bound is resolved here
    against the data at hand (typically the whole array before it is written) and the codec's
    configuration stores the absolute ``max_abs_error``; every chunk gets the same bound. The
    Rust function ``ndcodecs_linear_quantize::max_abs_error_from_relative`` and the ``ndcodecs``
    command line's ``linear_quantize(max_rel_error=...)`` compute the same value.

    Parameters
    ----------
    data : array_like of float32 or float64, any shape
        The values the bound is relative to.
    max_rel_error : float
        The bound as a fraction of the value range (e.g. ``1e-3``); finite and > 0.
    fill_value : float or None, default None
        A value marking missing data, left out of the range.

    Returns
    -------
    float
        ``max_abs_error``, in the data's units.

    Errors
    ------
    TypeError
        For data that are not float32 or float64.
    ValueError
        For a ``max_rel_error`` that is not finite and > 0, or data with no finite value other
        than the fill value, or with a value range of 0 (give ``max_abs_error`` instead).

    Examples
    --------
    >>> import numpy as np
    >>> from ndcodecs import LinearQuantize, max_abs_error_from_relative
    >>> sst = np.array([271.5, 280.0, 9.96921e36, 301.5], dtype=np.float32)
    >>> bound = max_abs_error_from_relative(sst, 1e-3, fill_value=9.96921e36)
    >>> bound == 1e-3 * (301.5 - 271.5)
    True
    >>> codec = LinearQuantize(max_abs_error=bound, fill_value=9.96921e36, dtype="float32")
    """
    a = np.asarray(data)
    if a.dtype not in (np.dtype("float32"), np.dtype("float64")):
        raise TypeError(
            f"max_rel_error: relative bounds need float32 or float64 data, not {a.dtype}"
        )
    if not (np.isfinite(max_rel_error) and max_rel_error > 0):
        raise ValueError(f"max_rel_error must be a finite number > 0, found {max_rel_error!r}")
    keep = np.isfinite(a)
    if fill_value is not None:
        bits = a.dtype.str.replace("f", "u")
        keep &= a.view(bits) != np.asarray(fill_value, dtype=a.dtype).view(bits)
    values = a[keep]
    if values.size == 0:
        raise ValueError(
            "max_rel_error: the data hold no finite value other than the fill value, so they have "
            "no value range"
        )
    value_range = float(values.max()) - float(values.min())
    if value_range == 0:
        raise ValueError(
            f"max_rel_error: every value is {float(values.min())!r} (value range 0), so a "
            "relative bound is 0; give max_abs_error instead"
        )
    return float(max_rel_error) * value_range
