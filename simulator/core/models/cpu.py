"""Which llama.cpp build a CPU can run: portable instruction-set tiers, best first.

A native build (``GGML_NATIVE``, pip's default for llama-cpp-python) compiles for the
build machine's own CPU and turns on whatever it reports. On Intel Xeons with AMX that
includes AMX weight repacking, which crashed in the first ``decode`` (see
shared/offline-models.md). So the project never builds natively: it names every
instruction set explicitly, never AMX, and picks the best tier the CPU reports. AVX-512
is chosen only when the CPU has the four AVX-512 subsets the kernels use, and only stays
chosen if the smoke completion after the build succeeds (``llama_build``); otherwise the
next tier down is built. Standard library only: set-up runs it before anything else.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from pathlib import Path

# Always off, whatever the CPU says: AMX repacking segfaulted on AMX Xeons.
NEVER = ("-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF")
COMMON = ("-DGGML_NATIVE=OFF", "-DGGML_CPU_ALL_VARIANTS=OFF", "-DGGML_BACKEND_DL=OFF")


@dataclass(frozen=True)
class Tier:
    """One portable build: a name, the CPU flags it needs, and its CMake options."""

    name: str
    needs: frozenset[str]
    cmake: tuple[str, ...]

    @property
    def cmake_args(self) -> list[str]:
        return [*COMMON, *self.cmake, *NEVER]


def _on(*names: str) -> tuple[str, ...]:
    return tuple(f"-DGGML_{n}=ON" for n in names)


def _off(*names: str) -> tuple[str, ...]:
    return tuple(f"-DGGML_{n}=OFF" for n in names)


_X86_EXTRAS = ("AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16", "AVX_VNNI")
X86_TIERS: tuple[Tier, ...] = (
    Tier(
        "avx512",
        frozenset({"avx", "avx2", "fma", "f16c", "bmi2", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"}),
        _on("SSE42", "AVX", "AVX2", "FMA", "F16C", "BMI2", "AVX512") + _off(*_X86_EXTRAS),
    ),
    Tier(
        "avx2",
        frozenset({"avx", "avx2", "fma", "f16c", "bmi2"}),
        _on("SSE42", "AVX", "AVX2", "FMA", "F16C", "BMI2") + _off("AVX512", *_X86_EXTRAS),
    ),
    Tier("avx", frozenset({"avx", "sse4_2"}), _on("SSE42", "AVX") + _off("AVX2", "FMA", "F16C", "BMI2", "AVX512")),
    Tier("sse42", frozenset({"sse4_2"}), _on("SSE42") + _off("AVX", "AVX2", "FMA", "F16C", "BMI2", "AVX512")),
    Tier("x86-64", frozenset(), _off("SSE42", "AVX", "AVX2", "FMA", "F16C", "BMI2", "AVX512")),
)
# Other architectures (ARM servers and laptops): the compiler's baseline for the target.
GENERIC_TIER = Tier("generic", frozenset(), ())


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The instruction-set flags the kernel reports for the first CPU (empty if unknown)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def cpu_name(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "Hardware"):
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def is_x86(machine: str | None = None) -> bool:
    return (machine or platform.machine()).lower() in ("x86_64", "amd64", "i686", "i386")


def tiers_for(flags: frozenset[str], machine: str | None = None) -> list[Tier]:
    """The tiers this CPU can run, best first: the build tries them in this order."""
    if not is_x86(machine):
        return [GENERIC_TIER]
    return [tier for tier in X86_TIERS if tier.needs <= flags]


def tier_named(name: str) -> Tier:
    for tier in (*X86_TIERS, GENERIC_TIER):
        if tier.name == name:
            return tier
    raise KeyError(f"unknown build tier {name!r}; known: {', '.join(t.name for t in (*X86_TIERS, GENERIC_TIER))}")


def has_amx(flags: frozenset[str]) -> bool:
    return any(flag.startswith("amx") for flag in flags)


__all__ = ["GENERIC_TIER", "X86_TIERS", "Tier", "cpu_flags", "cpu_name", "has_amx", "tier_named", "tiers_for"]
