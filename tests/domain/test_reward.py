from decimal import Decimal

import pytest

from domain.errors import DomainError
from domain.reward import compute_reward, quota_persons, reward_for

D = Decimal


def test_example_of_002():
    result = compute_reward(30, 2, D("0.015"), D("1.5"), D("6600"))
    assert result.quota_persons == 1
    assert result.excess == D("1")
    assert result.reward == D("9900.00")


def test_example_of_002_with_inner_mongolia_parameters():
    assert reward_for("150924", 2023, 30, 2).reward == D("9900.00")


@pytest.mark.parametrize(
    ("staff", "ratio", "persons"),
    [
        (30, "0.015", 1),
        (200, "0.015", 3),  # exactly 3: no rounding up
        (201, "0.015", 4),
        (100, 0.07, 7),  # float 100 * 0.07 is 7.000000000000001
        (1, "0.015", 1),
        (0, "0.015", 0),
    ],
)
def test_quota_persons_round_up_in_decimal(staff, ratio, persons):
    assert quota_persons(staff, ratio) == persons


@pytest.mark.parametrize(
    ("placed", "reward"),
    [(1, D("0.00")), (0, D("0.00")), (D("2.5"), D("14850.00")), (4, D("29700.00"))],
)
def test_reward_amounts(placed, reward):
    assert compute_reward(30, placed, "0.015", "1.5", "6600").reward == reward


def test_no_reward_at_or_below_quota_has_zero_excess():
    result = compute_reward(200, 3, "0.015", "1.5", "6600")
    assert result.excess == 0
    assert result.reward == 0


@pytest.mark.parametrize("bad", [-1, "x", True, float("nan")])
def test_bad_numbers_are_domain_errors(bad):
    with pytest.raises(DomainError):
        compute_reward(30, bad, "0.015", "1.5", "6600")
