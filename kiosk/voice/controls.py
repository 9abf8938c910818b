"""Resident speech controls: rate and loudness steps, kept for one visit only.

VVSG 2.0 asks for a resident-chosen speech rate in steps; the issue asks for at least five
steps from about 60% to 140% of the kiosk's default. Loudness goes up past the configured
volume (the player saturates rather than wraps). Everything returns to the default when the
visit ends: the next resident starts from the kiosk's own settings.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

RATE_STEPS: tuple[float, ...] = (0.6, 0.7, 0.85, 1.0, 1.15, 1.3, 1.4)
VOLUME_STEPS: tuple[float, ...] = (0.4, 0.55, 0.7, 0.85, 1.0, 1.3, 1.6)
DEFAULT_RATE_STEP = RATE_STEPS.index(1.0)
REPEAT_SLOWER_BY = 1          # steps slower for a prompt asked for a second time in a row


class Control(str, Enum):
    """What a resident can ask of the voice (by voice or by the bar's buttons)."""

    SLOWER = "slower"
    FASTER = "faster"
    LOUDER = "louder"
    SOFTER = "softer"
    PARDON = "pardon"       # 你说什么 / 没听懂 / 再说一遍: repeat, slower the second time
    PAUSE = "pause"         # 等一下 / 暂停: stop the clock and the microphone
    RESUME = "resume"       # 好了 / a tap

    @classmethod
    def of(cls, value: object) -> Control | None:
        """A Control from an enum of another module (the engine's) or its value; None if unknown."""
        raw = getattr(value, "value", value)
        try:
            return cls(str(raw).lower())
        except ValueError:
            return None


def _nearest_step(steps: tuple[float, ...], value: float) -> int:
    return min(range(len(steps)), key=lambda i: abs(steps[i] - value))


@dataclass
class SpeechSettingsNow:
    """The rate and loudness steps in force for this visit."""

    rate_step: int = DEFAULT_RATE_STEP
    volume_step: int = VOLUME_STEPS.index(1.0)
    default_volume_step: int = VOLUME_STEPS.index(1.0)

    @classmethod
    def starting_at(cls, volume: float) -> SpeechSettingsNow:
        """Steps for a kiosk whose configured volume is `volume`."""
        step = _nearest_step(VOLUME_STEPS, volume)
        return cls(volume_step=step, default_volume_step=step)

    @property
    def rate_factor(self) -> float:
        """Multiplier of the configured rate."""
        return RATE_STEPS[self.rate_step]

    @property
    def volume(self) -> float:
        """Player volume (above 1.0 is gain)."""
        return VOLUME_STEPS[self.volume_step]

    def step(self, control: Control) -> bool:
        """Apply a rate or loudness control; False when already at the end of the scale."""
        if control is Control.SLOWER and self.rate_step > 0:
            self.rate_step -= 1
        elif control is Control.FASTER and self.rate_step < len(RATE_STEPS) - 1:
            self.rate_step += 1
        elif control is Control.LOUDER and self.volume_step < len(VOLUME_STEPS) - 1:
            self.volume_step += 1
        elif control is Control.SOFTER and self.volume_step > 0:
            self.volume_step -= 1
        else:
            return False
        return True

    def reset(self) -> None:
        """Back to the kiosk's defaults (a new visit)."""
        self.rate_step = DEFAULT_RATE_STEP
        self.volume_step = self.default_volume_step

    def slower_factor(self, steps: int = REPEAT_SLOWER_BY) -> float:
        """The rate factor `steps` slower than now (for one repeated prompt)."""
        return RATE_STEPS[max(0, self.rate_step - steps)]
