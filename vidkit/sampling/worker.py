"""The entry point of a ``vk.generate_many(num_processes=N)`` worker process.

``generate_many`` starts ``python -m vidkit.sampling.worker JOB.json`` once per process, with the
environment variables accelerate sets; each takes its share of the job
(:func:`vidkit.sampling.batch.run_worker`). A module of its own, which the package does not import,
so that ``-m`` runs it once.

Example:
    >>> import subprocess, sys
    >>> r = subprocess.run([sys.executable, "-m", "vidkit.sampling.worker"], capture_output=True,
    ...                    text=True)
    >>> r.returncode, r.stderr.strip()
    (2, 'usage: python -m vidkit.sampling.worker JOB.json')
"""

from __future__ import annotations

import sys

from vidkit.sampling.batch import run_worker


def main(argv: list[str]) -> int:
    """Run the worker of the job file ``argv[0]``; 2 with a usage line when it is missing."""
    if len(argv) != 1:
        print("usage: python -m vidkit.sampling.worker JOB.json", file=sys.stderr)
        return 2
    run_worker(argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
