"""What the benchmarks print about the machine they ran on, and the peak memory they used."""

from __future__ import annotations

import os
import platform
import resource


def machine() -> str:
    """CPU, cores, load average and Python: a figure means little without them."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            rows = [line for line in info if line.startswith("model name")]
            names = [line.split(":", 1)[1].strip() for line in rows]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"machine: {cpu}, {os.cpu_count()} cores, load average {load}; "
        f"Python {platform.python_version()} on {platform.system()}"
    )


def peak_memory() -> str:
    """Peak resident memory of this process and of its finished worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return f"peak memory: {own:.0f} MB this process, {workers:.0f} MB the largest worker"
