"""``wrk`` cycling through a list of URL paths (each connection starts at a random one), with the latency
percentiles and error counts of the whole run."""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
init = function(args) i = math.random(#paths) end
request = function()
  i = (i %% #paths) + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), e.connect, e.read, e.write, e.status,
    e.timeout))
end
"""


@dataclass
class Run:
    requests: int
    seconds: float
    p50: float  # milliseconds
    p95: float
    p99: float
    errors: int  # connection errors, timeouts and non-2xx/3xx answers

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def wrk(url: str, paths: list[str], root: Path, name: str, duration: int, connections: int) -> Run:
    """Load ``url`` with ``connections`` clients for ``duration`` seconds, cycling through ``paths``; ``root`` and
    ``name`` say where the path list and the script are written."""
    listing = root / f"{name}.paths"
    listing.write_text("\n".join(paths) + "\n")
    script = root / f"{name}.lua"
    script.write_text(SCRIPT % listing)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script),
                          url], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^RESULT (.+)$", out, re.M)
    if not found:
        raise SystemExit(f"wrk printed no result for {url}:\n{out}")
    n, micros, p50, p95, p99, *errors = map(int, found.group(1).split())
    return Run(n, micros / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, sum(errors))
