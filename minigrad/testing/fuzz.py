"""Fuzz the gradients of any function of tensors with Hypothesis and :func:`minigrad.gradcheck`."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from ..function import Function
from ..gradcheck import gradcheck, gradgradcheck

__all__ = ["check_gradients", "GradientFailures"]


class GradientFailures(AssertionError):
    """Several distinct failures found by :func:`check_gradients` (Hypothesis reports each
    distinct bug it finds); the message holds every failure's report and falsifying example,
    ``.exceptions`` the exceptions themselves."""

    def __init__(self, name, exceptions):
        self.exceptions = tuple(exceptions)
        parts = [f"check_gradients({name}): Hypothesis found {len(self.exceptions)} distinct failures:"]
        for k, e in enumerate(self.exceptions, 1):
            notes = "".join("\n    " + str(n).replace("\n", "\n    ") for n in getattr(e, "__notes__", ()))
            body = str(e).replace("\n", "\n    ")
            parts.append(f"failure {k} of {len(self.exceptions)}: {type(e).__name__}: {body}{notes}")
        super().__init__("\n\n".join(parts))


def check_gradients(fn, *inputs, max_examples=None, second_order=False, fast_mode=False, eps=1e-6,
                    atol=1e-5, rtol=1e-3, settings=None, **kwargs):
    """Draw inputs with Hypothesis and gradient-check ``fn`` on each draw.

    Parameters
    ----------
    fn : callable or Function subclass
        ``fn(*inputs, **kwargs)`` returns a Tensor or a tuple/list of Tensors; a
        :class:`minigrad.Function` subclass is called through its ``apply``.
    *inputs : strategies or fixed values
        One per positional argument of ``fn``; a non-strategy value is passed as is.  Drawn
        Tensors are checked when they require grad (the default of
        :func:`minigrad.testing.tensors` for floating dtypes); see :func:`minigrad.gradcheck`.
    max_examples : int, optional
        Number of draws (default: the current Hypothesis profile's).
    second_order : bool
        Also run :func:`minigrad.gradgradcheck` (backward must be written with Tensor ops).
    fast_mode, eps, atol, rtol
        Passed to the checks.
    settings : hypothesis.settings, optional
        Settings to start from (default: the current profile); ``deadline`` is always off.
    **kwargs
        Fixed keyword arguments of ``fn`` (axes, flags).

    Call it from a plain test function (it runs its own Hypothesis test: not from inside a
    ``@given`` test).

    Raises
    ------
    GradcheckError
        For the smallest failing input Hypothesis finds, with the gradient-check report (and
        Hypothesis's note of the falsifying example).
    GradientFailures
        When Hypothesis finds several distinct failures: an AssertionError whose message shows
        each of them (report and falsifying example), not only their number.

    Examples
    --------
    >>> import minigrad as mg
    >>> from minigrad.testing import check_gradients, tensors
    >>> check_gradients(lambda x: (x * x).sum(axis=0), tensors(shape=(2, 3), dtype="float64"),
    ...                 max_examples=5, second_order=True)
    """
    call_name = fn.__name__ + ".apply" if isinstance(fn, type) else getattr(fn, "__qualname__", repr(fn))
    if isinstance(fn, type) and issubclass(fn, Function):
        fn = fn.apply
    strategies = [x if isinstance(x, st.SearchStrategy) else st.just(x) for x in inputs]
    base = settings if settings is not None else hsettings()
    opts = dict(deadline=None, suppress_health_check=list(base.suppress_health_check) + [HealthCheck.too_slow])
    if max_examples is not None:
        opts["max_examples"] = int(max_examples)

    def call(*args):
        return fn(*args, **kwargs)

    call.__qualname__ = call_name  # the name the gradient-check report shows

    @hsettings(base, **opts)
    @given(st.tuples(*strategies))
    def check(drawn):
        gradcheck(call, drawn, eps=eps, atol=atol, rtol=rtol, fast_mode=fast_mode)
        if second_order:
            gradgradcheck(call, drawn, eps=eps, atol=atol, rtol=rtol, fast_mode=fast_mode)

    check.__qualname__ = f"check_gradients({call_name})"
    try:
        check()
    except Exception as e:  # Hypothesis raises an ExceptionGroup for several distinct failures
        subs = getattr(e, "exceptions", None)
        if not isinstance(subs, tuple) or not subs or not all(isinstance(x, BaseException) for x in subs):
            raise
        raise GradientFailures(call_name, subs) from e
